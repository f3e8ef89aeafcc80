import { useEffect, useRef, useState } from 'react';
import { Alert, App, Button, Descriptions, Drawer, Radio, Steps, Tabs, Typography, Upload } from 'antd';
import type { CaseCertificateView, CaseView } from '../../../../shared/ipc/methods/intake';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { call, DeskCallError } from '../../ipc/client';
import { SignaturePad, type SignaturePadHandle } from '../../components/SignaturePad';
import { blobToBase64 } from '../../lib/files';
import { deskTime } from '../../lib/time';
import { HallCopyNote } from './HallCopyNote';

type Notice = MethodOutput<'intake.commitmentNotice'>;

/**
 * 告知承诺: the clerk shows the notice; the applicant chooses freely; if they
 * commit (and the credit list allows it) they sign in person; the signed
 * commitment is bound by a digest that is shown here and printed on the PDF.
 */
export function CommitmentDrawer({ view, cert, onClose, onChange }: { view: CaseView; cert: CaseCertificateView | null; onClose: () => void; onChange: (v: CaseView) => void }) {
  const { message } = App.useApp();
  const [notice, setNotice] = useState<Notice | null>(null);
  const [eligibility, setEligibility] = useState<MethodOutput<'intake.commitmentEligibility'> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [hasInk, setHasInk] = useState(false);
  const [scan, setScan] = useState<string | null>(null);
  const [tab, setTab] = useState<'screen' | 'scanned_paper'>('screen');
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

  return (
    <Drawer open width={760} title={`告知承诺：${cert.name}`} onClose={onClose} destroyOnHidden data-testid="commitment-drawer">
      <Steps
        size="small"
        current={step}
        style={{ marginBottom: 16 }}
        items={[{ title: '告知' }, { title: '申请人选择' }, { title: '本人签署' }, { title: '完成' }]}
      />
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="commitment-error" />}
      {notice && (
        <>
          <Typography.Title level={5}>告知内容（格式文本 {notice.templateVersion}）</Typography.Title>
          <Typography.Paragraph style={{ background: '#fafafa', padding: 12, borderRadius: 6, whiteSpace: 'pre-wrap' }} data-testid="notice-text">
            {notice.noticeText}
          </Typography.Paragraph>
          <Typography.Title level={5}>申请人承诺</Typography.Title>
          <Typography.Paragraph style={{ background: '#fafafa', padding: 12, borderRadius: 6, whiteSpace: 'pre-wrap' }}>{notice.commitmentText}</Typography.Paragraph>
          <Typography.Paragraph type="secondary">
            事后核查：{notice.verification.method}
            {notice.verification.timeLimitDays !== null ? `，${notice.verification.timeLimitDays} 个工作日内` : ''}
            {notice.verification.samplingRatio !== null ? `，抽查比例 ${Math.round(notice.verification.samplingRatio * 100)}%` : ''}
          </Typography.Paragraph>
        </>
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
          <Descriptions.Item label={`数字摘要（${cert.commitment!.digestAlg}）`}>
            <Typography.Text code copyable style={{ wordBreak: 'break-all' }}>
              {cert.commitment!.digest}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="可撤回截止">{deskTime(cert.commitment!.withdrawDeadline)}</Descriptions.Item>
          <Descriptions.Item label="事后核查">
            {cert.commitment!.verification
              ? `${cert.commitment!.verification.method}${cert.commitment!.verification.sampled ? `（已抽中，${cert.commitment!.verification.dueAt?.slice(0, 10)} 前完成）` : '（本件未抽中或免于核查）'}`
              : '—'}
          </Descriptions.Item>
        </Descriptions>
      ) : (
        <>
          <Typography.Title level={5}>申请人选择</Typography.Title>
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
            <div style={{ marginTop: 16 }}>
              <Tabs
                activeKey={tab}
                onChange={(k) => setTab(k as 'screen' | 'scanned_paper')}
                items={[
                  { key: 'screen', label: '屏幕签名', children: <SignaturePad ref={pad} onChange={setHasInk} /> },
                  {
                    key: 'scanned_paper',
                    label: '纸质签字件扫描',
                    children: (
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
                    ),
                  },
                ]}
              />
              <Button type="primary" loading={busy} disabled={tab === 'screen' ? !hasInk : !scan} onClick={() => void sign()} style={{ marginTop: 12 }}>
                确认签署并生成承诺书
              </Button>
            </div>
          )}
          {cert.choice === 'present' && <Alert style={{ marginTop: 12 }} type="info" showIcon title="申请人选择自行提交证明：请在列表中点击“核对原件”留存。" />}
        </>
      )}
    </Drawer>
  );
}
