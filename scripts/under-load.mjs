#!/usr/bin/env node
// Runs one command while the machine is loaded the way CI loads it: `--vitest K` background
// `npx vitest run <glob>` runs (restarted as they end) and `--spin N` busy loops. Prints the
// load average while the command runs and ends every process it started, by its own pid (each
// background child leads its own process group).
//
//   node scripts/under-load.mjs [--spin 2] [--vitest 2] [--glob 'tests/integration/sync-*.test.ts'] -- npx vitest run tests/integration/sync-faults.test.ts
//
// For showing that a test does not depend on the machine's speed; not part of `npm test`.
import { spawn } from 'node:child_process';
import os from 'node:os';

const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
if (sep < 0 || sep === argv.length - 1) {
  console.error('usage: node scripts/under-load.mjs [--spin N] [--vitest K] [--glob G] -- <command…>');
  process.exit(2);
}
const opts = { spin: 2, vitest: 2, glob: 'tests/integration/sync-*.test.ts' };
for (let i = 0; i < sep; i += 2) {
  const key = argv[i].replace(/^--/, '');
  if (!(key in opts)) throw new Error(`unknown option ${argv[i]}`);
  opts[key] = key === 'glob' ? argv[i + 1] : Number(argv[i + 1]);
}
const command = argv.slice(sep + 1);

const background = new Set();
let stopping = false;

function startBackground(cmd, args) {
  const child = spawn(cmd, args, { stdio: 'ignore', detached: true });
  background.add(child);
  child.on('exit', () => {
    background.delete(child);
    if (!stopping) startBackground(cmd, args);
  });
}

for (let i = 0; i < opts.spin; i++) startBackground(process.execPath, ['-e', 'for(;;){}']);
for (let i = 0; i < opts.vitest; i++) startBackground('npx', ['vitest', 'run', opts.glob]);

const samples = [];
const sampler = setInterval(() => samples.push(os.loadavg()[0]), 5_000);

const target = spawn(command[0], command.slice(1), { stdio: 'inherit' });
const code = await new Promise((resolve) => target.on('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));

stopping = true;
clearInterval(sampler);
for (const child of background) {
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // already gone
  }
}
const peak = samples.length ? Math.max(...samples) : os.loadavg()[0];
const mean = samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : os.loadavg()[0];
console.log(`under-load: ${opts.spin} busy loops, ${opts.vitest} × vitest ${opts.glob}; 1-min load average while it ran: mean ${mean.toFixed(1)}, peak ${peak.toFixed(1)} (${samples.length} samples, ${os.cpus().length} cores); exit ${code}`);
process.exit(code);
