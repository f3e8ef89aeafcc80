// The daily backup at a realistic size: a store of BENCH_BACKUP_CASES cases (100,000 by default:
// bench/search-store.ts's generated load), backed up by store/backups.ts's writeBackupSync
// (VACUUM INTO on its own read-only connection, fsync, reopen + quick_check, rename, folder fsync).
//
//   node bench/run.mjs backup            (after npm run build: the worker bundle is used)
//
// Two ways, interleaved, BENCH_RUNS each (3 by default):
//   worker   runInBackgroundWorker('store.backup', …) as the app does: the main thread's event-loop lag
//            while it runs is what the page would feel (next to an idle sibling's lag, the noise)
//   inline   the same function on the main thread: the stall the page would see if it ran there
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../electron/app/create-app';
import { writeBackupSync, type BackupInfo } from '../electron/store/backups';
import { runInBackgroundWorker } from '../electron/workers/run-in-worker';
import { fillStore } from './search-store';
import { emitResult, envInt, load1, nowMs, table, tempDir } from './lib';
import { fmtLag, LoopLag } from './loop-lag';

const CASES = envInt('BENCH_BACKUP_CASES', 100_000);
const RUNS = envInt('BENCH_RUNS', 3);
const f1 = (n: number) => n.toFixed(1);

async function main(): Promise<void> {
  const dir = tempDir('desk-bench-backup-');
  const seeded = await createApp({ dataDir: dir, sync: false, backups: false });
  const dbFile = seeded.dbFile;
  seeded.close();
  let t = nowMs();
  fillStore(dbFile, CASES, CASES);
  const mib = fs.statSync(dbFile).size / 1024 / 1024;
  console.log(`store of ${CASES} applicants and ${CASES} cases built in ${f1((nowMs() - t) / 1000)} s, ${f1(mib)} MiB`);
  const backupDir = path.join(dir, 'backups');
  const probe = await LoopLag.start();
  const rows: string[][] = [['way', 'run', 'total', 'main-thread lag p50 / p99 / p99.9 / max', 'noise (idle sibling) max', 'backup MiB']];
  const results: Record<string, { totalMs: number[]; lagMaxMs: number[] }> = { worker: { totalMs: [], lagMaxMs: [] }, inline: { totalMs: [], lagMaxMs: [] } };
  try {
    for (let run = 1; run <= RUNS; run++) {
      for (const way of ['worker', 'inline'] as const) {
        const name = `daily-bench-${way}-${run}.sqlite`;
        const w = await probe.begin();
        t = nowMs();
        const b: BackupInfo = way === 'worker' ? await runInBackgroundWorker<BackupInfo>('store.backup', { dbFile, backupDir, name }) : writeBackupSync(dbFile, backupDir, name);
        const totalMs = nowMs() - t;
        const { lag, noise } = await w.end();
        results[way]!.totalMs.push(totalMs);
        // Inline, the loop is blocked for the whole call: the histogram cannot sample inside it, the stall is the total.
        results[way]!.lagMaxMs.push(way === 'inline' ? totalMs : lag.maxMs);
        rows.push([way, String(run), `${f1(totalMs)} ms`, way === 'inline' ? `blocked for the whole ${f1(totalMs)} ms` : fmtLag(lag), `${f1(noise.maxMs)} ms`, f1(b.size / 1024 / 1024)]);
        fs.rmSync(b.file);
      }
    }
  } finally {
    probe.close();
  }
  console.log(table(rows));
  emitResult({ cases: CASES, storeMiB: Number(f1(mib)), runs: RUNS, load1: load1(), ...results });
  fs.rmSync(dir, { recursive: true, force: true });
  process.exit(0);
}

void main();
