import { useState } from 'react';
import { Alert, App, Button, Card, Col, Input, Modal, Result, Row, Space, Statistic, Tag } from 'antd';
import type { CaseView } from '../../../../shared/ipc/methods/intake';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../../shared/rules/case-states';
import { call, DeskCallError } from '../../ipc/client';
import { PdfViewer, type PdfDoc } from '../../components/PdfViewer';

/** The usual grounds for 不予受理 (行政许可法 第三十二条), offered as a start; the clerk may edit or write another. */
export const COMMON_REJECTION_REASONS = [
  '申请事项依法不需要取得行政许可',
  '申请事项依法不属于本机关职权范围',
  '申请人不具备申请资格',
  '申请材料不齐全或者不符合法定形式，经一次性告知后未在规定期限内补正',
  '同一申请事项已在办理中，不得重复申请',
];

/** Step 4: the figures, what still blocks, acceptance (or refusal with a reason) and the receipt. */
export function AcceptStep({ view, onChange, onNew }: { view: CaseView; onChange: (v: CaseView) => void; onNew: () => void }) {
  const { message } = App.useApp();
  const [reasonFor, setReasonFor] = useState<{ to: CaseStatus; action: string; needsLegalBasis?: boolean } | null>(null);
  const [reason, setReason] = useState('');
  const [legalBasis, setLegalBasis] = useState('');
  const [pdf, setPdf] = useState<PdfDoc | null>(null);
  const [pdfTitle, setPdfTitle] = useState('受理回执');
  const [busy, setBusy] = useState(false);
  const [completing, setCompleting] = useState(false);
  const [decisionNo, setDecisionNo] = useState('');
  const [completeError, setCompleteError] = useState<string | null>(null);

  async function transition(to: CaseStatus, why?: string, basis?: string, decision?: string): Promise<boolean> {
    setBusy(true);
    try {
      onChange(await call('intake.transition', { caseId: view.id, to, ...(why ? { reason: why } : {}), ...(basis ? { legalBasis: basis } : {}), ...(decision ? { decisionNo: decision } : {}) }));
      message.success(`办件已${CASE_STATUS_LABELS[to]}`);
      return true;
    } catch (e) {
      const text = e instanceof DeskCallError ? e.message : '操作失败';
      if (to === 'completed') setCompleteError(text);
      else message.error(text);
      return false;
    } finally {
      setBusy(false);
    }
  }

  function showReceipt() {
    setPdfTitle('受理回执');
    return call('intake.receiptPdf', { caseId: view.id }).then(setPdf, () => message.error('受理回执生成失败，请点击“打印受理回执”重试'));
  }

  function showRejectionNotice() {
    setPdfTitle('不予受理告知书');
    return call('intake.rejectionNoticePdf', { caseId: view.id }).then(setPdf, () => message.error('不予受理告知书生成失败，请点击“打印不予受理告知书”重试'));
  }

  const f = view.figures;
  return (
    <Row gutter={16}>
      <Col xs={24} xl={14}>
        <Card title="本件免证情况" size="small">
          <Row gutter={16}>
            <Col span={8}>
              <Statistic title="涉及证明" value={f.total} suffix="项" />
            </Col>
            <Col span={8}>
              <Statistic title="免于申请人提交" value={f.avoided} suffix="项" styles={{ content: { color: '#389e0d' } }} />
            </Col>
            <Col span={8}>
              <Statistic title="仍需核对原件" value={f.originals} suffix="项" data-testid="originals-figure" />
            </Col>
          </Row>
          <Space wrap style={{ marginTop: 16 }} data-testid="figures">
            {f.byMethod.map((m) => (
              <Tag key={m.key} color={m.count ? 'green' : 'default'}>
                {m.label} {m.count}
              </Tag>
            ))}
          </Space>
        </Card>
      </Col>
      <Col xs={24} xl={10}>
        {view.status === 'draft' ? (
          <Card title="受理" size="small">
            {view.blockers.length > 0 ? (
              <Alert type="warning" showIcon title="以下证明尚未办妥" description={view.blockers.map((b) => <div key={b}>{b}</div>)} style={{ marginBottom: 12 }} />
            ) : (
              <Alert type="success" showIcon title="证明均已办妥，可以受理" style={{ marginBottom: 12 }} />
            )}
            <Space>
              <Button
                type="primary"
                disabled={view.blockers.length > 0}
                loading={busy}
                onClick={() =>
                  // The receipt is handed over at once: its preview opens with the acceptance.
                  void transition('accepted').then((ok) => ok && showReceipt())
                }
              >
                受理
              </Button>
              <Button danger onClick={() => setReasonFor({ to: 'rejected', action: '不予受理' })}>
                不予受理
              </Button>
            </Space>
          </Card>
        ) : (
          <Result
            status={view.status === 'rejected' ? 'warning' : 'success'}
            title={`办件${CASE_STATUS_LABELS[view.status]}`}
            subTitle={`${view.caseNo}${view.statusReason ? ` · 理由：${view.statusReason}` : ''}`}
            extra={
              <Space wrap>
                {view.status !== 'rejected' ? (
                  <Button type="primary" onClick={() => void showReceipt()}>
                    打印受理回执
                  </Button>
                ) : (
                  <Button type="primary" onClick={() => void showRejectionNotice()}>
                    打印不予受理告知书
                  </Button>
                )}
                {view.transitions
                  .filter((t) => t.to !== 'accepted')
                  .map((t) => (
                    <Button
                      key={t.to}
                      onClick={() =>
                        t.to === 'completed'
                          ? (setCompleteError(null), setCompleting(true))
                          : t.needsReason
                            ? setReasonFor({ to: t.to, action: t.action, needsLegalBasis: t.needsLegalBasis })
                            : void transition(t.to)
                      }
                    >
                      {t.action}
                    </Button>
                  ))}
                <Button onClick={onNew}>办理下一件</Button>
              </Space>
            }
          />
        )}
      </Col>
      <PdfViewer doc={pdf} title={pdfTitle} onClose={() => setPdf(null)} />
      <Modal
        open={completing}
        title="办结"
        okText="办结"
        okButtonProps={{ disabled: !decisionNo.trim(), loading: busy }}
        onCancel={() => setCompleting(false)}
        onOk={() => {
          void transition('completed', undefined, undefined, decisionNo.trim()).then((ok) => {
            if (!ok) return;
            setCompleting(false);
            setDecisionNo('');
          });
        }}
      >
        {completeError && <Alert type="error" showIcon title={completeError} style={{ marginBottom: 12 }} data-testid="complete-refused" />}
        <div style={{ marginBottom: 4 }}>办理结果（必填，归档用）</div>
        <Input
          aria-label="办理结果"
          value={decisionNo}
          maxLength={100}
          onChange={(e) => setDecisionNo(e.target.value)}
          placeholder="决定文号或证照编号，例如：房民婚字〔2026〕第0123号"
        />
      </Modal>
      <Modal
        open={reasonFor !== null}
        title={reasonFor?.action}
        width={reasonFor?.to === 'rejected' ? 680 : 520}
        okText="确定"
        okButtonProps={{ danger: true, disabled: !reason.trim() || (reasonFor?.needsLegalBasis === true && !legalBasis.trim()) }}
        onCancel={() => setReasonFor(null)}
        onOk={() => {
          if (!reasonFor) return;
          const to = reasonFor.to;
          void transition(to, reason.trim(), reasonFor.needsLegalBasis ? legalBasis.trim() : undefined).then((ok) => {
            setReasonFor(null);
            setReason('');
            setLegalBasis('');
            // The applicant is handed the written refusal at once.
            if (ok && to === 'rejected') void showRejectionNotice();
          });
        }}
      >
        {reasonFor?.needsLegalBasis && (
          <>
            <Alert type="info" showIcon title={`本件已推送至业务系统，${reasonFor.action}将连同法律依据和理由同步告知。`} style={{ marginBottom: 12 }} />
            <div style={{ marginBottom: 4 }}>法律依据（必填）</div>
            <Input
              aria-label="法律依据"
              value={legalBasis}
              maxLength={300}
              onChange={(e) => setLegalBasis(e.target.value)}
              placeholder="例如：《中华人民共和国行政许可法》第三十二条"
              style={{ marginBottom: 12 }}
            />
            <div style={{ marginBottom: 4 }}>理由（必填）</div>
          </>
        )}
 {reasonFor?.to === 'rejected' && (
          <div style={{ marginBottom: 8 }} data-testid="common-rejection-reasons">
            <div style={{ marginBottom: 4 }}>常用理由（点击填入，可修改）：</div>
            <Space wrap size={[4, 4]}>
              {COMMON_REJECTION_REASONS.map((r) => (
                <Button key={r} size="small" onClick={() => setReason(r)} style={{ whiteSpace: 'normal', height: 'auto', textAlign: 'left' }}>
                  {r}
                </Button>
              ))}
            </Space>
          </div>
        )}
        <Input.TextArea rows={3} aria-label="理由" value={reason} onChange={(e) => setReason(e.target.value)} placeholder={reasonFor?.to === 'rejected' ? '请填写不予受理的理由（必填，印在不予受理告知书上，并记入审计日志）' : '请填写理由（必填，将告知申请人并记入审计日志）'} />
      </Modal>
    </Row>
  );
}
