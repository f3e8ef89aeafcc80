import { Tag } from 'antd';
import { OUTBOX_STATE_LABELS, type OutboxState } from '../../../../shared/ipc/methods/sync';

const COLORS: Record<OutboxState, string> = {
  pending: 'blue',
  in_flight: 'processing',
  retry_wait: 'gold',
  parked: 'red',
  unknown: 'purple',
  acknowledged: 'green',
  superseded: 'default',
};

export function SyncStateTag({ state }: { state: OutboxState }) {
  return (
    <Tag color={COLORS[state]} data-testid="sync-state">
      {OUTBOX_STATE_LABELS[state]}
    </Tag>
  );
}
