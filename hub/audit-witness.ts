import { createPublicKey } from 'node:crypto';
import type pg from 'pg';
import { entryHash, GENESIS_HASH } from '../electron/services/audit/audit-chain';
import { checkpointSignatureHolds, type Checkpoint } from '../electron/services/audit/checkpoints';
import { admin, body, type Answer, type Authed, type DeskAdminContext } from './desk-admin';

/**
 * The hub witnesses every desk's audit log (docs/audit-checkpoints.md, "Witnessed by the hub").
 *
 * A desk sends, through its sender's hub loop, its signed checkpoint lines and its audit entries in
 * order, in batches resumable by sequence number (`POST /v1/audit/send`), and re-checks what it sent
 * (`POST /v1/audit/recheck`: for every entry the hub holds, the desk's stored hash and the hash of the
 * entry's content as it is now). The hub:
 * - registers the desk's checkpoint key from its first send (a request signed with the desk's
 *   enrolled key) and never replaces it: another key is a finding;
 * - stores a checkpoint only if its signature holds under that key;
 * - appends an entry only if it continues the chain it holds (the next number, linked to the hash it
 *   holds, its hash that of its content); an entry it holds again must be the same (same seq ⇒ same hash);
 * - follows a new store epoch only on a signed restore / new-store line naming the epoch it held.
 * Whatever disagrees is written to `audit_witness_findings` (the first disagreeing entry named) and
 * refused; what was witnessed is never overwritten (append-only triggers, hub migration 0012).
 *
 * A supervisor desk lists the desks' witness state and verifies one desk's witnessed chain end to
 * end against its signed checkpoints (`/v1/admin/audit/*`), each request in `hub_audit`.
 */

/** At most this many entries, checkpoint lines or re-check pairs per request. */
export const AUDIT_BATCH_MAX = 500;
export const RECHECK_BATCH_MAX = 2000;

export interface WitnessEntry {
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

export interface WitnessCheckpointLine extends Checkpoint {
  sig: string;
}

export type FindingKind = 'key_changed' | 'bad_signature' | 'epoch_changed' | 'edited' | 'diverged' | 'gap' | 'truncated' | 'checkpoint_mismatch';

/** The verdict of a finding, for the supervisor's screen. */
const VERDICT: Record<FindingKind, Verdict> = {
  key_changed: 'bad_signature',
  bad_signature: 'bad_signature',
  epoch_changed: 'tampered',
  edited: 'tampered',
  diverged: 'tampered',
  gap: 'tampered',
  truncated: 'tampered',
  checkpoint_mismatch: 'tampered',
};

export type Verdict = 'consistent' | 'tampered' | 'bad_signature' | 'missing';

interface Ctx extends DeskAdminContext {
  /** Spends the request's nonce in the given transaction. */
  spend(c: pg.PoolClient | pg.Pool): Promise<void>;
}

/** The routes of this module, or null when the path is not one of them. */
export async function auditWitnessRoute(ctx: DeskAdminContext, method: string, pathname: string, a: Authed): Promise<Answer | null> {
  if (method !== 'POST') return null;
  const c: Ctx = { ...ctx, spend: (x) => ctx.spendNonce(x, a) };
  switch (pathname) {
    case '/v1/audit/state':
      return state(c, a);
    case '/v1/audit/send':
      return send(c, a);
    case '/v1/audit/recheck':
      return recheck(c, a);
    case '/v1/admin/audit/desks':
      return adminDesks(c, a);
    case '/v1/admin/audit/verify':
      return adminVerify(c, a);
    default:
      return null;
  }
}

// ------------------------------------------------------------------ what the hub holds of a desk

interface Held {
  pub: string | null;
  epoch: string | null;
  lastSeq: number;
  lastHash: string;
  checkpoints: number;
}

async function held(c: pg.PoolClient | pg.Pool, deskId: string): Promise<Held> {
  const pub = (await c.query<{ pub: string }>('SELECT pub FROM audit_witness_keys WHERE desk_id = $1', [deskId])).rows[0]?.pub ?? null;
  const epoch = (await c.query<{ epoch: string }>('SELECT epoch FROM audit_witness_epochs WHERE desk_id = $1 ORDER BY n DESC LIMIT 1', [deskId])).rows[0]?.epoch ?? null;
  const last = epoch
    ? (await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_witness_entries WHERE desk_id = $1 AND epoch = $2 ORDER BY seq DESC LIMIT 1', [deskId, epoch])).rows[0]
    : undefined;
  const checkpoints = Number((await c.query<{ n: string }>('SELECT COUNT(*) AS n FROM audit_witness_checkpoints WHERE desk_id = $1', [deskId])).rows[0]!.n);
  return { pub, epoch, lastSeq: last ? Number(last.seq) : 0, lastHash: last?.hash ?? GENESIS_HASH, checkpoints };
}

/** POST /v1/audit/state {}: where the desk's next batch starts. */
async function state(ctx: Ctx, a: Authed): Promise<Answer> {
  await ctx.spend(ctx.pool);
  return { status: 200, json: await held(ctx.pool, a.desk.desk_id) };
}

/** Records what was found (the first disagreeing entry named); seen again, only its count and time change. */
async function flag(c: pg.PoolClient, deskId: string, epoch: string, kind: FindingKind, seq: number, message: string, evidence: Record<string, unknown>): Promise<void> {
  await c.query(
    `INSERT INTO audit_witness_findings (desk_id, epoch, kind, seq, message, evidence) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (desk_id, epoch, kind, seq) DO UPDATE SET last_found_at = now(), times = audit_witness_findings.times + 1`,
    [deskId, epoch, kind, seq, message, evidence],
  );
}

/** A refusal that keeps its finding: answered 409 after the transaction (nonce and finding) committed. */
class Diverged {
  constructor(
    readonly kind: FindingKind,
    readonly seq: number,
    readonly message: string,
  ) {}
}

const isStr = (v: unknown, max = 8 * 1024 * 1024): v is string => typeof v === 'string' && v.length <= max;
const isHash = (v: unknown): v is string => typeof v === 'string' && /^[0-9a-f]{64}$/.test(v);
const isSeq = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function entryOk(e: unknown): e is WitnessEntry {
  const r = e as WitnessEntry;
  return (
    !!r && typeof r === 'object' && isSeq(r.seq) && r.seq > 0 && isStr(r.at, 64) && (r.actor_id === null || Number.isSafeInteger(r.actor_id)) && isStr(r.actor_username, 1000) &&
    isStr(r.action, 200) && (r.entity_type === null || isStr(r.entity_type, 200)) && (r.entity_id === null || isStr(r.entity_id, 1000)) && isStr(r.detail) && isHash(r.prev_hash) && isHash(r.hash)
  );
}

/** The entry's fields other than seq and the hashes, as JSON text (kept exactly; see the migration). */
const entryText = (e: WitnessEntry) => JSON.stringify([e.at, e.actor_id, e.actor_username, e.action, e.entity_type, e.entity_id, e.detail]);

function entryOf(r: { seq: string; entry: string; prev_hash: string; hash: string }): WitnessEntry {
  const [at, actor_id, actor_username, action, entity_type, entity_id, detail] = JSON.parse(r.entry) as [string, number | null, string, string, string | null, string | null, string];
  return { seq: Number(r.seq), at, actor_id, actor_username, action, entity_type, entity_id, detail, prev_hash: r.prev_hash, hash: r.hash };
}

function lineOk(l: unknown): l is WitnessCheckpointLine {
  const r = l as WitnessCheckpointLine;
  return (
    !!r && typeof r === 'object' && ['head', 'restore', 'new-store'].includes(r.kind) && isStr(r.epoch, 64) && (r.fromEpoch === undefined || isStr(r.fromEpoch, 64)) &&
    isSeq(r.seq) && typeof r.hash === 'string' && r.hash.length <= 64 && isStr(r.at, 64) && isStr(r.signedAt, 64) && isStr(r.sig, 200)
  );
}

function validPub(pub: unknown): pub is string {
  if (typeof pub !== 'string' || pub.length > 200) return false;
  try {
    return createPublicKey({ key: Buffer.from(pub, 'base64'), format: 'der', type: 'spki' }).asymmetricKeyType === 'ed25519';
  } catch {
    return false;
  }
}

/** One transaction under the desk's row lock (a desk's sends are applied one at a time), the nonce spent in it. */
async function inDeskTx<T>(ctx: Ctx, deskId: string, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await ctx.pool.connect();
  try {
    await c.query('BEGIN');
    await ctx.spend(c);
    // NO KEY UPDATE: the nonce's row (desk_id REFERENCES desks) already holds KEY SHARE on this row,
    // which FOR UPDATE conflicts with — two sends of one desk would each wait for the other.
    await c.query('SELECT 1 FROM desks WHERE desk_id = $1 FOR NO KEY UPDATE', [deskId]);
    const r = await fn(c);
    await c.query('COMMIT');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

const divergedAnswer = (d: Diverged): Answer => ({ status: 409, json: { error: { code: 'AUDIT_DIVERGED', message: d.message, detail: `${d.kind} at entry ${d.seq}` }, finding: { kind: d.kind, seq: d.seq, message: d.message } } });

/**
 * POST /v1/audit/send {auditPub, epoch, checkpoints: [line], entries: [entry]}: checkpoint lines are
 * stored first (signature checked), then the epoch is followed, then the entries appended.
 */
async function send(ctx: Ctx, a: Authed): Promise<Answer> {
  const b = body(ctx, a);
  const deskId = a.desk.desk_id;
  if (!validPub(b.auditPub) || !isStr(b.epoch, 64) || !b.epoch || !Array.isArray(b.checkpoints) || !Array.isArray(b.entries) || b.checkpoints.length > AUDIT_BATCH_MAX || b.entries.length > AUDIT_BATCH_MAX) {
    throw ctx.refuse(422, 'BAD_AUDIT_BATCH', '审计日志批次格式不符。', `audit send needs auditPub (ed25519 SPKI), epoch, checkpoints and entries (at most ${AUDIT_BATCH_MAX} each)`);
  }
  if (!b.checkpoints.every(lineOk) || !b.entries.every(entryOk)) throw ctx.refuse(422, 'BAD_AUDIT_BATCH', '审计日志批次中有格式不符的记录或检查点。', 'an entry or checkpoint line of the batch is malformed');
  const pub = b.auditPub;
  const epoch = b.epoch;
  const lines = b.checkpoints as WitnessCheckpointLine[];
  const entries = b.entries as WitnessEntry[];
  const r = await inDeskTx(ctx, deskId, async (c) => {
    const h = await held(c, deskId);
    try {
      // The key: registered by the first send, never replaced.
      if (h.pub === null) await c.query('INSERT INTO audit_witness_keys (desk_id, pub) VALUES ($1, $2)', [deskId, pub]);
      else if (h.pub !== pub) {
        throw new Diverged('key_changed', 0, '签名无效：工作台的审计签名密钥与全厅中心登记的不同（审计密钥被更换，之后的检查点可能被重新签名）');
      }
      let storedLines = 0;
      for (const l of lines) {
        const cp: Checkpoint = { kind: l.kind, epoch: l.epoch, ...(l.fromEpoch ? { fromEpoch: l.fromEpoch } : {}), seq: l.seq, hash: l.hash, at: l.at, signedAt: l.signedAt };
        if (!checkpointSignatureHolds(cp, l.sig, pub)) {
          throw new Diverged('bad_signature', l.seq, `签名无效：工作台发来的检查点（记到第 ${l.seq} 条，${l.signedAt}）签名不符`);
        }
        const ins = await c.query(
          `INSERT INTO audit_witness_checkpoints (desk_id, kind, epoch, from_epoch, seq, hash, at, signed_at, sig) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (desk_id, sig) DO NOTHING`,
          [deskId, l.kind, l.epoch, l.fromEpoch ?? null, l.seq, l.hash, l.at, l.signedAt, l.sig],
        );
        storedLines += ins.rowCount ?? 0;
        if (l.kind === 'head') {
          const at = (await c.query<{ hash: string }>('SELECT hash FROM audit_witness_entries WHERE desk_id = $1 AND epoch = $2 AND seq = $3', [deskId, l.epoch, l.seq])).rows[0];
          if (at && at.hash !== l.hash) {
            throw new Diverged('checkpoint_mismatch', l.seq, `发现篡改：第 ${l.seq} 条起与全厅中心见证的记录不一致（工作台新签的检查点记第 ${l.seq} 条的哈希与全厅中心见证的不同：审计日志被改写并重新签名）`);
          }
        }
      }
      // The epoch: followed only on a signed restore / new-store line naming the one held.
      let current = h.epoch;
      if (current === null) {
        await c.query('INSERT INTO audit_witness_epochs (desk_id, n, epoch) VALUES ($1, 1, $2)', [deskId, epoch]);
        current = epoch;
      } else if (current !== epoch) {
        const announced = (await c.query('SELECT 1 FROM audit_witness_checkpoints WHERE desk_id = $1 AND kind IN ($2, $3) AND epoch = $4 AND from_epoch = $5', [deskId, 'restore', 'new-store', epoch, current])).rowCount;
        const before = (await c.query('SELECT 1 FROM audit_witness_epochs WHERE desk_id = $1 AND epoch = $2', [deskId, epoch])).rowCount;
        if (!announced && entries.length === 0) {
          // Lines only (the desk sends a new epoch's checkpoint lines first): kept; the epoch is followed once its restore line is here.
          return { ok: true as const, appended: { count: 0, lastSeq: h.lastSeq }, storedLines, lastSeq: h.lastSeq };
        }
        if (!announced || before) {
          throw new Diverged('epoch_changed', h.lastSeq + 1, `发现篡改：第 1 条起与全厅中心见证的记录不一致（工作台的数据库已换成另一个（纪元 ${epoch}），却没有签名的恢复记录；全厅中心见证到纪元 ${current} 的第 ${h.lastSeq} 条）`);
        }
        await c.query('INSERT INTO audit_witness_epochs (desk_id, n, epoch, from_epoch) SELECT $1, COALESCE(MAX(n), 0) + 1, $2, $3 FROM audit_witness_epochs WHERE desk_id = $1', [deskId, epoch, current]);
        current = epoch;
      }
      const last = current === h.epoch ? { seq: h.lastSeq, hash: h.lastHash } : { seq: 0, hash: GENESIS_HASH };
      const appended = await appendEntries(c, deskId, current, last, entries);
      await c.query(
        `INSERT INTO audit_witness_status (desk_id, last_sent_at, desk_head_seq) VALUES ($1, now(), $2)
         ON CONFLICT (desk_id) DO UPDATE SET last_sent_at = now(), desk_head_seq = COALESCE($2, audit_witness_status.desk_head_seq)`,
        [deskId, entries.at(-1)?.seq ?? null],
      );
      return { ok: true as const, appended, storedLines, lastSeq: appended.lastSeq };
    } catch (e) {
      if (!(e instanceof Diverged)) throw e;
      // The finding is committed with the nonce; nothing of the batch is.
      await c.query('ROLLBACK');
      await c.query('BEGIN');
      await ctx.spend(c);
      await flag(c, deskId, epoch, e.kind, e.seq, e.message, { batchFirst: entries[0]?.seq ?? null, batchLast: entries.at(-1)?.seq ?? null, lines: lines.length });
      return { ok: false as const, diverged: e };
    }
  });
  if (!r.ok) return divergedAnswer(r.diverged);
  return { status: 200, json: { lastSeq: r.lastSeq, appended: r.appended.count, checkpointsStored: r.storedLines } };
}

/** Appends entries that continue the held chain; an entry held already must be the same. */
async function appendEntries(c: pg.PoolClient, deskId: string, epoch: string, last: { seq: number; hash: string }, entries: WitnessEntry[]): Promise<{ count: number; lastSeq: number }> {
  let prev = last;
  let count = 0;
  for (const e of entries) {
    const { hash, ...rest } = e;
    if (entryHash(rest) !== hash) {
      throw new Diverged('edited', e.seq, `发现篡改：第 ${e.seq} 条起与全厅中心见证的记录不一致（工作台的第 ${e.seq} 条内容与其哈希不符）`);
    }
    if (e.seq <= prev.seq) {
      const had = (await c.query<{ hash: string }>('SELECT hash FROM audit_witness_entries WHERE desk_id = $1 AND epoch = $2 AND seq = $3', [deskId, epoch, e.seq])).rows[0];
      if (had && had.hash !== hash) throw new Diverged('diverged', e.seq, `发现篡改：第 ${e.seq} 条起与全厅中心见证的记录不一致（同一序号的哈希不同）`);
      continue;
    }
    if (e.seq !== prev.seq + 1) {
      throw new Diverged('gap', prev.seq + 1, `发现篡改：第 ${prev.seq + 1} 条起与全厅中心见证的记录不一致（工作台缺少第 ${prev.seq + 1}–${e.seq - 1} 条）`);
    }
    if (e.prev_hash !== prev.hash) {
      throw new Diverged('diverged', e.seq, `发现篡改：第 ${e.seq} 条起与全厅中心见证的记录不一致（与全厅中心见证的第 ${prev.seq} 条的哈希链接不符：之前的记录被改写、删除或重新编号）`);
    }
    const cp = (await c.query<{ hash: string }>(`SELECT hash FROM audit_witness_checkpoints WHERE desk_id = $1 AND epoch = $2 AND seq = $3 AND kind = 'head' AND hash <> $4 LIMIT 1`, [deskId, epoch, e.seq, hash])).rows[0];
    if (cp) throw new Diverged('checkpoint_mismatch', e.seq, `发现篡改：第 ${e.seq} 条起与全厅中心见证的记录不一致（与已签名的检查点记的哈希不同）`);
    await c.query(`INSERT INTO audit_witness_entries (desk_id, epoch, seq, entry, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6)`, [deskId, epoch, e.seq, entryText(e), e.prev_hash, hash]);
    prev = { seq: e.seq, hash };
    count++;
  }
  return { count, lastSeq: prev.seq };
}

/**
 * POST /v1/audit/recheck {epoch, from, pairs: [[seq, storedHash, contentHash]], head: {seq, hash} | null, last}:
 * the desk's entries from `from` on as they are now, compared with what the hub holds. `last` marks
 * the final batch: then a desk ending before what the hub witnessed was cut.
 */
async function recheck(ctx: Ctx, a: Authed): Promise<Answer> {
  const b = body(ctx, a);
  const deskId = a.desk.desk_id;
  const pairs = b.pairs as unknown;
  const head = b.head as { seq?: unknown; hash?: unknown } | null;
  if (
    !isStr(b.epoch, 64) || !isSeq(b.from) || !Array.isArray(pairs) || pairs.length > RECHECK_BATCH_MAX || typeof b.last !== 'boolean' ||
    !pairs.every((p) => Array.isArray(p) && p.length === 3 && isSeq(p[0]) && isHash(p[1]) && isHash(p[2])) ||
    !(head === null || (head && typeof head === 'object' && isSeq(head.seq) && isHash(head.hash)))
  ) {
    throw ctx.refuse(422, 'BAD_AUDIT_RECHECK', '审计日志核对批次格式不符。', `recheck needs epoch, from, last, head and at most ${RECHECK_BATCH_MAX} [seq, hash, contentHash] pairs`);
  }
  const epoch = b.epoch;
  const list = pairs as [number, string, string][];
  const deskHead = head as { seq: number; hash: string } | null;
  const r = await inDeskTx(ctx, deskId, async (c) => {
    const h = await held(c, deskId);
    if (h.epoch !== epoch) return { ok: true as const, compared: 0 }; // the send follows (or flags) the epoch first
    const to = list.length ? list.at(-1)![0] : (b.from as number) - 1;
    const rows = (await c.query<{ seq: string; hash: string }>('SELECT seq, hash FROM audit_witness_entries WHERE desk_id = $1 AND epoch = $2 AND seq BETWEEN $3 AND $4 ORDER BY seq', [deskId, epoch, b.from, to])).rows;
    const mine = new Map(rows.map((x) => [Number(x.seq), x.hash]));
    let d: Diverged | null = null;
    let expect = b.from as number;
    for (const [seq, stored, content] of list) {
      const w = mine.get(seq);
      if (seq !== expect && expect <= h.lastSeq) {
        d = new Diverged('gap', expect, `发现篡改：第 ${expect} 条起与全厅中心见证的记录不一致（工作台缺少第 ${expect} 条：记录被删除）`);
        break;
      }
      expect = seq + 1;
      if (w === undefined) continue; // not witnessed yet: the send takes it
      if (stored !== w || content !== w) {
        const how = stored !== w ? (content === stored ? '哈希与见证的不同：记录被改动或删除后重新编号，并重算了哈希链' : '哈希与见证的不同') : '内容被改动（与其哈希不符）';
        d = new Diverged(stored !== w ? 'diverged' : 'edited', seq, `发现篡改：第 ${seq} 条起与全厅中心见证的记录不一致（工作台的第 ${seq} 条${how}）`);
        break;
      }
    }
    if (!d && b.last === true && (deskHead?.seq ?? 0) < h.lastSeq && expect - 1 < h.lastSeq) {
      const end = deskHead?.seq ?? 0;
      d = new Diverged(
        'truncated',
        end + 1,
        end === 0
          ? `发现篡改：第 1 条起与全厅中心见证的记录不一致（工作台的审计日志被全部删除：全厅中心见证到第 ${h.lastSeq} 条）`
          : `发现篡改：第 ${end + 1} 条起与全厅中心见证的记录不一致（工作台的审计日志只到第 ${end} 条，全厅中心见证到第 ${h.lastSeq} 条：末尾被删除）`,
      );
    }
    await c.query(`INSERT INTO audit_witness_status (desk_id, last_recheck_at) VALUES ($1, now()) ON CONFLICT (desk_id) DO UPDATE SET last_recheck_at = now()`, [deskId]);
    if (d) {
      await flag(c, deskId, epoch, d.kind, d.seq, d.message, { from: b.from, to, deskHead });
      return { ok: false as const, diverged: d };
    }
    return { ok: true as const, compared: list.length };
  });
  if (!r.ok) return divergedAnswer(r.diverged);
  return { status: 200, json: { compared: r.compared } };
}

// ------------------------------------------------------------------ the supervisor's screen

export interface WitnessDesk {
  deskId: string;
  name: string;
  removed: boolean;
  entries: number;
  lastSeq: number | null;
  lastCheckpoint: { seq: number; signedAt: string } | null;
  lastSentAt: string | null;
  findings: number;
}

async function adminDesks(ctx: Ctx, a: Authed): Promise<Answer> {
  admin(ctx, a, body(ctx, a));
  await ctx.spend(ctx.pool);
  const r = await ctx.pool.query<{ desk_id: string; name: string; removed_at: Date | null; entries: string; last_seq: string | null; cp_seq: string | null; cp_at: string | null; last_sent_at: Date | null; findings: string }>(
    `SELECT d.desk_id, d.name, d.removed_at,
            (SELECT COUNT(*) FROM audit_witness_entries e WHERE e.desk_id = d.desk_id AND e.epoch = ep.epoch) AS entries,
            (SELECT MAX(seq) FROM audit_witness_entries e WHERE e.desk_id = d.desk_id AND e.epoch = ep.epoch) AS last_seq,
            cp.seq AS cp_seq, cp.signed_at AS cp_at, s.last_sent_at,
            (SELECT COUNT(*) FROM audit_witness_findings f WHERE f.desk_id = d.desk_id) AS findings
       FROM desks d
       LEFT JOIN LATERAL (SELECT epoch FROM audit_witness_epochs x WHERE x.desk_id = d.desk_id ORDER BY n DESC LIMIT 1) ep ON true
       LEFT JOIN LATERAL (SELECT seq, signed_at FROM audit_witness_checkpoints k WHERE k.desk_id = d.desk_id AND k.epoch = ep.epoch AND k.kind = 'head' ORDER BY k.seq DESC, k.id DESC LIMIT 1) cp ON true
       LEFT JOIN audit_witness_status s ON s.desk_id = d.desk_id
      ORDER BY d.enrolled_at, d.desk_id`,
  );
  const desks: WitnessDesk[] = r.rows.map((d) => ({
    deskId: d.desk_id,
    name: d.name,
    removed: d.removed_at !== null,
    entries: Number(d.entries),
    lastSeq: d.last_seq === null ? null : Number(d.last_seq),
    lastCheckpoint: d.cp_seq === null ? null : { seq: Number(d.cp_seq), signedAt: d.cp_at! },
    lastSentAt: d.last_sent_at?.toISOString() ?? null,
    findings: Number(d.findings),
  }));
  return { status: 200, json: { desks } };
}

export interface WitnessVerdict {
  deskId: string;
  name: string;
  verdict: Verdict;
  /** The Chinese report: 一致… / 发现篡改：第 N 条起… / 签名无效… / 缺少… */
  message: string;
  /** The first disagreeing entry, when one is named. */
  firstSeq: number | null;
  entries: number;
  checkpoints: number;
  lastCheckpoint: { seq: number; signedAt: string } | null;
  lastSentAt: string | null;
  /** When the hub first found the disagreement reported (null unless one is). */
  foundAt: string | null;
  verifiedAt: string;
}

/** POST /v1/admin/audit/verify {actor, deskId}: the desk's witnessed chain verified end to end, written to hub_audit. */
async function adminVerify(ctx: Ctx, a: Authed): Promise<Answer> {
  const b = body(ctx, a);
  const who = admin(ctx, a, b);
  const deskId = typeof b.deskId === 'string' ? b.deskId : '';
  const desk = (await ctx.pool.query<{ name: string }>('SELECT name FROM desks WHERE desk_id = $1', [deskId])).rows[0];
  if (!desk) throw ctx.refuse(404, 'NO_DESK', `全厅中心没有登记过工作台 ${deskId}。`, `no desk ${deskId}`);
  const v = await verifyWitnessed(ctx.pool, deskId, desk.name);
  const c = await ctx.pool.connect();
  try {
    await c.query('BEGIN');
    await ctx.spend(c);
    await c.query('INSERT INTO hub_audit (actor, action, detail) VALUES ($1, $2, $3)', [who.label, 'audit.verify', { deskId, verdict: v.verdict, firstSeq: v.firstSeq, message: v.message, entries: v.entries }]);
    await c.query('COMMIT');
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
  return { status: 200, json: v };
}

/**
 * The desk's witnessed chain, end to end: every stored checkpoint's signature under the registered
 * key, every entry of the current epoch linked and matching its hash, every signed head present with
 * the signed hash; then what the hub found when the desk's own chain disagreed (the first entry named).
 */
export async function verifyWitnessed(pool: pg.Pool | pg.PoolClient, deskId: string, name: string): Promise<WitnessVerdict> {
  const h = await held(pool, deskId);
  const status = (await pool.query<{ last_sent_at: Date | null }>('SELECT last_sent_at FROM audit_witness_status WHERE desk_id = $1', [deskId])).rows[0];
  const base = { deskId, name, lastSentAt: status?.last_sent_at?.toISOString() ?? null, verifiedAt: new Date().toISOString() };
  const out = (verdict: Verdict, message: string, firstSeq: number | null, entries: number, checkpoints: number, lastCheckpoint: WitnessVerdict['lastCheckpoint'], foundAt: Date | null = null): WitnessVerdict => ({
    ...base, verdict, message, firstSeq, entries, checkpoints, lastCheckpoint, foundAt: foundAt?.toISOString() ?? null,
  });
  if (!h.pub || !h.epoch) return out('missing', '缺少审计记录：该工作台尚未向全厅中心发送审计日志，无从核验。', null, 0, 0, null);

  const cps = (await pool.query<{ kind: Checkpoint['kind']; epoch: string; from_epoch: string | null; seq: string; hash: string; at: string; signed_at: string; sig: string }>(
    'SELECT kind, epoch, from_epoch, seq, hash, at, signed_at, sig FROM audit_witness_checkpoints WHERE desk_id = $1 ORDER BY id', [deskId],
  )).rows.map((r) => ({ kind: r.kind, epoch: r.epoch, ...(r.from_epoch ? { fromEpoch: r.from_epoch } : {}), seq: Number(r.seq), hash: r.hash, at: r.at, signedAt: r.signed_at, sig: r.sig }));
  const heads = cps.filter((x) => x.kind === 'head' && x.epoch === h.epoch).sort((x, y) => x.seq - y.seq);
  const lastCheckpoint = heads.length ? { seq: heads.at(-1)!.seq, signedAt: heads.at(-1)!.signedAt } : null;

  // What the hub found when the desk's chain disagreed with what it witnessed: the earliest entry.
  const findings = (await pool.query<{ kind: FindingKind; seq: string; message: string; first_found_at: Date }>(
    'SELECT kind, seq, message, first_found_at FROM audit_witness_findings WHERE desk_id = $1 AND epoch = $2 ORDER BY seq, id', [deskId, h.epoch],
  )).rows;
  const entries = Number((await pool.query<{ n: string }>('SELECT COUNT(*) AS n FROM audit_witness_entries WHERE desk_id = $1 AND epoch = $2', [deskId, h.epoch])).rows[0]!.n);
  const report = (verdict: Verdict, message: string, firstSeq: number | null, foundAt: Date | null = null) => out(verdict, message, firstSeq, entries, heads.length, lastCheckpoint, foundAt);
  if (findings.length) {
    const f = findings[0]!;
    return report(VERDICT[f.kind], f.message, Number(f.seq), f.first_found_at);
  }

  for (const x of cps) {
    if (!checkpointSignatureHolds(x, x.sig, h.pub)) return report('bad_signature', `签名无效：全厅中心保存的检查点（记到第 ${x.seq} 条，${x.signedAt}）签名不符`, x.seq);
  }

  // The witnessed chain itself, walked in order.
  let prev = GENESIS_HASH;
  let expected = 1;
  const bySeq = new Map<number, string>();
  const rows = await pool.query<{ seq: string; entry: string; prev_hash: string; hash: string }>(
    'SELECT seq, entry, prev_hash, hash FROM audit_witness_entries WHERE desk_id = $1 AND epoch = $2 ORDER BY seq', [deskId, h.epoch],
  );
  for (const raw of rows.rows) {
    const e = entryOf(raw);
    const { hash, ...rest } = e;
    if (e.seq !== expected) return report('missing', `缺少第 ${expected} 条：全厅中心的见证记录不连续`, expected);
    if (e.prev_hash !== prev || entryHash(rest) !== hash) return report('tampered', `发现篡改：全厅中心保存的第 ${e.seq} 条见证记录与其哈希链不符`, e.seq);
    bySeq.set(e.seq, hash);
    prev = hash;
    expected++;
  }
  for (const x of heads) {
    const w = bySeq.get(x.seq);
    if (x.seq === 0) continue;
    if (w === undefined) return report('missing', `缺少第 ${h.lastSeq + 1}–${x.seq} 条：签名的检查点已记到第 ${x.seq} 条，全厅中心只收到第 ${h.lastSeq} 条（尚未送达）`, h.lastSeq + 1);
    if (w !== x.hash) return report('tampered', `发现篡改：第 ${x.seq} 条的见证记录与签名的检查点不符`, x.seq);
  }
  // Earlier stores (a restore, or a store created anew, each announced by a signed line): said, their witnessed entries kept.
  const earlier = (await pool.query<{ epochs: string; entries: string }>(
    `SELECT COUNT(DISTINCT x.epoch) AS epochs, (SELECT COUNT(*) FROM audit_witness_entries e WHERE e.desk_id = $1 AND e.epoch <> $2) AS entries FROM audit_witness_epochs x WHERE x.desk_id = $1 AND x.epoch <> $2`, [deskId, h.epoch],
  )).rows[0]!;
  const note = Number(earlier.epochs) > 0 ? `此前该工作台的数据库经签名的恢复或更换 ${earlier.epochs} 次，更换前见证的 ${earlier.entries} 条记录仍保留在全厅中心。` : '';
  return report('consistent', `一致：全厅中心见证的 ${entries} 条记录与 ${heads.length} 个签名检查点相符${lastCheckpoint ? `（最近检查点记到第 ${lastCheckpoint.seq} 条）` : ''}。${note}`, null);
}
