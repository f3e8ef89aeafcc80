import type pg from 'pg';
import type { Authed } from './server';
import { heldByDesk, takeableOffers } from './field-board';

/**
 * Field work through the hub (docs/hub.md, "Field work through the hub"). The owning desk offers a
 * verification task; an assistant's laptop takes it: the hub's lock is one row per task in
 * field_locks, taken by one INSERT … ON CONFLICT DO NOTHING, so of any number of laptops taking at
 * once exactly one inserts it and every other is told who holds it. The owning desk then hands the
 * holder's signed package over through the hub, the holder sends its result back, and the owning
 * desk applies it (once, by result id, on the desk) and acknowledges it.
 */

export interface FieldRelayContext {
  pool: pg.Pool;
  spendNonce(c: pg.PoolClient | pg.Pool): Promise<void>;
  refuse(status: number, code: string, chinese: string, detail: string): Error;
  /** The crash tests: SIGKILL this hub process at the first write of a step, just before or just after its commit. */
  killAt?: FieldKillPoint | null;
}

export type FieldStep = 'offer' | 'take' | 'package' | 'result' | 'ack';
export interface FieldKillPoint {
  step: FieldStep;
  point: 'before-commit' | 'after-commit';
}

function killPoint(x: FieldRelayContext, step: FieldStep, point: FieldKillPoint['point']): void {
  if (x.killAt?.step === step && x.killAt.point === point) process.kill(process.pid, 'SIGKILL');
}

type Answer = { status: number; json: unknown };

const PENDING_MAX = 20;

function bodyOf(x: FieldRelayContext, a: Authed): Record<string, unknown> {
  try {
    const b = JSON.parse(a.body.toString('utf8')) as unknown;
    if (typeof b === 'object' && b !== null && !Array.isArray(b)) return b as Record<string, unknown>;
  } catch {
    // refused below
  }
  throw x.refuse(400, 'BAD_JSON', '请求内容不是有效的 JSON。', 'body is not a JSON object');
}

const str = (v: unknown, max: number): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

async function inTx<T>(x: FieldRelayContext, step: FieldStep, fn: (c: pg.PoolClient) => Promise<T>): Promise<T> {
  const c = await x.pool.connect();
  try {
    await c.query('BEGIN');
    const r = await fn(c);
    killPoint(x, step, 'before-commit');
    await c.query('COMMIT');
    killPoint(x, step, 'after-commit');
    return r;
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/**
 * The owning desk offers (or offers again, whenever the task changed there) one of its tasks: with
 * whether it is still open and still takeable through the hub, and the package it honours now. A
 * lock whose relayed package the desk no longer honours (released or reassigned there), or held by
 * someone the task is no longer assigned to, is released in the same transaction: the task can be
 * taken again, and the old holder is told so.
 */
async function offer(x: FieldRelayContext, a: Authed): Promise<Answer> {
  const b = bodyOf(x, a);
  const { taskId, caseNo, certificate, dueAt, assignee } = b;
  const open = b.open ?? true;
  const takeable = b.takeable ?? true;
  const packageId = b.packageId ?? null;
  const releaseLock = (b.releaseLock ?? null) as { holder?: unknown; takenAt?: unknown } | null;
  if (releaseLock !== null && (typeof releaseLock !== 'object' || !str(releaseLock.holder, 100) || !str(releaseLock.takenAt, 60))) {
    throw x.refuse(422, 'BAD_OFFER', '核查任务的收回请求无效。', 'releaseLock needs holder and takenAt');
  }
  if (
    !Number.isInteger(taskId) || (taskId as number) < 1 || !str(caseNo, 64) || !str(certificate, 200) || !(dueAt === null || str(dueAt, 40)) || !(assignee === null || str(assignee, 100)) ||
    typeof open !== 'boolean' || typeof takeable !== 'boolean' || !(packageId === null || str(packageId, 64))
  ) {
    throw x.refuse(422, 'BAD_OFFER', '核查任务的案号、证明事项、期限或分派对象无效。', 'offer needs taskId >= 1, caseNo, certificate, dueAt (string|null), assignee (string|null), open/takeable (boolean), packageId (string|null)');
  }
  const taskKey = `${a.desk.desk_id}:${taskId as number}`;
  return inTx(x, 'offer', async (c) => {
    await x.spendNonce(c);
    await c.query(
      `INSERT INTO field_offers (task_key, owner_desk, task_id, case_no, certificate, due_at, assignee, open, takeable) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (task_key) DO UPDATE SET case_no = EXCLUDED.case_no, certificate = EXCLUDED.certificate, due_at = EXCLUDED.due_at, assignee = EXCLUDED.assignee,
         open = EXCLUDED.open, takeable = EXCLUDED.takeable, updated_at = now()`,
      [taskKey, a.desk.desk_id, taskId, caseNo, certificate, dueAt, assignee, open, takeable],
    );
    const released = open
      ? await c.query(
          `UPDATE field_locks SET released_at = now() WHERE task_key = $1 AND released_at IS NULL AND (
             (package IS NOT NULL AND package->>'packageId' IS DISTINCT FROM $2)
             OR (package IS NULL AND NOT $3)
             OR ($4::text IS NOT NULL AND holder_name <> $4::text)
             OR ($5::text IS NOT NULL AND package IS NULL AND holder_name = $5::text AND taken_at = $6::timestamptz))`,
          [taskKey, packageId, takeable, assignee, releaseLock?.holder ?? null, releaseLock?.takenAt ?? null],
        )
      : { rowCount: 0 };
    return { status: 200, json: { taskKey, released: released.rowCount === 1 } };
  });
}

/** Who holds a task, in the words the losing laptop shows. */
function heldMessage(h: { holder_name: string; desk_name: string; taken_at: Date }): string {
  const at = new Date(h.taken_at.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');
  return `该任务已由${h.holder_name}（${h.desk_name}）于 ${at} 领取外勤，不能重复领取。`;
}

/** A laptop takes a task for its signed-in assistant: one INSERT decides; the same holder taking again is answered as before. */
async function take(x: FieldRelayContext, a: Authed): Promise<Answer> {
  const { taskKey, assistant } = bodyOf(x, a);
  if (!str(taskKey, 120) || !str(assistant, 100)) throw x.refuse(422, 'BAD_TAKE', '领取请求缺少任务或帮办代办员。', 'take needs taskKey and assistant');
  return inTx(x, 'take', async (c) => {
    await x.spendNonce(c);
    const o = (
      await c.query<{ assignee: string | null; open: boolean; takeable: boolean; case_no: string; certificate: string; due_at: string | null; window: string }>(
        'SELECT o.assignee, o.open, o.takeable, o.case_no, o.certificate, o.due_at, d.name AS window FROM field_offers o JOIN desks d ON d.desk_id = o.owner_desk WHERE o.task_key = $1',
        [taskKey],
      )
    ).rows[0];
    if (!o) throw x.refuse(404, 'NO_TASK', '全厅中心没有这个核查任务（所属窗口尚未发布）。', `no offer ${taskKey}`);
    if (!o.open || !o.takeable) throw x.refuse(409, 'CLOSED', '该核查任务已有结论或已由所属窗口收回，不能领取。', `task ${taskKey} closed or not takeable`);
    if (o.assignee !== null && o.assignee !== assistant) throw x.refuse(409, 'ASSIGNED', `该任务已分派给${o.assignee}，只有其本人可以领取。`, `task ${taskKey} assigned to another assistant`);
    // One statement decides: a free task is inserted, a released lock is taken over; a held one is left alone.
    const ins = await c.query(
      `INSERT INTO field_locks (task_key, holder_desk, holder_name) VALUES ($1, $2, $3)
       ON CONFLICT (task_key) DO UPDATE SET holder_desk = EXCLUDED.holder_desk, holder_name = EXCLUDED.holder_name, taken_at = now(), package = NULL, issued_at = NULL, released_at = NULL
       WHERE field_locks.released_at IS NOT NULL`,
      [taskKey, a.desk.desk_id, assistant],
    );
    const about = { caseNo: o.case_no, certificate: o.certificate, dueAt: o.due_at, window: o.window };
    const h = (
      await c.query<{ holder_desk: string; holder_name: string; desk_name: string; taken_at: Date }>(
        'SELECT l.holder_desk, l.holder_name, d.name AS desk_name, l.taken_at FROM field_locks l JOIN desks d ON d.desk_id = l.holder_desk WHERE l.task_key = $1',
        [taskKey],
      )
    ).rows[0]!;
    if (ins.rowCount === 1) return { status: 201, json: { taskKey, holder: h.holder_name, holderDesk: h.holder_desk, takenAt: h.taken_at.toISOString(), ...about } };
    if (h.holder_desk === a.desk.desk_id && h.holder_name === assistant) return { status: 200, json: { taskKey, holder: h.holder_name, holderDesk: h.holder_desk, takenAt: h.taken_at.toISOString(), again: true, ...about } };
    throw x.refuse(409, 'HELD', heldMessage(h), `task ${taskKey} held by ${h.holder_name} at desk ${h.holder_desk}`);
  });
}

/** The owning desk's taken tasks still waiting for their package. */
async function waitingLocks(x: FieldRelayContext, a: Authed): Promise<Answer> {
  await x.spendNonce(x.pool);
  const rows = (
    await x.pool.query<{ task_key: string; task_id: number; holder_name: string; holder_desk: string; taken_at: string }>(
      `SELECT l.task_key, o.task_id, l.holder_name, l.holder_desk, l.taken_at::text AS taken_at FROM field_locks l JOIN field_offers o ON o.task_key = l.task_key
       WHERE o.owner_desk = $1 AND l.package IS NULL AND l.released_at IS NULL AND o.open ORDER BY l.taken_at LIMIT $2`,
      [a.desk.desk_id, PENDING_MAX],
    )
  ).rows;
  // lockTakenAt names this holding exactly (full precision), for an owner that releases it before its package was relayed.
  return { status: 200, json: { locks: rows.map((r) => ({ taskKey: r.task_key, taskId: r.task_id, holder: r.holder_name, holderDesk: r.holder_desk, lockTakenAt: r.taken_at })) } };
}

async function ownerOf(c: pg.PoolClient | pg.Pool, taskKey: string): Promise<string | undefined> {
  return (await c.query<{ owner_desk: string }>('SELECT owner_desk FROM field_offers WHERE task_key = $1', [taskKey])).rows[0]?.owner_desk;
}

/** The owning desk hands the holder's signed package over (once; again is a no-op). */
async function putPackage(x: FieldRelayContext, a: Authed): Promise<Answer> {
  const { taskKey, package: pkg } = bodyOf(x, a);
  if (!str(taskKey, 120) || typeof pkg !== 'object' || pkg === null) throw x.refuse(422, 'BAD_PACKAGE', '外勤任务包无效。', 'package needs taskKey and package object');
  return inTx(x, 'package', async (c) => {
    await x.spendNonce(c);
    if ((await ownerOf(c, taskKey)) !== a.desk.desk_id) throw x.refuse(409, 'NOT_OWNER', '只有任务所属窗口可以签发外勤任务包。', `desk ${a.desk.desk_id} does not own ${taskKey}`);
    const u = await c.query('UPDATE field_locks SET package = $2, issued_at = now() WHERE task_key = $1 AND package IS NULL AND released_at IS NULL', [taskKey, pkg]);
    return { status: u.rowCount === 1 ? 201 : 200, json: { taskKey, issued: u.rowCount === 1 } };
  });
}

async function holderRow(c: pg.PoolClient | pg.Pool, taskKey: string) {
  return (await c.query<{ holder_desk: string; package: unknown; released_at: Date | null }>('SELECT holder_desk, package, released_at FROM field_locks WHERE task_key = $1', [taskKey])).rows[0];
}

const RELEASED = '所属窗口已收回该核查任务（收回或改派），本机的外勤结果不能再交回。';

/** The holder fetches its package. */
async function getPackage(x: FieldRelayContext, a: Authed, url: URL): Promise<Answer> {
  const taskKey = url.searchParams.get('taskKey') ?? '';
  await x.spendNonce(x.pool);
  const h = await holderRow(x.pool, taskKey);
  if (!h || h.holder_desk !== a.desk.desk_id) throw x.refuse(409, 'NOT_HOLDER', '本机没有领取这个核查任务。', `desk ${a.desk.desk_id} does not hold ${taskKey}`);
  if (h.released_at) throw x.refuse(409, 'RELEASED', RELEASED, `lock of ${taskKey} released by its owner`);
  if (h.package === null) throw x.refuse(404, 'NOT_ISSUED', '所属窗口尚未签发外勤任务包，请稍后再取。', `package of ${taskKey} not issued yet`);
  return { status: 200, json: { taskKey, package: h.package } };
}

/** The holder sends a result; the same result id again is answered as a duplicate. */
async function putResult(x: FieldRelayContext, a: Authed): Promise<Answer> {
  const { taskKey, result } = bodyOf(x, a);
  const resultId = (result as { resultId?: unknown } | null)?.resultId;
  if (!str(taskKey, 120) || typeof result !== 'object' || result === null || !str(resultId, 64)) throw x.refuse(422, 'BAD_RESULT', '外勤结果无效（缺少结果编号）。', 'result needs taskKey and result.resultId');
  return inTx(x, 'result', async (c) => {
    await x.spendNonce(c);
    const h = await holderRow(c, taskKey);
    if (!h || h.holder_desk !== a.desk.desk_id) throw x.refuse(409, 'NOT_HOLDER', '本机没有领取这个核查任务，不能交回结果。', `desk ${a.desk.desk_id} does not hold ${taskKey}`);
    if (h.released_at) throw x.refuse(409, 'RELEASED', RELEASED, `lock of ${taskKey} released by its owner`);
    const ins = await c.query('INSERT INTO field_results (result_id, task_key, from_desk, result) VALUES ($1, $2, $3, $4) ON CONFLICT (result_id) DO NOTHING', [resultId, taskKey, a.desk.desk_id, result]);
    return { status: ins.rowCount === 1 ? 201 : 200, json: { resultId, duplicate: ins.rowCount !== 1 } };
  });
}

/** The owning desk's results not yet acknowledged. */
async function pendingResults(x: FieldRelayContext, a: Authed): Promise<Answer> {
  await x.spendNonce(x.pool);
  const rows = (
    await x.pool.query<{ result_id: string; task_key: string; result: unknown }>(
      `SELECT r.result_id, r.task_key, r.result FROM field_results r JOIN field_offers o ON o.task_key = r.task_key
       WHERE o.owner_desk = $1 AND r.acked_at IS NULL ORDER BY r.received_at LIMIT $2`,
      [a.desk.desk_id, PENDING_MAX],
    )
  ).rows;
  return { status: 200, json: { results: rows.map((r) => ({ resultId: r.result_id, taskKey: r.task_key, result: r.result })) } };
}

async function ackResults(x: FieldRelayContext, a: Authed): Promise<Answer> {
  const { resultIds } = bodyOf(x, a);
  if (!Array.isArray(resultIds) || resultIds.length > PENDING_MAX || !resultIds.every((r) => str(r, 64))) throw x.refuse(422, 'BAD_ACK', '确认的结果编号无效。', `resultIds must be at most ${PENDING_MAX} strings`);
  return inTx(x, 'ack', async (c) => {
    await x.spendNonce(c);
    const u = await c.query(
      `UPDATE field_results r SET acked_at = now() FROM field_offers o WHERE o.task_key = r.task_key AND o.owner_desk = $1 AND r.result_id = ANY($2) AND r.acked_at IS NULL`,
      [a.desk.desk_id, resultIds],
    );
    return { status: 200, json: { acked: u.rowCount } };
  });
}

/** The routes under /v1/field; null when the path is not one of them. */
export function fieldRoute(x: FieldRelayContext, method: string, url: URL, a: Authed): Promise<Answer> | null {
  const p = url.pathname;
  if (method === 'POST' && p === '/v1/field/offer') return offer(x, a);
  if (method === 'POST' && p === '/v1/field/take') return take(x, a);
  if (method === 'GET' && p === '/v1/field/locks') return waitingLocks(x, a);
  if (method === 'POST' && p === '/v1/field/package') return putPackage(x, a);
  if (method === 'GET' && p === '/v1/field/package') return getPackage(x, a, url);
  if (method === 'POST' && p === '/v1/field/result') return putResult(x, a);
  if (method === 'GET' && p === '/v1/field/results') return pendingResults(x, a);
  if (method === 'POST' && p === '/v1/field/results/ack') return ackResults(x, a);
  if (method === 'GET' && p === '/v1/field/offers') return takeableOffers(x, a, url);
  if (method === 'GET' && p === '/v1/field/mine') return heldByDesk(x, a);
  return null;
}
