import { openTestStore } from '../helpers/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { hubTargetFor } from '../helpers/hub-process';
import { dbFile, TEST_REQUEST_TIMEOUT_MS, waitFor } from '../helpers/sync-desks';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';
import { writeTx } from '../../electron/store/write';
import { SYSTEM_ACTOR } from '../../electron/services/audit/audit-chain';
import { applyHallFeedItems } from '../../electron/services/hub/hall-records-apply';
import type { FeedItem } from '../../electron/services/hub/hub-connector';

/**
 * Users and roles are the hall's (docs/hub.md, "Records, owners and offline"), end to end against a
 * real PostgreSQL, the real hub (in process, on loopback) and two desks with their own SQLite files;
 * desk B reaches the hub through a proxy that can be cut:
 * - a user created at A signs in at B once B pulled it (the scrypt hash travels, never a password);
 * - disabled at A: B's open session of that user ends and B refuses its sign-in (ACCOUNT_DISABLED);
 * - a password reset at A: B refuses the old password and accepts the new one;
 * - B offline signs users in with its last copy, and applies what it missed when it reconnects;
 * - concurrent edits (A disables while B, offline, resets the password on a stale copy): last writer
 *   by hub order, field by field — both hold on both desks.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
let proxy: CuttableProxy;
let A: TestDesk;
let B: TestDesk;
let Aadmin: string;
let Badmin: string;

interface UserRowView {
  display_name: string;
  role: string;
  active: number;
  password_hash: string;
}
const userAt = (d: TestDesk, username: string) => deskRows<UserRowView>(d, 'SELECT display_name, role, active, password_hash FROM users WHERE username = ?', username)[0];
const hashAt = (d: TestDesk, username: string) => userAt(d, username)?.password_hash;

async function localId(d: TestDesk, token: string, username: string): Promise<number> {
  return (await d.call('users.list', {}, token)).find((u) => u.username === username)!.id;
}

async function signInCode(d: TestDesk, username: string, password: string): Promise<string> {
  const r = await d.raw('auth.signIn', { username, password });
  return r.ok ? 'OK' : r.error.code;
}

async function create(username: string, displayName: string, password: string): Promise<void> {
  await A.call('users.create', { username, displayName, role: 'clerk', password }, Aadmin);
  await waitFor(`B holds ${username}`, () => userAt(B, username) ?? null);
}

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_users');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-users-test';
  proxy = new CuttableProxy(await freePort(), () => hub.port);
  await proxy.open();
  A = await enrolledDesk(hall, { deskId: 'desk-a', port: hub.port, dir: 'hub-users' });
  B = await enrolledDesk(hall, { deskId: 'desk-b', port: proxy.port, dir: 'hub-users' });
  Aadmin = (await A.signIn('admin')).token;
  Badmin = (await B.signIn('admin')).token;
}, 180_000);

afterAll(async () => {
  for (const d of [A, B]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await proxy?.cut();
  await pool?.end();
  await hub?.close();
});

describe('users and roles are managed once, at the hall', () => {
  it('a user created at A signs in at B after B pulled it; the hub holds the scrypt hash, never the password', async () => {
    expect(userAt(B, 'zhaolei')).toBeUndefined();
    await create('zhaolei', '赵磊', 'Qingshan#2026');

    expect(userAt(B, 'zhaolei')).toEqual({ display_name: '赵磊', role: 'clerk', active: 1, password_hash: hashAt(A, 'zhaolei') });
    const s = await B.signIn('zhaolei', 'Qingshan#2026');
    expect(s.user).toMatchObject({ username: 'zhaolei', displayName: '赵磊', role: 'clerk' });

    const rec = (await pool.query(`SELECT r.version, v.body FROM records r JOIN record_versions v USING (hall_id, kind, record_id) WHERE r.kind = 'user' AND r.record_id = 'zhaolei'`)).rows;
    expect(rec).toHaveLength(1);
    expect(rec[0].version).toBe(1);
    expect(Object.keys(rec[0].body).sort()).toEqual(['active', 'changed', 'displayName', 'passwordHash', 'role', 'username']);
    expect(rec[0].body.passwordHash).toMatch(/^scrypt\$/);
    expect(JSON.stringify(rec[0].body)).not.toContain('Qingshan#2026');
    // B applied it as a system write in its audit log.
    expect(deskRows(B, `SELECT actor_username, json_extract(detail, '$.created') AS created FROM audit_log WHERE action = 'hub.userReceived' AND json_extract(detail, '$.username') = 'zhaolei'`)).toEqual([
      { actor_username: 'system', created: 1 },
    ]);
  });

  it("disabled at A: B's open session of the user ends and B refuses the next sign-in (ACCOUNT_DISABLED) once it pulled", async () => {
    await create('sunli', '孙丽', 'Hongshan#2026');
    const atB = await B.signIn('sunli', 'Hongshan#2026');
    expect((await B.raw('sync.status', {}, atB.token)).ok).toBe(true);

    await A.call('users.setActive', { id: await localId(A, Aadmin, 'sunli'), active: false }, Aadmin);
    const ended = await waitFor("B ends sunli's session", async () => {
      const r = await B.raw('sync.status', {}, atB.token);
      return r.ok ? null : r.error.code;
    });
    expect(ended).toBe('UNAUTHENTICATED');
    expect(userAt(B, 'sunli')!.active).toBe(0);
    expect(await signInCode(B, 'sunli', 'Hongshan#2026')).toBe('ACCOUNT_DISABLED');
    expect(deskRows(B, `SELECT json_extract(detail, '$.sessionsEnded') AS ended FROM audit_log WHERE action = 'hub.userReceived' AND json_extract(detail, '$.username') = 'sunli' ORDER BY seq`)).toEqual([
      { ended: 0 },
      { ended: 1 },
    ]);

    // Enabled again at A: B lets the user in again.
    await A.call('users.setActive', { id: await localId(A, Aadmin, 'sunli'), active: true }, Aadmin);
    await waitFor('B has sunli enabled', () => userAt(B, 'sunli')!.active === 1 || null);
    expect(await signInCode(B, 'sunli', 'Hongshan#2026')).toBe('OK');
  });

  it('a password reset at A: B refuses the old password and accepts the new one; a change of his own at B reaches A', async () => {
    await create('zhoujie', '周杰', 'Baishui#2026');
    const before = hashAt(B, 'zhoujie');
    await A.call('users.resetPassword', { id: await localId(A, Aadmin, 'zhoujie'), password: 'Lvshui@2027' }, Aadmin);
    await waitFor('B has the new hash', () => (hashAt(B, 'zhoujie') !== before ? true : null));

    expect(await signInCode(B, 'zhoujie', 'Baishui#2026')).toBe('INVALID_CREDENTIALS');
    expect(await signInCode(B, 'zhoujie', 'Lvshui@2027')).toBe('OK');

    // The user changes his own password at B: A follows.
    const own = await B.signIn('zhoujie', 'Lvshui@2027');
    const atA = hashAt(A, 'zhoujie');
    await B.call('auth.changePassword', { oldPassword: 'Lvshui@2027', newPassword: 'Hongye%2028' }, own.token);
    await waitFor('A has his new hash', () => (hashAt(A, 'zhoujie') !== atA ? true : null));
    expect(await signInCode(A, 'zhoujie', 'Lvshui@2027')).toBe('INVALID_CREDENTIALS');
    expect(await signInCode(A, 'zhoujie', 'Hongye%2028')).toBe('OK');
  });

  it('B offline signs users in with its last copy, and applies what it missed on reconnect', async () => {
    await create('wuqiang', '吴强', 'Qingtian#2026');
    await proxy.cut();
    await waitFor('B sees the hub unreachable', async () => {
      const s = await B.call('sync.status', {}, Badmin);
      return s.targets.find((t) => t.id === 'hub')?.reachable === false || null;
    });
    // A disables him meanwhile; the hub holds it, B cannot know.
    await A.call('users.setActive', { id: await localId(A, Aadmin, 'wuqiang'), active: false }, Aadmin);
    await waitFor('the hub holds the disable', async () => (await pool.query(`SELECT 1 FROM records WHERE kind = 'user' AND record_id = 'wuqiang' AND version = 2`)).rowCount === 1 || null);

    expect(await signInCode(B, 'wuqiang', 'Qingtian#2026')).toBe('OK');
    expect(await signInCode(B, 'wuqiang', 'Qingtian#2026')).toBe('OK');

    await proxy.open();
    await waitFor('B applies the disable', () => userAt(B, 'wuqiang')!.active === 0 || null);
    expect(await signInCode(B, 'wuqiang', 'Qingtian#2026')).toBe('ACCOUNT_DISABLED');
  });

  it('concurrent edits: A disables while B, offline, resets the password on its stale copy — both hold on both desks (last writer by hub order, field by field)', async () => {
    await create('zhengyu', '郑宇', 'Huangshan#2026');
    await proxy.cut();
    await waitFor('B sees the hub unreachable', async () => {
      const s = await B.call('sync.status', {}, Badmin);
      return s.targets.find((t) => t.id === 'hub')?.reachable === false || null;
    });
    await A.call('users.setActive', { id: await localId(A, Aadmin, 'zhengyu'), active: false }, Aadmin);
    await B.call('users.resetPassword', { id: await localId(B, Badmin, 'zhengyu'), password: 'Zishan!2027x' }, Badmin);
    const bHash = hashAt(B, 'zhengyu')!;
    expect(userAt(B, 'zhengyu')!.active).toBe(1);

    await proxy.open();
    await waitFor('both desks hold the disable and B’s password', () =>
      [A, B].every((d) => userAt(d, 'zhengyu')!.active === 0 && hashAt(d, 'zhengyu') === bHash) || null,
    );
    // The hub: v1 created, v2 A's disable, v3 B's reset on base 1, taken as current with A's disable kept.
    const versions = (await pool.query(`SELECT version, base_version, outcome, body->>'active' AS active, body->'changed' AS changed FROM record_versions WHERE kind = 'user' AND record_id = 'zhengyu' ORDER BY version`)).rows;
    expect(versions).toEqual([
      { version: 1, base_version: 0, outcome: 'current', active: 'true', changed: ['displayName', 'role', 'active', 'passwordHash'] },
      { version: 2, base_version: 1, outcome: 'current', active: 'false', changed: ['active'] },
      { version: 3, base_version: 1, outcome: 'current', active: 'false', changed: ['passwordHash'] },
    ]);
    expect(await signInCode(A, 'zhengyu', 'Zishan!2027x')).toBe('ACCOUNT_DISABLED');
    expect(await signInCode(B, 'zhengyu', 'Zishan!2027x')).toBe('ACCOUNT_DISABLED');
  });

  it('the hub refuses a user version the desks could not apply (no hash, another username), with nothing written', async () => {
    const conn = new HubConnector(hubTargetFor(hubCard, hub.port), A.dataDir, 17, TEST_REQUEST_TIMEOUT_MS);
    const before = (await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0];
    const bad = [
      { username: 'qianwei', displayName: '钱伟', role: 'clerk', active: true, passwordHash: 'Plain#2026', changed: ['passwordHash'] },
      { username: 'other', displayName: '钱伟', role: 'clerk', active: true, passwordHash: 'scrypt$x', changed: ['active'] },
      { username: 'qianwei', displayName: '钱伟', role: 'root', active: true, passwordHash: 'scrypt$x', changed: ['role'] },
    ];
    for (const [i, body] of bad.entries()) {
      const e = await conn.pushRecord({ kind: 'user', recordId: 'qianwei', baseVersion: 0, body, idempotencyKey: `bad-user-${i}` }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConnectorFailure);
      expect((e as ConnectorFailure).failure).toMatchObject({ kind: 'rejected', status: 422, message: '推送的记录内容不完整或与记录编号不符，已拒绝。' });
    }
    expect((await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0]).toEqual(before);
  });

  it("a version pulled while B's own change of the user still waits keeps B's change locally (laid over, as the hub will)", async () => {
    await create('hanmei', '韩梅', 'Yunshan#2026');
    // B's sender stops: its reset waits in the outbox.
    await B.app.stopSync();
    await B.call('users.resetPassword', { id: await localId(B, Badmin, 'hanmei'), password: 'Xueshan!2027' }, Badmin);
    const bHash = hashAt(B, 'hanmei')!;
    expect(deskRows(B, `SELECT state, base_version FROM hall_record_outbox WHERE kind = 'user' AND record_id = 'hanmei' AND state <> 'acknowledged'`)).toEqual([{ state: 'pending', base_version: 1 }]);
    await A.call('users.setActive', { id: await localId(A, Aadmin, 'hanmei'), active: false }, Aadmin);
    const item = await waitFor('the hub holds A’s disable', async () => (await pool.query(`SELECT seq::int, kind, owner_desk AS "ownerDesk", record_key AS key, body FROM feed WHERE record_key = 'user:hanmei@2'`)).rows[0] as FeedItem | undefined);
    expect(item.body).toMatchObject({ version: 2, body: { active: false, passwordHash: hashAt(A, 'hanmei') } });

    // B applies A's version (the feed page as its puller would, on its own SQLite file).
    const db = openTestStore(dbFile(B.dataDir));
    try {
      writeTx(db, SYSTEM_ACTOR, () => new Date(), (w) => applyHallFeedItems(w, 'hub', { items: [item] }));
    } finally {
      db.close();
    }
    expect(userAt(B, 'hanmei')).toEqual({ display_name: '韩梅', role: 'clerk', active: 0, password_hash: bHash });
  });
});
