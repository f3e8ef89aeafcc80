// Sync: draining 10,000 queued cases from the outbox to the vertical-system simulator.
//
//   node scripts/build.mjs --main-only && node --import tsx bench/sync.bench.ts
//   node bench/run.mjs sync
//
// Knobs: BENCH_SYNC_CASES (queued cases, default 10000), BENCH_SYNC_CONCURRENCY (the target's
// concurrency and the raw baseline's, default 8), BENCH_SYNC_RAW (raw posts, default = cases),
// BENCH_SYNC_MODES (the sender stores to drain with, default "inline,worker"), BENCH_SYNC_ROUNDS
// (default 2: the modes run in the order given, then reversed, and so on — ABBA — so that a
// machine getting busier or quieter during the run does not favour either).
//
// The simulator runs as its own process (spawnVerticalSim), one target that honours idempotency
// keys; this process is the desk's main process and nothing else.
//   raw      plain HTTP posts of the same mapped payloads to the same target, `concurrency` at a
//            time, no outbox: the simulator's own capacity, measured in the same run (after
//            RAW/10, at most 500, untimed warm-up posts)
//   drain    createApp on a copy of a store with N accepted cases queued (queueClones in
//            tests/helpers/sync-desks.ts: one case accepted through the intake methods,
//            then cloned row by row and enqueued with the outbox's own enqueueCase, 500 per
//            audited transaction), the sender started, timed until every entry is acknowledged
//            (polled every 100 ms with a COUNT over the open-entries index), once per sender
//            store mode: `inline` = its commits on the main connection, on the main thread (the
//            sender before the store worker: the baseline), `worker` = in its worker thread
// Reported: cases/s of each and their ratio to raw; RSS and heap sampled every 250 ms during each
// drain (median of the first and last fifth, max); event-loop lag of this (main) process
// (bench/loop-lag.ts: monitorEventLoopDelay at 1 ms resolution, the delay beyond it) p50 / p99 /
// p99.9 / max, and the main loop's utilization, during each drain, the raw posts and 3 s idle —
// each next to the lag an idle sibling process saw in the same window (the machine's own noise);
// and the main thread's time inside SQLite during each drain, in contiguous sections (a statement,
// or a whole transaction with its COMMIT's fsync; bench/sqlite-main-time.ts): total, longest.
// With --expose-gc, the heap after each drain and a full GC is printed too.
import fs from 'node:fs';
import { createApp } from '../electron/app/create-app';
import { writeSyncConfig } from '../electron/services/sync/targets-config';
import type { SenderStoreMode } from '../electron/services/sync/sender-store-client';
import { spawnVerticalSim } from '../sim/vertical-system';
import { mapPayload } from '../electron/services/sync/field-mapping';
import { queueClones } from '../tests/helpers/sync-desks';
import { emitResult, envInt, load1, median, nowMs, table, tempDir } from './lib';
import { fmtLag, LoopLag, type Lag } from './loop-lag';
import { instrumentSqlite, type SqliteMeter, type SqliteTime } from './sqlite-main-time';

const CASES = envInt('BENCH_SYNC_CASES', 10_000);
const CONCURRENCY = envInt('BENCH_SYNC_CONCURRENCY', 8);
const RAW = envInt('BENCH_SYNC_RAW', CASES);
const MODES = (process.env.BENCH_SYNC_MODES ?? 'inline,worker').split(',').map((m) => m.trim()) as SenderStoreMode[];
const ROUNDS = envInt('BENCH_SYNC_ROUNDS', 2);
for (const m of MODES) if (m !== 'inline' && m !== 'worker') throw new Error(`BENCH_SYNC_MODES: unknown mode ${m}`);

const FIELDS = [
  { name: 'externalRef', from: 'caseNo' },
  { name: 'applicantName', from: 'applicant.name' },
  { name: 'idNumber', from: 'applicant.idNumber' },
  { name: 'phone', from: 'applicant.phone' },
  { name: 'items', from: 'items[].name', join: '、' },
  { name: 'acceptedAt', from: 'acceptedAt' },
];

const mb = (b: number) => Number((b / 1048576).toFixed(1));
const f1 = (x: number) => x.toFixed(1);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Measured {
  lag: Lag;
  noise: Lag;
  utilization: number;
}

interface Drain extends Measured {
  mode: SenderStoreMode;
  /** This (main) thread's time inside SQLite during the drain, in contiguous sections. */
  sqlite: SqliteTime;
  round: number;
  perS: number;
  ms: number;
  load1AtStart: number;
  memory: { rssFirstFifthMb: number; rssLastFifthMb: number; rssMaxMb: number; heapFirstFifthMb: number; heapLastFifthMb: number; heapMaxMb: number };
}

async function main() {
  const load1AtStart = load1();
  console.log(`sync bench: ${CASES} cases, concurrency ${CONCURRENCY}, modes ${MODES.join(',')} × ${ROUNDS} rounds, load ${load1AtStart}`);
  const probe = await LoopLag.start();
  const meter = instrumentSqlite();
  const simDir = tempDir('bench-sim-');
  const queueDir = tempDir('bench-sync-');
  const sim = await spawnVerticalSim({
    dataDir: simDir,
    targets: [{ id: 'bench', name: '基准目标', port: 0, token: 'tok-bench', honourIdempotency: true, chunkSize: 1024 * 1024 }],
  });
  try {
    const url = sim.targets.bench!;
    writeSyncConfig(queueDir, {
      version: 1,
      sender: { pollMs: 200, probeIntervalMs: 1000, backoffBaseMs: 200, backoffMaxMs: 2000 },
      targets: [
        { id: 'bench', name: '基准目标', kind: 'http', baseUrl: url, auth: { header: 'Authorization', value: 'Bearer tok-bench' }, idempotency: 'key', concurrency: CONCURRENCY, fields: FIELDS },
      ],
    });

    // ---- the queue: one real accepted case, cloned; every drain gets its own copy of the store
    const prep = await createApp({ dataDir: queueDir, sync: false });
    const t0 = nowMs();
    const { caseIds, doc } = await queueClones(prep, CASES - 1);
    prep.close();
    console.log(`queued ${caseIds.length + 1} cases in ${(nowMs() - t0).toFixed(0)} ms`);

    // ---- idle: this process doing nothing (after a settle second), the probe beside it
    await sleep(1000);
    let w = await probe.begin();
    await sleep(3000);
    const idle = await w.end();

    // ---- raw capacity: the same payloads, plain posts, no outbox
    const payload = mapPayload(doc, FIELDS);
    const warmUp = Math.min(500, Math.ceil(RAW / 10));
    let next = -warmUp;
    const post = async (i: number) => {
      const res = await fetch(`${url}/api/cases`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok-bench', 'Idempotency-Key': `raw-${i}` },
        body: JSON.stringify({ ...payload, externalRef: `RAW-${i}` }),
      });
      if (res.status !== 201) throw new Error(`raw post answered ${res.status}`);
      await res.arrayBuffer();
    };
    // Warm-up (not timed): the simulator's and this process's code paths compiled, sockets open.
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < 0) await post(next++);
      }),
    );
    w = await probe.begin();
    const rawStart = nowMs();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < RAW) await post(next++);
      }),
    );
    const rawMs = nowMs() - rawStart;
    const raw = await w.end();
    const rawRate = (RAW / rawMs) * 1000;

    // ---- the drains, ABBA
    const drains: Drain[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      for (const mode of round % 2 ? MODES : [...MODES].reverse()) {
        await sim.reset('bench');
        await sleep(500);
        const dataDir = tempDir(`bench-sync-${mode}-`);
        fs.cpSync(queueDir, dataDir, { recursive: true });
        drains.push(await drain(dataDir, mode, round, probe, meter));
        const stored = (await sim.stats('bench')).stored;
        if (stored !== CASES) throw new Error(`${mode}: simulator stored ${stored}, expected ${CASES}`);
        fs.rmSync(dataDir, { recursive: true, force: true });
        const d = drains[drains.length - 1]!;
        console.log(
          `  round ${round} ${mode}: ${f1(d.perS)} cases/s, lag ${fmtLag(d.lag)} (noise ${fmtLag(d.noise)}), loop busy ${(d.utilization * 100).toFixed(0)} %, ` +
            `in SQLite ${fmtSqlite(d.sqlite, d.ms)}, load ${d.load1AtStart}`,
        );
      }
    }

    const rows: string[][] = [['figure', 'value']];
    rows.push(['raw posts (no outbox)', `${f1(rawRate)} cases/s (${RAW} in ${(rawMs / 1000).toFixed(1)} s)`]);
    for (const mode of MODES) {
      const ds = drains.filter((d) => d.mode === mode);
      const rate = median(ds.map((d) => d.perS));
      rows.push([`drain, ${mode} (${ds.length} runs, median)`, `${f1(rate)} cases/s, ×${(rate / rawRate).toFixed(2)} raw`]);
      const m = (k: keyof Lag, of: 'lag' | 'noise') => median(ds.map((d) => d[of][k]));
      const lagMed = { p50Ms: m('p50Ms', 'lag'), p99Ms: m('p99Ms', 'lag'), p999Ms: m('p999Ms', 'lag'), maxMs: m('maxMs', 'lag'), meanMs: m('meanMs', 'lag'), count: 0 };
      const noiseMed = { p50Ms: m('p50Ms', 'noise'), p99Ms: m('p99Ms', 'noise'), p999Ms: m('p999Ms', 'noise'), maxMs: m('maxMs', 'noise'), meanMs: m('meanMs', 'noise'), count: 0 };
      rows.push([`  lag p50/p99/p99.9/max`, fmtLag(lagMed)]);
      rows.push([`  same, idle probe beside it`, fmtLag(noiseMed)]);
      rows.push([`  main loop busy`, `${(median(ds.map((d) => d.utilization)) * 100).toFixed(0)} %`]);
      const sq = (k: keyof SqliteTime) => median(ds.map((d) => d.sqlite[k]));
      rows.push([`  main thread in SQLite`, fmtSqlite({ sections: Math.round(sq('sections')), totalMs: sq('totalMs'), maxMs: sq('maxMs'), over10Ms: Math.round(sq('over10Ms')) }, median(ds.map((d) => d.ms)))]);
      const mem = (k: keyof Drain['memory']) => median(ds.map((d) => d.memory[k])).toFixed(1);
      rows.push([`  RSS first / last fifth, max`, `${mem('rssFirstFifthMb')} / ${mem('rssLastFifthMb')} MB, ${Math.max(...ds.map((d) => d.memory.rssMaxMb))} MB`]);
      rows.push([`  heap first / last fifth, max`, `${mem('heapFirstFifthMb')} / ${mem('heapLastFifthMb')} MB, ${Math.max(...ds.map((d) => d.memory.heapMaxMb))} MB`]);
    }
    rows.push(['raw posts: lag p50/p99/p99.9/max', `${fmtLag(raw.lag)} (probe ${fmtLag(raw.noise)}), loop busy ${(raw.utilization * 100).toFixed(0)} %`]);
    rows.push(['idle 3 s: lag p50/p99/p99.9/max', `${fmtLag(idle.lag)} (probe ${fmtLag(idle.noise)})`]);
    console.log(table(rows));
    emitResult({ cases: CASES, concurrency: CONCURRENCY, rounds: ROUNDS, rawPerS: rawRate, raw, idle, drains, load1AtStart });
  } finally {
    await sim.kill();
    probe.close();
    for (const dir of [simDir, queueDir]) fs.rmSync(dir, { recursive: true, force: true });
  }
}

const fmtSqlite = (t: SqliteTime, drainMs: number) =>
  `${t.totalMs.toFixed(0)} ms (${((t.totalMs / drainMs) * 100).toFixed(1)} % of the drain) in ${t.sections} sections, longest ${t.maxMs.toFixed(1)} ms, ${t.over10Ms} over 10 ms`;

async function drain(dataDir: string, mode: SenderStoreMode, round: number, probe: LoopLag, meter: SqliteMeter): Promise<Drain> {
  const load1AtStart = load1();
  const samples: { rss: number; heap: number }[] = [];
  const { openDeskDb } = await import('../electron/store/store-cipher');
  const app = await createApp({ dataDir, syncStore: mode, backups: false }); // the daily backup's cost is bench/backup.bench.ts'
  // The window opens once the app is up (opening the store is start-up, not the drain).
  const w = await probe.begin();
  meter.start();
  const ro = openDeskDb(app.dbFile, { readonly: true });
  // Uses the partial index outbox_open: cheap, and cheaper as the queue empties.
  const openCount = ro.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'bench' AND state NOT IN ('acknowledged', 'superseded')`).pluck();
  const start = nowMs();
  const sampler = setInterval(() => {
    const m = process.memoryUsage();
    samples.push({ rss: m.rss, heap: m.heapUsed });
  }, 250);
  try {
    while (Number(openCount.get()) > 0) {
      await sleep(100);
      if (nowMs() - start > 30 * 60_000) throw new Error(`${mode}: drain did not finish`);
    }
  } finally {
    clearInterval(sampler);
  }
  const ms = nowMs() - start;
  const sqlite = meter.stop();
  const measured = await w.end();
  await app.stopSync();
  ro.close();
  app.close();
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) {
    gc();
    console.log(`  ${mode}: heap after the drain and a full GC ${mb(process.memoryUsage().heapUsed)} MB`);
  }
  const fifth = Math.max(1, Math.floor(samples.length / 5));
  const first = samples.slice(0, fifth);
  const last = samples.slice(-fifth);
  return {
    mode,
    round,
    perS: (CASES / ms) * 1000,
    ms,
    load1AtStart,
    ...measured,
    sqlite,
    memory: {
      rssFirstFifthMb: mb(median(first.map((s) => s.rss))),
      rssLastFifthMb: mb(median(last.map((s) => s.rss))),
      rssMaxMb: mb(Math.max(...samples.map((s) => s.rss))),
      heapFirstFifthMb: mb(median(first.map((s) => s.heap))),
      heapLastFifthMb: mb(median(last.map((s) => s.heap))),
      heapMaxMb: mb(Math.max(...samples.map((s) => s.heap))),
    },
  };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
