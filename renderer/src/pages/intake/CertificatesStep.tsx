import { useState } from 'react';
import { Alert, App, Badge, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tooltip, Typography } from 'antd';
import type { CaseCertificateView, CaseView } from '../../../../shared/ipc/methods/intake';
import { call, DeskCallError } from '../../ipc/client';
import { MethodTag } from '../../components/MethodTag';
import { BracketedName } from '../../components/BracketedName';
import { AssistanceReplyModal } from '../../components/AssistanceReplyModal';
import { PdfViewer, type PdfDoc } from '../../components/PdfViewer';
import { useMaterialPagesViewer } from '../../components/MaterialPagesViewer';
import { CommitmentDrawer } from './CommitmentDrawer';
import { MaterialDrawer } from './MaterialDrawer';
import { isNotDemanded } from '../../../../shared/rules/certificate-resolution';
import { checkIdNumber, ID_PROBLEM_MESSAGES } from '../../../../shared/rules/id-number';

const BADGE: Record<CaseCertificateView['state'], 'default' | 'processing' | 'success' | 'warning' | 'error'> = {
  not_needed: 'default',
  not_applicable: 'default',
  produced: 'success',
  pending: 'warning',
  satisfied: 'success',
  presented: 'success',
  queued: 'processing',
  requested: 'processing',
};

/** Step 3: every merged certificate with its method, state and the actions its method allows. */
export function CertificatesStep({
  view,
  onChange,
  readOnly = false,
  onSettled,
}: {
  view: CaseView;
  onChange: (v: CaseView) => void;
  readOnly?: boolean;
  /** Every certificate settled after the last one waiting was done: on to acceptance. */
  onSettled?: () => void;
}) {
  const { message } = App.useApp();
  const [commitFor, setCommitFor] = useState<CaseCertificateView | null>(null);
  const [materialFor, setMaterialFor] = useState<CaseCertificateView | null>(null);
  const [replyFor, setReplyFor] = useState<CaseCertificateView | null>(null);
  const [withdrawFor, setWithdrawFor] = useState<CaseCertificateView | null>(null);
  const [pdf, setPdf] = useState<PdfDoc | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [withdrawReason, setWithdrawReason] = useState('');
  const [subjectFor, setSubjectFor] = useState<CaseCertificateView | null>(null);
  const [subjectForm] = Form.useForm<{ name: string; idNumber: string }>();
  const demanded = view.certificates.filter((c) => !isNotDemanded(c.state));
  // Read-only (a case opened from 办件查询 past intake): the documents can be looked at, nothing changed.
  const draft = view.status === 'draft' && !readOnly;
  const open = ['draft', 'accepted', 'verifying'].includes(view.status) && !readOnly;
  const [bulk, setBulk] = useState<'query' | 'request' | 'switch' | null>(null);
  const originals = useMaterialPagesViewer();

  const toQuery = demanded.filter((c) => c.method === 'data_sharing' && c.state === 'pending' && !c.query);
  const toRequest = demanded.filter((c) => c.method === 'dept_verification' && c.state === 'pending' && !c.request);
  const toSwitch = demanded.filter((c) => c.method === 'data_sharing' && c.state === 'pending' && c.query?.status === 'not_found');

  /** Opens the drawer of the next certificate that waits for the applicant (a commitment to sign, an original to check). */
  function openNext(v: CaseView, after?: number): boolean {
    const next = nextForApplicant(v, after);
    setCommitFor(null);
    setMaterialFor(null);
    if (!next) {
      if (v.blockers.length === 0 && v.status === 'draft') onSettled?.();
      return false;
    }
    if (next.drawer === 'commitment') setCommitFor(next.cert);
    else setMaterialFor(next.cert);
    return true;
  }

  /** 全部共享查询 / 全部发起协查: one click for every certificate of the method still to be asked, one after another. */
  async function runAll(kind: 'query' | 'request' | 'switch') {
    setBulk(kind);
    let latest = view;
    let failed = 0;
    let needsSubject: CaseCertificateView | null = null;
    const method = ({ query: 'intake.queryDataSharing', request: 'intake.requestAssistance', switch: 'intake.switchToVerification' } as const)[kind];
    try {
      for (const c of { query: toQuery, request: toRequest, switch: toSwitch }[kind]) {
        if (kind === 'query' && c.subject !== '申请人本人' && !latest.certificates.find((x) => x.certificateItemId === c.certificateItemId)?.subjectPerson) {
          needsSubject ??= c;
          continue;
        }
        try {
          latest = await call(method, ids(c));
          onChange(latest);
        } catch (e) {
          failed++;
          message.error(`${c.name}：${e instanceof DeskCallError ? e.message : '操作失败'}`);
        }
      }
    } finally {
      setBulk(null);
    }
    if (failed === 0) message.success({ query: '共享查询已全部发出', request: '协查已全部发起', switch: '已改为部门核验并发起协查' }[kind]);
    // A query about another person (the child …) asks for that person once; it is then queried too.
    if (needsSubject) return setSubjectFor(needsSubject);
    // Nothing left to ask in bulk: the first certificate waiting for the applicant opens.
    if (failed === 0 && !bulkLeft(latest)) openNext(latest);
  }

  function showOriginals(c: CaseCertificateView) {
    return originals.show(c.name, c.materials);
  }

  // Keep open drawers pointed at the fresh row after each change.
  const fresh = (c: CaseCertificateView | null) => (c ? (view.certificates.find((x) => x.certificateItemId === c.certificateItemId) ?? null) : null);

  async function run(c: CaseCertificateView, action: () => Promise<CaseView>, ok?: string) {
    setBusy(c.certificateItemId);
    try {
      onChange(await action());
      if (ok) message.success(ok);
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '操作失败');
    } finally {
      setBusy(null);
    }
  }

  const ids = (c: CaseCertificateView) => ({ caseId: view.id, certificateItemId: c.certificateItemId });

  /** A query about someone other than the applicant (the child …) needs that person's name and ID number first. */
  function query(c: CaseCertificateView) {
    if (c.subject !== '申请人本人' && !c.subjectPerson) {
      setSubjectFor(c);
      return;
    }
    void run(c, () => call('intake.queryDataSharing', ids(c)));
  }

  function actions(c: CaseCertificateView) {
    const b: React.ReactNode[] = [];
    if (isNotDemanded(c.state)) return null;
    if (readOnly) {
      if (c.commitment && !c.commitment.withdrawnAt) b.push(<Button key="pdf" size="small" onClick={() => void call('intake.commitmentPdf', { commitmentId: c.commitment!.id }).then(setPdf)}>查看承诺书</Button>);
      if (c.materials.length > 0) b.push(<Button key="orig" size="small" onClick={() => void showOriginals(c)}>查看原件</Button>);
      return <Space wrap>{b}</Space>;
    }
    const loading = busy === c.certificateItemId;
    if (c.method === 'commitment') {
      if (c.commitment && !c.commitment.withdrawnAt) {
        b.push(<Button key="pdf" size="small" onClick={() => void call('intake.commitmentPdf', { commitmentId: c.commitment!.id }).then(setPdf)}>查看承诺书</Button>);
        if (Date.parse(c.commitment.withdrawDeadline) > Date.now() && ['draft', 'accepted'].includes(view.status)) {
          b.push(<Button key="wd" size="small" danger onClick={() => setWithdrawFor(c)}>撤回承诺</Button>);
        }
      } else if (draft && !c.commitment) b.push(<Button key="notice" size="small" type="primary" onClick={() => setCommitFor(c)}>告知承诺</Button>);
    }
    if (c.method === 'data_sharing' && open && c.state !== 'satisfied') {
      b.push(<Button key="q" size="small" type="primary" loading={loading} onClick={() => query(c)}>{c.query ? '重新查询' : '共享查询'}</Button>);
      if (c.subject !== '申请人本人' && c.subjectPerson) b.push(<Button key="subj" size="small" onClick={() => setSubjectFor(c)}>更改{c.subject}信息</Button>);
      b.push(
        <Popconfirm key="sw" title="改为向开具部门发起协查？" onConfirm={() => void run(c, () => call('intake.switchToVerification', ids(c)), '已改为部门核验并发起协查')}>
          <Button size="small">改为部门核验</Button>
        </Popconfirm>,
      );
    }
    if (c.method === 'dept_verification' && open) {
      if (c.state === 'pending' && !(c.request?.outcome === 'denied')) b.push(<Button key="rq" size="small" type="primary" loading={loading} onClick={() => void run(c, () => call('intake.requestAssistance', ids(c)), '已发起协查')}>发起协查</Button>);
      if (c.request?.status === 'open') b.push(<Button key="rp" size="small" onClick={() => setReplyFor(c)}>登记答复</Button>);
    }
    const presentable =
      draft &&
      c.state === 'pending' &&
      (c.method === 'retained' || (c.method === 'commitment' && c.choice === 'present') || (c.method === 'dept_verification' && c.request?.outcome === 'denied'));
    if (presentable) b.push(<Button key="m" size="small" type="primary" onClick={() => setMaterialFor(c)}>核对原件</Button>);
    if (c.materials.length > 0) b.push(<Button key="orig" size="small" onClick={() => void showOriginals(c)}>查看原件</Button>);
    return <Space wrap>{b}</Space>;
  }

  return (
    <Card
      title={`需办理的证明（${demanded.length} 项）`}
      size="small"
      extra={
        <Space wrap>
          {view.certificates.length > demanded.length && (
            <Typography.Text type="secondary">另有 {view.certificates.length - demanded.length} 项不涉及或由本件产生，无需提交</Typography.Text>
          )}
          {open && toQuery.length > 0 && (
            <Button type="primary" loading={bulk === 'query'} disabled={bulk !== null} onClick={() => void runAll('query')} data-testid="query-all">
              全部共享查询（{toQuery.length}）
            </Button>
          )}
          {open && toSwitch.length > 0 && (
            <Button loading={bulk === 'switch'} disabled={bulk !== null} onClick={() => void runAll('switch')} data-testid="switch-all">
              无数据的 {toSwitch.length} 项改为部门核验
            </Button>
          )}
          {open && toRequest.length > 0 && (
            <Button type="primary" loading={bulk === 'request'} disabled={bulk !== null} onClick={() => void runAll('request')} data-testid="request-all">
              全部发起协查（{toRequest.length}）
            </Button>
          )}
        </Space>
      }
    >
      {view.circumstances.length > 0 && (
        <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }} data-testid="case-circumstances">
          适用情形：{view.circumstances.map((a) => `${a.question}：${a.answer}`).join('；')}
        </Typography.Paragraph>
      )}
      {view.blockers.length > 0 && draft && (
        <Alert type="warning" showIcon style={{ marginBottom: 12 }} title={`还有 ${view.blockers.length} 项证明待办理，办妥后方可受理`} />
      )}
      <Table<CaseCertificateView>
        rowKey="certificateItemId"
        size="middle"
        pagination={false}
        dataSource={view.certificates}
        data-testid="certificates-table"
        columns={[
          {
            title: '证明事项',
            dataIndex: 'name',
            render: (v: string, c) => (
              <Tooltip title={`${c.issuer} 开具 · 用于：${c.neededBy.join('、')}${c.subject !== '申请人本人' ? ` · 证明对象：${c.subject}` : ''}`}>
                <Typography.Text type={isNotDemanded(c.state) ? 'secondary' : undefined}>
                  <BracketedName name={v} />
                </Typography.Text>
                {c.neededBy.length > 1 && <Typography.Text type="secondary" style={{ fontSize: 12, whiteSpace: 'nowrap' }}> ×{c.neededBy.length}个事项</Typography.Text>}
              </Tooltip>
            ),
          },
          { title: '处理方式', dataIndex: 'method', width: 150, render: (_, c) => <MethodTag method={c.method} /> },
          {
            title: '办理情况',
            key: 'state',
            render: (_, c) => (
              <Space direction="vertical" size={0}>
                <Badge status={BADGE[c.state]} text={c.stateText} />
                {c.subjectPerson && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    证明对象（{c.subject}）：{c.subjectPerson.name} {c.subjectPerson.idNumberMasked}
                  </Typography.Text>
                )}
                {c.query?.summary && <Typography.Text type="secondary" style={{ fontSize: 12 }}>{c.query.summary}</Typography.Text>}
                {c.request?.overdue && <Typography.Text type="danger" style={{ fontSize: 12 }}>协查已逾期</Typography.Text>}
                {c.materials.length > 0 && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {c.materials.map((m) => `${m.title}（${m.reused ? '复用' : '新留存'}，${m.pages}页）`).join('；')}
                  </Typography.Text>
                )}
              </Space>
            ),
          },
          { title: '操作', key: 'ops', width: 260, render: (_, c) => actions(c) },
        ]}
      />
      <CommitmentDrawer
        view={view}
        cert={fresh(commitFor)}
        onClose={() => setCommitFor(null)}
        onChange={onChange}
        next={commitFor ? nextForApplicant(view, commitFor.certificateItemId) : null}
        settledAfter={view.blockers.length === 0}
        onNext={() => openNext(view, commitFor?.certificateItemId)}
      />
      <MaterialDrawer
        view={view}
        cert={fresh(materialFor)}
        onClose={() => setMaterialFor(null)}
        onChange={onChange}
        onDone={(v) => {
          // The next certificate waiting for the applicant opens by itself.
          if (!openNext(v, materialFor?.certificateItemId)) setMaterialFor(null);
        }}
      />
      {originals.viewer}
      <PdfViewer doc={pdf} title="告知承诺书" onClose={() => setPdf(null)} />
      <AssistanceReplyModal
        open={replyFor !== null}
        title={`登记协查答复：${replyFor?.name ?? ''}`}
        onCancel={() => setReplyFor(null)}
        onSubmit={async (v) => {
          if (!replyFor?.request) return;
          onChange(await call('intake.recordAssistanceReply', { requestId: replyFor.request.id, ...v }));
          setReplyFor(null);
        }}
      />
      <Modal
        open={subjectFor !== null}
        title={`证明对象：${subjectFor?.subject ?? ''}（${subjectFor?.name ?? ''}）`}
        okText="保存并查询"
        onCancel={() => setSubjectFor(null)}
        onOk={() =>
          void subjectForm.validateFields().then(async (v) => {
            if (!subjectFor) return;
            await run(subjectFor, () => call('intake.queryDataSharing', { ...ids(subjectFor), subject: { name: v.name.trim(), idNumber: v.idNumber.trim().toUpperCase() } }));
            setSubjectFor(null);
            subjectForm.resetFields();
          })
        }
        destroyOnHidden
      >
        <Typography.Paragraph type="secondary">该证明是关于{subjectFor?.subject}的，共享查询按{subjectFor?.subject}的身份信息进行；本办件中只需填写一次。</Typography.Paragraph>
        <Form form={subjectForm} layout="vertical" initialValues={{ name: subjectFor?.subjectPerson?.name ?? '' }}>
          <Form.Item name="name" label={`${subjectFor?.subject ?? ''}姓名`} rules={[{ required: true, whitespace: true, message: '请填写姓名' }]}>
            <Input maxLength={50} />
          </Form.Item>
          <Form.Item
            name="idNumber"
            label={`${subjectFor?.subject ?? ''}身份证号码`}
            rules={[
              { required: true, message: '请填写身份证号码' },
              {
                validator: (_, value: string | undefined) => {
                  const problem = value ? checkIdNumber(value) : null;
                  return problem ? Promise.reject(new Error(ID_PROBLEM_MESSAGES[problem])) : Promise.resolve();
                },
              },
            ]}
          >
            <Input maxLength={18} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={withdrawFor !== null}
        title="撤回承诺"
        okText="撤回"
        okButtonProps={{ danger: true, disabled: !withdrawReason.trim() }}
        onCancel={() => setWithdrawFor(null)}
        onOk={() => {
          if (!withdrawFor?.commitment) return;
          void run(withdrawFor, () => call('intake.withdrawCommitment', { commitmentId: withdrawFor.commitment!.id, reason: withdrawReason }), '承诺已撤回，请核对证明原件').then(() => {
            setWithdrawFor(null);
            setWithdrawReason('');
          });
        }}
      >
        <Typography.Paragraph>撤回后，申请人须提交该证明原件。</Typography.Paragraph>
        <Input value={withdrawReason} onChange={(e) => setWithdrawReason(e.target.value)} placeholder="撤回原因" />
      </Modal>
    </Card>
  );
}

/**
 * The next certificate (after `after`, wrapping round) that waits for the applicant at the window:
 * a commitment not yet chosen or signed, or an original to check. Queries and 协查 are not in this
 * round: the bulk buttons ask them.
 */
export function nextForApplicant(v: CaseView, after?: number): { cert: CaseCertificateView; drawer: 'commitment' | 'material' } | null {
  const waiting = v.certificates.flatMap((c): { cert: CaseCertificateView; drawer: 'commitment' | 'material' }[] => {
    if (c.state !== 'pending') return [];
    if (c.method === 'commitment' && !c.commitment && c.choice !== 'present') return [{ cert: c, drawer: 'commitment' }];
    if (c.method === 'retained' || (c.method === 'commitment' && c.choice === 'present') || (c.method === 'dept_verification' && c.request?.outcome === 'denied')) {
      return [{ cert: c, drawer: 'material' }];
    }
    return [];
  });
  if (waiting.length === 0) return null;
  const at = after === undefined ? -1 : v.certificates.findIndex((c) => c.certificateItemId === after);
  const order = (c: CaseCertificateView) => {
    const i = v.certificates.indexOf(c);
    return i >= at ? i - at : i - at + v.certificates.length;
  };
  return [...waiting].sort((a, b) => order(a.cert) - order(b.cert))[0]!;
}

/** Whether a bulk button (全部共享查询, 改为部门核验, 全部发起协查) still has work in this case. */
function bulkLeft(v: CaseView): boolean {
  return v.certificates.some(
    (c) => c.state === 'pending' && ((c.method === 'data_sharing' && (!c.query || c.query.status === 'not_found')) || (c.method === 'dept_verification' && !c.request)),
  );
}
