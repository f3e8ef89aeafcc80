import { useEffect, useMemo } from 'react';
import { Tag } from 'antd';
import type { HallFieldStatus } from '../../../../shared/ipc/methods/hall-field';
import { useCall } from '../../ipc/use-call';

const COLORS: Record<HallFieldStatus['status'], string> = { offered: 'blue', taken: 'purple', applied: 'green', withdrawn: 'default' };

/** Where each task of this desk stands at the hall (docs/hub.md, "Field work through the hub"), refreshed every few seconds. */
export function useHallFieldStatus(): Map<number, HallFieldStatus> {
  const { data, reload } = useCall('verification.hallFieldStatus', {});
  useEffect(() => {
    const t = window.setInterval(() => void reload(), 3000);
    return () => window.clearInterval(t);
  }, [reload]);
  return useMemo(() => new Map((data ?? []).map((s) => [s.taskId, s])), [data]);
}

/** 已发布到全厅 / 已由某某领取 / 结果已应用, beside the task's own state. */
export function HallFieldTag({ status }: { status: HallFieldStatus | undefined }) {
  if (!status || status.status === 'withdrawn') return null;
  return (
    <Tag color={COLORS[status.status]} data-testid="hall-field-status" style={{ marginTop: 4 }}>
      {status.text}
    </Tag>
  );
}
