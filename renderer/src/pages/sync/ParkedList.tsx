import { useState } from 'react';
import { Alert, App, Button, Card, Empty, Input, Modal, Space, Table, Typography } from 'antd';
import { ArrowRightOutlined } from '@ant-design/icons';
import type { OutboxEntryView } from '../../../../shared/ipc/methods/sync';
import { call, DeskCallError } from '../../ipc/client';
import { useDesk } from '../../state/desk-store';
import { SyncStateTag } from './SyncStateTag';
import { useEntries } from './use-entries';
import { useSyncStatus } from './sync-store';
import { mayAct } from './may-act';
import { shortTime } from '../../lib/time';
import { RevisionLabel } from './RevisionLabel';
import { BracketedName } from '../../components/BracketedName';

interface Resent {
  old: OutboxEntryView;
  next: OutboxEntryView;
}

function shortKey(k: string): string {
  return k.length > 48 ? `${k.slice(0, 20)}…${k.slice(-20)}` : k;
}

/** The newer revision's live state: the parked row is gone from the list, so its successor is followed here. */
function ResentRow({ r }: { r: Resent }) {
  const { entries } = useEntries({ caseId: r.next.caseId, targetId: r.next.targetId, limit: 20 });
  const now = entries.find((e) => e.id === r.next.id) ?? r.next;
  return (
    <div data-testid="resent-row" style={{ padding: '8px 0', borderBottom: '1px dashed #f0f0f0' }}>
      <Space wrap size={12}>
        <Typography.Text strong>{r.old.caseNo}</Typography.Text>
        <Typography.Text type="secondary">{r.old.applicantName} · {r.old.targetName}</Typography.Text>
      </Space>
      <div style={{ marginTop: 6 }}>
        原第 {r.old.revision} 版 · 幂等键 <Typography.Text code title={r.old.idempotencyKey} data-testid="old-key">{shortKey(r.old.idempotencyKey)}</Typography.Text>
        <SyncStateTag state="superseded" />
      </div>
      <div style={{ marginTop: 4 }}>
        <Space wrap size={8}>
          <span>
            <ArrowRightOutlined style={{ color: '#1f4e9c', marginRight: 6 }} />
            新第 {now.revision} 版 · 幂等键 <Typography.Text code title={now.idempotencyKey} data-testid="new-key">{shortKey(now.idempotencyKey)}</Typography.Text>
            <SyncStateTag state={now.state} />
          </span>
          {now.targetCaseNo && (
            <span>
              对方编号 <Typography.Text copyable>{now.targetCaseNo}</Typography.Text>
            </span>
          )}
          {now.state === 'parked' && <Typography.Text type="danger">再次被退回：{now.parkedReason}</Typography.Text>}
        </Space>
      </div>
    </div>
  );
}

/** 退回清单: what a target refused, with its reason; the clerk fixes the case and sends a new revision. */
export function ParkedList() {
  const { message } = App.useApp();
  const openCase = useDesk((s) => s.openCase);
  const canAct = mayAct(useDesk((s) => s.session?.user.role));
  const { entries, loaded, reload } = useEntries({ states: ['parked'], limit: 200 });
  const [resending, setResending] = useState<OutboxEntryView | null>(null);
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);
  const [resent, setResent] = useState<Resent[]>([]);

  async function resend() {
    if (!resending) return;
    setBusy(true);
    try {
      const { entry } = await call('sync.resend', { entryId: resending.id, ...(note.trim() ? { note: note.trim() } : {}) });
      setResent((rs) => [{ old: resending, next: entry }, ...rs]);
      void useSyncStatus.getState().poll();
      message.success(`已按办件当前内容生成第 ${entry.revision} 版并排队发送`);
      setResending(null);
      setNote('');
      await reload();
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '重新发送失败');
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      {resent.length > 0 && (
        <Card size="small" title="本次重新发送" style={{ marginBottom: 16 }} data-testid="resent">
          {resent.map((r) => (
            <ResentRow key={r.next.id} r={r} />
          ))}
        </Card>
      )}
      <Table<OutboxEntryView>
        rowKey="id"
        className="desk-nowrap-head"
        size="middle"
        data-testid="parked-table"
        loading={!loaded}
        dataSource={entries}
        pagination={{ pageSize: 10, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description="没有被退回的办件" /> }}
        columns={[
          { title: '办件编号', dataIndex: 'caseNo', onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (v: string, r) => <a onClick={() => openCase(r.caseId)}>{v}</a> },
          { title: '申请人', dataIndex: 'applicantName', className: 'desk-nowrap' },
          { title: '对接系统', dataIndex: 'targetName', render: (v: string) => <BracketedName name={v} /> },
          { title: '版本', dataIndex: 'revision', className: 'desk-nowrap', render: (_: number, r) => <RevisionLabel entry={r} /> },
          {
            title: '退回原因',
            dataIndex: 'parkedReason',
            render: (v: string | null) => (
              <Typography.Text type="danger" data-testid="parked-reason">
                {v ?? '对方未说明原因'}
              </Typography.Text>
            ),
          },
          { title: '提交时间', dataIndex: 'createdAt', className: 'desk-nowrap', render: (v: string) => shortTime(v) },
          {
            title: '操作',
            key: 'actions',
            render: (_, r) => (
              <Space>
                <Button size="small" onClick={() => openCase(r.caseId)}>
                  打开办件
                </Button>
                {canAct && r.originCaseNo === null && (
                  <Button size="small" type="primary" onClick={() => setResending(r)}>
                    修改后重新发送
                  </Button>
                )}
                {r.originCaseNo !== null && (
                  <Typography.Text type="secondary" data-testid="parked-carried">
                    由对端工作台转来（原受理编号 {r.originCaseNo}），请在原工作台改正后重新发送
                  </Typography.Text>
                )}
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={resending !== null}
        title="修改后重新发送"
        okText="生成新版本并发送"
        confirmLoading={busy}
        onCancel={() => setResending(null)}
        onOk={() => void resend()}
      >
        {resending && (
          <>
            <Alert
              type="error"
              showIcon
              style={{ marginBottom: 12 }}
              title={
                <>
                  {resending.targetName}退回了办件 <span style={{ whiteSpace: 'nowrap' }}>{resending.caseNo}</span>（第 {resending.revision} 版）
                </>
              }
              description={resending.parkedReason ?? '对方未说明原因'}
            />
            <Typography.Paragraph type="secondary">
              请先打开办件按退回原因改正。重新发送时将按办件的当前内容生成第 {resending.revision + 1} 版，使用新的幂等键；第 {resending.revision} 版标记为已被取代，不会再发送。
            </Typography.Paragraph>
            <Input.TextArea rows={2} maxLength={200} value={note} onChange={(e) => setNote(e.target.value)} placeholder="修改说明（选填，记入审计日志）" />
          </>
        )}
      </Modal>
    </>
  );
}
