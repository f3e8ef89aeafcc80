import { useEffect } from 'react';
import { create } from 'zustand';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import type { HubLinkView } from '../../../../shared/ipc/methods/hub';
import { call } from '../../ipc/client';
import { useDesk } from '../../state/desk-store';

interface HubStatusState {
  hubs: HubLinkView[];
  desk: MethodOutput<'hub.status'>['desk'];
  /** The main side's clock at the last poll. */
  serverNow: string | null;
  loaded: boolean;
  error: string | null;
  poll(): Promise<void>;
}

/** hub.status, shared by the home page and the sync screen. Polled passively. */
export const useHubStatus = create<HubStatusState>((set) => ({
  hubs: [],
  desk: null,
  serverNow: null,
  loaded: false,
  error: null,
  async poll() {
    try {
      const s = await call('hub.status', {});
      set({ hubs: s.hubs, desk: s.desk, serverNow: s.now, loaded: true, error: null });
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
    }
  },
}));

/** Polls hub.status while mounted (not while the session is locked). */
export function useHubStatusPolling(pollMs: number): HubStatusState {
  const locked = useDesk((s) => s.locked);
  const state = useHubStatus();
  const { poll } = state;
  useEffect(() => {
    if (locked) return;
    void poll();
    const t = window.setInterval(() => void poll(), pollMs);
    return () => window.clearInterval(t);
  }, [poll, pollMs, locked]);
  return state;
}
