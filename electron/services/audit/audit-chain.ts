import { createHash } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Db } from '../../store/open-store';
import type { AuditVerifyResult } from '../../../shared/ipc/contract';

/** Who did it. Every change of record names one; `userId` is null only for the system and failed sign-ins. */
export interface Actor {
  userId: number | null;
  username: string;
}

export const SYSTEM_ACTOR: Actor = { userId: null, username: 'system' };

export interface AuditRecord {
  action: string;
  entityType?: string | null;
  entityId?: string | number | null;
  detail?: Record<string, unknown>;
}

export const GENESIS_HASH = '0'.repeat(64);

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * A string made well-formed before it is hashed and stored: a lone surrogate (which SQLite would
 * store as U+FFFD, so the stored row would no longer match its hash) becomes U+FFFD first.
 */
export function wellFormed(s: string): string {
  return s.replace(LONE_SURROGATE, '\uFFFD');
}

interface Row {
  seq: number;
  at: string;
  actor_id: number | null;
  actor_username: string;
  action: string;
  entity_type: string | null;
  entity_id: string | null;
  detail: string;
  prev_hash: string;
  hash: string;
}

export function entryHash(r: Omit<Row, 'hash'>): string {
  const canonical = JSON.stringify([
    r.prev_hash,
    r.seq,
    r.at,
    r.actor_id,
    r.actor_username,
    r.action,
    r.entity_type,
    r.entity_id,
    r.detail,
  ]);
  return createHash('sha256').update(canonical, 'utf8').digest('hex');
}

/**
 * Appends one entry. Must run inside the write transaction of the change it
 * records, so the change and its audit entry commit or vanish together.
 */
export function appendAudit(db: Db, actor: Actor, at: Date, rec: AuditRecord): number {
  if (!db.inTransaction) throw new Error('appendAudit must run inside the write transaction');
  const stmts = auditStatements(db);
  const last = stmts.last.get() as { seq: number; hash: string } | undefined;
  const row: Omit<Row, 'hash'> = {
    seq: (last?.seq ?? 0) + 1,
    at: at.toISOString(),
    actor_id: actor.userId,
    actor_username: wellFormed(actor.username),
    action: wellFormed(rec.action),
    entity_type: rec.entityType === undefined || rec.entityType === null ? null : wellFormed(rec.entityType),
    entity_id: rec.entityId === undefined || rec.entityId === null ? null : wellFormed(String(rec.entityId)),
    // JSON.stringify writes a lone surrogate as an escape (\ud800): the text itself is well-formed.
    detail: wellFormed(JSON.stringify(rec.detail ?? {})),
    prev_hash: last?.hash ?? GENESIS_HASH,
  };
  const hash = entryHash(row);
  stmts.insert.run({ ...row, hash });
  return row.seq;
}

/** The two statements of appendAudit, prepared once per connection (a bulk import appends thousands). */
const prepared = new WeakMap<Db, { last: Statement<[]>; insert: Statement<[Record<string, unknown>]> }>();
function auditStatements(db: Db) {
  let s = prepared.get(db);
  if (!s) {
    s = {
      last: db.prepare<[]>('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1'),
      insert: db.prepare<[Record<string, unknown>]>(
        `INSERT INTO audit_log (seq, at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash, hash)
         VALUES (@seq, @at, @actor_id, @actor_username, @action, @entity_type, @entity_id, @detail, @prev_hash, @hash)`,
      ),
    };
    prepared.set(db, s);
  }
  return s;
}

/** How many entries with a time earlier than their predecessor's a verification lists (all are counted). */
export const BACKWARD_TIMES_LISTED = 100;

/**
 * Walks the whole chain; names the first entry whose link or content does not hold. Also flags,
 * as a warning apart from that, every entry whose time is earlier than its predecessor's: the
 * clock was set back while the desk ran (the order of the chain is the true order).
 */
export function verifyAuditChain(db: Db): Omit<AuditVerifyResult, 'checkpoints'> {
  let prevHash = GENESIS_HASH;
  let expectedSeq = 1;
  let checked = 0;
  let prevAt: string | null = null;
  const backwardTimes: AuditVerifyResult['backwardTimes'] = { count: 0, entries: [] };
  const result = (firstBroken: AuditVerifyResult['firstBroken']): Omit<AuditVerifyResult, 'checkpoints'> => ({ ok: firstBroken === null, checked, firstBroken, backwardTimes });
  for (const row of db.prepare('SELECT * FROM audit_log ORDER BY seq').iterate() as IterableIterator<Row>) {
    if (row.seq !== expectedSeq) {
      return result({ seq: row.seq, reason: `序号不连续：应为 ${expectedSeq}，实际为 ${row.seq}（有记录被删除）` });
    }
    if (row.prev_hash !== prevHash) {
      return result({ seq: row.seq, reason: '与前一条记录的哈希链接不一致' });
    }
    const { hash, ...rest } = row;
    if (entryHash(rest) !== hash) {
      return result({ seq: row.seq, reason: '记录内容与其哈希不符（记录被篡改）' });
    }
    if (prevAt !== null && Date.parse(row.at) < Date.parse(prevAt)) {
      backwardTimes.count++;
      if (backwardTimes.entries.length < BACKWARD_TIMES_LISTED) backwardTimes.entries.push({ seq: row.seq, at: row.at, previousAt: prevAt });
    }
    prevAt = row.at;
    prevHash = hash;
    expectedSeq++;
    checked++;
  }
  return result(null);
}
