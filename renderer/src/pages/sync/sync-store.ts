import { create } from 'zustand';
import type { SyncTargetStatus } from '../../../../shared/ipc/methods/sync';
import { call } from '../../ipc/client';

interface SyncStatusState {
  targets: SyncTargetStatus[];
  clockWarning: string | null;
  /** The main side's clock at the last poll; ages are computed against it, not the page's. */
  serverNow: string | null;
  /** The page's clock when serverNow arrived, to let ages move between polls. */
  receivedAt: number;
  loaded: boolean;
  error: string | null;
  poll(): Promise<void>;
}

/** sync.status, shared by the header indicator, the sync page and the clock banner. Polled passively. */
export const useSyncStatus = create<SyncStatusState>((set) => ({
  targets: [],
  clockWarning: null,
  serverNow: null,
  receivedAt: 0,
  loaded: false,
  error: null,
  async poll() {
    try {
      const s = await call('sync.status', {});
      set({ targets: s.targets, clockWarning: s.clockWarning, serverNow: s.now, receivedAt: Date.now(), loaded: true, error: null });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    }
  },
}));

/** The main side's "now", moved on by the time since the last poll. */
export function serverNowMs(s: Pick<SyncStatusState, 'serverNow' | 'receivedAt'>): number {
  return s.serverNow ? Date.parse(s.serverNow) + (Date.now() - s.receivedAt) : Date.now();
}

/** Everything not yet delivered: waiting, parked and unknown together. */
export function unsyncedCount(targets: SyncTargetStatus[]): number {
  return targets.reduce((a, t) => a + t.queueLength + t.parked, 0);
}
