// Runs every bench (TypeScript, through tsx) one after the other, shows their
// output and writes the collected results to bench/results/latest.json.
//   npm run bench          (builds first; BENCH_* knobs such as BENCH_RUNS / BENCH_OPS / BENCH_INTAKE_CASES pass through)
//   node bench/run.mjs intake cold-start     (only the benches whose file names start with these)
//   node bench/run.mjs hub                   (the four hub benches: hub-ingest, hub-propagation, hub-memory, hub-drain)
//   node bench/run.mjs pdf-warm              (the first commitment PDF after a desk start, cold vs warm)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const PREFIX = 'BENCH_RESULT ';
const benches = ['at-rest.bench.ts', 'audited-write.bench.ts', 'backup.bench.ts', 'cold-start.bench.ts', 'file-put.bench.ts', 'gm.bench.ts', 'hall-tasks.bench.ts', 'hub-audit-witness.bench.ts', 'hub-case-list.bench.ts', 'hub-credit.bench.ts', 'hub-drain.bench.ts', 'hub-ingest.bench.ts', 'hub-memory.bench.ts', 'hub-propagation.bench.ts', 'hub-reconnect.bench.ts', 'intake.bench.ts', 'pdf-warm.bench.ts', 'scan.bench.ts', 'sync.bench.ts', 'transfer.bench.ts', 'verification.bench.ts'];

/** Runs one bench; echoes its output except the result line, which it returns parsed. */
function runBench(file) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(here, file)], { cwd: root, stdio: ['ignore', 'pipe', 'inherit'] });
    let buffered = '';
    let result = null;
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      buffered += chunk;
      const lines = buffered.split('\n');
      buffered = lines.pop();
      for (const line of lines) {
        if (line.startsWith(PREFIX)) result = JSON.parse(line.slice(PREFIX.length));
        else process.stdout.write(line + '\n');
      }
    });
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 && result ? resolve(result) : reject(new Error(`${file} failed (exit ${code})`))));
  });
}

const started = new Date();
const loadAtStart = os.loadavg();
const results = {};
const only = process.argv.slice(2);
const selected = only.length ? benches.filter((b) => only.some((o) => b.startsWith(o))) : benches;
if (selected.length === 0) throw new Error(`no bench matches ${only.join(', ')}; known: ${benches.join(', ')}`);
for (const file of selected) {
  console.log(`\n== ${file} ==`);
  results[file.replace('.bench.ts', '')] = await runBench(file);
}

const out = {
  date: started.toISOString(),
  node: process.version,
  cpus: os.cpus().length,
  loadAvgAtStart: loadAtStart,
  env: Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('BENCH_'))),
  results,
};
fs.mkdirSync(path.join(here, 'results'), { recursive: true });
const file = path.join(here, 'results', 'latest.json');
fs.writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
console.log(`\nresults written to ${path.relative(root, file)}`);
