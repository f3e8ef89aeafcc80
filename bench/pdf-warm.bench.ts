// The first commitment PDF after a desk start, cold against warm (the image lane's warm worker,
// electron/workers/worker-limits.ts), in the same run.
//
//   node scripts/build.mjs --main-only && node bench/run.mjs pdf-warm
//
// Knobs: BENCH_PDF_WARM_ROUNDS (rounds, default 8; each starts one cold and one warm desk, the
// order alternating round by round), BENCH_PDF_WARM_IDLE_MS (from ready to the signature: the
// clerk's time with the applicant before it, default 10000; the warm-up starts 2000 ms after ready).
//
// Each desk is its own process (bench/pdf-warm-desk.ts: the worker lanes are the process's) on a
// fresh copy of one seeded data folder, so each is an ordinary start of an existing store. Figures
// per desk: the first intake.signCommitment (what the applicant waits for at the window), a second
// one (a worker that has made a PDF already: the floor), the start itself (createApp to ready,
// the first sign-in) and, from ready to the signature, the main thread's answer time to a call
// every 50 ms and its event-loop delay (does warming disturb the desk?), the process's CPU time
// and, at the signature, its RSS (the cost of one idle warmed worker to a desk that never makes a PDF).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { emitResult, envInt, load1, median, ROOT, table, tempDir } from './lib';

const ROUNDS = envInt('BENCH_PDF_WARM_ROUNDS', 8);
const IDLE_MS = envInt('BENCH_PDF_WARM_IDLE_MS', 10000);
const DESK = path.join(ROOT, 'bench', 'pdf-warm-desk.ts');

interface LaneState { workers: number; started: number; warmed: number }
interface Desk {
  warm: boolean;
  readyMs: number;
  signInMs: number;
  pingP50: number;
  pingMax: number;
  pings: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  cpuMsInWindow: number;
  rssMb: number;
  laneBefore: LaneState | null;
  warmLog: { event: string; ms: number } | null;
  firstMs: number;
  laneAfterFirst: LaneState | null;
  secondMs: number;
}

function runDesk(dataDir: string, warm: boolean, mode?: 'seed'): Promise<Desk> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', DESK, dataDir, mode ?? String(IDLE_MS)], {
      cwd: ROOT,
      env: { ...process.env, DESK_WARM_WORKERS: warm ? '1' : '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`desk exited with ${code}:\n${out}`));
      if (mode === 'seed') return resolve(null as unknown as Desk);
      const m = /^PDF_WARM_DESK (.*)$/m.exec(out);
      if (!m) return reject(new Error(`no result line:\n${out}`));
      resolve(JSON.parse(m[1]!) as Desk);
    });
  });
}

/** A copy of the seeded folder with its key file beside it (store/store-key.ts: `<folder>.store-key`). */
function copyDesk(seeded: string, parent: string, name: string): string {
  const dir = path.join(parent, name);
  fs.cpSync(seeded, dir, { recursive: true });
  fs.copyFileSync(`${seeded}.store-key`, `${dir}.store-key`);
  return dir;
}

const f0 = (x: number) => x.toFixed(0);
const f1 = (x: number) => x.toFixed(1);

async function main(): Promise<void> {
  const loadAtStart = load1();
  if (!fs.existsSync(path.join(ROOT, 'dist', 'electron', 'worker.cjs'))) throw new Error('dist/electron/worker.cjs missing: run "node scripts/build.mjs --main-only" first');
  const parent = tempDir('desk-bench-pdf-warm-');
  try {
    const seeded = path.join(parent, 'seeded');
    await runDesk(seeded, false, 'seed');
    const cold: Desk[] = [];
    const warm: Desk[] = [];
    const ratios: number[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? [false, true] : [true, false];
      const got: Partial<Record<'cold' | 'warm', Desk>> = {};
      for (const w of order) {
        const d = await runDesk(copyDesk(seeded, parent, `r${r}-${w ? 'warm' : 'cold'}`), w);
        got[w ? 'warm' : 'cold'] = d;
      }
      cold.push(got.cold!);
      warm.push(got.warm!);
      ratios.push(got.cold!.firstMs / got.warm!.firstMs);
      const wl = got.warm!.laneBefore;
      console.log(
        `round ${r + 1}/${ROUNDS}: first commitment cold ${f0(got.cold!.firstMs)} ms, warm ${f0(got.warm!.firstMs)} ms (×${ratios[r]!.toFixed(2)}); ` +
          `second ${f0(got.cold!.secondMs)} / ${f0(got.warm!.secondMs)} ms; warm lane at the signature: ${wl ? `${wl.workers} worker, ${wl.warmed} warmed` : 'none'}, ` +
          `warm-up ${got.warm!.warmLog ? `${got.warm!.warmLog.ms} ms` : '—'}; load ${load1()}`,
      );
    }

    const med = (ds: Desk[], k: keyof Desk) => median(ds.map((d) => d[k] as number));
    const rows: [keyof Desk, string, (x: number) => string][] = [
      ['firstMs', 'first commitment after the start (signCommitment), ms', f0],
      ['secondMs', 'second commitment (worker already used), ms', f0],
      ['readyMs', 'createApp → ready, ms', f0],
      ['signInMs', 'first sign-in after ready, ms', f1],
      ['pingP50', 'system.status answer in the window, p50 ms', f1],
      ['pingMax', 'system.status answer in the window, max ms', f1],
      ['loopDelayP99Ms', 'main event-loop delay in the window, p99 ms', f1],
      ['loopDelayMaxMs', 'main event-loop delay in the window, max ms', f1],
      ['cpuMsInWindow', `process CPU time, ready → ready + ${IDLE_MS} ms, ms`, f0],
      ['rssMb', 'process RSS at the signature, MiB', f1],
    ];
    console.log(`\npdf-warm: ${ROUNDS} rounds, one cold and one warm desk each (order alternating), signature at ready + ${IDLE_MS} ms; medians over the rounds; load avg at start ${loadAtStart}, at end ${load1()}`);
    console.log(table([['', 'cold', 'warm', 'cold / warm'], ...rows.map(([k, label, f]) => [label, f(med(cold, k)), f(med(warm, k)), (med(cold, k) / med(warm, k)).toFixed(2)])]));
    const ratio = median(ratios);
    const rssDelta = median(warm.map((w, i) => w.rssMb - cold[i]!.rssMb));
    const warmUp = median(warm.filter((w) => w.warmLog).map((w) => w.warmLog!.ms));
    const warmedInTime = warm.filter((w) => w.laneBefore?.warmed === 1).length;
    const startedByFirst = warm.filter((w) => (w.laneAfterFirst?.started ?? 0) > 1).length;
    console.log(
      `\nfirst commitment cold / warm: median of the rounds' ratios ×${ratio.toFixed(2)} (range ×${Math.min(...ratios).toFixed(2)}–×${Math.max(...ratios).toFixed(2)}); ` +
        `warm desks warmed before the signature: ${warmedInTime}/${ROUNDS}, a worker started by the first job in ${startedByFirst}; ` +
        `warm-up in the worker (log worker.warmed) median ${f0(warmUp)} ms; RSS of one idle warmed worker (warm − cold, same round) median ${f1(rssDelta)} MiB`,
    );
    emitResult({
      bench: 'pdf-warm',
      load1AtStart: loadAtStart,
      rounds: ROUNDS,
      idleMs: IDLE_MS,
      firstColdOverWarmMedianRatio: ratio,
      ratios,
      medians: Object.fromEntries(rows.map(([k]) => [k, { cold: med(cold, k), warm: med(warm, k) }])),
      warmUpMs: warmUp,
      warmedInTime,
      idleWorkerRssMb: rssDelta,
      cold,
      warm,
    });
  } finally {
    fs.rmSync(parent, { recursive: true, force: true }); // the data folders and their key files beside them
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
