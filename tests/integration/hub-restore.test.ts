import path from 'node:path';
import { openTestStore, testStoreKey } from '../helpers/store';
import { registerStoreKey } from '../../electron/store/store-cipher';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, dumpDatabase, restoreDatabase, usePostgres } from '../helpers/postgres';
import { auditCount, deskFeed, hubEntries, hubFeed, hubTargetFor, startHubProcess, type HubProcess } from '../helpers/hub-process';
import type { TestDesk } from '../helpers/app';
import { enrolledDesk } from '../helpers/hub-desks';
import { MIGRATIONS, tempDir } from '../helpers/temp';
import { dbFile, queueClones, TEST_REQUEST_TIMEOUT_MS, waitFor } from '../helpers/sync-desks';
import { freePort } from '../../hub/cluster';
import { migrate } from '../../hub/migrate';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { feedCursor, pullHubFeed } from '../../electron/services/hub/hub-puller';
import { openStore } from '../../electron/store/open-store';
import { writeTx } from '../../electron/store/write';
import type { Deps } from '../../electron/app/deps';

/**
 * The hub's PostgreSQL restored from a real backup (pg_dump) older than the desks' state: the
 * desks re-push what the restored hub does not hold (they compare what it holds with the entries
 * it acknowledged), their feed copies notice the rewound feed and are read again, and the hall
 * ends with everything, once, and a feed without a gap (docs/hub.md "After a restore").
 */

const DESKS = 3;
const ROUND = 30;
const DB = 'hub_restore';

const pgc = usePostgres();
let url: string;
let port: number;
let pool: pg.Pool | null = null;
let hubCard: HubCard;
let hub: HubProcess | null = null;
const desks: { d: TestDesk; deskId: string; file: string }[] = [];

const openPool = () => (pool = new pg.Pool({ connectionString: url, max: 2 }));
const drained = () => desks.every(({ file }) => hubEntries(file).every((e) => e.state === 'acknowledged'));

async function hubCases(deskId: string): Promise<string[]> {
  return (await pool!.query<{ k: string }>('SELECT idempotency_key AS k FROM cases WHERE desk_id = $1 ORDER BY idempotency_key', [deskId])).rows.map((r) => r.k);
}

/** Every desk holds exactly the hub's feed (numbers, owners, keys). */
async function feedsEqual(): Promise<boolean> {
  const want = await hubFeed(pool!);
  return desks.every(({ file }) => JSON.stringify(deskFeed(file)) === JSON.stringify(want));
}

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, DB);
  port = await freePort();
  openPool();
  await migrate(pool!);
  hubCard = (await hubIdentity(pool!)).card;
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-restore-test';
  for (let i = 0; i < DESKS; i++) {
    const deskId = `desk-r${i + 1}`;
    const d = await enrolledDesk({ pool: pool!, card: hubCard }, { deskId, name: `${i + 1}号窗口`, port, dir: 'hub-restore', target: { pullMs: 100 } });
    desks.push({ d, deskId, file: dbFile(d.dataDir) });
  }
}, 180_000);

afterAll(async () => {
  for (const { d } of desks) {
    await d.app.stopSync().catch(() => undefined);
    d.app.close();
  }
  await hub?.stop('SIGKILL');
  await pool?.end();
});

describe('the hub restored from an older backup', () => {
  it('desks re-push what the restored hub lacks; every case once, the feed gap-free, every desk’s feed copy read again', async () => {
    hub = await startHubProcess(url, port);
    // Round 1, then the backup.
    await Promise.all(desks.map(({ d }) => queueClones(d.app, ROUND - 1)));
    await waitFor('round 1 acknowledged and pulled', async () => drained() && (await hubFeed(pool!)).length === DESKS * ROUND && (await feedsEqual()), 120_000, 100);
    const backup = dumpDatabase(pgc.cluster, DB);
    // A copy of desk 1's store as it is now: it has read the feed exactly up to the backup's end.
    const early = path.join(tempDir('hub-restore-early-'), 'desk.sqlite');
    const live = openTestStore(desks[0]!.file, { readonly: true });
    // VACUUM INTO keeps the store's cipher and key (the online backup API would write it in plaintext).
    live.prepare('VACUUM INTO ?').run(early);
    live.close();
    registerStoreKey(path.dirname(early), testStoreKey(desks[0]!.file)!);
    const inBackup = new Map<string, string[]>();
    for (const { deskId } of desks) inBackup.set(deskId, await hubCases(deskId));

    // Round 2, acknowledged and pulled by every desk: the state the backup does not have.
    await Promise.all(desks.map(({ d }) => queueClones(d.app, ROUND - 1)));
    await waitFor('round 2 acknowledged and pulled', async () => drained() && (await hubFeed(pool!)).length === 2 * DESKS * ROUND && (await feedsEqual()), 120_000, 100);

    // The hub goes down; the desks keep working (round 3 waits in their outboxes); the database is restored from the backup.
    await hub.stop();
    await Promise.all(desks.map(({ d }) => queueClones(d.app, 9)));
    await pool!.end();
    pool = null;
    await restoreDatabase(pgc.cluster, DB, backup);
    openPool();
    // The restored hub holds round 1 only, its feed numbered 1..90 again.
    for (const { deskId } of desks) expect(await hubCases(deskId)).toEqual(inBackup.get(deskId));
    expect((await hubFeed(pool!)).length).toBe(DESKS * ROUND);

    hub = await startHubProcess(url, port);
    const total = DESKS * (2 * ROUND + 10);
    await waitFor('every desk re-pushed, drained and read the feed again', async () => drained() && (await hubFeed(pool!)).length === total && (await feedsEqual()), 180_000, 100);

    for (const { deskId, file } of desks) {
      // Exactly the desk's entries on the hub, each once (the key is the cases table's key per desk).
      expect(await hubCases(deskId)).toEqual(hubEntries(file).map((e) => e.key).sort());
      expect(hubEntries(file)).toHaveLength(2 * ROUND + 10);
      // Round 2's 30 entries were acknowledged before the restore and lacking after it: each re-queued once.
      expect(auditCount(file, 'hub.requeued')).toBe(ROUND);
      // The desk's cursor (past the restored feed's end, or at a row that is now another one) was detected and its copy read again.
      expect(auditCount(file, 'hub.feedReset')).toBeGreaterThanOrEqual(1);
    }
    // The feed after the restore: 1..N without a gap, one item per case.
    const feed = await hubFeed(pool!);
    expect(feed.map((l) => Number(l.split(' ')[0]))).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    expect(new Set(feed.map((l) => l.split(' ').slice(1).join(' '))).size).toBe(total);
    expect(Number((await pool!.query<{ n: string }>('SELECT count(*) AS n FROM cases')).rows[0]!.n)).toBe(total);

    // A desk whose copy ends at or before the restore point keeps it: the row at its cursor is the same row; it reads on.
    const o = openStore({ file: early, migrationsDir: MIGRATIONS, backupDir: tempDir('hub-restore-early-backup-') });
    if (!o.ok) throw new Error(o.detail);
    const deps = { db: o.db, write: (actor, fn) => writeTx(o.db, actor, () => new Date(), fn) } as Pick<Deps, 'db' | 'write'>;
    try {
      expect(feedCursor(deps, 'hub')).toBe(DESKS * ROUND);
      const before = deskFeed(early);
      const r = await pullHubFeed(deps, new HubConnector(hubTargetFor(hubCard, port), desks[0]!.d.dataDir, 14, TEST_REQUEST_TIMEOUT_MS));
      expect(r.reset).toBeUndefined();
      expect(r.records).toBe(total - DESKS * ROUND);
      const after = deskFeed(early);
      expect(after.slice(0, before.length)).toEqual(before);
      expect(after).toEqual(feed);
    } finally {
      o.db.close();
    }
  }, 600_000);
});
