import type { Statement } from 'better-sqlite3';
import type { Db } from '../../store/open-store';
import { writeTx } from '../../store/write';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import type { OutboxState } from '../../../shared/ipc/methods/sync';
import type { EntryRow } from './outbox';
import { backoffCapMs } from './backoff';

/**
 * The sender's state changes, each one short transaction on a connection of
 * its own (sender-store-client.ts runs them in a worker thread, so their
 * commits — an fsync each — never stall the main process). Delivery
 * bookkeeping (leases, retry times, upload offsets) is not a change of record
 * and is written directly; what changes what the clerk is told —
 * acknowledged, parked — goes through the audited write path.
 *
 * Every function takes plain, structured-clonable arguments and returns
 * plain data: they are the operations the worker serves (SENDER_OPS).
 */

/** An entry the sender has leased: the outbox row's own columns, plus what the claim adds. */
export interface Claimed extends Pick<EntryRow, 'id' | 'case_id' | 'target_id' | 'kind' | 'subject' | 'revision' | 'idempotency_key' | 'document' | 'attempts'> {
  /** The state before the claim: 'unknown' means it may already be at the target. */
  prior: OutboxState;
  /** Until when this claim's lease runs (as written). */
  leaseUntilMs: number;
  /** The files to upload first (case entries of targets that take files), as recorded at the claim. */
  files: UploadRow[];
}

export interface UploadRow {
  sha256: string;
  name: string;
  kind: string;
  size: number;
  upload_id: string | null;
  sent_bytes: number;
  remote_file_id: string | null;
}

/**
 * A claim's hold on an entry, its lease token: the sender that claimed it and the attempt the claim
 * began (`attempts` after the claim). A re-claim — by this sender after the entry was recovered, or
 * by anyone else — is another attempt, so an older claim no longer matches: it neither sends the
 * entry nor records an outcome for it.
 */
export interface Lease {
  id: number;
  owner: string;
  attempt: number;
}

const HELD = `state = 'in_flight' AND lease_owner = ? AND attempts = ?`;

export interface Ack {
  id: number;
  /** The attempt of the claim that delivered it (its lease token, with the owner). */
  attempt: number;
  caseId: number;
  targetId: string;
  targetCaseNo: string;
  /** How we know: the target's answer, a duplicate answer, or the look-up. */
  via: 'answer' | 'duplicate' | 'lookup';
}

const iso = (ms: number) => new Date(ms).toISOString();

/** Prepared once per connection: the sender runs the same few statements thousands of times. */
const statements = new WeakMap<Db, Map<string, Statement>>();
function stmt(db: Db, sql: string): Statement {
  let m = statements.get(db);
  if (!m) statements.set(db, (m = new Map()));
  let s = m.get(sql);
  if (!s) m.set(sql, (s = db.prepare(sql)));
  return s;
}

/** Leases that expired, or that a previous process held, become "unknown" (maybe sent), to be resolved. */
export function recoverLeases(db: Db, a: { owner: string; nowMs: number }): number {
  return stmt(
    db,
    `UPDATE outbox_entries SET state = 'unknown', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
       last_error = COALESCE(last_error, '发送过程中断（程序退出或超时），是否送达未知，将自动核对')
     WHERE state = 'in_flight' AND (lease_owner IS NOT ? OR lease_until < ?)`,
  ).run(iso(a.nowMs), a.owner, iso(a.nowMs)).changes;
}

const CLAIM_SQL = (lane: string) => `SELECT e.id, e.case_id, e.target_id, e.kind, e.subject, e.revision, e.idempotency_key, e.document, e.attempts, e.state AS prior
  FROM outbox_entries e
  WHERE e.target_id = ? AND e.state NOT IN ('acknowledged', 'superseded')
    AND (e.state = 'pending' OR (e.state IN ('retry_wait', 'unknown') AND e.next_attempt_at IS NOT NULL AND e.next_attempt_at <= ?))
    AND NOT EXISTS (SELECT 1 FROM outbox_entries p WHERE p.case_id = e.case_id AND p.target_id = e.target_id AND p.id < e.id
                      AND p.state NOT IN ('acknowledged', 'superseded')
                      AND NOT (p.state = 'parked' AND p.kind = e.kind AND p.subject = e.subject))
    ${lane}
  ORDER BY e.id LIMIT ?`;

/**
 * Takes up to `limit` entries of a target that may go now: pending, or whose retry time has
 * come, and only the earliest open entry of each case (one case's entries go in order). A
 * refused (parked) entry holds back the later entries of its case, except a newer revision of
 * itself, which replaces it (a status change carried in from the peer desk after the peer's
 * target refused the acceptance; on one desk the older one is superseded when the newer is written).
 * `lane` splits entries with a large file still to upload (bulk) from the rest (small).
 * The claim is committed (durably) before any of them is sent.
 */
export function claim(
  db: Db,
  o: { targetId: string; owner: string; nowMs: number; leaseMs: number; limit: number; lane: 'small' | 'bulk' | 'any'; largeBytes: number },
): Claimed[] {
  const lane =
    o.lane === 'any'
      ? ''
      : `AND ${o.lane === 'small' ? 'NOT ' : ''}EXISTS (SELECT 1 FROM outbox_files f WHERE f.entry_id = e.id AND f.remote_file_id IS NULL AND f.size > ${Number(o.largeBytes)})`;
  return db
    .transaction(() => {
      const now = iso(o.nowMs);
      const rows = stmt(db, CLAIM_SQL(lane)).all(o.targetId, now, o.limit) as Omit<Claimed, 'leaseUntilMs' | 'files'>[];
      const take = stmt(
        db,
        `UPDATE outbox_entries SET state = 'in_flight', lease_owner = ?, lease_until = ?, attempts = attempts + 1, first_sent_at = COALESCE(first_sent_at, ?) WHERE id = ?`,
      );
      for (const r of rows) take.run(o.owner, iso(o.nowMs + o.leaseMs), now, r.id);
      return rows.map((r) => ({ ...r, attempts: r.attempts + 1, leaseUntilMs: o.nowMs + o.leaseMs, files: entryFiles(db, r.id) }));
    })
    .immediate();
}

/** Claimed entries that were never started go back to their earlier state (a clean stop). */
export function unclaim(db: Db, a: { owner: string; entries: readonly Pick<Claimed, 'id' | 'prior'>[] }): void {
  if (a.entries.length === 0) return;
  const up = stmt(db, `UPDATE outbox_entries SET state = ?, attempts = attempts - 1, lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'in_flight' AND lease_owner = ?`);
  db.transaction(() => {
    for (const e of a.entries) up.run(e.prior, e.id, a.owner);
  })();
}

/** Back to waiting, to be tried again at `nextMs` (network down, 5xx, 429, an upload cut). */
export function toRetry(db: Db, a: Lease & { nextMs: number; error: string }): void {
  stmt(
    db,
    `UPDATE outbox_entries SET state = 'retry_wait', next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
     WHERE id = ? AND ${HELD}`,
  ).run(iso(a.nextMs), a.error, a.id, a.owner, a.attempt);
}

/**
 * Sent, no answer — or an unknown entry whose resolution could not be done now: stays "unknown",
 * resolved by itself at `nextMs` (look-up or same-key re-send), or by the clerk when `nextMs` is null.
 */
export function toUnknown(db: Db, a: Lease & { nextMs: number | null; error: string }): void {
  stmt(
    db,
    `UPDATE outbox_entries SET state = 'unknown', next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL
     WHERE id = ? AND ${HELD}`,
  ).run(a.nextMs === null ? null : iso(a.nextMs), a.error, a.id, a.owner, a.attempt);
}

/**
 * Waiting entries of a target (or of all, `targetId` null) may go now: retries, and unknown entries
 * waiting to be resolved by themselves (look-up or same-key re-send; never an unknown one left to
 * the clerk). `networkOnly`: only those that waited because the target was unreachable (it answered
 * again); otherwise every one (the clerk's 立即同步).
 */
export function releaseWaits(db: Db, a: { targetId: string | null; nowMs: number; networkOnly: boolean }): number {
  return stmt(
    db,
    `UPDATE outbox_entries SET next_attempt_at = ?
     WHERE (? IS NULL OR target_id = ?) AND state IN ('retry_wait', 'unknown') AND next_attempt_at > ? ${a.networkOnly ? `AND last_error LIKE '%无法连接%'` : ''}`,
  ).run(iso(a.nowMs), a.targetId, a.targetId, iso(a.nowMs)).changes;
}

/** Extends this claim's lease; false when it no longer holds the entry (the lease expired and was recovered, or the entry was claimed again). */
export function renewLease(db: Db, a: Lease & { untilMs: number }): boolean {
  return stmt(db, `UPDATE outbox_entries SET lease_until = ? WHERE id = ? AND ${HELD}`).run(iso(a.untilMs), a.id, a.owner, a.attempt).changes === 1;
}

/**
 * Does this claim still hold the entry — in flight, leased by this sender under this attempt, the
 * lease not run out at `nowMs`? Asked (a read, on any connection) right before every send: an entry
 * whose lease was recovered, taken over or settled elsewhere is not sent.
 */
export function leaseHeld(db: Db, a: Lease & { nowMs: number }): boolean {
  return stmt(db, `SELECT 1 FROM outbox_entries WHERE id = ? AND ${HELD} AND lease_until > ?`).get(a.id, a.owner, a.attempt, iso(a.nowMs)) !== undefined;
}

/**
 * The wall clock was set back (`byMs` < 0) or forward: the waits and this sender's leases, written
 * as wall times, are moved with it, so each keeps the length it had (app/clock.ts).
 */
export function shiftTimes(db: Db, a: { owner: string; byMs: number }): number {
  const by = `${a.byMs >= 0 ? '+' : ''}${(a.byMs / 1000).toFixed(3)} seconds`;
  return db.transaction(() => {
    const waits = stmt(
      db,
      `UPDATE outbox_entries SET next_attempt_at = strftime('%Y-%m-%dT%H:%M:%fZ', next_attempt_at, ?)
       WHERE state IN ('retry_wait', 'unknown') AND next_attempt_at IS NOT NULL`,
    ).run(by).changes;
    const leases = stmt(db, `UPDATE outbox_entries SET lease_until = strftime('%Y-%m-%dT%H:%M:%fZ', lease_until, ?) WHERE state = 'in_flight' AND lease_owner = ?`).run(
      by,
      a.owner,
    ).changes;
    return waits + leases;
  })();
}

/**
 * At start: a wait stored further ahead than its back-off could be (its attempt's cap, from
 * `capOf`) — the clock was set back since it was written — is cut to that cap. (A longer
 * Retry-After a target asked for is cut too: one early try, answered with its Retry-After again.)
 */
export function clampWaits(db: Db, a: { nowMs: number; baseMs: number; maxMs: number }): number {
  const rows = stmt(
    db,
    `SELECT id, attempts, next_attempt_at FROM outbox_entries WHERE state IN ('retry_wait', 'unknown') AND next_attempt_at > ?`,
  ).all(iso(a.nowMs + Math.min(a.baseMs, a.maxMs))) as { id: number; attempts: number; next_attempt_at: string }[];
  const cut = stmt(db, `UPDATE outbox_entries SET next_attempt_at = ? WHERE id = ? AND next_attempt_at = ?`);
  return db.transaction(() => {
    let n = 0;
    for (const r of rows) {
      const latest = a.nowMs + backoffCapMs(r.attempts, a);
      if (Date.parse(r.next_attempt_at) > latest) n += cut.run(iso(latest), r.id, r.next_attempt_at).changes;
    }
    return n;
  })();
}

export function entryFiles(db: Db, entryId: number): UploadRow[] {
  return stmt(db, 'SELECT sha256, name, kind, size, upload_id, sent_bytes, remote_file_id FROM outbox_files WHERE entry_id = ? ORDER BY rowid').all(entryId) as UploadRow[];
}

/**
 * Upload progress (and the lease renewed with it, so a long upload keeps its entry). The progress
 * is the target's (where its upload stands) and is recorded whoever holds the entry; returns
 * whether this claim still held it (false: the upload stops, its attempt ends as `lease_lost`).
 */
export function recordUpload(
  db: Db,
  a: { entryId: number; sha256: string; uploadId: string | null; sentBytes: number; remoteFileId: string | null; owner: string; attempt: number; leaseUntilMs: number },
): boolean {
  return db.transaction(() => {
    stmt(db, 'UPDATE outbox_files SET upload_id = ?, sent_bytes = ?, remote_file_id = ? WHERE entry_id = ? AND sha256 = ?').run(a.uploadId, a.sentBytes, a.remoteFileId, a.entryId, a.sha256);
    return renewLease(db, { id: a.entryId, owner: a.owner, attempt: a.attempt, untilMs: a.leaseUntilMs });
  })();
}

/** Records acknowledgements in one audited transaction (one audit entry each), dated `atMs`. */
export function acknowledge(db: Db, a: { owner: string; acks: readonly Ack[]; atMs: number }): number {
  if (a.acks.length === 0) return 0;
  return writeTx(db, SYSTEM_ACTOR, () => new Date(a.atMs), (w) => {
    const up = stmt(
      w.db,
      `UPDATE outbox_entries SET state = 'acknowledged', target_case_no = ?, acknowledged_at = ?, last_error = NULL, lease_owner = NULL, lease_until = NULL, next_attempt_at = NULL
       WHERE id = ? AND ${HELD}`,
    );
    let n = 0;
    for (const ack of a.acks) {
      if (up.run(ack.targetCaseNo, w.at.toISOString(), ack.id, a.owner, ack.attempt).changes !== 1) continue;
      n++;
      w.audit({ action: 'sync.acknowledged', entityType: 'case', entityId: ack.caseId, detail: { entryId: ack.id, target: ack.targetId, targetCaseNo: ack.targetCaseNo, via: ack.via } });
    }
    if (n === 0) w.audit({ action: 'sync.ackIgnored', entityType: 'outbox', entityId: null, detail: { entries: a.acks.map((x) => x.id) } });
    return n;
  });
}

/**
 * The target refused the entry: parked with its reason until the clerk fixes the case and re-sends —
 * unless a newer revision of it is already queued (a status change written while this one was in
 * flight): then there is nothing to re-send, and it is superseded by that one, the reason kept.
 */
export function park(db: Db, a: Lease & { caseId: number; targetId: string; reason: string; status: number; atMs: number }): boolean {
  return writeTx(db, SYSTEM_ACTOR, () => new Date(a.atMs), (w) => {
    const newer = stmt(
      w.db,
      `SELECT n.id FROM outbox_entries e JOIN outbox_entries n ON n.case_id = e.case_id AND n.target_id = e.target_id AND n.kind = e.kind AND n.subject = e.subject
       WHERE e.id = ? AND n.revision > e.revision AND n.state NOT IN ('acknowledged', 'superseded') ORDER BY n.revision DESC LIMIT 1`,
    )
      .pluck()
      .get(a.id) as number | undefined;
    const r = stmt(
      w.db,
      `UPDATE outbox_entries SET state = ?, superseded_by = ?, parked_reason = ?, last_error = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
       WHERE id = ? AND ${HELD}`,
    ).run(newer ? 'superseded' : 'parked', newer ?? null, a.reason, `HTTP ${a.status}`, a.id, a.owner, a.attempt);
    w.audit({
      action: 'sync.parked',
      entityType: 'case',
      entityId: a.caseId,
      detail: { entryId: a.id, target: a.targetId, status: a.status, reason: a.reason, ...(newer ? { supersededBy: newer } : {}) },
    });
    return r.changes === 1;
  });
}

export function readMeta(db: Db, key: string): string | null {
  const r = db.prepare('SELECT value FROM sync_meta WHERE key = ?').get(key) as { value: string } | undefined;
  return r?.value ?? null;
}

export function writeMeta(db: Db, a: { key: string; value: string }): void {
  stmt(db, 'INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(a.key, a.value);
}

/** The operations a sender store serves, by name: each takes the connection and one plain argument. */
export const SENDER_OPS = {
  recoverLeases,
  claim,
  unclaim,
  toRetry,
  toUnknown,
  releaseWaits,
  renewLease,
  leaseHeld,
  shiftTimes,
  clampWaits,
  recordUpload,
  acknowledge,
  park,
  writeMeta,
} satisfies Record<string, (db: Db, arg: never) => unknown>;

export type SenderOps = typeof SENDER_OPS;
export type SenderOpName = keyof SenderOps;
