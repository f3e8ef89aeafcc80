// The reconnect catch-up of a desk that was cut off from the hub (docs/hub.md, "Backfill and long
// offline periods"): N cases queued while the hub is unreachable, then the hub reachable again —
// the time until every hub entry is acknowledged AND the desk has pulled the feed to its end (its
// own N cases back); against an online desk queuing the same N cases while connected, timed from
// the queue's commit to the same end. Reported: both times, cases/s, and their ratio.
//
//   node bench/run.mjs hub-reconnect       (or: node --import tsx bench/hub-reconnect.bench.ts)
//
// Knobs: BENCH_RECONNECT_CASES (default 500), BENCH_RECONNECT_ROUNDS (default 2: online,
// reconnect, reconnect, online — ABBA).
//
// Real parts: a throwaway PostgreSQL 15 cluster (fsync on), the hub in its own process (tsx), each
// round a fresh desk (createApp, its own SQLite file and key, enrolled) in this process; the hub's
// case and feed tables emptied before each round so every round pulls the same feed. The cases are
// queued bench-style (tests/helpers/sync-desks.ts queueClones: one case accepted through the
// intake methods, cloned and enqueued with the outbox's own enqueueCase). The cut-off desk reaches
// the hub through a loopback relay that is closed (connections refused) while it queues, and opened
// to reconnect; the desk notices at its next probe (probeIntervalMs 1 s here; 15 s by default).
// Sender settings as bench/hub-drain.bench.ts (pollMs 200 ms), the hub target's pullMs 200 ms.
import pg from 'pg';
import { createApp, type DeskApp } from '../electron/app/create-app';
import { writeSyncConfig } from '../electron/services/sync/targets-config';
import { createDeskKeys } from '../electron/services/transfer/desk-keys';
import { enrolDesk } from '../hub/trust';
import { freePort } from '../hub/cluster';
import { queueClones } from '../tests/helpers/sync-desks';
import { CuttableProxy } from '../tests/helpers/cuttable-proxy';
import { emitResult, envInt, load1, median, nowMs, table, tempDir } from './lib';
import { hubDatabase, hubTarget, spawnHub, startCluster } from './hub-support';
import { openDeskDb } from '../electron/store/store-cipher';

const CASES = envInt('BENCH_RECONNECT_CASES', 500);
const ROUNDS = envInt('BENCH_RECONNECT_ROUNDS', 2);
const SENDER = { pollMs: 200, probeIntervalMs: 1000, backoffBaseMs: 200, backoffMaxMs: 2000 };

type Variant = 'online' | 'reconnect';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function deskState(file: string): { open: number; pulled: number } {
  const db = openDeskDb(file, { readonly: true });
  try {
    const open = (db.prepare(`SELECT count(*) AS n FROM outbox_entries WHERE target_id = 'hub' AND state NOT IN ('acknowledged', 'superseded')`).get() as { n: number }).n;
    const pulled = (db.prepare(`SELECT COALESCE(max(seq), 0) AS n FROM hub_feed_records`).get() as { n: number }).n;
    return { open, pulled };
  } finally {
    db.close();
  }
}

async function main(): Promise<void> {
  const cluster = await startCluster({ prefix: 'pfd-bench-pg-' });
  const url = await hubDatabase(cluster, 'hub_reconnect');
  const hub = await spawnHub(url);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-reconnect-bench';
  const order: Variant[] = [];
  for (let r = 0; r < ROUNDS; r++) order.push(...((r % 2 === 0 ? ['online', 'reconnect'] : ['reconnect', 'online']) as Variant[]));

  const runs: { variant: Variant; ms: number; load: number }[] = [];
  for (const [i, variant] of order.entries()) {
    await pool.query(`TRUNCATE cases, feed, request_nonces; UPDATE feed_counter SET last_seq = 0`);
    const dataDir = tempDir(`bench-reconnect-${i}-`);
    const keys = createDeskKeys(dataDir, { deskId: `desk-r${i}`, name: `${i + 1}号窗口`, zone: 'intranet', signAlg: 'ed25519' });
    await enrolDesk(pool, keys.card, '基准');
    const relay = new CuttableProxy(await freePort(), () => hub.port); // closed until opened: connections refused
    const port = variant === 'online' ? hub.port : relay.port;
    writeSyncConfig(dataDir, { version: 1, sender: SENDER, targets: [hubTarget(hub.card, port, { pullMs: 200 })] });
    const app: DeskApp = await createApp({ dataDir, backups: false });
    const file = app.dbFile;
    // Settled first: online, caught up with the (empty) feed; cut off, the hub seen unreachable.
    await sleep(1500);
    await queueClones(app, CASES - 1);
    const load = load1();
    const t0 = nowMs();
    if (variant === 'reconnect') await relay.open();
    for (;;) {
      const s = deskState(file);
      if (s.open === 0 && s.pulled > 0) {
        const last = Number((await pool.query<{ n: string }>('SELECT COALESCE(max(seq), 0) AS n FROM feed')).rows[0]!.n);
        if (s.pulled === last && last >= CASES) break;
      }
      if (nowMs() - t0 > 300_000) throw new Error(`${variant}: not caught up in 300 s (${JSON.stringify(s)})`);
      await sleep(20);
    }
    const ms = nowMs() - t0;
    runs.push({ variant, ms, load });
    console.log(`  ${variant}: ${CASES} cases pushed and pulled back in ${(ms / 1000).toFixed(2)} s (load ${load})`);
    await app.stopSync();
    app.close();
    await relay.cut();
  }

  const of = (v: Variant) => median(runs.filter((r) => r.variant === v).map((r) => r.ms));
  const online = of('online');
  const reconnect = of('reconnect');
  console.log(`${CASES} cases, ${ROUNDS} round(s) each (ABBA), load ${load1()}`);
  console.log(
    table([
      ['desk', 'median s', 'cases/s'],
      ['online (queued while connected)', (online / 1000).toFixed(2), ((CASES * 1000) / online).toFixed(0)],
      ['reconnect (queued cut off, then relay opened)', (reconnect / 1000).toFixed(2), ((CASES * 1000) / reconnect).toFixed(0)],
      ['ratio reconnect / online', (reconnect / online).toFixed(2), ''],
    ]),
  );
  await hub.stop();
  await pool.end();
  cluster.stop();
  emitResult({ cases: CASES, rounds: ROUNDS, onlineMs: online, reconnectMs: reconnect, ratio: reconnect / online, runs });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
