import { randomUUID } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import type { HubTargetConfig } from '../sync/targets-config';
import { ConnectorFailure } from '../sync/http-connector';
import { deskSchemaVersion, HubConnector } from '../hub/hub-connector';
import { findUserByName } from '../users/user-rows';

/**
 * Lockouts across the hall (docs/hub.md, "Lockouts across the hall"; the hub's side is
 * hub/hall-lockouts.ts). While a hub is configured, every wrong password and every sign-in is
 * queued in `hall_lockout_reports` in the transaction that counts it on this desk, and reported to
 * the hub: at once (the sign-in waits a short time for the answer), or, while the hub is away, by
 * the periodic flush once it is back. Before a password is checked the desk asks the hub for the
 * username's state (the same request carries the unsent reports); a lock the hall began is taken
 * as this desk's own lock (`users.locked_until`, lockout.ts), so it shows the same message, ends by
 * the same monotonic rule, and still holds if the hub then goes away. Hub unreachable: the desk's
 * own count decides, as before.
 */

export interface HallLockState {
  failures: number;
  lockSeq: number;
  remainingMs: number;
}

/** How long a sign-in waits for the hub's answer before the desk's own count decides. */
export const HALL_CHECK_TIMEOUT_MS = 1500;
const BATCH = 200;

const enabledFor = new WeakMap<Db, () => boolean>();

/** Whether this store reports to a hub (set by the composition root). */
export function configureHallLockouts(db: Db, hasHub: () => boolean): void {
  enabledFor.set(db, hasHub);
}

/** Queues a report for the hub in the caller's transaction (nothing without a hub). */
export function queueHallLockout(w: WriteContext, username: string, outcome: 'failure' | 'success' | 'unlock', lockSeq: number | null = null): void {
  if (!enabledFor.get(w.db)?.()) return;
  w.db
    .prepare('INSERT INTO hall_lockout_reports (event_id, username, outcome, lock_seq, created_at) VALUES (?, ?, ?, ?, ?)')
    .run(randomUUID(), username, outcome, lockSeq, w.at.toISOString());
}

interface ReportRow {
  id: number;
  event_id: string;
  username: string;
  outcome: 'failure' | 'success' | 'unlock';
  lock_seq: number | null;
}

export class HallLockouts {
  /** The hall lock (its lock_seq) each username's lock on this desk was taken from. */
  private readonly seen = new Map<string, number>();
  /** The periodic flush backs off while the hub does not take the reports (away, or refusing this desk): 1 s doubling to 1 min. */
  private backoffMs = 0;
  private nextFlushAt = 0;

  constructor(
    private readonly deps: Deps,
    private readonly hub: () => HubTargetConfig | undefined,
    private readonly dataDir: string,
    private readonly timeoutMs: number,
  ) {}

  /** The hall lock this desk has taken for the username (null: none). */
  seenLock(username: string): number | null {
    return this.seen.get(username) ?? null;
  }

  /**
   * Sends the unsent reports and asks for the named usernames' states, in one signed request.
   * Null when there is no hub or it did not answer in time (the desk's own count decides).
   */
  async exchange(check: readonly string[], timeoutMs = HALL_CHECK_TIMEOUT_MS): Promise<Record<string, HallLockState> | null> {
    const target = this.hub();
    if (!target) return null;
    const { db, auth, logger } = this.deps;
    const unsent = db.prepare('SELECT id, event_id, username, outcome, lock_seq FROM hall_lockout_reports WHERE sent_at IS NULL ORDER BY id LIMIT ?').all(BATCH) as ReportRow[];
    const hub = new HubConnector(target, this.dataDir, deskSchemaVersion(db), Math.min(timeoutMs, this.timeoutMs), this.deps.now);
    try {
      const r = await hub.request('POST', '/v1/lockouts', {
        maxFailures: auth.maxFailures,
        lockMs: auth.lockMinutes * 60_000,
        events: unsent.map((e) => ({ eventId: e.event_id, username: e.username, outcome: e.outcome, lockSeq: e.lock_seq })),
        check,
      });
      if (r.status !== 200) hub.fail(r);
      const states = (r.json as { states?: Record<string, HallLockState> } | null)?.states;
      if (!states) throw new ConnectorFailure({ kind: 'maybe_sent', message: '全厅中心的应答缺少账号状态' });
      if (unsent.length) {
        // Bookkeeping of what the hub holds (the events themselves were audited when they happened).
        const mark = db.prepare('UPDATE hall_lockout_reports SET sent_at = ? WHERE id = ?');
        const at = this.deps.now().toISOString();
        // Reports the hub holds are kept a day (to look into), then forgotten.
        const dayAgo = new Date(this.deps.now().getTime() - 24 * 3600_000).toISOString();
        db.transaction(() => {
          unsent.forEach((e) => mark.run(at, e.id));
          db.prepare('DELETE FROM hall_lockout_reports WHERE sent_at IS NOT NULL AND sent_at < ?').run(dayAgo);
        })();
      }
      return states;
    } catch (e) {
      if (!(e instanceof ConnectorFailure)) throw e;
      // A lost answer: the reports stay unsent and are sent again (the hub counts each event id once).
      logger.warn('auth.hallLockoutUnreachable', { target: target.id, unsent: unsent.length, error: e.message });
      return null;
    }
  }

  /**
   * Takes the hall's running lock of the username as this desk's own (once per hall lock: a lock
   * already taken ends by this desk's monotonic clock, whatever the hub says later). Returns true
   * if a lock was taken now.
   */
  adopt(username: string, state: HallLockState | undefined): boolean {
    if (!state || state.remainingMs <= 0 || this.seen.get(username) === state.lockSeq) return false;
    const { lockouts, sessions } = this.deps;
    const userId = this.deps.write({ userId: null, username: `(全厅中心:${username.slice(0, 64)})` }, (w) => {
      const u = findUserByName(w.db, username);
      if (!u) return null;
      const lockedUntil = lockouts.adopt(u.id, state.remainingMs);
      w.db.prepare('UPDATE users SET failed_attempts = 0, locked_until = ?, updated_at = ? WHERE id = ?').run(lockedUntil, w.at.toISOString(), u.id);
      w.audit({ action: 'auth.hallLockTaken', entityType: 'user', entityId: u.id, detail: { lockSeq: state.lockSeq, remainingMs: state.remainingMs } });
      return u.id;
    });
    this.seen.set(username, state.lockSeq);
    if (userId !== null) sessions.endAllFor(userId);
    return userId !== null;
  }

  /** Sends what waits (the periodic flush while the hub is back); locks the answers name are taken. */
  async flush(): Promise<void> {
    if (!this.hub()) return;
    const waiting = this.deps.db.prepare('SELECT DISTINCT username FROM hall_lockout_reports WHERE sent_at IS NULL').all() as { username: string }[];
    if (!waiting.length || this.deps.monotonic() < this.nextFlushAt) return;
    const states = await this.exchange([], this.timeoutMs);
    if (!states) {
      this.backoffMs = Math.min(60_000, Math.max(1000, this.backoffMs * 2));
      this.nextFlushAt = this.deps.monotonic() + this.backoffMs;
      return;
    }
    this.backoffMs = 0;
    for (const { username } of waiting) this.adopt(username, states[username]);
  }
}
