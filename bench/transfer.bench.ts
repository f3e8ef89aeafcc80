// Transfer bundles (docs/transfer.md): export and import of cases with 3 scanned pages each
// (files of BENCH_TRANSFER_PAGE_KB KB, random bytes so nothing compresses), through the real CLI
// (`cli.cjs bundle-export` / `bundle-import`) as a gateway script runs it, each under /usr/bin/time
// for its peak RSS. Sizes: BENCH_TRANSFER_SIZES (comma-separated case counts), by default a tenth,
// once and twice BENCH_TRANSFER_CASES (10,000): bounded memory means the peaks stay the same.
//
// Throughput is given as a ratio to `tar -cf - files | sha256sum` over the same page files in the
// same run (the cost of just reading and hashing them once): ratio = baseline time / our time,
// so 1.0 means "as fast as tar+sha256sum", 0.5 "half as fast". Also timed for reference:
// `tar -xf` of those files into an empty folder (creating them, which an import has to do too).
//
// BENCH_TRANSFER_COMPARE=/path/to/other/dist/electron/cli.cjs runs that CLI too, on copies of the
// same desks in the same run (e.g. a build of the code before a change; it needs a migrations/
// folder and node_modules beside its dist/). At the middle size the import also runs inside this
// process, once on the main thread (inlineRunner) and once in the app's transfer worker
// (workerRunner), with the main thread's event-loop delay measured (monitorEventLoopDelay, 10 ms).
//
//   node --import tsx bench/transfer.bench.ts     (needs dist/: node scripts/build.mjs --main-only)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp } from '../electron/app/create-app';
import { writeSyncConfig } from '../electron/services/sync/targets-config';
import { openTransfer } from '../electron/services/transfer/open-transfer';
import { pairPeer, readDesk, setupDesk } from '../electron/services/transfer/desk-setup';
import { enqueueCase } from '../electron/services/sync/outbox';
import { FileStore } from '../electron/services/files/file-store';
import { inlineRunner, workerRunner } from '../electron/services/transfer/transfer-runner';
import { emitResult, envInt, load1, table, tempDir } from './lib';

const CASES = envInt('BENCH_TRANSFER_CASES', 10_000);
const SIZES = (process.env.BENCH_TRANSFER_SIZES ?? `${Math.max(1, Math.round(CASES / 10))},${CASES},${CASES * 2}`).split(',').map(Number);
const COMPARE = process.env.BENCH_TRANSFER_COMPARE ?? '';
const PAGES = 3;
const PAGE_KB = envInt('BENCH_TRANSFER_PAGE_KB', 8);
/** Caps the CLI's V8 old space (MB) to tell live memory from lazy garbage collection; 0 = Node's default. */
const HEAP_MB = envInt('BENCH_TRANSFER_HEAP_MB', 0);
const CLI = path.resolve(__dirname, '..', 'dist', 'electron', 'cli.cjs');
const ACTOR = { userId: null, username: 'bench' };
const mb = (b: number) => (b / 1048576).toFixed(1);

async function desk(zone: 'intranet' | 'extranet'): Promise<string> {
  const dataDir = tempDir(`bench-transfer-${zone}-`);
  writeSyncConfig(dataDir, {
    version: 1,
    targets: [{ id: 'prov', name: '省平台', kind: 'http', baseUrl: 'http://127.0.0.1:9/', idempotency: 'key', zones: ['extranet'], fields: [{ name: 'externalRef', from: 'caseNo' }] }],
  });
  const app = await createApp({ dataDir, sync: false });
  app.close();
  const t = openTransfer(dataDir);
  setupDesk(t.ctx, ACTOR, { zone, name: zone, signAlg: 'ed25519' });
  t.close();
  return dataDir;
}

/** Accepted cases with their pages, written straight into the store (the intake path is benched elsewhere). */
function fill(dataDir: string, cases: number): number {
  const t = openTransfer(dataDir);
  const { db } = t.ctx;
  const files = new FileStore(path.join(dataDir, 'files'));
  const applicant = db.prepare('SELECT id FROM applicants ORDER BY id LIMIT 1').pluck().get() as number;
  const catalog = db.prepare('SELECT id FROM catalog_versions ORDER BY id DESC LIMIT 1').pluck().get() as number;
  const item = db.prepare('SELECT id FROM service_items ORDER BY id LIMIT 1').pluck().get() as number;
  const user = db.prepare('SELECT id FROM users ORDER BY id LIMIT 1').pluck().get() as number;
  const targets = t.ctx.targets.all();
  let bytes = 0;
  for (let start = 0; start < cases; start += 500) {
    const shas: string[][] = [];
    for (let i = start; i < Math.min(cases, start + 500); i++) {
      const s: string[] = [];
      for (let p = 0; p < PAGES; p++) {
        // Written without a flush per file: the setup is not what is measured.
        const page = randomBytes(PAGE_KB * 1024);
        const sha = createHash('sha256').update(page).digest('hex');
        fs.mkdirSync(path.dirname(files.pathOf(sha)), { recursive: true });
        fs.writeFileSync(files.pathOf(sha), files.encode(sha, page)); // sealed, as the desk keeps it
        s.push(sha);
        bytes += page.length;
      }
      shas.push(s);
    }
    t.ctx.write(ACTOR, (w) => {
      const at = w.at.toISOString();
      shas.forEach((s, k) => {
        const n = start + k;
        const caseId = Number(
          w.db
            .prepare(
              `INSERT INTO cases (case_no, applicant_id, catalog_version_id, status, created_at, created_by, updated_at, accepted_at, accepted_by)
               VALUES (?, ?, ?, 'accepted', ?, ?, ?, ?, ?)`,
            )
            .run(`BENCH-${String(n).padStart(6, '0')}`, applicant, catalog, at, user, at, at, user).lastInsertRowid,
        );
        w.db.prepare('INSERT INTO case_items (case_id, service_item_id, position) VALUES (?, ?, 0)').run(caseId, item);
        const doc = Number(
          w.db
            .prepare(`INSERT INTO scan_documents (case_id, kind, title, trust_grade, trust_note, created_at, created_by, updated_at) VALUES (?, 'certificate', '户口簿', 'B', '核对', ?, ?, ?)`)
            .run(caseId, at, user, at).lastInsertRowid,
        );
        s.forEach((sha, p) => {
          files.record(w.db, sha, PAGE_KB * 1024, 'image/jpeg', w.at);
          w.db
            .prepare(`INSERT INTO scan_pages (document_id, position, file_sha256, width, height, mime, mode, capture, created_at, created_by) VALUES (?, ?, ?, 800, 600, 'image/jpeg', 'color', '{}', ?, ?)`)
            .run(doc, p, sha, at, user);
        });
        enqueueCase(w, caseId, targets);
      });
      w.audit({ action: 'bench.fill', detail: { from: start } });
    });
  }
  t.close();
  return bytes;
}

/** Runs a CLI under /usr/bin/time: wall seconds and peak RSS (KB). */
function timed(cli: string, args: string[]): { s: number; rssKb: number; out: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, ...(HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : []), cli, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`cli ${args[0]} failed (${r.status}): ${r.stderr}\n${r.stdout}`);
  return { s: Number(m[1]), rssKb: Number(m[2]), out: r.stdout };
}

function seconds(fn: () => void): number {
  const t0 = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const baseline = (filesDir: string) => seconds(() => execFileSync('bash', ['-c', `tar -cf - -C '${filesDir}' . | sha256sum > /dev/null`]));

/** tar -x of the same files into an empty folder: creating 30,000 files is part of any import. */
function extractTime(filesDir: string): number {
  const into = tempDir('bench-transfer-untar-');
  const tarFile = path.join(tempDir('bench-transfer-tar-'), 'pages.tar');
  execFileSync('tar', ['-cf', tarFile, '-C', filesDir, '.']);
  execFileSync('sync', ['-f', into]);
  const s = seconds(() => execFileSync('tar', ['-xf', tarFile, '-C', into]));
  fs.rmSync(into, { recursive: true, force: true });
  fs.rmSync(path.dirname(tarFile), { recursive: true, force: true });
  return s;
}

const copyOf = (dir: string, prefix: string) => {
  const to = tempDir(prefix);
  execFileSync('cp', ['-a', `${dir}/.`, to]);
  return to;
};

/** The phase times the last import wrote to the desk's log (import-bundle.ts). */
function importPhases(dataDir: string): { verify: number; place: number; apply: number } | null {
  const lines = fs.readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8').trim().split('\n').reverse();
  const l = lines.find((x) => x.includes('"transfer.imported"'));
  return l ? ((JSON.parse(l) as { ms?: { verify: number; place: number; apply: number } }).ms ?? null) : null;
}

async function run(cases: number) {
  const loadAtStart = load1();
  const a0 = await desk('intranet');
  const b0 = await desk('extranet');
  const ta = openTransfer(a0);
  const tb = openTransfer(b0);
  const da = readDesk(ta.ctx)!;
  const dbk = readDesk(tb.ctx)!;
  pairPeer(ta.ctx, ACTOR, JSON.stringify(dbk.card), dbk.fingerprint);
  pairPeer(tb.ctx, ACTOR, JSON.stringify(da.card), da.fingerprint);
  ta.close();
  tb.close();
  const pageBytes = fill(a0, cases);
  execFileSync('sync', ['-f', a0]); // the set-up's own writes are not what is measured
  const base = baseline(path.join(a0, 'files'));
  const untar = extractTime(path.join(a0, 'files'));
  const rows = [];
  let bundle = '';
  for (const cli of [CLI, ...(COMPARE ? [COMPARE] : [])]) {
    const a = copyOf(a0, 'bench-transfer-a-');
    const b = copyOf(b0, 'bench-transfer-b-');
    const out = tempDir('bench-transfer-bundle-');
    execFileSync('sync', ['-f', a]);
    const exp = timed(cli, ['bundle-export', '--out', out, '--data-dir', a]);
    const bundleBytes = fs.readdirSync(out).reduce((s, f) => s + fs.statSync(path.join(out, f)).size, 0);
    const imp = timed(cli, ['bundle-import', '--from', out, '--data-dir', b]);
    if (!/新增 (\d+) 条/.test(imp.out) || Number(/新增 (\d+) 条/.exec(imp.out)![1]) !== cases) throw new Error(`import did not apply ${cases} entries: ${imp.out}`);
    const phases = importPhases(b);
    for (const d of [a, b]) fs.rmSync(d, { recursive: true, force: true });
    if (cli === CLI && !bundle) bundle = out;
    else fs.rmSync(out, { recursive: true, force: true });
    rows.push({ code: cli === CLI ? 'this' : 'compared', cli, bundleBytes, exportS: exp.s, importS: imp.s, exportRatio: base / exp.s, importRatio: base / imp.s, exportPeakMb: exp.rssKb / 1024, importPeakMb: imp.rssKb / 1024, phases });
  }
  const lag = cases === SIZES[Math.floor(SIZES.length / 2)] ? await loopLag(b0, bundle) : null;
  for (const d of [a0, b0, bundle]) fs.rmSync(d, { recursive: true, force: true });
  return { cases, pages: cases * PAGES, pageBytes, baselineS: base, untarS: untar, rows, lag, load: `${loadAtStart}→${load1()}` };
}

/** The import inside this process: on the main thread, then in the transfer worker; the main thread's event-loop delay meanwhile. */
async function loopLag(b0: string, bundleDir: string) {
  const manifest = path.join(bundleDir, fs.readdirSync(bundleDir).find((f) => f.endsWith('.manifest.json'))!);
  const out: Record<string, { s: number; maxMs: number; p99Ms: number }> = {};
  for (const mode of ['inline', 'worker'] as const) {
    const b = copyOf(b0, 'bench-transfer-lag-');
    const t = openTransfer(b);
    const runner = mode === 'inline' ? inlineRunner(t.ctx) : workerRunner(t.ctx, path.join(b, 'desk.sqlite'));
    const h = monitorEventLoopDelay({ resolution: 10 });
    const t0 = process.hrtime.bigint();
    h.enable();
    const r = await runner.importBundle(ACTOR, manifest);
    const s = Number(process.hrtime.bigint() - t0) / 1e9;
    // The apply is the last step and synchronous when inline: let the timer fire once after it, or its delay goes unseen.
    await new Promise((resolve) => setTimeout(resolve, 50));
    h.disable();
    if (r.status !== 'applied') throw new Error(`${mode} import: ${r.status}`);
    await runner.close();
    t.close();
    fs.rmSync(b, { recursive: true, force: true });
    out[mode] = { s, maxMs: h.max / 1e6, p99Ms: h.percentile(99) / 1e6 };
  }
  return out;
}

async function main() {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run node scripts/build.mjs --main-only`);
  const loadAtStart = load1();
  console.log(`transfer bench: ${SIZES.join(' / ')} cases × ${PAGES} pages of ${PAGE_KB} KB${HEAP_MB ? `, CLI old space capped at ${HEAP_MB} MB` : ''}${COMPARE ? `, compared with ${COMPARE}` : ''}, load ${loadAtStart}`);
  const runs = [];
  for (const n of SIZES) runs.push(await run(n));
  const rows = runs.flatMap((r) =>
    r.rows.map((x) => [
      String(r.cases),
      String(r.pages),
      mb(r.pageBytes),
      mb(x.bundleBytes),
      r.baselineS.toFixed(2),
      r.untarS.toFixed(2),
      x.code,
      `${x.exportS.toFixed(2)} (×${x.exportRatio.toFixed(2)})`,
      `${x.importS.toFixed(2)} (×${x.importRatio.toFixed(2)})`,
      x.phases ? `${x.phases.verify}/${x.phases.place}/${x.phases.apply}` : '',
      x.exportPeakMb.toFixed(0),
      x.importPeakMb.toFixed(0),
      r.load,
    ]),
  );
  console.log(table([['cases', 'pages', 'page MB', 'bundle MB', 'tar|sha256sum s', 'tar -x s', 'code', 'export s (ratio)', 'import s (ratio)', 'verify/place/apply ms', 'export peak RSS MB', 'import peak RSS MB', 'load'], ...rows]));
  for (const r of runs)
    if (r.lag) for (const [mode, l] of Object.entries(r.lag)) console.log(`import of ${r.cases} cases in this process, ${mode}: ${l.s.toFixed(2)} s, main thread event-loop delay max ${l.maxMs.toFixed(0)} ms, p99 ${l.p99Ms.toFixed(0)} ms`);
  emitResult({ loadAtStart, pageKb: PAGE_KB, heapMb: HEAP_MB, compare: COMPARE || null, runs });
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
