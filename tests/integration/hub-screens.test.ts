import { openTestStore } from '../helpers/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { tempDir } from '../helpers/temp';
import { testDesk, type TestDesk } from '../helpers/app';
import { hubTargetFor } from '../helpers/hub-process';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys, type DeskKeys } from '../../electron/services/transfer/desk-keys';
import { hubFingerprint, type HubCard } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { writeSyncConfig, type HubTargetConfig } from '../../electron/services/sync/targets-config';
import type { Claimed } from '../../electron/services/sync/sender-store';
import { TEST_REQUEST_TIMEOUT_MS } from '../helpers/sync-desks';

/**
 * The supervisor's 全厅中心 screen through the desk's own API, against a real PostgreSQL and the
 * real hub: the desk list (connected, last exchange, backlog, feed lag), enrolment and removal as
 * signed admin requests — and their refusals with nothing written: a user who is not a supervisor,
 * a desk the hub did not enrol as a supervisor desk, a fingerprint not confirmed or not the card's.
 * Each desk's own hub status (hub.status) says connected, then refused with the hub's reason.
 */

const pgc = usePostgres();
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
const desks: TestDesk[] = [];

process.env.DESK_TRANSFER_PASSPHRASE = 'hub-screens-test';

const hubTarget = (): HubTargetConfig => hubTargetFor(hubCard, hub.port, { pullMs: 50, heartbeatMs: 50 });

/** A desk host (in process) with its keys and the hub as its only sync target. */
async function deskWith(deskId: string, name: string): Promise<{ desk: TestDesk; keys: DeskKeys; dir: string }> {
  const dir = tempDir(`hub-screens-${deskId}-`);
  const keys = createDeskKeys(dir, { deskId, name, zone: 'intranet', signAlg: 'ed25519' });
  writeSyncConfig(dir, { version: 1, sender: { probeIntervalMs: 100, pollMs: 30, leaseMs: 5000, requestTimeoutMs: 3000 }, targets: [hubTarget()] });
  const desk = await testDesk({ dataDir: dir, syncStore: 'inline' });
  desks.push(desk);
  return { desk, keys, dir };
}

/** Polls until `check` passes (each test's own deadline; the condition, not a delay, ends it). */
async function until<T>(what: string, read: () => Promise<T> | T, check: (v: T) => boolean, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (check(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const hubRows = async () => ({
  desks: Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM desks')).rows[0]!.n),
  audit: Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM hub_audit')).rows[0]!.n),
});
/** The desk's audit entries of one action, read through a read-only connection of its store. */
function deskAudit(d: TestDesk, action: string): { actor: string; entity: string }[] {
  const db = openTestStore(d.app.dbFile, { readonly: true });
  try {
    return db.prepare(`SELECT actor_username AS actor, entity_id AS entity FROM audit_log WHERE action = ? ORDER BY seq`).all(action) as { actor: string; entity: string }[];
  } finally {
    db.close();
  }
}

let sup: { desk: TestDesk; keys: DeskKeys; dir: string };
let clerkDesk: { desk: TestDesk; keys: DeskKeys; dir: string };
let adminToken: string;
let hubClosed = false;
let clerkToken: string;

beforeAll(async () => {
  const url = await createDatabase(pgc.cluster, 'hub_screens');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  sup = await deskWith('in-5a5a5a5a01', '1号窗口（管理）');
  clerkDesk = await deskWith('in-5a5a5a5a02', '2号窗口');
  // The command line enrols the supervisor desk (the only way to make one) and a plain desk.
  await enrolDesk(pool, sup.keys.card, '李主任', { supervisorDesk: true });
  await enrolDesk(pool, clerkDesk.keys.card, '李主任');
  adminToken = (await sup.desk.signIn('admin')).token;
  clerkToken = (await sup.desk.signIn('zhangmin')).token;
}, 120_000);

afterAll(async () => {
  for (const d of desks) {
    await d.app.stopSync();
    d.app.close();
  }
  await pool?.end();
  if (!hubClosed) await hub?.close();
});

describe('全厅中心: the supervisor lists, enrols and removes desks through the desk API', () => {
  it('the desk list shows every desk with its fingerprint, connection, backlog and feed lag', async () => {
    const list = await until(
      'both desks connected and reporting',
      () => sup.desk.call('hub.desks.list', {}, adminToken),
      (l) => l.desks.length === 2 && l.desks.every((d) => d.connected && d.reportedAt !== null),
    );
    expect(list.hubName).toBe('全厅中心');
    expect(list.connectedWithinS).toBe(30);
    const [a, b] = list.desks;
    expect(a).toMatchObject({ deskId: 'in-5a5a5a5a01', name: '1号窗口（管理）', supervisorDesk: true, enrolledBy: '李主任', removedAt: null, self: true, connected: true, backlog: 0, parked: 0, feedCursor: 0, feedLag: 0 });
    expect(b).toMatchObject({ deskId: 'in-5a5a5a5a02', name: '2号窗口', supervisorDesk: false, self: false, connected: true });
    expect(a!.fingerprint).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){4}$/);
    expect(Date.parse(a!.lastSeenAt!)).toBeGreaterThan(Date.now() - 30_000);
  });

  it('a desk that has not pulled the feed shows its lag; its reported backlog is listed', async () => {
    // An outside desk, enrolled by the command line, pushes two cases and reports a backlog of 3 without pulling.
    const dir = tempDir('hub-screens-out-');
    const keys = createDeskKeys(dir, { deskId: 'in-5a5a5a5a03', name: '3号窗口', zone: 'intranet', signAlg: 'ed25519' });
    await enrolDesk(pool, keys.card, '李主任');
    const c = new HubConnector(hubTarget(), dir, 14, TEST_REQUEST_TIMEOUT_MS);
    for (const n of ['0001', '0002']) await c.deliver({ idempotency_key: `K-${n}`, revision: 1, document: JSON.stringify({ caseNo: `C-${n}` }) } as unknown as Claimed);
    await c.heartbeat({ backlog: 3, parked: 1, oldestWaitingAt: '2026-12-06T01:00:00.000Z', feedCursor: 0 });
    const list = await until(
      'the supervisor desk to have pulled both cases',
      () => sup.desk.call('hub.desks.list', {}, adminToken),
      (l) => l.feedLast === 2 && l.desks.find((d) => d.self)!.feedLag === 0,
    );
    expect(list.desks.find((d) => d.deskId === 'in-5a5a5a5a03')).toMatchObject({ backlog: 3, parked: 1, oldestWaitingAt: '2026-12-06T01:00:00.000Z', feedCursor: 0, feedLag: 2, connected: true });
  });

  it('refusals write nothing: a clerk, a desk that is not a supervisor desk, a fingerprint not confirmed or not the card\'s', async () => {
    const newcomer = createDeskKeys(tempDir('hub-screens-new-'), { deskId: 'in-5a5a5a5a04', name: '4号窗口', zone: 'intranet', signAlg: 'ed25519' });
    const card = JSON.stringify(newcomer.card);
    const before = await hubRows();

    // A clerk: refused by the desk's dispatcher (the role), the hub never asked.
    for (const [m, input] of [['hub.desks.list', {}], ['hub.desks.enrol', { card, confirmedFingerprint: 'X' }], ['hub.desks.remove', { deskId: 'in-5a5a5a5a02' }]] as const) {
      const r = await sup.desk.raw(m, input, clerkToken);
      expect(r.ok ? null : r.error.code).toBe('FORBIDDEN');
    }

    // A supervisor on a desk the hub did not enrol as a supervisor desk: refused by the hub.
    const onClerkDesk = (await clerkDesk.desk.signIn('admin')).token;
    const notAdminDesk = await clerkDesk.desk.raw('hub.desks.enrol', { card, confirmedFingerprint: '' }, onClerkDesk);
    expect(notAdminDesk.ok ? null : notAdminDesk.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('本工作台不是全厅中心的管理工作台') });
    const listThere = await clerkDesk.desk.raw('hub.desks.list', {}, onClerkDesk);
    expect(listThere.ok ? null : listThere.error.code).toBe('FORBIDDEN');

    // The fingerprint not confirmed, or not the card's.
    const preview = await sup.desk.call('hub.desks.inspectCard', { card }, adminToken);
    expect(preview).toMatchObject({ deskId: 'in-5a5a5a5a04', name: '4号窗口', zone: 'intranet', hubFingerprint: hubFingerprint(hubCard), hubName: '全厅中心' });
    const unconfirmed = await sup.desk.raw('hub.desks.enrol', { card, confirmedFingerprint: '' }, adminToken);
    expect(unconfirmed.ok ? null : unconfirmed.error).toMatchObject({ code: 'BAD_INPUT', message: '请先与该工作台屏幕上显示的指纹逐字核对，确认一致后再登记。' });
    const wrong = await sup.desk.raw('hub.desks.enrol', { card, confirmedFingerprint: '0000-0000-0000-0000-0000' }, adminToken);
    expect(wrong.ok ? null : wrong.error.message).toContain('指纹不一致');

    // Not a card at all.
    const notCard = await sup.desk.raw('hub.desks.inspectCard', { card: '{"format":"something"}' }, adminToken);
    expect(notCard.ok ? null : notCard.error).toMatchObject({ code: 'BAD_INPUT', message: '不是有效的工作台身份卡（应为工作台导出的 desk-card JSON）。' });

    expect(await hubRows()).toEqual(before);
    expect(deskAudit(sup.desk, 'hub.deskEnrolled')).toEqual([]);
    expect(deskAudit(clerkDesk.desk, 'hub.deskEnrolled')).toEqual([]);
  });

  it('enrols a desk from its card, sees it connected, removes it, and the removed desk is refused and told why', async () => {
    const n = await deskWith('in-5a5a5a5a05', '5号窗口');
    const clerk = (await n.desk.signIn('zhangmin')).token;
    // Not enrolled yet: its own status says so.
    const refusedFirst = await until('the new desk to be refused', () => n.desk.call('hub.status', {}, clerk), (s) => s.hubs[0]?.state === 'refused');
    expect(refusedFirst.hubs[0]).toMatchObject({ state: 'refused', refusalCode: 'NOT_ENROLLED', reason: '本工作台尚未在全厅中心登记，已拒绝。' });

    const preview = await sup.desk.call('hub.desks.inspectCard', { card: refusedFirst.desk!.card }, adminToken);
    expect(preview.fingerprint).toBe(refusedFirst.desk!.fingerprint);
    const enrolled = await sup.desk.call('hub.desks.enrol', { card: refusedFirst.desk!.card, confirmedFingerprint: preview.fingerprint.toLowerCase() }, adminToken);
    expect(enrolled).toEqual({ deskId: 'in-5a5a5a5a05', name: '5号窗口', fingerprint: preview.fingerprint, already: false });

    const row = (await pool.query('SELECT enrolled_by, supervisor_desk, removed_at FROM desks WHERE desk_id = $1', ['in-5a5a5a5a05'])).rows[0];
    expect(row).toEqual({ enrolled_by: '王建华（admin）@1号窗口（管理）（in-5a5a5a5a01）', supervisor_desk: false, removed_at: null });
    const audit = (await pool.query(`SELECT actor, action, detail->>'deskId' AS desk FROM hub_audit WHERE detail->>'deskId' = 'in-5a5a5a5a05' ORDER BY id`)).rows;
    expect(audit).toEqual([{ actor: '王建华（admin）@1号窗口（管理）（in-5a5a5a5a01）', action: 'desk.enrolled', desk: 'in-5a5a5a5a05' }]);
    expect(deskAudit(sup.desk, 'hub.deskEnrolled').map((a) => [a.actor, a.entity])).toEqual([['admin', 'in-5a5a5a5a05']]);

    // The new desk connects by itself (its sender probes again), pulls and reports.
    const connected = await until('the new desk connected', () => n.desk.call('hub.status', {}, clerk), (s) => s.hubs[0]?.state === 'connected' && s.hubs[0].feedUpdatedAt !== null);
    expect(connected.hubs[0]).toMatchObject({ state: 'connected', reason: null, refusalCode: null, backlog: 0 });
    expect(connected.hubs[0]!.lastExchangeAt).not.toBeNull();
    await until('the list to show it connected', () => sup.desk.call('hub.desks.list', {}, adminToken), (l) => l.desks.some((d) => d.deskId === 'in-5a5a5a5a05' && d.connected && d.reportedAt !== null));

    // Removing itself is refused; removing the new desk works.
    const self = await sup.desk.raw('hub.desks.remove', { deskId: 'in-5a5a5a5a01' }, adminToken);
    expect(self.ok ? null : self.error).toMatchObject({ code: 'CONFLICT', message: '不能在本工作台上移除本工作台自己。' });
    expect(await sup.desk.call('hub.desks.remove', { deskId: 'in-5a5a5a5a05' }, adminToken)).toEqual({ deskId: 'in-5a5a5a5a05', name: '5号窗口' });
    const again = await sup.desk.raw('hub.desks.remove', { deskId: 'in-5a5a5a5a05' }, adminToken);
    expect(again.ok ? null : again.error.code).toBe('CONFLICT');
    expect((await pool.query(`SELECT actor, action FROM hub_audit WHERE detail->>'deskId' = 'in-5a5a5a5a05' ORDER BY id`)).rows.map((r) => r.action)).toEqual(['desk.enrolled', 'desk.removed']);
    expect(deskAudit(sup.desk, 'hub.deskRemoved').map((a) => [a.actor, a.entity])).toEqual([['admin', 'in-5a5a5a5a05']]);

    const removed = await until('the removed desk refused', () => n.desk.call('hub.status', {}, clerk), (s) => s.hubs[0]?.refusalCode === 'REMOVED');
    expect(removed.hubs[0]).toMatchObject({ state: 'refused', reason: '本工作台已被管理员从全厅中心移除，已拒绝。' });
    const listed = (await sup.desk.call('hub.desks.list', {}, adminToken)).desks.find((d) => d.deskId === 'in-5a5a5a5a05')!;
    expect(listed).toMatchObject({ connected: false, removedBy: '王建华（admin）@1号窗口（管理）（in-5a5a5a5a01）' });
    expect(listed.removedAt).not.toBeNull();

    // Its card cannot be enrolled again.
    const reenrol = await sup.desk.raw('hub.desks.enrol', { card: refusedFirst.desk!.card, confirmedFingerprint: preview.fingerprint }, adminToken);
    expect(reenrol.ok ? null : reenrol.error).toMatchObject({ code: 'CONFLICT', message: expect.stringContaining('已被移除') });
  });

  it('the hub itself refuses an admin request whose actor is not a supervisor or is missing', async () => {
    const c = new HubConnector(hubTarget(), sup.dir, 14, TEST_REQUEST_TIMEOUT_MS);
    const before = await hubRows();
    const r = await c.request('POST', '/v1/admin/desks/remove', { deskId: 'in-5a5a5a5a02', actor: { username: 'zhangmin', displayName: '张敏', role: 'clerk' } });
    expect(r.status).toBe(403);
    expect(r.json).toMatchObject({ error: { code: 'NOT_SUPERVISOR', message: '只有管理员可以查看或登记、移除工作台。' } });
    const noActor = await c.request('POST', '/v1/admin/desks/list', {});
    expect(noActor.status).toBe(422);
    expect(await hubRows()).toEqual(before);
  });

  it('with the hub gone, a desk says since when it cannot reach it, and its copy keeps the time of its last pull (runs last: stops the hub)', async () => {
    const token = (await clerkDesk.desk.signIn('zhangmin')).token;
    const before = await until('the clerk desk connected', () => clerkDesk.desk.call('hub.status', {}, token), (s) => s.hubs[0]?.state === 'connected' && s.hubs[0].feedUpdatedAt !== null);
    await hub.close();
    hubClosed = true;
    const after = await until('the clerk desk to see the hub unreachable', () => clerkDesk.desk.call('hub.status', {}, token), (s) => s.hubs[0]?.state === 'unreachable');
    const h = after.hubs[0]!;
    expect(h.refusalCode).toBeNull();
    expect(h.reason).toContain('全厅中心');
    expect(Date.parse(h.since!)).toBeGreaterThanOrEqual(Date.parse(before.hubs[0]!.feedUpdatedAt!));
    // 全厅数据更新于 is still the last pull that succeeded (a pull answered as the hub closed may have ended just after the first failure).
    expect(Date.parse(h.feedUpdatedAt!)).toBeGreaterThanOrEqual(Date.parse(before.hubs[0]!.feedUpdatedAt!));
    expect(Date.parse(h.feedUpdatedAt!)).toBeLessThanOrEqual(Date.parse(after.now));
    expect(h.lastExchangeAt).not.toBeNull();
  });
});
