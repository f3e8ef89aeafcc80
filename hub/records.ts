import type pg from 'pg';
import { userBodyProblem, userOnCurrent } from './users';
import { calendarYearProblem, catalogVersionProblem } from './hall-catalog-records';
import { assertMaterialPagesHeld, materialBodyProblem } from './materials';
import { assistanceRequestProblem } from './assistance-records';
import { hallTaskProblem } from './hall-tasks';

/**
 * Hall records other than cases (docs/hub.md, "Hall records: ownership and conflicts"):
 * `POST /v1/records {kind, recordId, baseVersion, body, idempotencyKey}` stores one version of a
 * record once per (desk, idempotency key), and — when it becomes the record's current version —
 * appends it to the feed in the same transaction (counter row last, as for cases). A version
 * whose base is not the current version is never lost: a hall-owned append-only record (credit)
 * keeps it in its history ('kept'); a shared record (applicant) keeps it beside the current one as
 * a conflict, which a supervisor settles by choosing a version (`POST /v1/conflicts/settle`).
 */

export const HALL = 'hall';
export const RECORD_KINDS = ['credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material', 'assistance_request', 'verification_task', 'task_assignment'] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

/**
 * How each kind is owned (docs/hub.md): what a version on a stale base becomes. 'hall-last-writer':
 * a hall-owned record whose changed fields are laid on the current version (users, hub/users.ts);
 * 'hall-latest': the hall's one list, whose latest change wins (the one it replaced stays in the history).
 */
const OWNERSHIP: Record<RecordKind, 'hall-append-only' | 'hall-last-writer' | 'shared' | 'hall-latest'> = {
  credit: 'hall-append-only',
  applicant: 'shared',
  user: 'hall-last-writer',
  catalog_version: 'hall-append-only',
  calendar_year: 'hall-latest',
  material: 'hall-append-only',
  // Owned by the desk that sent it (only it may write it: hub/assistance-records.ts), so its latest change is its state.
  assistance_request: 'hall-latest',
  // One writer at a time (the owning desk; an assignment's asker, then the owning desk): hub/hall-tasks.ts.
  verification_task: 'hall-latest',
  task_assignment: 'hall-latest',
};

/** What the hub's request handling lends this module (server.ts). */
export interface RecordsContext {
  pool: pg.Pool;
  deskId: string;
  /** Records the request's nonce inside the given transaction (a replay throws). */
  spendNonce(c: pg.PoolClient | pg.Pool): Promise<void>;
  /** The hub's refusal (status, code, Chinese message, English detail). */
  refuse(status: number, code: string, chinese: string, detail: string): Error;
}

export interface RecordAnswer {
  kind: RecordKind;
  recordId: string;
  version: number;
  outcome: 'current' | 'conflict' | 'kept';
  duplicate: boolean;
  /** The record's current version on the hub (a desk whose version was not taken adopts it). */
  current: { version: number; body: unknown };
}

/** Appends one feed item; the counter row is taken last, so its lock is held only to the commit (docs/hub.md). */
export async function appendFeed(c: pg.PoolClient, kind: string, ownerDesk: string, key: string, body: unknown): Promise<number> {
  const seq = Number((await c.query<{ last_seq: string }>('UPDATE feed_counter SET last_seq = last_seq + 1 WHERE hall_id = $1 RETURNING last_seq', [HALL])).rows[0]!.last_seq);
  await c.query('INSERT INTO feed (hall_id, seq, kind, owner_desk, record_key, body) VALUES ($1, $2, $3, $4, $5, $6)', [HALL, seq, kind, ownerDesk, key, body]);
  return seq;
}

/** The feed item of a current version: what every desk applies. */
function feedBody(kind: RecordKind, recordId: string, version: number, body: unknown, firstAt: Date, settled: boolean) {
  return { kind, recordId, version, body, firstAt: firstAt.toISOString(), ...(settled ? { settled: true } : {}) };
}

async function inTx<T>(pool: pg.Pool, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await pool.connect();
  try {
    await c.query('BEGIN');
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

interface RecordRow {
  version: number;
  last_version: number;
  first_at: Date;
}

async function lockRecord(c: pg.PoolClient, kind: string, recordId: string): Promise<RecordRow | undefined> {
  return (await c.query<RecordRow>('SELECT version, last_version, first_at FROM records WHERE hall_id = $1 AND kind = $2 AND record_id = $3 FOR UPDATE', [HALL, kind, recordId])).rows[0];
}

async function versionOfKey(c: pg.PoolClient, deskId: string, key: string): Promise<{ kind: string; record_id: string; version: number; outcome: RecordAnswer['outcome'] } | undefined> {
  return (
    await c.query<{ kind: string; record_id: string; version: number; outcome: RecordAnswer['outcome'] }>(
      'SELECT kind, record_id, version, outcome FROM record_versions WHERE desk_id = $1 AND idempotency_key = $2',
      [deskId, key],
    )
  ).rows[0];
}

/**
 * Serialises every push of one (desk, idempotency key), whatever record it names: two pushes under
 * one key for two different records would otherwise each pass the key check under their own
 * record's lock and meet at the unique index. Taken before the record's lock, always in that order.
 */
async function lockKey(c: pg.PoolClient, deskId: string, key: string): Promise<void> {
  await c.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [JSON.stringify(['record-key', deskId, key])]);
}

async function currentOf(c: pg.PoolClient, kind: string, recordId: string): Promise<{ version: number; body: unknown }> {
  return (
    await c.query<{ version: number; body: unknown }>(
      'SELECT v.version, v.body FROM records r JOIN record_versions v USING (hall_id, kind, record_id) WHERE r.hall_id = $1 AND r.kind = $2 AND r.record_id = $3 AND v.version = r.version',
      [HALL, kind, recordId],
    )
  ).rows[0]!;
}

function parsePush(ctx: RecordsContext, raw: Buffer): { kind: RecordKind; recordId: string; baseVersion: number; body: Record<string, unknown>; idempotencyKey: string } {
  let p: Record<string, unknown>;
  try {
    p = JSON.parse(raw.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw ctx.refuse(400, 'BAD_JSON', '推送内容不是有效的 JSON。', 'body is not JSON');
  }
  const { kind, recordId, baseVersion, body, idempotencyKey } = p;
  if (!RECORD_KINDS.includes(kind as RecordKind)) throw ctx.refuse(422, 'BAD_KIND', `全厅中心不接收这类记录（${String(kind)}）。`, `unknown record kind ${String(kind)}`);
  if (typeof recordId !== 'string' || !recordId || recordId.length > 200 || typeof idempotencyKey !== 'string' || !idempotencyKey || !Number.isInteger(baseVersion) || (baseVersion as number) < 0 || typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ctx.refuse(422, 'BAD_RECORD', '推送的记录缺少编号、基准版本或内容。', 'record push needs recordId, idempotencyKey, baseVersion >= 0 and an object body');
  }
  const problem = bodyProblem(kind as RecordKind, recordId, body as Record<string, unknown>, ctx.deskId) ?? hallTaskProblem(kind as string, recordId, body as Record<string, unknown>, ctx.deskId);
  if (problem) throw ctx.refuse(422, 'BAD_RECORD', '推送的记录内容不完整或与记录编号不符，已拒绝。', problem);
  return { kind: kind as RecordKind, recordId, baseVersion: baseVersion as number, body: body as Record<string, unknown>, idempotencyKey };
}

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;

/**
 * What every desk will apply must be whole: a version the desks could not apply would stop their
 * feed. The fields each kind needs (electron/services/hub/hall-records.ts, hall-applicants.ts).
 */
function bodyProblem(kind: RecordKind, recordId: string, b: Record<string, unknown>, deskId: string): string | null {
  if (kind === 'assistance_request') return assistanceRequestProblem(recordId, b, deskId);
  if (kind === 'user') return userBodyProblem(recordId, b);
  if (kind === 'catalog_version') return catalogVersionProblem(recordId, b);
  if (kind === 'calendar_year') return calendarYearProblem(recordId, b);
  if (kind === 'applicant') {
    if (!['person', 'organisation'].includes(b.kind as string) || !isText(b.name) || !isText(b.idType) || !isText(b.idNumber) || typeof b.phone !== 'string') return 'applicant needs kind, name, idType, idNumber and phone';
    if (`${b.idType as string}:${b.idNumber as string}` !== recordId) return `applicant record ${recordId} carries another ID`;
    return null;
  }
  if (kind === 'material') return materialBodyProblem(b);
  if (kind === 'verification_task' || kind === 'task_assignment') return null; // hall-tasks.ts, with the pushing desk
  if (!isText(b.idType) || !isText(b.idNumber) || !isText(b.name) || !['bad_credit', 'false_commitment'].includes(b.kind as string) || !['轻微', '一般', '严重'].includes(b.severity as string)) {
    return 'credit record needs idType, idNumber, name, kind and severity';
  }
  if (!isText(b.reason) || !isText(b.source) || !isText(b.recordedAt)) return 'credit record needs reason, source and recordedAt';
  return null;
}

/** POST /v1/records: one version of a record, stored once per (desk, idempotency key). */
export async function pushRecord(ctx: RecordsContext, raw: Buffer): Promise<{ status: number; json: RecordAnswer }> {
  const p = parsePush(ctx, raw);
  const json = await inTx(ctx.pool, async (c) => {
    await ctx.spendNonce(c);
    await lockKey(c, ctx.deskId, p.idempotencyKey);
    let rec = await lockRecord(c, p.kind, p.recordId);
    let created = false;
    if (!rec) {
      // The first version. Two desks creating it at once: the second waits for the first's commit, then finds it.
      created = (await c.query(`INSERT INTO records (hall_id, kind, record_id, version, last_version) VALUES ($1, $2, $3, 1, 1) ON CONFLICT DO NOTHING`, [HALL, p.kind, p.recordId])).rowCount === 1;
      rec = await lockRecord(c, p.kind, p.recordId);
    }
    // The key is checked under the record's row lock, which serialises every push of this record: a
    // retry sent while its first attempt still runs waits for that commit and is then its duplicate.
    const had = await versionOfKey(c, ctx.deskId, p.idempotencyKey);
    if (had && (had.kind !== p.kind || had.record_id !== p.recordId)) {
      throw ctx.refuse(422, 'KEY_REUSED', '这次推送的幂等键已用于另一条记录，全厅中心未保存。请联系技术支持检查本工作台的推送队列。', `idempotency key ${p.idempotencyKey} of desk ${ctx.deskId} already stored ${had.kind} ${had.record_id}@${had.version}; this push names ${p.kind} ${p.recordId}`);
    }
    if (had) return { kind: p.kind, recordId: p.recordId, version: had.version, outcome: had.outcome, duplicate: true, current: await currentOf(c, p.kind, p.recordId) };
    if (p.kind === 'material') await assertMaterialPagesHeld(c, p.body);
    const r = rec!;
    let version: number;
    let outcome: RecordAnswer['outcome'];
    let conflictId: number | null = null;
    if (created) {
      version = 1;
      outcome = 'current';
    } else {
      version = r.last_version + 1;
      const now = await currentOf(c, p.kind, p.recordId);
      // A hall-owned last-writer record on a stale base: its changed fields on the current version (hub/users.ts).
      if (OWNERSHIP[p.kind] === 'hall-last-writer' && p.baseVersion !== r.version) p.body = userOnCurrent(now.body as Record<string, unknown>, p.body);
      const same = (await c.query<{ same: boolean }>('SELECT $1::jsonb = $2::jsonb AS same', [now.body, p.body])).rows[0]!.same;
      if (p.baseVersion === r.version || OWNERSHIP[p.kind] === 'hall-last-writer' || OWNERSHIP[p.kind] === 'hall-latest') outcome = same ? 'kept' : 'current';
      else if (same || OWNERSHIP[p.kind] === 'hall-append-only') outcome = 'kept';
      else {
        outcome = 'conflict';
        conflictId = await openConflict(c, p.kind, p.recordId, r.version);
      }
    }
    await c.query(
      `INSERT INTO record_versions (hall_id, kind, record_id, version, base_version, body, desk_id, idempotency_key, outcome, conflict_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
      [HALL, p.kind, p.recordId, version, p.baseVersion, p.body, ctx.deskId, p.idempotencyKey, outcome, conflictId],
    );
    if (!created) {
      await c.query(`UPDATE records SET last_version = $4, version = CASE WHEN $5 THEN $4 ELSE version END, updated_at = now() WHERE hall_id = $1 AND kind = $2 AND record_id = $3`, [
        HALL, p.kind, p.recordId, version, outcome === 'current',
      ]);
    }
    const current = outcome === 'current' ? { version, body: p.body as unknown } : await currentOf(c, p.kind, p.recordId);
    if (outcome === 'current') {
      // Last: the counter row's lock is then held only to the commit.
      await appendFeed(c, p.kind, ctx.deskId, `${p.kind}:${p.recordId}@${version}`, feedBody(p.kind, p.recordId, version, p.body, r.first_at, false));
    }
    return { kind: p.kind, recordId: p.recordId, version, outcome, duplicate: false, current };
  });
  return { status: json.duplicate ? 200 : 201, json };
}

/** The record's open conflict (opened now if there is none, with the current version in it). */
async function openConflict(c: pg.PoolClient, kind: string, recordId: string, currentVersion: number): Promise<number> {
  const open = (await c.query<{ id: string }>('SELECT id FROM record_conflicts WHERE hall_id = $1 AND kind = $2 AND record_id = $3 AND settled_at IS NULL', [HALL, kind, recordId])).rows[0];
  const id = open ? Number(open.id) : Number((await c.query<{ id: string }>('INSERT INTO record_conflicts (hall_id, kind, record_id) VALUES ($1, $2, $3) RETURNING id', [HALL, kind, recordId])).rows[0]!.id);
  await c.query('UPDATE record_versions SET conflict_id = $5 WHERE hall_id = $1 AND kind = $2 AND record_id = $3 AND version = $4 AND conflict_id IS NULL', [HALL, kind, recordId, currentVersion, id]);
  return id;
}

export interface ConflictView {
  id: number;
  kind: RecordKind;
  recordId: string;
  openedAt: string;
  currentVersion: number;
  versions: { version: number; baseVersion: number; deskId: string; deskName: string; receivedAt: string; current: boolean; body: unknown }[];
}

/** GET /v1/conflicts: the open conflicts, each with its versions (oldest first). */
export async function listConflicts(ctx: RecordsContext): Promise<{ status: number; json: { conflicts: ConflictView[] } }> {
  await ctx.spendNonce(ctx.pool);
  const rows = (
    await ctx.pool.query<{ id: string; kind: RecordKind; record_id: string; opened_at: Date; current: number; version: number; base_version: number; desk_id: string; desk_name: string; received_at: Date; body: unknown }>(
      `SELECT k.id, k.kind, k.record_id, k.opened_at, r.version AS current, v.version, v.base_version, v.desk_id, d.name AS desk_name, v.received_at, v.body
       FROM record_conflicts k JOIN records r USING (hall_id, kind, record_id)
       JOIN record_versions v ON v.conflict_id = k.id JOIN desks d ON d.desk_id = v.desk_id
       WHERE k.hall_id = $1 AND k.settled_at IS NULL ORDER BY k.id, v.version`,
      [HALL],
    )
  ).rows;
  const byId = new Map<number, ConflictView>();
  for (const r of rows) {
    const id = Number(r.id);
    let k = byId.get(id);
    if (!k) byId.set(id, (k = { id, kind: r.kind, recordId: r.record_id, openedAt: r.opened_at.toISOString(), currentVersion: r.current, versions: [] }));
    k.versions.push({ version: r.version, baseVersion: r.base_version, deskId: r.desk_id, deskName: r.desk_name, receivedAt: r.received_at.toISOString(), current: r.version === r.current, body: r.body });
  }
  return { status: 200, json: { conflicts: [...byId.values()] } };
}

/**
 * POST /v1/conflicts/settle {conflictId, version, by}: the supervisor's choice becomes a new
 * current version (so every desk applies it from the feed), the conflict is closed, and the hub's
 * audit says who chose what, from which desk.
 */
export async function settleConflict(ctx: RecordsContext, raw: Buffer): Promise<{ status: number; json: { conflictId: number; version: number; chosenVersion: number } }> {
  let p: { conflictId?: unknown; version?: unknown; by?: unknown };
  try {
    p = JSON.parse(raw.toString('utf8')) as typeof p;
  } catch {
    throw ctx.refuse(400, 'BAD_JSON', '请求内容不是有效的 JSON。', 'body is not JSON');
  }
  if (!Number.isSafeInteger(p.conflictId) || !Number.isInteger(p.version) || typeof p.by !== 'string' || !p.by.trim()) {
    throw ctx.refuse(422, 'BAD_SETTLEMENT', '处理冲突须指明冲突、选用的版本和处理人。', 'settlement needs conflictId, version and by');
  }
  const conflictId = p.conflictId as number;
  const chosen = p.version as number;
  const by = (p.by as string).trim();
  const json = await inTx(ctx.pool, async (c) => {
    await ctx.spendNonce(c);
    const which = (await c.query<{ kind: RecordKind; record_id: string }>('SELECT kind, record_id FROM record_conflicts WHERE id = $1', [conflictId])).rows[0];
    if (!which) throw ctx.refuse(404, 'NO_CONFLICT', '没有这个冲突。', `no conflict ${conflictId}`);
    // The record first, as a push does (record, then its conflict): the same order, so no deadlock.
    const r = (await lockRecord(c, which.kind, which.record_id))!;
    const k = (await c.query<{ kind: RecordKind; record_id: string; settled_at: Date | null }>('SELECT kind, record_id, settled_at FROM record_conflicts WHERE id = $1 FOR NO KEY UPDATE', [conflictId])).rows[0]!;
    if (k.settled_at) throw ctx.refuse(409, 'SETTLED', '该冲突已由他人处理。', `conflict ${conflictId} settled at ${k.settled_at.toISOString()}`);
    const v = (await c.query<{ body: unknown }>('SELECT body FROM record_versions WHERE hall_id = $1 AND kind = $2 AND record_id = $3 AND version = $4 AND conflict_id = $5', [HALL, k.kind, k.record_id, chosen, conflictId])).rows[0];
    if (!v) throw ctx.refuse(422, 'NOT_IN_CONFLICT', '所选版本不属于该冲突。', `version ${chosen} is not in conflict ${conflictId}`);
    const version = r.last_version + 1;
    await c.query(
      `INSERT INTO record_versions (hall_id, kind, record_id, version, base_version, body, desk_id, outcome, settled_by) VALUES ($1, $2, $3, $4, $5, $6, $7, 'current', $8)`,
      [HALL, k.kind, k.record_id, version, r.version, v.body, ctx.deskId, by],
    );
    await c.query('UPDATE records SET version = $4, last_version = $4, updated_at = now() WHERE hall_id = $1 AND kind = $2 AND record_id = $3', [HALL, k.kind, k.record_id, version]);
    await c.query('UPDATE record_conflicts SET settled_at = now(), settled_by = $2, chosen_version = $3, settled_version = $4 WHERE id = $1', [conflictId, by, chosen, version]);
    await c.query('INSERT INTO hub_audit (actor, action, detail) VALUES ($1, $2, $3)', [by, 'conflict.settle', { conflictId, kind: k.kind, recordId: k.record_id, chosenVersion: chosen, newVersion: version, desk: ctx.deskId }]);
    await appendFeed(c, k.kind, ctx.deskId, `${k.kind}:${k.record_id}@${version}`, feedBody(k.kind, k.record_id, version, v.body, r.first_at, true));
    return { conflictId, version, chosenVersion: chosen };
  });
  return { status: 200, json };
}
