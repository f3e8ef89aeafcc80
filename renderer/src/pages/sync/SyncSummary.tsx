import { Space, Tag } from 'antd';
import { useDesk } from '../../state/desk-store';
import { unsyncedCount, useSyncStatus } from './sync-store';

/** One line for the home page: what is still to be delivered to the target systems. */
export function SyncSummary() {
  const go = useDesk((s) => s.go);
  const { targets, loaded } = useSyncStatus();
  if (!loaded) return <Tag>正在读取…</Tag>;
  const caseTargets = targets.filter((t) => t.kind !== 'data_sharing');
  if (caseTargets.length === 0) return <Tag>尚未配置对接系统</Tag>;
  const waiting = unsyncedCount(targets);
  const parked = targets.reduce((a, t) => a + t.parked, 0);
  const unknown = targets.reduce((a, t) => a + t.unknown, 0);
  const down = targets.filter((t) => t.reachable === false).length;
  return (
    <Space size={4} wrap data-testid="home-sync">
      <Tag color={waiting ? 'blue' : 'green'}>{waiting ? `待同步 ${waiting} 件` : '已全部同步'}</Tag>
      {parked > 0 && <Tag color="red">退回 {parked} 件</Tag>}
      {unknown > 0 && <Tag color="purple">结果未知 {unknown} 件</Tag>}
      {down > 0 && <Tag color="orange">{down} 个系统暂时无法连接</Tag>}
      <a onClick={() => go('sync')}>查看</a>
    </Space>
  );
}
