import { useState } from 'react';
import { Button, Empty, Table } from 'antd';
import type { OutboxEntryView, SyncTargetStatus } from '../../../../shared/ipc/methods/sync';
import { useDesk } from '../../state/desk-store';
import { ManualEntryDrawer } from './ManualEntryDrawer';
import { SyncStateTag } from './SyncStateTag';
import { useEntries } from './use-entries';
import { mayAct } from './may-act';
import { shortTime } from '../../lib/time';
import { waitWords } from './wait-words';
import { RevisionLabel } from './RevisionLabel';

/** Cases waiting to be typed into a system that has no interface, one target at a time. */
function TargetManualTable({ target, nowMs, onOpen }: { target: SyncTargetStatus; nowMs: number; onOpen: (id: number) => void }) {
  const openCase = useDesk((s) => s.openCase);
  const canAct = mayAct(useDesk((s) => s.session?.user.role));
  const { entries, loaded } = useEntries({ targetId: target.id, states: ['pending', 'retry_wait', 'in_flight'], limit: 200 });
  return (
    <Table<OutboxEntryView>
      rowKey="id"
      className="desk-nowrap-head"
      size="middle"
      data-testid={`manual-table-${target.id}`}
      loading={!loaded}
      dataSource={entries}
      title={() => <strong>{target.name}</strong>}
      pagination={{ pageSize: 10, hideOnSinglePage: true }}
      locale={{ emptyText: <Empty description="没有待补录的办件" /> }}
      columns={[
        { title: '办件编号', dataIndex: 'caseNo', onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (v: string, r) => <a onClick={() => openCase(r.caseId)}>{v}</a> },
        { title: '申请人', dataIndex: 'applicantName', className: 'desk-nowrap' },
        { title: '版本', dataIndex: 'revision', className: 'desk-nowrap', render: (_: number, r) => <RevisionLabel entry={r} /> },
        { title: '状态', dataIndex: 'state', render: (s: OutboxEntryView['state']) => <SyncStateTag state={s} /> },
        { title: '提交时间', dataIndex: 'createdAt', className: 'desk-nowrap', render: (v: string) => shortTime(v) },
        { title: '已等待', key: 'age', render: (_, r) => waitWords(r.createdAt, nowMs) },
        {
          title: '',
          key: 'open',
          render: (_, r) =>
            canAct && (
              <Button size="small" type="primary" onClick={() => onOpen(r.id)}>
                开始补录
              </Button>
            ),
        },
      ]}
    />
  );
}

export function ManualList({ targets, nowMs }: { targets: SyncTargetStatus[]; nowMs: number }) {
  const [entryId, setEntryId] = useState<number | null>(null);
  const [round, setRound] = useState(0);
  const manual = targets.filter((t) => t.kind === 'manual');
  if (manual.length === 0) return <Empty description="没有需要人工补录的对接系统" />;
  return (
    <>
      {manual.map((t) => (
        <div key={`${t.id}-${round}`} style={{ marginBottom: 16 }}>
          <TargetManualTable target={t} nowMs={nowMs} onOpen={setEntryId} />
        </div>
      ))}
      <ManualEntryDrawer
        entryId={entryId}
        onClose={() => setEntryId(null)}
        onEntered={() => {
          setEntryId(null);
          setRound((n) => n + 1);
        }}
      />
    </>
  );
}
