import { useState } from 'react';
import { App, Button, Card, Input, Modal, Table, Tag, Typography } from 'antd';
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

  return (
    <Card title="信用名单（告知承诺适用性）">
      <Typography.Paragraph type="secondary">
        存在严重失信记录，或曾作出虚假承诺且尚未完成信用修复的申请人，不适用告知承诺，须提交证明原件。
      </Typography.Paragraph>
      <LoadError error={error} retry={() => void load()} />
      <Table<Row>
        rowKey="id"
        dataSource={rows}
        pagination={{ pageSize: 15 }}
        columns={[
          { title: '姓名/名称', dataIndex: 'name' },
          { title: '证件号码', dataIndex: 'idNumberMasked' },
          { title: '类别', dataIndex: 'kind', render: (k: Row['kind']) => (k === 'false_commitment' ? <Tag color="volcano">虚假承诺</Tag> : <Tag color="red">失信记录</Tag>) },
          { title: '严重程度', dataIndex: 'severity' },
          { title: '事由', dataIndex: 'reason', ellipsis: true },
          { title: '来源', dataIndex: 'source' },
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
    </Card>
  );
}
