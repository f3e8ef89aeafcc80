import { useState } from 'react';
import { App, Button, Card, DatePicker, Form, Input, Modal, Radio, Select, Table, Tag, Typography } from 'antd';
import type { MethodOutput } from '../../../shared/ipc/contract';
import { call, DeskCallError } from '../ipc/client';
import { useCall } from '../ipc/use-call';
import { LoadError } from '../components/LoadError';
import { useDesk } from '../state/desk-store';

type Row = MethodOutput<'credit.list'>[number];

/** The local credit list consulted before a commitment; supervisors record credit repair. */
export function CreditPage() {
  const { message } = App.useApp();
  const role = useDesk((s) => s.session!.user.role);
  const { data, error, reload: load } = useCall('credit.list', {});
  const rows: Row[] = data ?? [];
  const [repairing, setRepairing] = useState<Row | null>(null);
  const [note, setNote] = useState('');
  const [adding, setAdding] = useState(false);

  return (
    <Card title="信用名单（告知承诺适用性）">
      <Typography.Paragraph type="secondary">
        存在严重失信记录，或曾作出虚假承诺且尚未完成信用修复的申请人，不适用告知承诺，须提交证明原件。
      </Typography.Paragraph>
      {role === 'supervisor' && (
        <Button style={{ marginBottom: 12 }} data-testid="credit-outside" onClick={() => setAdding(true)}>
          登记外部信用记录
        </Button>
      )}
      <LoadError error={error} retry={() => void load()} />
      <Table<Row>
        rowKey="id"
        className="desk-nowrap-head"
        dataSource={rows}
        pagination={{ pageSize: 15 }}
        columns={[
          { title: '姓名/名称', dataIndex: 'name' },
          { title: '证件号码', dataIndex: 'idNumberMasked', className: 'desk-nowrap' },
          { title: '类别', dataIndex: 'kind', render: (k: Row['kind']) => (k === 'false_commitment' ? <Tag color="volcano">虚假承诺</Tag> : <Tag color="red">失信记录</Tag>) },
          { title: '严重程度', dataIndex: 'severity', className: 'desk-nowrap' },
          { title: '事由', dataIndex: 'reason', render: (v: string) => <span style={{ whiteSpace: 'normal' }}>{v}</span> },
          {
            title: '来源',
            dataIndex: 'source',
            render: (v: string, r) => (
              <span>
                <span style={{ whiteSpace: 'nowrap' }}>{v}</span>
                {r.documentNo && (
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12, whiteSpace: 'nowrap' }}>
                    {r.documentNo}（{r.decidedOn}）
                  </Typography.Text>
                )}
              </span>
            ),
          },
          { title: '状态', key: 'state', render: (_, r) => (r.repairedAt ? <Tag color="green">已修复 {r.repairedAt.slice(0, 10)}</Tag> : <Tag color="orange">有效</Tag>) },
          ...(role === 'supervisor'
            ? [{ title: '', key: 'ops', render: (_: unknown, r: Row) => (!r.repairedAt ? <Button size="small" onClick={() => setRepairing(r)}>登记信用修复</Button> : null) }]
            : []),
        ]}
      />
      <Modal
        open={repairing !== null}
        title={`登记信用修复：${repairing?.name ?? ''}`}
        okButtonProps={{ disabled: !note.trim() }}
        onCancel={() => setRepairing(null)}
        onOk={async () => {
          try {
            await call('credit.repair', { id: repairing!.id, note: note.trim() });
            message.success('已登记信用修复');
            setRepairing(null);
            setNote('');
            await load();
          } catch (e) {
            message.error(e instanceof DeskCallError ? e.message : '登记失败');
          }
        }}
      >
        <Input.TextArea rows={3} value={note} onChange={(e) => setNote(e.target.value)} placeholder="修复依据，例如：依据发改委令第58号完成信用修复（文号）" />
      </Modal>
      <OutsideCreditModal
        open={adding}
        onClose={(changed) => {
          setAdding(false);
          if (changed) void load();
        }}
      />
    </Card>
  );
}

/** An outside credit record (another agency's decision): the applicant, source, document number, severity, date, reason. */
function OutsideCreditModal({ open, onClose }: { open: boolean; onClose: (changed: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [query, setQuery] = useState('');
  const { data } = useCall('applicants.list', { query, limit: 20 });
  return (
    <Modal
      open={open}
      title="登记外部信用记录"
      destroyOnHidden
      okText="登记"
      onCancel={() => onClose(false)}
      onOk={async () => {
        const v = (await form.validateFields()) as { applicantId: number; severity: '轻微' | '一般' | '严重'; source: string; documentNo: string; decidedOn: { format(f: string): string }; reason: string };
        try {
          await call('credit.recordOutside', { ...v, source: v.source.trim(), documentNo: v.documentNo.trim(), reason: v.reason.trim(), decidedOn: v.decidedOn.format('YYYY-MM-DD') });
          message.success('已登记外部信用记录');
          onClose(true);
        } catch (e) {
          message.error(e instanceof DeskCallError ? e.message : '登记失败');
        }
      }}
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={{ severity: '一般' }}>
        <Form.Item name="applicantId" label="申请人" rules={[{ required: true, message: '请选择申请人' }]}>
          <Select
            showSearch={{ filterOption: false, onSearch: setQuery }}
            placeholder="输入姓名、名称或证件号码"
            options={(data ?? []).map((a) => ({ value: a.id, label: `${a.name}（${a.idNumberMasked}）` }))}
          />
        </Form.Item>
        <Form.Item name="source" label="来源机关" rules={[{ required: true, message: '请填写来源机关' }]}>
          <Input placeholder="例如：县市场监督管理局" />
        </Form.Item>
        <Form.Item name="documentNo" label="文书编号" rules={[{ required: true, message: '请填写文书编号' }]}>
          <Input placeholder="例如：房市监罚〔2026〕12号" />
        </Form.Item>
        <Form.Item name="severity" label="失信程度" rules={[{ required: true }]}>
          <Radio.Group options={['轻微', '一般', '严重'].map((s) => ({ value: s, label: s }))} />
        </Form.Item>
        <Form.Item name="decidedOn" label="决定日期" rules={[{ required: true, message: '请选择日期' }]}>
          <DatePicker />
        </Form.Item>
        <Form.Item name="reason" label="事由" rules={[{ required: true, message: '请填写事由' }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
