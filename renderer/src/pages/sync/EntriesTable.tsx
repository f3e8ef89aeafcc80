import { useState } from 'react';
import { Empty, Progress, Select, Space, Table, Typography } from 'antd';
import { OUTBOX_STATE_LABELS, OUTBOX_STATES, type OutboxEntryView, type OutboxState, type SyncTargetStatus } from '../../../../shared/ipc/methods/sync';
import { useDesk } from '../../state/desk-store';
import { SyncStateTag } from './SyncStateTag';
import { useEntries } from './use-entries';
import { shortTime } from '../../lib/time';
import { RevisionLabel } from './RevisionLabel';

function FilesProgress({ files }: { files: OutboxEntryView['files'] }) {
  if (files.length === 0) return <Typography.Text type="secondary">—</Typography.Text>;
  const size = files.reduce((a, f) => a + f.size, 0);
  const sent = files.reduce((a, f) => a + f.sentBytes, 0);
  const done = files.filter((f) => f.sentBytes >= f.size).length;
  return (
    <span style={{ whiteSpace: 'nowrap' }} title={files.map((f) => `${f.name}：${f.sentBytes}/${f.size} 字节`).join('\n')}>
      <Progress type="circle" size={16} showInfo={false} percent={size ? Math.floor((sent / size) * 100) : 100} style={{ marginRight: 6 }} />
      {done}/{files.length} 个
    </span>
  );
}

/** Every outbox entry, newest first, by target and state. */
export function EntriesTable({ targets }: { targets: SyncTargetStatus[] }) {
  const openCase = useDesk((s) => s.openCase);
  const [targetId, setTargetId] = useState<string | undefined>();
  const [states, setStates] = useState<OutboxState[]>([]);
  const { entries, total, loaded } = useEntries({ ...(targetId ? { targetId } : {}), ...(states.length ? { states } : {}), limit: 200 });
  return (
    <>
      <Space style={{ marginBottom: 12 }} wrap>
        <Select allowClear placeholder="全部对接系统" style={{ width: 220 }} value={targetId} onChange={setTargetId} options={targets.map((t) => ({ value: t.id, label: t.name }))} />
        <Select mode="multiple" allowClear placeholder="全部状态" style={{ minWidth: 260 }} value={states} onChange={setStates} options={OUTBOX_STATES.map((s) => ({ value: s, label: OUTBOX_STATE_LABELS[s] }))} />
        <Typography.Text type="secondary">共 {total} 条</Typography.Text>
      </Space>
      <Table<OutboxEntryView>
        rowKey="id"
        className="desk-nowrap-head"
        size="middle"
        data-testid="entries-table"
        // Ten columns do not fit 1366×768: the table scrolls sideways with the case number held at the left.
        scroll={{ x: 1400 }}
        loading={!loaded}
        dataSource={entries}
        pagination={{ pageSize: 15, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description="没有记录" /> }}
        columns={[
          { title: '办件编号', dataIndex: 'caseNo', width: 280, fixed: 'left', onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (v: string, r) => <a onClick={() => openCase(r.caseId)}>{v}</a> },
          { title: '申请人', dataIndex: 'applicantName', width: 110, ellipsis: true },
          { title: '对接系统', dataIndex: 'targetName', width: 210, ellipsis: true },
          { title: '版本', dataIndex: 'revision', className: 'desk-nowrap', width: 150, render: (_: number, r) => <RevisionLabel entry={r} /> },
          { title: '状态', dataIndex: 'state', width: 110, render: (s: OutboxState) => <SyncStateTag state={s} /> },
          { title: '尝试', dataIndex: 'attempts', className: 'desk-nowrap', width: 70, onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (v: number) => `${v} 次` },
          { title: '下次尝试', dataIndex: 'nextAttemptAt', width: 100, render: (v: string | null, r) => (r.state === 'retry_wait' || r.state === 'pending' ? shortTime(v) : '—') },
          { title: '附件', dataIndex: 'files', width: 90, render: (f: OutboxEntryView['files']) => <FilesProgress files={f} /> },
          { title: '对方编号', dataIndex: 'targetCaseNo', width: 190, onCell: () => ({ style: { whiteSpace: 'nowrap' } }), render: (v: string | null) => v ?? '—' },
          {
            title: '说明',
            key: 'note',
            width: 200,
            ellipsis: true,
            // The full reason on hover (title): the cell shows its start.
            render: (_, r) =>
              r.parkedReason ? <Typography.Text type="danger" title={r.parkedReason}>{r.parkedReason}</Typography.Text> : r.lastError ? <Typography.Text type="secondary" title={r.lastError}>{r.lastError}</Typography.Text> : '—',
          },
        ]}
      />
    </>
  );
}
