import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Descriptions, Drawer, Radio, Space, Steps, Tabs, Typography, Upload } from 'antd';
import { PrinterOutlined } from '@ant-design/icons';
import { PdfViewer, type PdfDoc } from '../../components/PdfViewer';
import type { CaseCertificateView, CaseView } from '../../../../shared/ipc/methods/intake';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { call, DeskCallError } from '../../ipc/client';
import { SignaturePad, type SignaturePadHandle } from '../../components/SignaturePad';
import { blobToBase64 } from '../../lib/files';
import { deskTime } from '../../lib/time';
import { HallCopyNote } from './HallCopyNote';
import { useDesk } from '../../state/desk-store';

type Notice = MethodOutput<'intake.commitmentNotice'>;

/**
 * 告知承诺: the clerk shows the notice; the applicant chooses freely; if they
 * commit (and the credit list allows it) they sign in person; the signed
 * commitment is bound by a digest that is shown here and printed on the PDF.
 */
export function CommitmentDrawer({
  view,
  cert,
  onClose,
  onChange,
  next,
  settledAfter,
  onNext,
}: {
  view: CaseView;
  cert: CaseCertificateView | null;
  onClose: () => void;
  onChange: (v: CaseView) => void;
  /** The certificate that waits for the applicant after this one (null: none, 完成 closes). */
  next: { cert: CaseCertificateView } | null;
  /** Every certificate of the case settled: 完成 goes on to acceptance. */
  settledAfter: boolean;
  onNext: () => void;
}) {
  const { message } = App.useApp();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [eligibility, setEligibility] = useState<MethodOutput<'intake.commitmentEligibility'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [hasInk, setHasInk] = useState(false);
  const [scan, setScan] = useState<string | null>(null);
  const [tab, setTab] = useState<'screen' | 'scanned_paper'>('screen');
  const [paper, setPaper] = useState<PdfDoc | null>(null);
  const [showDigest, setShowDigest] = useState(false);
  const supervisor = useDesk((s) => s.session?.user.role === 'supervisor');
  const pad = useRef<SignaturePadHandle>(null);

  useEffect(() => {
    if (!cert) return;
    setError(null);
    void call('intake.commitmentNotice', { caseId: view.id, certificateItemId: cert.certificateItemId }).then(setNotice);
    void call('intake.commitmentEligibility', { caseId: view.id }).then(setEligibility);
  }, [cert, view.id]);

  if (!cert) return null;
  const signed = cert.commitment && !cert.commitment.withdrawnAt;

  async function run(action: () => Promise<CaseView>) {
    setBusy(true);
    setError(null);
    try {
      onChange(await action());
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '操作失败');
    } finally {
      setBusy(false);
    }
  }

  const choose = (choice: 'commit' | 'present') => run(() => call('intake.recordChoice', { caseId: view.id, certificateItemId: cert.certificateItemId, choice }));
  const sign = () => {
    const png = tab === 'screen' ? pad.current?.toPngBase64() : scan;
    if (!png) return setError(tab === 'screen' ? '请申请人先在签名框内签名。' : '请先导入签字纸质件的扫描图像。');
    return run(async () => {
      const v = await call('intake.signCommitment', { caseId: view.id, certificateItemId: cert.certificateItemId, signatureKind: tab, signaturePngBase64: png });
      message.success('承诺书已签署');
      return v;
    });
  };

  const step = signed ? 3 : cert.choice === 'commit' ? 2 : cert.choice === 'present' ? 3 : 1;
  const printPaper = () =>
    call('intake.commitmentPaperPdf', { caseId: view.id, certificateItemId: cert.certificateItemId }).then(setPaper, (e: unknown) =>
      setError(e instanceof DeskCallError ? e.message : '承诺书生成失败'),
    );
  // Done here (signed, or the applicant will present the original): on to the next certificate waiting.
  const done = signed || cert.choice === 'present';
  const nextOther = next && next.cert.certificateItemId !== cert.certificateItemId ? next : null;
  const nextLabel = next ? (next.cert.certificateItemId === cert.certificateItemId ? '下一步：核对原件' : `下一项：${next.cert.name}`) : settledAfter ? '完成，去受理' : '完成';
  const footer = (
    <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
      <span>
        {!signed && cert.choice === 'commit' && tab === 'scanned_paper' && (
          <Button icon={<PrinterOutlined />} onClick={() => void printPaper()} data-testid="print-paper-commitment">
            打印承诺书
          </Button>
        )}
      </span>
      <span style={{ display: 'flex', gap: 8 }}>
        {!signed && cert.choice === 'commit' && (
          <Button type="primary" loading={busy} disabled={tab === 'screen' ? !hasInk : !scan} onClick={() => void sign()}>
            确认签署并生成承诺书
          </Button>
        )}
        {done && (
          <Button type="primary" autoFocus onClick={next || settledAfter ? onNext : onClose} data-testid="commitment-next" title={nextOther ? `下一项：${nextOther.cert.name}` : undefined}>
            {nextLabel}
          </Button>
        )}
      </span>
    </div>
  );

  return (
    // Fits 1366×768: the texts scroll in their own box, the signature pad stays in view and the
    // buttons sit in the drawer's footer, always visible.
    <Drawer open width={760} title={`告知承诺：${cert.name}`} onClose={onClose} destroyOnHidden data-testid="commitment-drawer" footer={footer} styles={{ body: { paddingTop: 12, paddingBottom: 12 } }}>
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 12 }}
        items={[{ title: '告知' }, { title: '申请人选择' }, { title: '本人签署' }, { title: '完成' }]}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="commitment-error" />}
      {notice && (
        <div
          style={{ background: '#fafafa', padding: '8px 12px', borderRadius: 6, maxHeight: cert.choice === 'commit' && !signed ? 150 : 300, overflow: 'auto', marginBottom: 12 }}
          data-testid="notice-box"
          tabIndex={-1}
        >
          <Typography.Text strong>告知内容</Typography.Text>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 8 }} data-testid="notice-text">
            {notice.noticeText}
          </Typography.Paragraph>
          <Typography.Text strong>申请人承诺</Typography.Text>
          <Typography.Paragraph style={{ whiteSpace: 'pre-wrap', marginBottom: 8 }}>{notice.commitmentText}</Typography.Paragraph>
          <Typography.Text type="secondary">
            事后核查：{notice.verification.method}
            {notice.verification.timeLimitDays !== null ? `，${notice.verification.timeLimitDays} 个工作日内` : ''}
            {notice.verification.samplingRatio !== null ? `，抽查比例 ${Math.round(notice.verification.samplingRatio * 100)}%` : ''}
          </Typography.Text>
        </div>
      )}
      {eligibility && !signed && <HallCopyNote hallCopy={eligibility.hallCopy} />}
      {eligibility && !eligibility.eligible && (
        <Alert
          type="error"
          showIcon
          data-testid="ineligible"
          style={{ marginBottom: 12 }}
          title="该申请人暂不适用告知承诺，须提交证明原件"
          description={eligibility.reasons.map((r) => <div key={r}>{r}</div>)}
        />
      )}
      {signed ? (
        <Descriptions bordered size="small" column={1} data-testid="commitment-signed">
          <Descriptions.Item label="状态">已签署</Descriptions.Item>
          <Descriptions.Item label="签署时间">{deskTime(cert.commitment!.signedAt)}</Descriptions.Item>
          {/* The digest binding signature and text: a technical value, for supervisors, behind 详情. */}
          {supervisor && (
            <Descriptions.Item label="详情">
              {showDigest ? (
                <Typography.Text code copyable style={{ wordBreak: 'break-all' }} data-testid="commitment-digest">
                  承诺书数字摘要（{cert.commitment!.digestAlg}，绑定内容、签名与时间）：{cert.commitment!.digest}
                </Typography.Text>
              ) : (
                <Typography.Link onClick={() => setShowDigest(true)}>显示数字摘要</Typography.Link>
              )}
            </Descriptions.Item>
          )}
          <Descriptions.Item label="可撤回截止">{deskTime(cert.commitment!.withdrawDeadline)}</Descriptions.Item>
          <Descriptions.Item label="事后核查">
            {cert.commitment!.verification
              ? `${cert.commitment!.verification.method}${cert.commitment!.verification.sampled ? `（已抽中，${cert.commitment!.verification.dueAt?.slice(0, 10)} 前完成）` : '（本件未抽中或免于核查）'}`
              : '—'}
          </Descriptions.Item>
        </Descriptions>
      ) : (
        <>
          <Typography.Text strong style={{ marginRight: 12 }}>
            申请人选择
          </Typography.Text>
          <Radio.Group
            value={cert.choice ?? undefined}
            disabled={busy || view.status !== 'draft'}
            onChange={(e) => void choose(e.target.value as 'commit' | 'present')}
            options={[
              { value: 'commit', label: '以书面承诺代替证明', disabled: eligibility ? !eligibility.eligible : true },
              { value: 'present', label: '不承诺，自行提交证明' },
            ]}
            data-testid="commitment-choice"
          />
          {cert.choice === 'commit' && (
            <div style={{ marginTop: 8 }}>
              <Tabs
                size="small"
                activeKey={tab}
                onChange={(k) => setTab(k as 'screen' | 'scanned_paper')}
                items={[
                  { key: 'screen', label: '屏幕签名', children: <SignaturePad ref={pad} onChange={setHasInk} /> },
                  {
                    key: 'scanned_paper',
                    label: '纸质签字件扫描',
                    children: (
                      <Space direction="vertical">
                        <Typography.Text type="secondary">请打印承诺书交申请人本人签字，再将签字后的纸质件扫描或拍照导入。</Typography.Text>
                        <Upload
                          accept="image/png,image/jpeg"
                          maxCount={1}
                          beforeUpload={async (f) => {
                            setScan(await blobToBase64(f));
                            return false;
                          }}
                        >
                          <Button>导入签字纸质件图像</Button>
                        </Upload>
                      </Space>
                    ),
                  },
                ]}
              />
            </div>
          )}
          {cert.choice === 'present' && <Alert style={{ marginTop: 12 }} type="info" showIcon title="申请人选择自行提交证明：请核对原件并留存（“下一步：核对原件”）。" />}
        </>
      )}
      <PdfViewer doc={paper} title="告知承诺书（待签字）" onClose={() => setPaper(null)} />
    </Drawer>
  );
}
