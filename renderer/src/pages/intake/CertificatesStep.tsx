import { useState } from 'react';
import { Alert, App, Badge, Button, Card, Form, Input, Modal, Popconfirm, Space, Table, Tooltip, Typography } from 'antd';
import type { CaseCertificateView, CaseView } from '../../../../shared/ipc/methods/intake';
import { call, DeskCallError } from '../../ipc/client';
import { MethodTag } from '../../components/MethodTag';
import { AssistanceReplyModal } from '../../components/AssistanceReplyModal';
import { PdfViewer, type PdfDoc } from '../../components/PdfViewer';
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
export function CertificatesStep({ view, onChange }: { view: CaseView; onChange: (v: CaseView) => void }) {
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
  const draft = view.status === 'draft';
  const open = ['draft', 'accepted', 'verifying'].includes(view.status);

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
    return <Space wrap>{b}</Space>;
  }

  return (
    <Card
      title={`需办理的证明（${demanded.length} 项）`}
      size="small"
      extra={
        view.certificates.length > demanded.length ? (
          <Typography.Text type="secondary">另有 {view.certificates.length - demanded.length} 项不涉及或由本件产生，无需提交</Typography.Text>
        ) : null
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
                <Typography.Text type={isNotDemanded(c.state) ? 'secondary' : undefined}>{v}</Typography.Text>
                {c.neededBy.length > 1 && <Typography.Text type="secondary" style={{ fontSize: 12 }}> ×{c.neededBy.length}个事项</Typography.Text>}
              </Tooltip>
            ),
          },
          { title: '处理方式', dataIndex: 'method', width: 130, render: (_, c) => <MethodTag method={c.method} /> },
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
      <CommitmentDrawer view={view} cert={fresh(commitFor)} onClose={() => setCommitFor(null)} onChange={onChange} />
      <MaterialDrawer view={view} cert={fresh(materialFor)} onClose={() => setMaterialFor(null)} onChange={onChange} />
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
