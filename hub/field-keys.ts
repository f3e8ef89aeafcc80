import type pg from 'pg';
import type { Authed } from './server';

/**
 * The field laptop's key registration through the hub (docs/hub.md, "Field work through the hub";
 * the desk's side electron/services/hub/hall-field-keys.ts). Only the desk holding the hub's lock of
 * a task may post one, for the package the owning desk issued it; the owning desk reads the
 * registrations of its tasks' current packages and registers each with its task (first one wins
 * there, electron/services/verification/field-key-register.ts). Kept apart from field-relay.ts so
 * the relay can change without this.
 */

export interface FieldKeysContext {
  pool: pg.Pool;
  spendNonce(c: pg.PoolClient | pg.Pool): Promise<void>;
  refuse(status: number, code: string, chinese: string, detail: string): Error;
}

type Answer = { status: number; json: unknown };

async function postKey(x: FieldKeysContext, a: Authed): Promise<Answer> {
  let b: { taskKey?: unknown; registration?: unknown };
  try {
    b = JSON.parse(a.body.toString('utf8')) as typeof b;
  } catch {
    throw x.refuse(400, 'BAD_JSON', '请求内容不是有效的 JSON。', 'body is not JSON');
  }
  const reg = b?.registration as { packageId?: unknown } | null | undefined;
  if (typeof b?.taskKey !== 'string' || b.taskKey.length > 120 || typeof reg !== 'object' || reg === null || typeof reg.packageId !== 'string' || a.body.length > 16 * 1024) {
    throw x.refuse(422, 'BAD_FIELD_KEY', '外勤设备登记缺少任务或内容。', 'field key needs taskKey and a registration with packageId');
  }
  const c = await x.pool.connect();
  try {
    await c.query('BEGIN');
    await x.spendNonce(c);
    const lock = (
      await c.query<{ holder_desk: string; package_id: string | null; released: boolean }>(
        `SELECT holder_desk, package->>'packageId' AS package_id, released_at IS NOT NULL AS released FROM field_locks WHERE task_key = $1 FOR SHARE`,
        [b.taskKey],
      )
    ).rows[0];
    if (!lock || lock.holder_desk !== a.desk.desk_id) throw x.refuse(409, 'NOT_HOLDER', '本机没有领取该外勤任务，不能登记外勤设备。', `desk ${a.desk.desk_id} does not hold ${b.taskKey}`);
    // Taken back by the owning desk (hub/field-relay.ts): the holding is over, its package is no longer honoured.
    if (lock.released) throw x.refuse(409, 'RELEASED', '该外勤任务已被派出窗口收回，此设备登记不能使用。', `lock of ${b.taskKey} released by its owner`);
    if (lock.package_id !== reg.packageId) throw x.refuse(409, 'OTHER_PACKAGE', '该外勤任务包已重新签发，此设备登记不能使用。', `registration for package ${String(reg.packageId)}, issued ${lock.package_id}`);
    const r = await c.query('INSERT INTO field_key_registrations (task_key, package_id, from_desk, registration) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING', [b.taskKey, reg.packageId, a.desk.desk_id, reg]);
    await c.query('COMMIT');
    return { status: 200, json: { stored: r.rowCount === 1 } };
  } catch (e) {
    await c.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    c.release();
  }
}

/** The registrations of the signing desk's tasks, for the package each task's lock holds now, until a result of the task is acknowledged. */
async function ownKeys(x: FieldKeysContext, a: Authed): Promise<Answer> {
  await x.spendNonce(x.pool);
  const rows = (
    await x.pool.query<{ task_key: string; registration: unknown }>(
      `SELECT k.task_key, k.registration FROM field_key_registrations k
         JOIN field_offers o ON o.task_key = k.task_key
         JOIN field_locks l ON l.task_key = k.task_key AND l.package->>'packageId' = k.package_id
        WHERE o.owner_desk = $1
          AND NOT EXISTS (SELECT 1 FROM field_results r WHERE r.task_key = k.task_key AND r.acked_at IS NOT NULL)
        ORDER BY k.received_at DESC LIMIT 200`,
      [a.desk.desk_id],
    )
  ).rows;
  return { status: 200, json: { keys: rows.map((r) => ({ taskKey: r.task_key, registration: r.registration })) } };
}

export function fieldKeysRoute(x: FieldKeysContext, method: string, url: URL, a: Authed): Promise<Answer> | null {
  if (method === 'POST' && url.pathname === '/v1/field/key') return postKey(x, a);
  if (method === 'GET' && url.pathname === '/v1/field/keys') return ownKeys(x, a);
  return null;
}
