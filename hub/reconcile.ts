import type pg from 'pg';

/**
 * What the hub holds of one desk, for the desk's reconciliation after a restore of the hub's
 * database from an older backup (docs/hub.md "After a restore"): how many cases it holds of the
 * desk, and which of a batch of the desk's idempotency keys it holds. The desk re-queues through
 * its outbox every acknowledged entry the hub does not hold (electron/services/hub/hub-reconcile.ts).
 * And the feed's anchors: a token naming the very feed row at a sequence number, so a desk can tell
 * that the feed it read up to its cursor is still the hub's feed (a restore rewinds the feed and
 * re-pushed records take the old numbers again, as other rows).
 */

/** Most keys asked about in one request. */
export const HELD_BATCH_MAX = 1000;

export async function deskCaseCount(db: pg.Pool | pg.PoolClient, deskId: string): Promise<number> {
  return Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM cases WHERE desk_id = $1', [deskId])).rows[0]!.n);
}

/** The keys of `keys` the hub holds for this desk. */
export async function heldKeys(db: pg.Pool | pg.PoolClient, deskId: string, keys: readonly string[]): Promise<string[]> {
  return (await db.query<{ k: string }>('SELECT idempotency_key AS k FROM cases WHERE desk_id = $1 AND idempotency_key = ANY($2::text[])', [deskId, keys])).rows.map((r) => r.k);
}

/**
 * The token of the feed row at `seq` (null if there is none): a digest of its number, owner, key and
 * the time of the transaction that wrote it (to the microsecond, as PostgreSQL stored it, so a dump
 * and restore keeps it). A record re-pushed after a restore gets a new row (a later time): another token.
 */
export const FEED_TOKEN_SQL = `encode(sha256(convert_to(seq::text || '/' || owner_desk || '/' || record_key || '/' || to_char(written_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US'), 'UTF8')), 'hex')`;

export async function feedToken(db: pg.Pool | pg.PoolClient, hallId: string, seq: number): Promise<string | null> {
  if (seq === 0) return 'origin';
  return (await db.query<{ t: string }>(`SELECT ${FEED_TOKEN_SQL} AS t FROM feed WHERE hall_id = $1 AND seq = $2`, [hallId, seq])).rows[0]?.t ?? null;
}
