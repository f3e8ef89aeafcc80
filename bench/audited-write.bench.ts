// The write path of one audited record, in-process.
//
//   npx tsx bench/audited-write.bench.ts        (BENCH_OPS=2000 by default)
//
// Five variants, each on its own temp store opened with the app's pragmas
// (WAL, synchronous=FULL), run interleaved in blocks so disk noise hits all
// of them alike:
//   full      applicants.create through the dispatcher (envelope + zod + session
//             + handler: duplicate check, INSERT, hash-chained audit append, view read)
//   writeTx   the same INSERT and audit append through writeTx, no dispatcher
//   bare      the baseline: a prepared INSERT of the same row in its own IMMEDIATE transaction
//   writeTx-off, bare-off  references only: the same with synchronous=OFF (no fsync)
// The split of one write uses p50s, which telescope to the full path's p50:
// (full - writeTx) + (writeTx - bare) + (bare - bare-off) + bare-off.
import fs from 'node:fs';
import path from 'node:path';
import { createApp } from '../electron/app/create-app';
import { openStore, type Db } from '../electron/store/open-store';
import { unlockStore } from '../electron/store/unlock-store';
import { writeTx } from '../electron/store/write';
import { insertUser } from '../electron/services/users/user-rows';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';
import { idCheckChar, maskIdNumber } from '../shared/rules/id-number';
import type { ResponseEnvelope } from '../shared/ipc/envelope';
import { emitResult, envInt, load1, nowMs, percentile, ROOT, table, tempDir } from './lib';

const OPS = envInt('BENCH_OPS', 2000);
const BLOCKS = 8; // interleaving rounds
const WARMUP = 50; // ops per variant before measuring

/** A fresh unique applicant: valid resident ID '420325' + birth date + 3-digit seq + check char. */
let counter = 0;
function nextApplicant() {
  const n = counter++;
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 1000) * 86_400_000);
  const first17 = '420325' + birth.toISOString().slice(0, 10).replace(/-/g, '') + String(n % 1000).padStart(3, '0');
  return { name: `测试${n}`, idType: 'resident_id' as const, idNumber: first17 + idCheckChar(first17), phone: '139' + String(n).padStart(8, '0') };
}

type Variant = 'full' | 'writeTx' | 'bare' | 'writeTx-off' | 'bare-off';
interface BenchStore {
  db: Db;
  userId: number;
  dir: string;
}

/** A migrated temp store with one user to own the rows; synchronous=OFF only for the no-fsync references. */
function benchStore(syncOff = false): BenchStore {
  const dir = tempDir('desk-bench-store-');
  unlockStore({ dataDir: dir, migrate: false });
  const opened = openStore({ file: path.join(dir, 'desk.sqlite'), migrationsDir: path.join(ROOT, 'migrations'), backupDir: path.join(dir, 'backups') });
  if (!opened.ok) throw new Error(`openStore refused: ${opened.kind} ${opened.detail}`);
  if (syncOff) opened.db.pragma('synchronous = OFF');
  const userId = insertUser(opened.db, { username: 'bench', displayName: '基准', role: 'clerk', passwordHash: 'scrypt$bench' }, new Date());
  return { db: opened.db, userId, dir };
}

const INSERT_SQL = `INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES ('person', ?, ?, ?, ?, ?, ?)`;

type Op = () => unknown;

async function main(): Promise<void> {
  const loadAtStart = load1();
  // --- full path: the app as Electron's main builds it, demo seeded, signed in as a clerk.
  const appDir = tempDir('desk-bench-app-');
  const app = await createApp({ dataDir: appDir });
  let reqId = 0;
  const call = async (method: string, input: unknown, session?: string) => {
    const r: ResponseEnvelope = await app.dispatcher.dispatch({ id: `b${++reqId}`, method, input, ...(session ? { session } : {}) }, { transport: 'bench' });
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const { token } = (await call('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })) as { token: string };
  const full: Op = () => call('applicants.create', nextApplicant(), token);

  // --- writeTx: the same INSERT (prepared once) and audit append, no dispatcher.
  const now = () => new Date();
  const writeTxOp = (s: BenchStore): Op => {
    const stmt = s.db.prepare(INSERT_SQL);
    const actor = { userId: s.userId, username: 'bench' };
    return () => {
      const a = nextApplicant();
      writeTx(s.db, actor, now, (w) => {
        const id = Number(stmt.run(a.name, a.idType, a.idNumber, a.phone, w.at.toISOString(), s.userId).lastInsertRowid);
        w.audit({ action: 'applicant.create', entityType: 'applicant', entityId: id, detail: { name: a.name, idNumber: maskIdNumber(a.idNumber) } });
      });
    };
  };

  // --- bare baseline (and its no-fsync reference): one prepared INSERT per IMMEDIATE transaction.
  const bareOp = (s: BenchStore): Op => {
    const stmt = s.db.prepare(INSERT_SQL);
    const tx = s.db.transaction((a: ReturnType<typeof nextApplicant>) => stmt.run(a.name, a.idType, a.idNumber, a.phone, new Date().toISOString(), s.userId));
    return () => tx.immediate(nextApplicant());
  };
  const stores = { writeTx: benchStore(), bare: benchStore(), 'writeTx-off': benchStore(true), 'bare-off': benchStore(true) };

  const variants: { name: Variant; op: Op; lat: number[] }[] = [
    { name: 'full', op: full, lat: [] },
    { name: 'writeTx', op: writeTxOp(stores.writeTx), lat: [] },
    { name: 'bare', op: bareOp(stores.bare), lat: [] },
    { name: 'writeTx-off', op: writeTxOp(stores['writeTx-off']), lat: [] },
    { name: 'bare-off', op: bareOp(stores['bare-off']), lat: [] },
  ];

  for (const v of variants) for (let i = 0; i < WARMUP; i++) await v.op();
  const perBlock = Math.ceil(OPS / BLOCKS);
  for (let b = 0; b < BLOCKS; b++) {
    for (const v of variants) {
      const n = Math.min(perBlock, OPS - v.lat.length);
      for (let i = 0; i < n; i++) {
        const t = nowMs();
        await v.op();
        v.lat.push(nowMs() - t);
      }
    }
  }

  // Sanity: every measured write landed.
  const rows = (db: Db) => (db.prepare('SELECT count(*) AS n FROM applicants').get() as { n: number }).n;
  const audits = (db: Db) => (db.prepare('SELECT count(*) AS n FROM audit_log').get() as { n: number }).n;
  const expect = OPS + WARMUP;
  for (const [name, s] of Object.entries(stores)) {
    const wantAudits = name.startsWith('writeTx') ? expect : 0;
    if (rows(s.db) !== expect || audits(s.db) !== wantAudits) throw new Error(`${name}: row counts do not match the number of writes`);
  }

  const stats = Object.fromEntries(
    variants.map((v) => {
      const total = v.lat.reduce((s, x) => s + x, 0);
      return [v.name, { ops: v.lat.length, opsPerSec: (v.lat.length / total) * 1000, meanMs: total / v.lat.length, p50Ms: percentile(v.lat, 50), p95Ms: percentile(v.lat, 95) }];
    }),
  ) as Record<Variant, { ops: number; opsPerSec: number; meanMs: number; p50Ms: number; p95Ms: number }>;

  const ratios = {
    fullOverBareMean: stats.full.meanMs / stats.bare.meanMs,
    fullOverBareP50: stats.full.p50Ms / stats.bare.p50Ms,
    writeTxOverBareMean: stats.writeTx.meanMs / stats.bare.meanMs,
  };
  // Where the time of one full-path write goes (p50s, ms; the four parts sum to the full path's p50).
  const split = {
    dispatcherAndValidationMs: stats.full.p50Ms - stats.writeTx.p50Ms,
    auditChainMs: stats.writeTx.p50Ms - stats.bare.p50Ms,
    fsyncMs: stats.bare.p50Ms - stats['bare-off'].p50Ms,
    insertAndCommitMs: stats['bare-off'].p50Ms,
    // Cross-check of the audit chain's CPU cost without any fsync noise.
    auditChainNoFsyncMs: stats['writeTx-off'].p50Ms - stats['bare-off'].p50Ms,
  };

  const f = (x: number) => x.toFixed(3);
  console.log(`audited write: ${OPS} ops per variant, interleaved in ${BLOCKS} blocks, WAL + synchronous=FULL (*-off: synchronous=OFF); load avg ${loadAtStart}`);
  console.log(
    table([
      ['variant', 'ops/s', 'mean ms', 'p50 ms', 'p95 ms'],
      ...variants.map((v) => {
        const s = stats[v.name];
        return [v.name, s.opsPerSec.toFixed(0), f(s.meanMs), f(s.p50Ms), f(s.p95Ms)];
      }),
    ]),
  );
  console.log(`ratio full / bare: ${ratios.fullOverBareMean.toFixed(2)}x (mean), ${ratios.fullOverBareP50.toFixed(2)}x (p50); writeTx / bare: ${ratios.writeTxOverBareMean.toFixed(2)}x (mean)`);
  console.log(
    `split of one full-path write (p50): dispatcher+validation+service reads ${f(split.dispatcherAndValidationMs)} ms, ` +
      `audit chain ${f(split.auditChainMs)} ms (${f(split.auditChainNoFsyncMs)} ms without fsync), ` +
      `fsync ${f(split.fsyncMs)} ms, insert+commit without fsync ${f(split.insertAndCommitMs)} ms`,
  );
  emitResult({ bench: 'audited-write', load1AtStart: loadAtStart, ops: OPS, blocks: BLOCKS, stats, ratios, split });

  app.close();
  for (const s of Object.values(stores)) {
    s.db.close();
    fs.rmSync(s.dir, { recursive: true, force: true });
  }
  fs.rmSync(appDir, { recursive: true, force: true });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
