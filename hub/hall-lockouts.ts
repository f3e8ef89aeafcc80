import type pg from 'pg';
import type { Authed } from './server';

/**
 * Lockouts across the hall (docs/hub.md, "Lockouts across the hall"). Each desk reports every
 * wrong password and every sign-in of a user (once, by its event id) and asks for a username's
 * state before it checks a password. The count is one row per username (`hall_lockouts`), changed
 * by a single UPDATE … RETURNING: PostgreSQL holds the row lock from that UPDATE to the commit and
 * re-evaluates the expressions on the latest row for a waiting UPDATE, so parallel reports from
 * several desks are counted one after the other, and one that comes late (after a lock began) can
 * neither reset the count nor end the lock.
 *
 * A lock lasts the reporting desk's `lockMs` on the hub's clock (PostgreSQL's `now()`), read back
 * as never more than `lock_ms` from now; each desk then holds a lock it has seen on its own
 * monotonic clock (electron/services/auth/hall-lockouts.ts).
 */

export interface LockoutContext {
  pool: pg.Pool;
  spendNonce(c: pg.PoolClient): Promise<void>;
  refuse(status: number, code: string, chinese: string, detail: string): Error;
}

/** The hall's state of one username as the desk reads it. */
export interface HallLockState {
  failures: number;
  lockSeq: number;
  /** Milliseconds left of the running lock (0: not locked). */
  remainingMs: number;
}

export interface LockoutEvent {
  eventId: string;
  username: string;
  outcome: 'failure' | 'success' | 'unlock';
  /** For a success: the hall lock the desk had seen end (a later lock is kept). */
  lockSeq: number | null;
}

const EVENTS_MAX = 200;
const NAME_MAX = 64;

const STATE = `failures, lock_seq,
  GREATEST(0, LEAST(lock_ms::double precision, COALESCE(EXTRACT(EPOCH FROM (locked_until - now())) * 1000, 0)))::bigint AS remaining_ms`;

type StateRow = { failures: number; lock_seq: string; remaining_ms: string };
const toState = (r: StateRow | undefined): HallLockState => (r ? { failures: r.failures, lockSeq: Number(r.lock_seq), remainingMs: Number(r.remaining_ms) } : { failures: 0, lockSeq: 0, remainingMs: 0 });

/**
 * One wrong password: counted unless a lock runs; the `maxFailures`-th in a row begins a lock of
 * `lockMs` (a new lock_seq) and starts the count again. An expired lock starts the count again.
 */
const FAILURE = `
UPDATE hall_lockouts SET
  failures = CASE WHEN COALESCE(locked_until > now(), false) THEN failures
                  WHEN (CASE WHEN locked_until IS NULL THEN failures ELSE 0 END) + 1 >= $2 THEN 0
                  ELSE (CASE WHEN locked_until IS NULL THEN failures ELSE 0 END) + 1 END,
  locked_until = CASE WHEN COALESCE(locked_until > now(), false) THEN locked_until
                      WHEN (CASE WHEN locked_until IS NULL THEN failures ELSE 0 END) + 1 >= $2 THEN now() + $3::integer * interval '1 millisecond'
                      ELSE NULL END,
  lock_ms = CASE WHEN NOT COALESCE(locked_until > now(), false) AND (CASE WHEN locked_until IS NULL THEN failures ELSE 0 END) + 1 >= $2 THEN $3::integer ELSE lock_ms END,
  lock_seq = CASE WHEN NOT COALESCE(locked_until > now(), false) AND (CASE WHEN locked_until IS NULL THEN failures ELSE 0 END) + 1 >= $2 THEN lock_seq + 1 ELSE lock_seq END,
  locked_by = CASE WHEN NOT COALESCE(locked_until > now(), false) AND (CASE WHEN locked_until IS NULL THEN failures ELSE 0 END) + 1 >= $2 THEN $4::text ELSE locked_by END,
  updated_at = now()
WHERE username = $1::text`;

/** A sign-in: the count starts again; a running lock ends only if it is the one the desk saw end (or none newer began). */
const SUCCESS = `
UPDATE hall_lockouts SET
  failures = 0,
  locked_until = CASE WHEN COALESCE(locked_until > now(), false) AND lock_seq > COALESCE($2::bigint, 0) THEN locked_until ELSE NULL END,
  updated_at = now()
WHERE username = $1`;

/** A supervisor's unlock at a desk: the count and any lock end. */
const UNLOCK = `UPDATE hall_lockouts SET failures = 0, locked_until = NULL, updated_at = now() WHERE username = $1`;

function parse(x: LockoutContext, body: Buffer): { maxFailures: number; lockMs: number; events: LockoutEvent[]; check: string[] } {
  let b: Record<string, unknown>;
  try {
    b = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw x.refuse(400, 'BAD_JSON', '请求内容不是有效的 JSON。', 'body is not JSON');
  }
  const name = (v: unknown): v is string => typeof v === 'string' && v.length > 0 && v.length <= NAME_MAX;
  const { maxFailures, lockMs, events, check } = b ?? {};
  const eventOk = (e: unknown): e is LockoutEvent => {
    const v = e as Partial<LockoutEvent> | null;
    return (
      typeof v === 'object' && v !== null && typeof v.eventId === 'string' && /^[0-9a-f-]{8,64}$/.test(v.eventId) && name(v.username) &&
      (v.outcome === 'failure' || v.outcome === 'success' || v.outcome === 'unlock') && (v.lockSeq === null || v.lockSeq === undefined || (Number.isSafeInteger(v.lockSeq) && v.lockSeq >= 0))
    );
  };
  if (
    !Number.isInteger(maxFailures) || (maxFailures as number) < 1 || (maxFailures as number) > 100 ||
    !Number.isInteger(lockMs) || (lockMs as number) < 1000 || (lockMs as number) > 24 * 3600_000 ||
    !Array.isArray(events) || events.length > EVENTS_MAX || !events.every(eventOk) ||
    !Array.isArray(check) || check.length > EVENTS_MAX || !check.every(name)
  ) {
    throw x.refuse(422, 'BAD_LOCKOUT', '登录失败记录的内容无效。', `lockout report needs maxFailures 1-100, lockMs 1000-86400000, at most ${EVENTS_MAX} events {eventId, username, outcome, lockSeq} and usernames to check`);
  }
  return { maxFailures: maxFailures as number, lockMs: lockMs as number, events: events as LockoutEvent[], check: check as string[] };
}

/**
 * `POST /v1/lockouts {maxFailures, lockMs, events, check}`: records the desk's events in order (each
 * once), then answers the state of every username named (events and check) — in one transaction
 * with the request's nonce.
 */
export async function lockoutRoute(x: LockoutContext, a: Authed): Promise<{ status: number; json: unknown }> {
  const p = parse(x, a.body);
  const c = await x.pool.connect();
  try {
    await c.query('BEGIN');
    await x.spendNonce(c);
    let counted = 0;
    for (const e of p.events) {
      const fresh = await c.query('INSERT INTO hall_lockout_events (desk_id, event_id, username, outcome) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [a.desk.desk_id, e.eventId, e.username, e.outcome]);
      if (fresh.rowCount !== 1) continue; // reported before (a lost answer): counted once
      counted++;
      await c.query('INSERT INTO hall_lockouts (username) VALUES ($1) ON CONFLICT DO NOTHING', [e.username]);
      if (e.outcome === 'failure') await c.query(FAILURE, [e.username, p.maxFailures, p.lockMs, a.desk.desk_id]);
      else if (e.outcome === 'success') await c.query(SUCCESS, [e.username, e.lockSeq ?? null]);
      else await c.query(UNLOCK, [e.username]);
    }
    const names = [...new Set([...p.events.map((e) => e.username), ...p.check])];
    const rows = (await c.query<StateRow & { username: string }>(`SELECT username, ${STATE} FROM hall_lockouts WHERE username = ANY($1)`, [names])).rows;
    await c.query('COMMIT');
    const states: Record<string, HallLockState> = {};
    for (const n of names) states[n] = toState(rows.find((r) => r.username === n));
    return { status: 200, json: { counted, states } };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}
