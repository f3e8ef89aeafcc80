// Sync: draining 10,000 queued cases from the outbox to the vertical-system simulator.
//
//   node scripts/build.mjs --main-only && node --import tsx bench/sync.bench.ts
//   node bench/run.mjs sync
//
// Knobs: BENCH_SYNC_CASES (queued cases, default 10000), BENCH_SYNC_CONCURRENCY (the target's
// concurrency and the raw baseline's, default 8), BENCH_SYNC_RAW (raw posts, default = cases).
//
// The simulator runs as its own process (spawnVerticalSim), one target that honours idempotency
// keys; this process is the desk's main process and nothing else.
//   raw      plain HTTP posts of the same mapped payloads to the same target, `concurrency` at a
//            time, no outbox: the simulator's own capacity, measured in the same run
//   drain    createApp on a store with N accepted cases queued (queueClones in tests/integration/sync-support.ts: one case accepted through the
//            intake methods, then cloned row by row and enqueued with the outbox's own
//            enqueueCase, 500 per audited transaction), the sender started, timed until every
//            entry is acknowledged (polled with a COUNT every 100 ms)
// Reported: cases/s of both and their ratio; RSS and heap sampled every 250 ms during the drain
// (median of the first and last fifth, max; flat = no growth with the number of cases sent);
// event-loop delay of this (main) process during the drain (perf_hooks monitorEventLoopDelay,
// 10 ms resolution): p50, p99, max — next to the same measure idle for 3 s and during the raw
// posts, so that a busy machine's own noise can be told apart from the sender's.
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../electron/app/create-app';
import { writeSyncConfig } from '../electron/services/sync/targets-config';
import { spawnVerticalSim } from '../sim/vertical-system';
import { mapPayload } from '../electron/services/sync/field-mapping';
import { queueClones } from '../tests/integration/sync-support';
import { emitResult, envInt, load1, median, nowMs, table, tempDir } from './lib';

const CASES = envInt('BENCH_SYNC_CASES', 10_000);
const CONCURRENCY = envInt('BENCH_SYNC_CONCURRENCY', 8);
const RAW = envInt('BENCH_SYNC_RAW', CASES);

const FIELDS = [
  { name: 'externalRef', from: 'caseNo' },
  { name: 'applicantName', from: 'applicant.name' },
  { name: 'idNumber', from: 'applicant.idNumber' },
  { name: 'phone', from: 'applicant.phone' },
  { name: 'items', from: 'items[].name', join: '、' },
  { name: 'acceptedAt', from: 'acceptedAt' },
];

const mb = (b: number) => (b / 1048576).toFixed(1);
const f1 = (x: number) => x.toFixed(1);

async function main() {
  const load1AtStart = load1();
  console.log(`sync bench: ${CASES} cases, concurrency ${CONCURRENCY}, load ${load1AtStart}`);
  const sim = await spawnVerticalSim({
    dataDir: tempDir('bench-sim-'),
    targets: [{ id: 'bench', name: '基准目标', port: 0, token: 'tok-bench', honourIdempotency: true, chunkSize: 1024 * 1024 }],
  });
  try {
    const url = sim.targets.bench!;
    const dataDir = tempDir('bench-sync-');
    writeSyncConfig(dataDir, {
      version: 1,
      sender: { pollMs: 200, probeIntervalMs: 1000, backoffBaseMs: 200, backoffMaxMs: 2000 },
      targets: [
        { id: 'bench', name: '基准目标', kind: 'http', baseUrl: url, auth: { header: 'Authorization', value: 'Bearer tok-bench' }, idempotency: 'key', concurrency: CONCURRENCY, fields: FIELDS },
      ],
    });

    // ---- the queue: one real accepted case, cloned
    const prep = await createApp({ dataDir, sync: false });
    const t0 = nowMs();
    const { caseIds, doc } = await queueClones(prep, CASES - 1);
    prep.close();
    console.log(`queued ${caseIds.length + 1} cases in ${(nowMs() - t0).toFixed(0)} ms`);

    // ---- event-loop delay of this process idle (the machine's own noise), then during the raw posts
    const lagOf = (h: ReturnType<typeof monitorEventLoopDelay>) => ({ p50Ms: h.percentile(50) / 1e6, p99Ms: h.percentile(99) / 1e6, maxMs: h.max / 1e6, meanMs: h.mean / 1e6 });
    const idleLoop = monitorEventLoopDelay({ resolution: 10 });
    idleLoop.enable();
    await new Promise((r) => setTimeout(r, 3000));
    idleLoop.disable();
    const idleLag = lagOf(idleLoop);

    // ---- raw capacity: the same payloads, plain posts, no outbox
    const payload = mapPayload(doc, FIELDS);
    let next = 0;
    const rawLoop = monitorEventLoopDelay({ resolution: 10 });
    rawLoop.enable();
    const rawStart = nowMs();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async () => {
        while (next < RAW) {
          const i = next++;
          const res = await fetch(`${url}/api/cases`, {
            method: 'POST',
            headers: { 'Content-Type': 'application/json', Authorization: 'Bearer tok-bench', 'Idempotency-Key': `raw-${i}` },
            body: JSON.stringify({ ...payload, externalRef: `RAW-${i}` }),
          });
          if (res.status !== 201) throw new Error(`raw post answered ${res.status}`);
          await res.arrayBuffer();
        }
      }),
    );
    const rawMs = nowMs() - rawStart;
    rawLoop.disable();
    const rawLag = lagOf(rawLoop);
    const rawRate = (RAW / rawMs) * 1000;
    await sim.reset('bench');

    // ---- the drain
    const loop = monitorEventLoopDelay({ resolution: 10 });
    const samples: { t: number; rss: number; heap: number; acked: number }[] = [];
    const app = await createApp({ dataDir });
    const Database = (await import('better-sqlite3')).default;
    const ro = new Database(app.dbFile, { readonly: true });
    const openCount = ro.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'bench' AND state <> 'acknowledged'`).pluck();
    const drainStart = nowMs();
    loop.enable();
    let open = Number(openCount.get());
    const sampler = setInterval(() => {
      const m = process.memoryUsage();
      samples.push({ t: nowMs() - drainStart, rss: m.rss, heap: m.heapUsed, acked: CASES - open });
    }, 250);
    while (open > 0) {
      await new Promise((r) => setTimeout(r, 100));
      open = Number(openCount.get());
      if (nowMs() - drainStart > 30 * 60_000) throw new Error(`drain did not finish: ${open} open`);
    }
    const drainMs = nowMs() - drainStart;
    loop.disable();
    clearInterval(sampler);
    await app.stopSync();
    ro.close();
    app.close();
    const stored = (await sim.stats('bench')).stored;
    if (stored !== CASES) throw new Error(`simulator stored ${stored}, expected ${CASES}`);

    const drainRate = (CASES / drainMs) * 1000;
    const fifth = Math.max(1, Math.floor(samples.length / 5));
    const first = samples.slice(0, fifth);
    const last = samples.slice(-fifth);
    const memory = {
      samples: samples.length,
      rssFirstFifthMb: Number(mb(median(first.map((s) => s.rss)))),
      rssLastFifthMb: Number(mb(median(last.map((s) => s.rss)))),
      rssMaxMb: Number(mb(Math.max(...samples.map((s) => s.rss)))),
      heapFirstFifthMb: Number(mb(median(first.map((s) => s.heap)))),
      heapLastFifthMb: Number(mb(median(last.map((s) => s.heap)))),
      heapMaxMb: Number(mb(Math.max(...samples.map((s) => s.heap)))),
    };
    const lag = lagOf(loop);
    const fmtLag = (l: typeof lag) => `${l.p50Ms.toFixed(1)} / ${l.p99Ms.toFixed(1)} / ${l.maxMs.toFixed(1)} ms`;
    console.log(
      table([
        ['figure', 'value'],
        ['raw posts (no outbox)', `${f1(rawRate)} cases/s (${RAW} in ${(rawMs / 1000).toFixed(1)} s)`],
        ['outbox drain', `${f1(drainRate)} cases/s (${CASES} in ${(drainMs / 1000).toFixed(1)} s)`],
        ['ratio drain / raw', (drainRate / rawRate).toFixed(2)],
        ['RSS first / last fifth, max', `${memory.rssFirstFifthMb} / ${memory.rssLastFifthMb} MB, ${memory.rssMaxMb} MB`],
        ['heap first / last fifth, max', `${memory.heapFirstFifthMb} / ${memory.heapLastFifthMb} MB, ${memory.heapMaxMb} MB`],
        ['event-loop delay p50 / p99 / max, drain', fmtLag(lag)],
        ['  same, raw posts (no outbox)', fmtLag(rawLag)],
        ['  same, idle 3 s (machine noise)', fmtLag(idleLag)],
      ]),
    );
    emitResult({ cases: CASES, concurrency: CONCURRENCY, rawPerS: rawRate, drainPerS: drainRate, ratio: drainRate / rawRate, memory, eventLoopDelay: lag, eventLoopDelayRaw: rawLag, eventLoopDelayIdle: idleLag, load1AtStart });
  } finally {
    await sim.kill();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
