// The packaging smoke test, run on an unpacked packaged desk (electron-builder --dir):
//
//   node scripts/smoke-packaged.mjs --app release/linux-unpacked --arch x64 [--max-glibc 2.28]
//   (Linux: under xvfb-run; Windows: --app release/win-unpacked)
//
// 1. the fuses read back (scripts/check-fuses.mjs), 2. better-sqlite3's .node outside the asar:
// architecture and, on Linux, highest GLIBC (scripts/check-native.mjs), 3. the app started in
// smoke mode (DESK_SMOKE_EXIT=1) on an empty data folder: it writes its ready file — packaged,
// no demo, store ready, each worker bundle run once from inside app.asar — and quits, 4. the CLI
// inside the executable (`--cli audit-verify`) on that folder. Exit 0 when all hold.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { checkFuses } from './check-fuses.mjs';
import { inspectNative, problems } from './check-native.mjs';

const { values } = parseArgs({ options: { app: { type: 'string' }, arch: { type: 'string' }, 'max-glibc': { type: 'string' } } });
if (!values.app || !values.arch) {
  console.error('usage: node scripts/smoke-packaged.mjs --app UNPACKED_DIR --arch x64|arm64 [--max-glibc 2.28]');
  process.exit(2);
}
const appDir = path.resolve(values.app);
const failures = [];
const step = (name, ok, detail) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${name}${detail ? `: ${detail}` : ''}`);
  if (!ok) failures.push(name);
};

const executable = process.platform === 'win32' ? path.join(appDir, '无证明办理工作台.exe') : path.join(appDir, 'proof-free-desk');
step('executable present', existsSync(executable), executable);

const fuses = await checkFuses(executable).catch((e) => ({ fuses: {}, wrong: [e.message] }));
step('fuses', fuses.wrong.length === 0, fuses.wrong.join('; ') || JSON.stringify(fuses.fuses));

const nodeFile = path.join(appDir, 'resources', 'app.asar.unpacked', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
if (existsSync(nodeFile)) {
  const info = inspectNative(readFileSync(nodeFile));
  const found = problems(info, { arch: values.arch, maxGlibc: values['max-glibc'] });
  step('better-sqlite3 native module', found.length === 0, found.join('; ') || JSON.stringify(info));
} else step('better-sqlite3 native module', false, `missing: ${nodeFile}`);

const dataDir = mkdtempSync(path.join(os.tmpdir(), 'desk-smoke-'));
const readyFile = path.join(dataDir, 'ready.json');
const run = spawnSync(executable, [], {
  env: { ...process.env, DESK_DATA_DIR: dataDir, DESK_E2E_READY_FILE: readyFile, DESK_SMOKE_EXIT: '1' },
  encoding: 'utf8',
  timeout: 120_000,
});
step('started and quit by itself', run.status === 0, `exit ${run.status}${run.error ? ` ${run.error.message}` : ''}${run.stderr ? `\n${run.stderr.slice(-2000)}` : ''}`);
let ready = null;
try {
  ready = JSON.parse(readFileSync(readyFile, 'utf8'));
} catch (e) {
  step('ready file', false, e.message);
}
if (ready) {
  step('ready file', ready.ready === true && ready.url === 'app://desk/index.html', JSON.stringify({ url: ready.url }));
  step('packaged, no demo, store ready', ready.packaged === true && ready.demo === false && ready.state === 'ready', JSON.stringify({ packaged: ready.packaged, demo: ready.demo, state: ready.state }));
  const workers = Object.entries(ready.workers ?? {});
  step('each worker bundle ran once from inside app.asar', workers.length === 4 && workers.every(([, r]) => r.ok), JSON.stringify(ready.workers));
}
const cli = spawnSync(executable, ['--cli', 'audit-verify', '--data-dir', dataDir], { encoding: 'utf8', timeout: 60_000 });
step('--cli audit-verify', cli.status === 0, `exit ${cli.status} ${cli.stdout.trim()} ${cli.stderr.trim()}`);
console.log(`data folder: ${dataDir} (${readdirSync(dataDir).join(', ')})`);

console.log(failures.length ? `smoke test FAILED: ${failures.join(', ')}` : 'smoke test passed');
process.exit(failures.length ? 1 : 0);
