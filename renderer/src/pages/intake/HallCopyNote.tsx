import { Alert } from 'antd';
import type { HallCopyView } from '../../../../shared/ipc/methods/applicants';

/** A copy older than this is shown as a warning: the desk has probably lost the hub. */
const STALE_MS = 5 * 60_000;

/**
 * The age of this desk's copy of the hall's data (全厅数据更新于 …), beside the credit check at
 * intake and at the commitment step: with the hub unreachable the desk decides on its last copy, and
 * says how old it is (docs/hub.md, "Offline"). Nothing on a desk without a hub.
 */
export function HallCopyNote({ hallCopy }: { hallCopy: HallCopyView | undefined }) {
  if (!hallCopy) return null;
  const stale = hallCopy.syncedAt === null || Date.now() - new Date(hallCopy.syncedAt).getTime() > STALE_MS;
  return (
    <Alert
      type={stale ? 'warning' : 'info'}
      showIcon
      style={{ marginBottom: 12 }}
      data-testid="hall-copy"
      title={hallCopy.message}
      description={stale ? '本机暂未与全厅中心同步：信用核查按本机现有的全厅数据判断；恢复连接后，如发现离线期间签署的承诺涉及失信记录，将自动标记并发起核查。' : undefined}
    />
  );
}
