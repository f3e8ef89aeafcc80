import { useState } from 'react';
import { Button, Card, Empty, Table, Typography } from 'antd';
import type { OutboxEntryView, OutboxState } from '../../../../shared/ipc/methods/sync';
import { useDesk } from '../../state/desk-store';
import { SyncStateTag } from './SyncStateTag';
import { ManualEntryDrawer } from './ManualEntryDrawer';
import { useSyncStatus } from './sync-store';
import { mayAct } from './may-act';
import { useEntries } from './use-entries';
import { shortTime } from '../../lib/time';
import { RevisionLabel } from './RevisionLabel';
import { BracketedName } from '../../components/BracketedName';

/** In the case view: per target system, this case's latest entry — state, attempts, the target's number. */
export function CaseSyncSection({ caseId }: { caseId: number }) {
  const go = useDesk((s) => s.go);
  const role = useDesk((s) => s.session?.user.role);
  const targets = useSyncStatus((s) => s.targets);
  const { entries, loaded, reload } = useEntries({ caseId, limit: 100 });
  const [manualId, setManualId] = useState<number | null>(null);
  const isManual = (e: OutboxEntryView) => targets.find((t) => t.id === e.targetId)?.kind === 'manual';
  const waitsForClerk = (e: OutboxEntryView) => isManual(e) && (e.state === 'pending' || e.state === 'retry_wait');
  // Newest first from the main side: keep the newest revision per target, older ones stay in 全部记录.
  const latest = entries.filter((e, i) => entries.findIndex((x) => x.targetId === e.targetId) === i);
  return (
    <Card size="small" title="同步状态" style={{ marginTop: 16 }} data-testid="case-sync" extra={<a onClick={() => go('sync')}>数据同步</a>}>
      <Table<OutboxEntryView>
        rowKey="id"
        className="desk-nowrap-head"
        size="small"
        loading={!loaded}
        pagination={false}
        dataSource={latest}
        locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="本件无需推送，或尚未受理" /> }}
        columns={[
          { title: '对接系统', dataIndex: 'targetName', render: (v: string) => <BracketedName name={v} /> },
          { title: '版本', dataIndex: 'revision', className: 'desk-nowrap', render: (_: number, r) => <RevisionLabel entry={r} /> },
          {
            title: '状态',
            dataIndex: 'state',
            render: (s: OutboxState, r) => (
              <>
                <SyncStateTag state={s} />
                {waitsForClerk(r) && mayAct(role) && (
                  <Button size="small" type="link" onClick={() => setManualId(r.id)}>
                    去补录
                  </Button>
                )}
              </>
            ),
          },
          { title: '尝试', dataIndex: 'attempts', className: 'desk-nowrap', render: (v: number) => `${v} 次` },
          { title: '对方编号', dataIndex: 'targetCaseNo', className: 'desk-nowrap', render: (v: string | null) => (v ? <Typography.Text copyable data-testid="target-case-no">{v}</Typography.Text> : '—') },
          { title: '送达时间', dataIndex: 'acknowledgedAt', className: 'desk-nowrap', render: (v: string | null) => shortTime(v) },
          {
            title: '说明',
            key: 'note',
            render: (_, r) => (r.parkedReason ? <Typography.Text type="danger">退回：{r.parkedReason}</Typography.Text> : r.lastError ? <Typography.Text type="secondary">{r.lastError}</Typography.Text> : '—'),
          },
        ]}
      />
      <ManualEntryDrawer
        entryId={manualId}
        onClose={() => setManualId(null)}
        onEntered={() => {
          setManualId(null);
          void reload();
        }}
      />
    </Card>
  );
}
