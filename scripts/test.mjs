// npm test: type check, lint, build, unit and integration tests (Vitest), end-to-end tests in
// Debian's Chromium (Playwright). Every step runs even if an earlier one failed, so one run
// shows everything; the exit code is non-zero if any step failed. The last line sums the tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const results = path.join(root, 'test-results');
rmSync(results, { recursive: true, force: true });
mkdirSync(results, { recursive: true });

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const steps = [
  ['type check', bin('tsc'), ['-p', 'shared/tsconfig.json']],
  ['type check', bin('tsc'), ['-p', 'electron/tsconfig.json']],
  ['type check', bin('tsc'), ['-p', 'renderer/tsconfig.json']],
  ['type check', bin('tsc'), ['-p', 'tsconfig.json']],
  ['lint', bin('eslint'), ['--max-warnings=0', '.']],
  ['build', process.execPath, ['scripts/build.mjs']],
  ['unit + integration', bin('vitest'), ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${path.join(results, 'unit-results.json')}`]],
  ['end-to-end', bin('playwright'), ['test']],
];

const failed = [];
const timings = [];
for (const [name, cmd, args] of steps) {
  const t0 = Date.now();
  console.log(`\n=== ${name}: ${path.basename(cmd)} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, FORCE_COLOR: '0' } });
  timings.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
  if (r.status !== 0) failed.push(`${name} (${args.join(' ')})`);
}

let passed = 0;
let failedTests = 0;
let skipped = 0;
const flaky = [];
const failedNames = [];
const unitFile = path.join(results, 'unit-results.json');
if (existsSync(unitFile)) {
  const u = JSON.parse(readFileSync(unitFile, 'utf8'));
  passed += u.numPassedTests;
  failedTests += u.numFailedTests;
  skipped += u.numPendingTests + u.numTodoTests;
  // Name every failed test at the end, where a log cut to its last lines still shows it.
  for (const file of u.testResults ?? []) {
    const where = path.relative(root, file.name);
    const failedHere = (file.assertionResults ?? []).filter((a) => a.status === 'failed');
    for (const a of failedHere) failedNames.push(`[vitest] ${where} › ${a.fullName}`);
    if (file.status === 'failed' && failedHere.length === 0) failedNames.push(`[vitest] ${where} — ${String(file.message ?? 'the file failed').split('\n')[0]}`);
  }
}
const e2eFile = path.join(results, 'e2e-results.json');
if (existsSync(e2eFile)) {
  const report = JSON.parse(readFileSync(e2eFile, 'utf8'));
  const e = report.stats;
  passed += e.expected + e.flaky;
  failedTests += e.unexpected;
  skipped += e.skipped;
  // Say why each skipped test was skipped (Playwright's list reporter does not).
  const walk = (suite, trail) => {
    for (const spec of suite.specs ?? []) {
      for (const t of spec.tests ?? []) {
        if (t.status === 'unexpected') failedNames.push(`[${t.projectName}] ${spec.file ?? ''} › ${[...trail, spec.title].join(' › ')}`);
        if (t.status === 'flaky') flaky.push(`[${t.projectName}] ${[...trail, spec.title].join(' › ')}`);
        if (t.status !== 'skipped') continue;
        const why = (t.annotations ?? []).filter((a) => a.type === 'skip').map((a) => a.description).join('; ') || 'no reason given';
        console.log(`skipped: [${t.projectName}] ${[...trail, spec.title].join(' › ')} — ${why}`);
      }
    }
    for (const child of suite.suites ?? []) walk(child, [...trail, child.title]);
  };
  for (const suite of report.suites ?? []) walk(suite, []);
}

console.log(`\nsteps: ${timings.join(', ')}`);
if (failed.length) console.log(`failed steps: ${failed.join('; ')}`);
if (failed.length && failedTests === 0) failedTests = failed.length; // a failed step with no failed test still fails the run
for (const name of failedNames) console.log(`FAILED: ${name}`);
for (const name of flaky) console.log(`FLAKY (failed, then passed on its retry): ${name}`);
console.log(`tests: ${passed} passed, ${failedTests} failed, ${skipped} skipped${flaky.length ? `, ${flaky.length} of the passed flaky` : ''}`);
process.exit(failed.length ? 1 : 0);
