import pg from 'pg';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { waitFor } from '../helpers/sync-desks';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';

/**
 * Lockouts across the hall (docs/hub.md, "Lockouts across the hall"), against a real PostgreSQL,
 * the real hub in process and three desks with their own SQLite files:
 * - wrong passwords tried in parallel at three desks lock the user at all three once the hall's
 *   count reaches the limit (no desk reached it on its own), and the right password is then
 *   refused at every desk with the local lock's message and its remaining time;
 * - the lock ends by each desk's monotonic clock (a test clock moved on, not waited for);
 * - a desk that cannot reach the hub counts on its own, and reports its failures when the hub is
 *   back, so the other desks then refuse the user too.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
let proxy: CuttableProxy;
const desks: Record<'A' | 'B' | 'C', TestDesk> = {} as never;
/** How far each desk's monotonic clock has been moved on (the lock's length is measured on it). */
const skipped: Record<'A' | 'B' | 'C', number> = { A: 0, B: 0, C: 0 };

async function attempt(d: TestDesk, username: string, password: string): Promise<string> {
  const r = await d.raw('auth.signIn', { username, password });
  return r.ok ? 'OK' : `${r.error.code}: ${r.error.message}`;
}

const hallRow = async (username: string) =>
  (await pool.query<{ failures: number; lock_seq: string; locked: boolean }>('SELECT failures, lock_seq, COALESCE(locked_until > now(), false) AS locked FROM hall_lockouts WHERE username = $1', [username])).rows[0];

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_lockouts');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-lockouts-test';
  proxy = new CuttableProxy(await freePort(), () => hub.port);
  await proxy.open();
  for (const [name, port] of [['A', hub.port], ['B', hub.port], ['C', proxy.port]] as const) {
    desks[name] = await enrolledDesk(hall, { deskId: `desk-${name.toLowerCase()}`, port, dir: 'hub-lockouts', app: { monotonic: () => performance.now() + skipped[name] } });
  }
}, 180_000);

afterAll(async () => {
  for (const d of Object.values(desks)) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await proxy?.cut();
  await pool?.end();
  await hub?.close();
});

describe('lockouts across the hall', () => {
  it('wrong guesses spread over three desks in parallel lock the user at all three; the right password is refused at every desk; the lock ends by the monotonic clock', async () => {
    // Three wrong guesses at each desk, all at once: no desk reaches 5 on its own, the hall does.
    const guesses = (['A', 'B', 'C'] as const).flatMap((n) => [1, 2, 3].map((i) => attempt(desks[n], 'zhangmin', `Wrong-guess-${n}${i}`)));
    const outcomes = await Promise.all(guesses);
    for (const o of outcomes) expect(o).toMatch(/^(INVALID_CREDENTIALS|ACCOUNT_LOCKED): /);
    expect(outcomes.filter((o) => o.startsWith('ACCOUNT_LOCKED')).length).toBeGreaterThanOrEqual(1);

    // The hall: exactly one lock began (a late failure neither reset the count nor began another).
    const row = await hallRow('zhangmin');
    expect(row).toEqual({ failures: 0, lock_seq: '1', locked: true });
    const counted = (await pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM hall_lockout_events WHERE username = 'zhangmin' AND outcome = 'failure'`)).rows[0]!.n;
    expect(counted).toBeGreaterThanOrEqual(5);
    expect(counted).toBeLessThanOrEqual(9);

    // The right password is refused at every desk, with the local lock's message and the time left.
    for (const n of ['A', 'B', 'C'] as const) {
      expect(await attempt(desks[n], 'zhangmin', DEMO_PASSWORD)).toBe('ACCOUNT_LOCKED: 账号已锁定，请15分钟后再试，或请管理员解锁。');
      expect(deskRows<{ n: number }>(desks[n], `SELECT count(*) AS n FROM audit_log WHERE action = 'auth.hallLockTaken'`)[0]!.n).toBe(1);
    }

    // 14 minutes later on the desks' monotonic clocks: one minute left, at every desk.
    for (const n of ['A', 'B', 'C'] as const) skipped[n] += 14 * 60_000;
    for (const n of ['A', 'B', 'C'] as const) expect(await attempt(desks[n], 'zhangmin', DEMO_PASSWORD)).toBe('ACCOUNT_LOCKED: 账号已锁定，请1分钟后再试，或请管理员解锁。');

    // The lock's length has passed: the right password signs in; the desk's success ends the hall's lock it saw end.
    for (const n of ['A', 'B', 'C'] as const) skipped[n] += 60_000 + 1000;
    expect(await attempt(desks.A, 'zhangmin', DEMO_PASSWORD)).toBe('OK');
    await waitFor('the hub ends the lock A saw end', async () => (await hallRow('zhangmin'))?.locked === false || null);
    expect(await attempt(desks.B, 'zhangmin', DEMO_PASSWORD)).toBe('OK');
    expect(await hallRow('zhangmin')).toEqual({ failures: 0, lock_seq: '1', locked: false });
  }, 120_000);

  it('a desk that cannot reach the hub counts on its own and reports its failures when back; the other desks then refuse the user', async () => {
    await proxy.cut();
    // C alone: its own count decides (the hub's check fails fast and is not waited for).
    for (let i = 1; i <= 4; i++) expect(await attempt(desks.C, 'liuyang', `Wrong-offline-${i}`)).toBe(`INVALID_CREDENTIALS: 用户名或密码错误，再错${5 - i}次账号将被锁定。`);
    expect(await attempt(desks.C, 'liuyang', 'Wrong-offline-5')).toBe('ACCOUNT_LOCKED: 密码连续输错5次，账号已锁定15分钟，可请管理员解锁。');
    expect(await attempt(desks.C, 'liuyang', DEMO_PASSWORD)).toBe('ACCOUNT_LOCKED: 账号已锁定，请15分钟后再试，或请管理员解锁。');
    // The hall has not heard of them yet: the user still signs in at A.
    expect(await hallRow('liuyang')).toBeUndefined();
    expect(deskRows<{ n: number }>(desks.C, `SELECT count(*) AS n FROM hall_lockout_reports WHERE username = 'liuyang' AND outcome = 'failure' AND sent_at IS NULL`)[0]!.n).toBe(5);
    expect(await attempt(desks.A, 'liuyang', DEMO_PASSWORD)).toBe('OK');

    // The hub is back: C's five failures are reported (once each) and lock the user hall-wide.
    await proxy.open();
    await waitFor('C reports its failures', async () => (await hallRow('liuyang'))?.locked || null);
    // The hub holds them from its commit; C marks them sent when the answer is back, a moment later.
    await waitFor('C marks its reports sent', () => deskRows<{ n: number }>(desks.C, `SELECT count(*) AS n FROM hall_lockout_reports WHERE sent_at IS NULL`)[0]!.n === 0 || null);
    expect((await pool.query(`SELECT count(*)::int AS n FROM hall_lockout_events WHERE username = 'liuyang' AND outcome = 'failure' AND desk_id = 'desk-c'`)).rows[0].n).toBe(5);
    for (const n of ['A', 'B'] as const) expect(await attempt(desks[n], 'liuyang', DEMO_PASSWORD)).toBe('ACCOUNT_LOCKED: 账号已锁定，请15分钟后再试，或请管理员解锁。');

    // A supervisor's unlock at B ends it at the hall too.
    const admin = (await desks.B.signIn('admin')).token;
    const id = (await desks.B.call('users.list', {}, admin)).find((u) => u.username === 'liuyang')!.id;
    await desks.B.call('users.unlock', { id }, admin);
    await waitFor('the hub ends the lock at the supervisor\u2019s unlock', async () => (await hallRow('liuyang'))?.locked === false || null);
    expect(await attempt(desks.B, 'liuyang', DEMO_PASSWORD)).toBe('OK');
  }, 120_000);
});
