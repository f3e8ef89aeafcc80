// Transfer bundles (docs/transfer.md): export and import of BENCH_TRANSFER_CASES cases (default
// 10,000) with 3 scanned pages each (30,000 files of BENCH_TRANSFER_PAGE_KB KB, random bytes so
// nothing compresses), through the real CLI (`cli.cjs bundle-export` / `bundle-import`) as a
// gateway script runs it, each under /usr/bin/time for its peak RSS.
//
// Throughput is given as a ratio to `tar -cf - files | sha256sum` over the same page files in the
// same run (the cost of just reading and hashing them once): ratio = baseline time / our time,
// so 1.0 means "as fast as tar+sha256sum", 0.5 "half as fast". Peak memory is measured at two
// sizes (a tenth, then the full set): bounded means the two peaks are about the same.
//
//   node --import tsx bench/transfer.bench.ts     (needs dist/: node scripts/build.mjs --main-only)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createApp } from '../electron/app/create-app';
import { writeSyncConfig } from '../electron/services/sync/targets-config';
import { openTransfer } from '../electron/services/transfer/open-transfer';
import { pairPeer, readDesk, setupDesk } from '../electron/services/transfer/desk-setup';
import { enqueueCase } from '../electron/services/sync/outbox';
import { FileStore } from '../electron/services/files/file-store';
import { emitResult, envInt, load1, table, tempDir } from './lib';

const CASES = envInt('BENCH_TRANSFER_CASES', 10_000);
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
        fs.writeFileSync(files.pathOf(sha), page);
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

/** Runs the CLI under /usr/bin/time: wall seconds and peak RSS (KB). */
function timed(args: string[]): { s: number; rssKb: number; out: string } {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %M', process.execPath, ...(HEAP_MB ? [`--max-old-space-size=${HEAP_MB}`] : []), CLI, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const m = /TIME ([\d.]+) (\d+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`cli ${args[0]} failed (${r.status}): ${r.stderr}\n${r.stdout}`);
  return { s: Number(m[1]), rssKb: Number(m[2]), out: r.stdout };
}

function baseline(filesDir: string): number {
  const t0 = process.hrtime.bigint();
  execFileSync('bash', ['-c', `tar -cf - -C '${filesDir}' . | sha256sum > /dev/null`]);
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

async function run(cases: number) {
  const a = await desk('intranet');
  const b = await desk('extranet');
  const ta = openTransfer(a);
  const tb = openTransfer(b);
  const da = readDesk(ta.ctx)!;
  const dbk = readDesk(tb.ctx)!;
  pairPeer(ta.ctx, ACTOR, JSON.stringify(dbk.card), dbk.fingerprint);
  pairPeer(tb.ctx, ACTOR, JSON.stringify(da.card), da.fingerprint);
  ta.close();
  tb.close();
  const pageBytes = fill(a, cases);
  const out = tempDir('bench-transfer-bundle-');
  const base = baseline(path.join(a, 'files'));
  const exp = timed(['bundle-export', '--out', out, '--data-dir', a]);
  const bundleBytes = fs.readdirSync(out).reduce((s, f) => s + fs.statSync(path.join(out, f)).size, 0);
  const imp = timed(['bundle-import', '--from', out, '--data-dir', b]);
  if (!/新增 (\d+) 条/.test(imp.out) || Number(/新增 (\d+) 条/.exec(imp.out)![1]) !== cases) throw new Error(`import did not apply ${cases} entries: ${imp.out}`);
  for (const d of [a, b, out]) fs.rmSync(d, { recursive: true, force: true });
  return { cases, pages: cases * PAGES, pageBytes, bundleBytes, baselineS: base, exportS: exp.s, importS: imp.s, exportRatio: base / exp.s, importRatio: base / imp.s, exportPeakMb: exp.rssKb / 1024, importPeakMb: imp.rssKb / 1024 };
}

async function main() {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} missing: run node scripts/build.mjs --main-only`);
  const loadAtStart = load1();
  console.log(`transfer bench: ${CASES} cases × ${PAGES} pages of ${PAGE_KB} KB${HEAP_MB ? `, CLI old space capped at ${HEAP_MB} MB` : ''}, load ${loadAtStart}`);
  const small = await run(Math.max(1, Math.round(CASES / 10)));
  const full = await run(CASES);
  const rows = [small, full].map((r) => [
    String(r.cases),
    String(r.pages),
    mb(r.pageBytes),
    mb(r.bundleBytes),
    r.baselineS.toFixed(2),
    `${r.exportS.toFixed(2)} (×${r.exportRatio.toFixed(2)})`,
    `${r.importS.toFixed(2)} (×${r.importRatio.toFixed(2)})`,
    r.exportPeakMb.toFixed(0),
    r.importPeakMb.toFixed(0),
  ]);
  console.log(table([['cases', 'pages', 'page MB', 'bundle MB', 'tar|sha256sum s', 'export s (ratio)', 'import s (ratio)', 'export peak RSS MB', 'import peak RSS MB'], ...rows]));
  emitResult({ loadAtStart, pageKb: PAGE_KB, heapMb: HEAP_MB, small, full, peakGrowthExport: full.exportPeakMb / small.exportPeakMb, peakGrowthImport: full.importPeakMb / small.importPeakMb });
}

void main().catch((e) => {
  console.error(e);
  process.exit(1);
});
