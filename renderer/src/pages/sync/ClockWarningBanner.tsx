import { Alert } from 'antd';
import { useSyncStatus } from './sync-store';

/** Shown on the home and sync pages when the main side thinks this machine's clock is wrong. */
export function ClockWarningBanner() {
  const warning = useSyncStatus((s) => s.clockWarning);
  if (!warning) return null;
  return (
    <Alert
      type="warning"
      showIcon
      data-testid="clock-warning"
      style={{ marginBottom: 16 }}
      title="本机时钟可能不准"
      description={`${warning} 受理时间、承诺书签署时间和同步重试都以本机时钟为准。`}
    />
  );
}
