import type { Deps } from '../../app/deps';
import { targetCounts } from '../sync/outbox';
import type { HubConnector } from './hub-connector';
import { feedCursor } from './hub-puller';

/**
 * The desk's heartbeat to the hub (docs/hub.md, "Screens"): after a successful feed pull, at most
 * every `heartbeatMs`, the desk tells the hub its outbox backlog for it and its feed cursor, in a
 * signed request like any other; the supervisor's desk list shows them with the feed lag.
 */

/** What the desk reports about itself for one hub target. */
export function heartbeatReport(db: Deps['db'], targetId: string): { backlog: number; parked: number; oldestWaitingAt: string | null; feedCursor: number } {
  const c = targetCounts(db, targetId);
  return { backlog: c.queueLength, parked: c.parked, oldestWaitingAt: c.oldestWaitingAt, feedCursor: feedCursor({ db }, targetId) };
}

const lastSent = new WeakMap<HubConnector, { at: number; cursor: number }>();

/**
 * Marks the pull done and sends the heartbeat when due — every `heartbeatMs`, and at once when the
 * pull moved the feed cursor (with the long-poll a desk pulls only when something happened, so a
 * throttled report could wait a whole long-poll); a failed heartbeat is logged, never thrown (the
 * next pull tries again).
 */
export async function afterFeedPull(deps: Pick<Deps, 'db' | 'logger'>, hub: HubConnector, monoNow: number): Promise<void> {
  hub.link.pulled();
  const report = heartbeatReport(deps.db, hub.target.id);
  const last = lastSent.get(hub);
  if (last !== undefined && monoNow - last.at < hub.target.heartbeatMs && last.cursor === report.feedCursor) return;
  lastSent.set(hub, { at: monoNow, cursor: report.feedCursor });
  try {
    await hub.heartbeat(report);
  } catch (e) {
    deps.logger.warn('hub.heartbeatFailed', { target: hub.target.id, error: String((e as Error)?.message ?? e) });
  }
}
