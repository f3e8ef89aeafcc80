// What FileStore.put costs when the file is new, and when it already exists (the check before
// an existing content-addressed file is trusted: size, then its bytes compared with the bytes
// in hand, then file and folder fsynced), against the old trust-by-name (the hash of the bytes and
// an existsSync). Every put hashes the bytes first (their name), in all three columns.
//
//   npx tsx bench/file-put.bench.ts        (BENCH_RUNS=30 per size by default)
//
// Sizes 100 KB (a thumbnail or small page), 1 MB (a scanned page), 10 MB (a large PDF). Each
// run stores new random bytes (a new name), then puts the same bytes again; interleaved so disk
// noise hits all variants alike. Figures are p50 per put, in ms.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { FileStore } from '../electron/services/files/file-store';
import { emitResult, envInt, load1, ms, nowMs, percentile, table, tempDir } from './lib';

const RUNS = envInt('BENCH_RUNS', 30);
const SIZES = [100 * 1024, 1024 * 1024, 10 * 1024 * 1024];

function main(): void {
  const loadAtStart = load1();
  const store = new FileStore(path.join(tempDir('desk-bench-files-'), 'files'), undefined, { key: randomBytes(32) }); // sealed, as the desk keeps them
  const results: Record<string, { newP50: number; existingP50: number; existsOnlyP50: number }> = {};
  const rows: string[][] = [['size', 'new file (write, fsync, rename, fsync dir)', 'existing (size, compare, fsync)', 'existing, before (hash + existsSync)']];
  for (const size of SIZES) {
    const fresh: number[] = [];
    const again: number[] = [];
    const byName: number[] = [];
    for (let i = 0; i < RUNS + 3; i++) {
      const bytes = randomBytes(size);
      let t = nowMs();
      const sha = store.put(bytes);
      const tNew = nowMs() - t;
      t = nowMs();
      store.put(bytes);
      const tAgain = nowMs() - t;
      // The old put of an existing file: the hash of the bytes, then trust by name.
      t = nowMs();
      fs.existsSync(store.pathOf(createHash('sha256').update(bytes).digest('hex')));
      const tName = nowMs() - t;
      if (!fs.existsSync(store.pathOf(sha))) throw new Error('not stored');
      if (i < 3) continue; // warm-up
      fresh.push(tNew);
      again.push(tAgain);
      byName.push(tName);
    }
    const label = size >= 1024 * 1024 ? `${size / 1024 / 1024} MB` : `${size / 1024} KB`;
    results[label] = { newP50: percentile(fresh, 50), existingP50: percentile(again, 50), existsOnlyP50: percentile(byName, 50) };
    rows.push([label, ms(percentile(fresh, 50), 2), ms(percentile(again, 50), 2), ms(percentile(byName, 50), 2)]);
  }
  console.log(`load ${loadAtStart}; ${RUNS} runs per size, p50 per put`);
  console.log(table(rows));
  emitResult({ loadAtStart, runs: RUNS, results });
}

main();
