import { useState } from 'react';
import { Alert, App, Button, Empty, Input, Modal, Popconfirm, Space, Table, Typography } from 'antd';
import type { OutboxEntryView } from '../../../../shared/ipc/methods/sync';
import { call, DeskCallError } from '../../ipc/client';
import { useDesk } from '../../state/desk-store';
import { useEntries } from './use-entries';
import { useSyncStatus } from './sync-store';
import { mayAct } from './may-act';
import { shortTime } from '../../lib/time';
import { BracketedName } from '../../components/BracketedName';

/** 结果未知: sent, but no answer came back. The clerk looks on the target's own screen and says which. */
export function UnknownList() {
  const { message } = App.useApp();
  const openCase = useDesk((s) => s.openCase);
  const canAct = mayAct(useDesk((s) => s.session?.user.role));
  const { entries, loaded, reload } = useEntries({ states: ['unknown'], limit: 200 });
  const [arrived, setArrived] = useState<OutboxEntryView | null>(null);
  const [targetCaseNo, setTargetCaseNo] = useState('');
  const [busy, setBusy] = useState(false);

  async function resolve(entry: OutboxEntryView, outcome: 'arrived' | 'not_arrived', no?: string) {
    setBusy(true);
    try {
      await call('sync.resolveUnknown', { entryId: entry.id, outcome, ...(no ? { targetCaseNo: no } : {}) });
      message.success(outcome === 'arrived' ? '已记为送达' : '已重新排队发送');
      void useSyncStatus.getState().poll();
      setArrived(null);
      setTargetCaseNo('');
      await reload();
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '操作失败');
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        title="这些办件已发出，但没有收到对方系统的答复"
        description="请在对方系统中按办件编号查询：查到了，记为送达并填写对方编号；没有查到，点“未到达”重新排队发送。"
      />
      <Table<OutboxEntryView>
        rowKey="id"
        className="desk-nowrap-head"
        size="middle"
        data-testid="unknown-table"
        loading={!loaded}
        dataSource={entries}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description="没有结果未知的办件" /> }}
        columns={[
          { title: '办件编号', dataIndex: 'caseNo', onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (v: string, r) => <a onClick={() => openCase(r.caseId)}>{v}</a> },
          { title: '申请人', dataIndex: 'applicantName', className: 'desk-nowrap' },
          { title: '对接系统', dataIndex: 'targetName', render: (v: string) => <BracketedName name={v} /> },
          { title: '版本', dataIndex: 'revision', className: 'desk-nowrap', render: (v: number) => `第 ${v} 版` },
          { title: '已尝试', dataIndex: 'attempts', className: 'desk-nowrap', render: (v: number) => `${v} 次` },
          { title: '最近错误', dataIndex: 'lastError', render: (v: string | null) => <Typography.Text type="secondary">{v ?? '—'}</Typography.Text> },
          { title: '提交时间', dataIndex: 'createdAt', className: 'desk-nowrap', render: (v: string) => shortTime(v) },
          {
            title: '核实结果',
            key: 'actions',
            render: (_, r) =>
              canAct ? (
              <Space>
                <Button size="small" type="primary" onClick={() => setArrived(r)}>
                  已在对方系统查到
                </Button>
                <Popconfirm title="确认对方系统中没有这件？" description="将重新排队发送。" okText="确认未到达" cancelText="取消" onConfirm={() => resolve(r, 'not_arrived')}>
                  <Button size="small">未到达</Button>
                </Popconfirm>
              </Space>
              ) : (
                <Typography.Text type="secondary">请窗口人员核实</Typography.Text>
              ),
          },
        ]}
      />
      <Modal
        open={arrived !== null}
        title="已在对方系统查到"
        okText="记为送达"
        confirmLoading={busy}
        onCancel={() => setArrived(null)}
        onOk={() => arrived && void resolve(arrived, 'arrived', targetCaseNo.trim() || undefined)}
      >
        {arrived && (
          <Space orientation="vertical" style={{ width: '100%' }}>
            <Typography.Text>
              办件 {arrived.caseNo} · {arrived.targetName}
            </Typography.Text>
            <Input value={targetCaseNo} maxLength={64} onChange={(e) => setTargetCaseNo(e.target.value)} placeholder="对方系统的办件编号（查到的话请填写）" data-testid="unknown-target-no" />
          </Space>
        )}
      </Modal>
    </>
  );
}
