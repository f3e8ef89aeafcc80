import { useEffect } from 'react';
import { Tooltip } from 'antd';
import { CloudSyncOutlined } from '@ant-design/icons';
import { useDesk } from '../../state/desk-store';
import { unsyncedCount, useSyncStatus } from './sync-store';

/** Header: "待同步 12" (red when something was refused or is unknown); polls sync.status passively. */
export function SyncIndicator({ pollMs = 5000 }: { pollMs?: number }) {
  const go = useDesk((s) => s.go);
  const locked = useDesk((s) => s.locked);
  const { targets, loaded, poll } = useSyncStatus();
  useEffect(() => {
    if (locked) return; // a locked session answers nothing but unlock; ask again once unlocked
    void poll();
    const t = window.setInterval(() => void poll(), pollMs);
    return () => window.clearInterval(t);
  }, [poll, pollMs, locked]);
  if (!loaded || targets.length === 0) return null;
  const waiting = unsyncedCount(targets);
  const attention = targets.reduce((a, t) => a + t.parked + t.unknown, 0);
  const color = attention > 0 ? '#ff4d4f' : waiting > 0 ? '#faad14' : '#52c41a';
  const tip = attention > 0 ? `${attention} 件被退回或结果未知，需要处理` : waiting > 0 ? '等待推送到对接系统' : '所有办件均已同步';
  return (
    <Tooltip title={tip}>
      <span
        data-testid="sync-indicator"
        role="button"
        tabIndex={0}
        style={{ cursor: 'pointer' }}
        onClick={() => go('sync')}
        onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && go('sync')}
      >
        <CloudSyncOutlined style={{ color, marginRight: 6 }} />
        {waiting > 0 ? `待同步 ${waiting}` : '已全部同步'}
      </span>
    </Tooltip>
  );
}
