import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, crashCluster, promote, sql, startStandby, usePostgres } from '../helpers/postgres';
import { auditCount, deskFeed, hubEntries, hubFeed, startHubProcess, type HubProcess } from '../helpers/hub-process';
import type { TestDesk } from '../helpers/app';
import { enrolledDesk } from '../helpers/hub-desks';
import { prng } from '../helpers/kill-points';
import { dbFile, queueClones, waitFor } from '../helpers/sync-desks';
import { freePort, type Cluster } from '../../hub/cluster';
import { migrate } from '../../hub/migrate';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';

/**
 * Failover (docs/hub.md "Standby and failover"): the hub runs against a primary with a streaming
 * standby in synchronous replication; while the desks push, at a seeded point of the hub's progress
 * (the n-th case in its feed), the primary is stopped hard (`pg_ctl stop -m immediate`), the
 * standby promoted, and the hub restarted against it. The desks carry on by themselves: the new
 * primary ends with every case once, a gap-free feed, every desk's copy of it whole, and nothing a
 * desk had been told was stored had to be re-pushed (synchronous commit: no acknowledged push lost).
 */

const DESKS = 3;
const CASES = 60;
const DB = 'hub_failover';
const SEED = process.env.HUB_KILL_SEED ? Number(process.env.HUB_KILL_SEED) : Math.floor(Math.random() * 2 ** 31);

const primary = usePostgres();
let standby: Cluster | null = null;
let port: number;
let hubCard: HubCard;
let hub: HubProcess | null = null;
const pools: pg.Pool[] = [];
const desks: { d: TestDesk; deskId: string; file: string }[] = [];

const dbUrl = (c: Cluster) => c.url.replace(/\/postgres$/, `/${DB}`);
const poolOn = (c: Cluster) => {
  const p = new pg.Pool({ connectionString: dbUrl(c), max: 2 });
  p.on('error', () => undefined); // the primary goes away under it
  pools.push(p);
  return p;
};

beforeAll(async () => {
  await createDatabase(primary.cluster, DB);
  port = await freePort();
  const p = poolOn(primary.cluster);
  await migrate(p);
  hubCard = (await hubIdentity(p)).card;
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-failover-test';
  for (let i = 0; i < DESKS; i++) {
    const deskId = `desk-f${i + 1}`;
    const d = await enrolledDesk({ pool: p, card: hubCard }, { deskId, name: `${i + 1}号窗口`, port, dir: 'hub-failover', target: { pullMs: 100 } });
    desks.push({ d, deskId, file: dbFile(d.dataDir) });
  }
  standby = await startStandby(primary.cluster, { name: 'standby1', synchronous: true });
}, 180_000);

afterAll(async () => {
  for (const { d } of desks) {
    await d.app.stopSync().catch(() => undefined);
    d.app.close();
  }
  await hub?.stop('SIGKILL');
  for (const p of pools) await p.end().catch(() => undefined);
  standby?.stop();
});

describe('failover to a synchronous streaming standby', () => {
  it('primary stopped mid-push, standby promoted, hub restarted against it: every case once, nothing acknowledged lost', async () => {
    const total = DESKS * CASES;
    const n = Math.floor(total * (0.2 + 0.6 * prng(SEED)()));
    console.log(`hub-failover: seed ${SEED} (HUB_KILL_SEED=${SEED} repeats it): the primary stops at the ${n}-th case of ${total}`);
    const onPrimary = poolOn(primary.cluster);
    expect((await sql<{ sync_state: string }>(primary.cluster, `SELECT sync_state FROM pg_stat_replication WHERE application_name = 'standby1'`))[0]?.sync_state).toBe('sync');

    hub = await startHubProcess(dbUrl(primary.cluster), port);
    await Promise.all(desks.map(({ d }) => queueClones(d.app, CASES - 1)));
    await waitFor(`the ${n}-th case in the hub`, async () => Number((await onPrimary.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n) >= n, 120_000, 20);
    crashCluster(primary.cluster);
    // The hub on the dead primary answers 503 at best; it is stopped, and the desks' sends under way come back to them.
    await hub.stop('SIGKILL');
    await waitFor('no entry in flight', () => desks.every(({ file }) => hubEntries(file).every((e) => e.state !== 'in_flight')), 60_000, 50);
    await promote(standby!);
    const onNew = poolOn(standby!);
    // Synchronous commit: everything a desk was told is stored is on the standby.
    const held = new Set((await onNew.query<{ d: string; k: string }>('SELECT desk_id AS d, idempotency_key AS k FROM cases')).rows.map((r) => `${r.d} ${r.k}`));
    let acknowledged = 0;
    for (const { deskId, file } of desks) {
      for (const e of hubEntries(file).filter((x) => x.state === 'acknowledged')) {
        acknowledged++;
        expect(held.has(`${deskId} ${e.key}`), `${deskId} ${e.key} acknowledged but not on the standby`).toBe(true);
      }
    }
    console.log(`hub-failover: ${acknowledged} acknowledged at the failover, ${held.size} on the promoted standby`);
    expect(acknowledged).toBeGreaterThan(0);

    // The hub restarted, pointed at the new primary; the desks carry on by themselves.
    hub = await startHubProcess(dbUrl(standby!), port);
    await waitFor(
      'every outbox drained and every desk holding the whole feed',
      async () => {
        if (!desks.every(({ file }) => hubEntries(file).every((e) => e.state === 'acknowledged'))) return false;
        const feed = await hubFeed(onNew);
        return feed.length === total && desks.every(({ file }) => JSON.stringify(deskFeed(file)) === JSON.stringify(feed));
      },
      120_000,
      100,
    );
    for (const { deskId, file } of desks) {
      const keys = (await onNew.query<{ k: string }>('SELECT idempotency_key AS k FROM cases WHERE desk_id = $1 ORDER BY idempotency_key', [deskId])).rows.map((r) => r.k);
      expect(keys).toEqual(hubEntries(file).map((e) => e.key).sort());
      // Nothing the hub had acknowledged was missing after the failover, so nothing was re-queued.
      expect(auditCount(file, 'hub.requeued')).toBe(0);
    }
    const feed = await hubFeed(onNew);
    expect(feed.map((l) => Number(l.split(' ')[0]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(Number((await onNew.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n)).toBe(total);
  }, 600_000);
});
