// Propagation: from a change acknowledged by the hub to that change applied at 50 desks.
//
//   node bench/run.mjs hub-propagation     (or: node --import tsx bench/hub-propagation.bench.ts)
//
// Knobs: BENCH_HUB_DESKS (pulling desks, default 50), BENCH_HUB_CHANGES (changes per pull interval,
// default 20), BENCH_HUB_PULL_MS (the pull intervals to run, default "2000,500").
//
// One throwaway PostgreSQL 15 cluster, the hub as its own process (hub/main.ts serve). A writer
// desk pushes one case at a time through the desk's client (HubConnector, signed, the answer
// verified); the change counts as acknowledged when that verified answer is in hand (the hub
// answers after its commit). 50 other desks, each enrolled with its own key and holding its own
// SQLite store (the desk's migrations and pragmas: WAL, synchronous=FULL), pull the feed with the
// desk's own puller (pullHubFeed: pages after the stored cursor, each page applied in one audited
// transaction with the cursor) on a fixed interval from a random phase, as the sender's hub loop
// does (pullMs, default 2000 ms: the value desks ship with, so this is what a hall sees; the
// second interval shows how much of the figure is the interval and how much the work). A change
// is applied at a desk when the transaction holding it has committed there. Changes are spaced by
// a random 0.5-1.5 pull intervals, so they land at every phase of the desks' pulls.
//   reported per interval: p50 / p95 / max over (desks × changes) of ack → applied; the part the
//   interval alone explains (a change waits uniformly 0..interval for the next pull: p50 ≈ ½,
//   p95 ≈ 0.95 of it); and the pull that brought a change (request, signature checks, the page's
//   transaction with its fsync) p50 / p95. All 50 desks share this process and its disk: their
//   fsyncs queue behind each other and their JavaScript on one event loop, which real desks (one
//   PC each) do not — the figures are an upper bound.
import fs from 'node:fs';
import path from 'node:path';
import { emitResult, envInt, load1, nowMs, percentile, ROOT, table, tempDir } from './lib';
import { connector, CpuWindow, enrolledDesks, fmtCpu, hubDatabase, pushBody, realCaseDocument, removeDesks, spawnHub, startCluster, type Cluster, type HubProcess } from './hub-support';
import { openStore } from '../electron/store/open-store';
import { writeTx } from '../electron/store/write';
import { pullHubFeed } from '../electron/services/hub/hub-puller';
import type { Deps } from '../electron/app/deps';
import type { CaseDocument } from '../electron/services/sync/case-document';
import { registerStoreKey, storeKeyFor } from '../electron/store/store-cipher';
import { unlockStore } from '../electron/store/unlock-store';

const DESKS = envInt('BENCH_HUB_DESKS', 50);
const CHANGES = envInt('BENCH_HUB_CHANGES', 20);
const PULLS = (process.env.BENCH_HUB_PULL_MS ?? '2000,500').split(',').map((s) => Number(s.trim()));
for (const p of PULLS) if (!(Number.isInteger(p) && p >= 10)) throw new Error(`BENCH_HUB_PULL_MS: ${p} is not an interval in ms`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Phase {
  pullMs: number;
  samples: number;
  p50: number;
  p95: number;
  max: number;
  pullP50: number;
  pullP95: number;
  cpu: ReturnType<CpuWindow['end']>;
  load1AtStart: number;
}

/** One desk's store, opened by openStore on a copy of a migrated template, the hub as its target. */
function deskStore(template: string, dataDir: string) {
  const file = path.join(dataDir, 'desk.sqlite');
  fs.copyFileSync(template, file);
  registerStoreKey(dataDir, storeKeyFor(template)!); // a copy of the template: the template's key
  const o = openStore({ file, migrationsDir: path.join(ROOT, 'migrations'), backupDir: path.join(dataDir, 'backups') });
  if (!o.ok) throw new Error(o.detail);
  return o.db;
}

async function main() {
  const load1AtStart = load1();
  console.log(`hub-propagation bench: ${DESKS} desks, ${CHANGES} changes per interval, pull every ${PULLS.join(' / ')} ms, load ${load1AtStart}`);
  const cluster = await startCluster({ prefix: 'bench-hub-prop-' });
  const doc = await realCaseDocument();
  // The template store: the desk's migrations and its hub target row, copied for every desk.
  const tdir = tempDir('bench-hub-template-');
  const template = path.join(tdir, 'desk.sqlite');
  unlockStore({ dataDir: tdir, migrate: false });
  {
    const o = openStore({ file: template, migrationsDir: path.join(ROOT, 'migrations'), backupDir: path.join(tdir, 'backups') });
    if (!o.ok) throw new Error(o.detail);
    o.db.prepare(`INSERT INTO sync_targets (id, name, kind, config, updated_at) VALUES ('hub', '全厅中心', 'hub', '{}', ?)`).run(new Date().toISOString());
    o.db.close();
  }
  const phases: Phase[] = [];
  try {
    for (const [n, pullMs] of PULLS.entries()) {
      const url = await hubDatabase(cluster, `propagation_${n}`);
      const [writer, ...pullers] = await enrolledDesks(DESKS + 1, [url], `p${n}`);
      const hub = await spawnHub(url);
      try {
        phases.push(await phase(cluster, hub, doc, pullMs, writer!, pullers, template));
      } finally {
        await hub.stop();
        removeDesks([writer!, ...pullers]);
      }
      const p = phases[phases.length - 1]!;
      console.log(`  pull every ${pullMs} ms: ack → applied at ${DESKS} desks p50 ${p.p50.toFixed(0)} / p95 ${p.p95.toFixed(0)} / max ${p.max.toFixed(0)} ms (${p.samples} samples); the pull that brought it p50 ${p.pullP50.toFixed(0)} / p95 ${p.pullP95.toFixed(0)} ms; ${fmtCpu(p.cpu)}; load ${p.load1AtStart}`);
    }
  } finally {
    cluster.stop();
    fs.rmSync(tdir, { recursive: true, force: true });
  }
  const rows = [['pull interval', 'ack → applied p50 / p95 / max', 'interval alone p50 / p95', 'the pull that brought it p50 / p95']];
  for (const p of phases) rows.push([`${p.pullMs} ms`, `${p.p50.toFixed(0)} / ${p.p95.toFixed(0)} / ${p.max.toFixed(0)} ms`, `${(p.pullMs * 0.5).toFixed(0)} / ${(p.pullMs * 0.95).toFixed(0)} ms`, `${p.pullP50.toFixed(0)} / ${p.pullP95.toFixed(0)} ms`]);
  console.log(table(rows));
  emitResult({ desks: DESKS, changes: CHANGES, phases, load1AtStart });
}

async function phase(cluster: Cluster, hub: HubProcess, doc: CaseDocument, pullMs: number, writer: { deskId: string; dataDir: string }, pullers: { deskId: string; dataDir: string }[], template: string): Promise<Phase> {
  const ack = new Map<string, number>(); // record key → when the writer held the hub's verified answer
  const applied: { key: string; at: number; pullStart: number }[] = [];
  const pullTimes: number[] = [];
  let stop = false;
  const loops = pullers.map(async (d) => {
    const db = deskStore(template, d.dataDir);
    const newSince = db.prepare(`SELECT seq, record_key FROM hub_feed_records WHERE target_id = 'hub' AND seq > ? ORDER BY seq`);
    let seen = 0;
    let pullStart = 0;
    const deps: Pick<Deps, 'db' | 'write'> = {
      db,
      write: (actor, fn) => {
        const r = writeTx(db, actor, () => new Date(), fn);
        const at = nowMs(); // committed
        for (const row of newSince.all(seen) as { seq: number; record_key: string }[]) {
          applied.push({ key: row.record_key, at, pullStart });
          seen = row.seq;
        }
        return r;
      },
    };
    const conn = connector(hub.card, hub.port, d);
    await sleep(Math.random() * pullMs); // each desk's own phase
    let next = nowMs();
    while (!stop) {
      pullStart = nowMs();
      const before = applied.length;
      await pullHubFeed(deps, conn);
      if (applied.length > before) pullTimes.push(nowMs() - pullStart);
      next += pullMs;
      // Fixed rate, as the sender's tick (a pull starts when pullMs has passed since the last one started).
      const wait = next - nowMs();
      if (wait > 0) await sleep(wait);
      else next = nowMs();
    }
    db.close();
  });
  // Let every desk pull once (their stores opened, code paths warm) before the first change.
  await sleep(pullMs + 500);
  const load1AtStart = load1();
  const cpu = new CpuWindow(hub.pid, cluster);
  const w = connector(hub.card, hub.port, writer);
  for (let i = 0; i < CHANGES; i++) {
    const body = pushBody(doc, writer.deskId, i);
    const r = await w.request('POST', '/v1/cases', body);
    if (r.status !== 201) throw new Error(`push answered ${r.status}`);
    ack.set(body.idempotencyKey, nowMs());
    await sleep(pullMs * (0.5 + Math.random()));
  }
  // Every change at every desk (or give up after a while and say so).
  const until = nowMs() + 60_000 + pullMs * 3;
  while (applied.length < CHANGES * pullers.length && nowMs() < until) await sleep(50);
  const c = cpu.end();
  stop = true;
  await Promise.all(loops);
  if (applied.length !== CHANGES * pullers.length) throw new Error(`only ${applied.length} of ${CHANGES * pullers.length} (change, desk) pairs applied`);
  const lat = applied.map((a) => a.at - ack.get(a.key)!);
  return { pullMs, samples: lat.length, p50: percentile(lat, 50), p95: percentile(lat, 95), max: Math.max(...lat), pullP50: percentile(pullTimes, 50), pullP95: percentile(pullTimes, 95), cpu: c, load1AtStart };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
