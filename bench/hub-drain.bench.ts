// The desk's sync of the hub beside the vertical-system drain: N queued cases drained to a
// simulated vertical system by a desk without a hub target, and by the same desk with one.
//
//   node bench/run.mjs hub-drain           (or: node --import tsx bench/hub-drain.bench.ts)
//
// Knobs: BENCH_HUB_DRAIN_CASES (queued cases, default 5000), BENCH_SYNC_CONCURRENCY (the vertical
// target's, default 8 as in bench/sync.bench.ts), BENCH_HUB_ROUNDS (default 2: without, with,
// with, without — ABBA), BENCH_HUB_PULL_MS (the hub target's pull interval, default 2000: the
// desks' default), BENCH_HUB_PIN (default 1, see below), BENCH_HUB_DRAIN_VARIANTS (default
// "without,with").
//
// The vertical system is the simulator (sim/vertical-system, its own process, honouring
// idempotency keys); the hub is hub/main.ts serve (its own process) on a throwaway PostgreSQL 15
// cluster, the desk enrolled with its own key. Two queues are prepared like bench/sync.bench.ts's
// (one case accepted through the intake methods, cloned and enqueued with the outbox's own
// enqueueCase): `without` has the vertical target only; `with` has the same target and the hub
// target (concurrency 4, the default), so every case has an entry for each. Each drain runs
// createApp (the app's sender, its store worker) on a fresh copy and is timed from the app up to
// every **vertical** entry acknowledged (polled every 100 ms); with the hub, the hub's entries are
// pushed at the same time and the desk pulls the feed (its own cases back) every pull interval,
// as a desk does. Before each `with` drain the hub's tables are emptied, so it never answers
// "duplicate" for a case of an earlier round.
// Reported: vertical cases/s without and with the hub and their ratio (the issue: the hub must not
// slow the drain by more than 10 %), how far the hub's entries had got when the vertical drain
// ended and how long they took to finish, and the CPU seconds of this process (the desk), the
// hub and PostgreSQL in the timed window. A real hall runs its hub and PostgreSQL on a server, not
// on the window PC: so, by default, the hub and PostgreSQL are pinned to the last core and the desk
// and the simulator to the others (taskset, in both variants; BENCH_HUB_PIN=0 leaves all on all
// cores, where the hub's and PostgreSQL's own work competes with the desk's for the CPU).
import fs from 'node:fs';
import os from 'node:os';
import pg from 'pg';
import { openDeskDb } from '../electron/store/store-cipher';
import { createApp } from '../electron/app/create-app';
import { writeSyncConfig } from '../electron/services/sync/targets-config';
import { readDeskCard, createDeskKeys } from '../electron/services/transfer/desk-keys';
import { enrolDesk } from '../hub/trust';
import { spawnVerticalSim } from '../sim/vertical-system';
import { queueClones } from '../tests/helpers/sync-desks';
import { emitResult, envInt, load1, median, nowMs, table, tempDir } from './lib';
import { CpuWindow, fmtCpu, hubDatabase, hubTarget, pin, pinPostgres, spawnHub, startCluster, type Cluster, type HubProcess } from './hub-support';

const CASES = envInt('BENCH_HUB_DRAIN_CASES', 5000);
const CONCURRENCY = envInt('BENCH_SYNC_CONCURRENCY', 8);
const ROUNDS = envInt('BENCH_HUB_ROUNDS', 2);
const PULL_MS = envInt('BENCH_HUB_PULL_MS', 2000);
/** BENCH_HUB_DRAIN_VARIANTS=with (e.g. under --cpu-prof) runs one side only. */
/**
 * BENCH_HUB_PIN (default 1 on a machine with 2 or more cores): the hub and PostgreSQL on the last
 * core, the desk (this process, its threads) and the vertical simulator on the others, in both
 * variants — the nearest this one machine comes to a hub on its own server. 0: no pinning.
 */
const PIN = process.env.BENCH_HUB_PIN !== '0' && os.cpus().length >= 2;
const VARIANTS = (process.env.BENCH_HUB_DRAIN_VARIANTS ?? 'without,with').split(',').map((v) => v.trim()) as Variant[];

const FIELDS = [
  { name: 'externalRef', from: 'caseNo' },
  { name: 'applicantName', from: 'applicant.name' },
  { name: 'idNumber', from: 'applicant.idNumber' },
  { name: 'phone', from: 'applicant.phone' },
  { name: 'items', from: 'items[].name', join: '、' },
  { name: 'acceptedAt', from: 'acceptedAt' },
];
const SENDER = { pollMs: 200, probeIntervalMs: 1000, backoffBaseMs: 200, backoffMaxMs: 2000 };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

type Variant = 'without' | 'with';
interface Drain {
  variant: Variant;
  round: number;
  ms: number;
  perS: number;
  /** With the hub: its entries acknowledged when the vertical drain ended, and when all were. */
  hubAckedAtEnd?: number;
  hubDoneMs?: number;
  cpu: ReturnType<CpuWindow['end']>;
  load1AtStart: number;
}

async function main() {
  const load1AtStart = load1();
  console.log(`hub-drain bench: ${CASES} cases, vertical concurrency ${CONCURRENCY}, hub pull every ${PULL_MS} ms, ${ROUNDS} rounds, ${PIN ? 'pinned' : 'not pinned'}, load ${load1AtStart}`);
  const cluster = await startCluster({ prefix: 'bench-hub-drain-' });
  const url = await hubDatabase(cluster, 'drain');
  const hub = await spawnHub(url);
  const last = os.cpus().length - 1;
  if (PIN) {
    pinPostgres(cluster, String(last));
    pin(hub.pid, String(last));
    pin(process.pid, last === 1 ? '0' : `0-${last - 1}`); // before the simulator starts: it inherits this
    console.log(`pinned: hub and PostgreSQL on CPU ${last}, this desk and the simulator on CPU ${last === 1 ? '0' : `0-${last - 1}`}`);
  }
  const simDir = tempDir('bench-hub-sim-');
  const sim = await spawnVerticalSim({ dataDir: simDir, targets: [{ id: 'bench', name: '基准目标', port: 0, token: 'tok-bench', honourIdempotency: true, chunkSize: 1024 * 1024 }] });
  const vertical = { id: 'bench', name: '基准目标', kind: 'http' as const, baseUrl: sim.targets.bench!, auth: { header: 'Authorization', value: 'Bearer tok-bench' }, idempotency: 'key' as const, concurrency: CONCURRENCY, fields: FIELDS };
  const queues: Record<Variant, string> = { without: tempDir('bench-hub-q-without-'), with: tempDir('bench-hub-q-with-') };
  const db = new pg.Pool({ connectionString: url, max: 1 });
  const drains: Drain[] = [];
  try {
    // The desk with the hub: its key, enrolled by the supervisor; the same desk without has no hub target.
    const card = createDeskKeys(queues.with, { deskId: 'drain-desk', name: '1号窗口', zone: 'intranet', signAlg: 'ed25519' }).card;
    await enrolDesk(db, card, '基准');
    writeSyncConfig(queues.without, { version: 1, sender: SENDER, targets: [vertical] });
    writeSyncConfig(queues.with, { version: 1, sender: SENDER, targets: [vertical, hubTarget(hub.card, hub.port, { pullMs: PULL_MS })] });
    for (const v of ['without', 'with'] as Variant[]) {
      const prep = await createApp({ dataDir: queues[v], sync: false, backups: false });
      const t = nowMs();
      await queueClones(prep, CASES - 1);
      prep.close();
      console.log(`queued ${CASES} cases (${v} the hub) in ${(nowMs() - t).toFixed(0)} ms`);
    }
    if (!readDeskCard(queues.with)) throw new Error('the desk has no key card');
    for (let round = 1; round <= ROUNDS; round++) {
      for (const v of round % 2 ? VARIANTS : [...VARIANTS].reverse()) {
        await sim.reset('bench');
        await db.query(`TRUNCATE cases, feed, request_nonces; UPDATE feed_counter SET last_seq = 0`);
        await sleep(500);
        const dataDir = tempDir(`bench-hub-drain-${v}-`);
        fs.cpSync(queues[v], dataDir, { recursive: true });
        const d = await drain(dataDir, v, round, cluster, hub);
        drains.push(d);
        const stored = (await sim.stats('bench')).stored;
        if (stored !== CASES) throw new Error(`${v}: the vertical system stored ${stored}, expected ${CASES}`);
        if (v === 'with') {
          const held = Number((await db.query('SELECT count(*) AS n FROM cases')).rows[0].n);
          if (held !== CASES) throw new Error(`the hub holds ${held} cases, expected ${CASES}`);
        }
        fs.rmSync(dataDir, { recursive: true, force: true });
        console.log(
          `  round ${round} ${v} the hub: ${d.perS.toFixed(0)} vertical cases/s (${(d.ms / 1000).toFixed(1)} s)` +
            (v === 'with' ? `; hub entries acknowledged by then ${d.hubAckedAtEnd}/${CASES}, all after ${((d.hubDoneMs ?? 0) / 1000).toFixed(1)} s` : '') +
            `; ${fmtCpu(d.cpu)}; load ${d.load1AtStart}`,
        );
      }
    }
  } finally {
    await sim.kill();
    await hub.stop();
    await db.end();
    cluster.stop();
    for (const dir of [simDir, ...Object.values(queues)]) fs.rmSync(dir, { recursive: true, force: true });
  }
  const rate = (v: Variant) => median(drains.filter((d) => d.variant === v).map((d) => d.perS));
  const without = rate('without');
  const withHub = rate('with');
  console.log(
    table([
      ['figure', 'value'],
      [`vertical drain without the hub (median of ${ROUNDS})`, `${without.toFixed(0)} cases/s`],
      [`vertical drain with the hub (median of ${ROUNDS})`, `${withHub.toFixed(0)} cases/s`],
      ['ratio with / without', `×${(withHub / without).toFixed(3)} (the issue asks ≥ ×0.90)`],
    ]),
  );
  emitResult({ cases: CASES, concurrency: CONCURRENCY, rounds: ROUNDS, pullMs: PULL_MS, pinned: PIN, withoutPerS: without, withPerS: withHub, ratio: withHub / without, drains, load1AtStart });
}

async function drain(dataDir: string, variant: Variant, round: number, cluster: Cluster, hub: HubProcess): Promise<Drain> {
  const load1AtStart = load1();
  const app = await createApp({ dataDir, backups: false });
  const cpu = new CpuWindow(hub.pid, cluster);
  const ro = openDeskDb(app.dbFile, { readonly: true });
  const open = (target: string) => Number(ro.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = ? AND state NOT IN ('acknowledged', 'superseded')`).pluck().get(target));
  const start = nowMs();
  try {
    while (open('bench') > 0) {
      await sleep(100);
      if (nowMs() - start > 30 * 60_000) throw new Error(`${variant}: the drain did not finish`);
    }
    const ms = nowMs() - start;
    const c = cpu.end();
    const d: Drain = { variant, round, ms, perS: (CASES / ms) * 1000, cpu: c, load1AtStart };
    if (variant === 'with') {
      d.hubAckedAtEnd = CASES - open('hub');
      while (open('hub') > 0) {
        await sleep(100);
        if (nowMs() - start > 30 * 60_000) throw new Error('the hub entries did not drain');
      }
      d.hubDoneMs = nowMs() - start;
    }
    return d;
  } finally {
    await app.stopSync();
    ro.close();
    app.close();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
