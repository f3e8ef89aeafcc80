import { useEffect, useState } from 'react';
import { Alert, Table, Typography } from 'antd';
import type { RestoreNotice } from '../../../../shared/ipc/methods/store';
import { OUTBOX_STATE_LABELS, type OutboxState } from '../../../../shared/ipc/methods/sync';
import { call } from '../../ipc/client';
import { deskTime } from '../../lib/time';

/**
 * After a restore of a backup: what may have reached the vertical systems after the backup was
 * taken. Cases the targets hold under numbers this store no longer has (found by their look-ups),
 * and entries the backup held as unsent, now checked with the target before anything is re-sent.
 */
export function RestoreNoticeBanner() {
  const [notice, setNotice] = useState<RestoreNotice | null>(null);
  useEffect(() => {
    let alive = true;
    const load = () =>
      call('sync.restoreNotice', {})
        .then((n) => alive && setNotice(n))
        .catch(() => undefined);
    void load();
    const t = window.setInterval(() => void load(), 3000);
    return () => {
      alive = false;
      window.clearInterval(t);
    };
  }, []);
  if (!notice) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="restore-notice"
      style={{ marginBottom: 16 }}
      title="恢复备份后，以下办件可能已在备份之后送达业务系统，请核对"
      description={
        <div>
          <Typography.Paragraph style={{ marginBottom: 8 }}>
            {deskTime(notice.restoredAt)} 由 {notice.restoredBy} 恢复了 {deskTime(notice.backupTakenAt)} 的备份。备份之后受理的办件不在本机库中，它们的编号带旧批次号{' '}
            <Typography.Text code>{notice.previousEpochTag}</Typography.Text>；恢复后新受理的办件使用新批次号，不会与之重复。
          </Typography.Paragraph>
          {notice.lookedUpAt === null ? (
            <Typography.Paragraph style={{ marginBottom: 8 }} data-testid="restore-lookup-pending">
              正在向业务系统查询备份之后送达的办件（业务系统暂时无法连接时会自动重试）…
            </Typography.Paragraph>
          ) : notice.foundAtTargets.length ? (
            <>
              <Typography.Paragraph style={{ marginBottom: 4 }}>业务系统中有、本机已没有的办件（请对照业务系统中的信息核对，需要时补录）：</Typography.Paragraph>
              <Table
                size="small"
                pagination={false}
                rowKey={(r) => `${r.targetName}/${r.caseNo}`}
                dataSource={notice.foundAtTargets}
                data-testid="restore-found"
                columns={[
                  { title: '受理编号', dataIndex: 'caseNo' },
                  { title: '业务系统', dataIndex: 'targetName' },
                  { title: '业务系统编号', dataIndex: 'targetCaseNo' },
                ]}
                style={{ marginBottom: 8 }}
              />
            </>
          ) : (
            <Typography.Paragraph style={{ marginBottom: 8 }}>业务系统中没有查到备份之后送达的办件。</Typography.Paragraph>
          )}
          {notice.entries.length > 0 && (
            <>
              <Typography.Paragraph style={{ marginBottom: 4 }}>备份时尚未确认送达的办件（先向业务系统核对，已送达的不再重复发送）：</Typography.Paragraph>
              <Table
                size="small"
                pagination={false}
                rowKey="entryId"
                dataSource={notice.entries}
                data-testid="restore-entries"
                columns={[
                  { title: '受理编号', dataIndex: 'caseNo' },
                  { title: '申请人', dataIndex: 'applicantName' },
                  { title: '业务系统', dataIndex: 'targetName' },
                  { title: '状态', dataIndex: 'state', render: (s: string) => OUTBOX_STATE_LABELS[s as OutboxState] ?? s },
                  { title: '业务系统编号', dataIndex: 'targetCaseNo', render: (v: string | null) => v ?? '—' },
                ]}
              />
            </>
          )}
        </div>
      }
    />
  );
}
