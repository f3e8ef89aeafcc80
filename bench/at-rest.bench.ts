// What encryption at rest costs (issue 15; electron/store/store-cipher.ts): the same work on an
// encrypted store and on an unencrypted one, in the same run, interleaved in blocks so disk noise
// hits both alike.
//
//   node bench/run.mjs at-rest        (or: npx tsx bench/at-rest.bench.ts; BENCH_OPS=1000, BENCH_APPLICANTS=20000)
//
// Both stores are the desk's (all migrations, WAL, synchronous=FULL): `encrypted` opened with its key
// as the app opens it; `plain` the same store decrypted (PRAGMA rekey = '') and opened without a key —
// what every desk was before. Figures:
//   audited write   writeTx: an applicant INSERT and its hash-chained audit entry, one fsynced commit
//   search (warm)   searchApplicantIds (whole ID, last four, name prefix, name contains) on a connection
//                   that has run before: pages mostly in its cache
//   search (cold)   the same on a fresh read-only connection each time (open, key, page reads + decrypts)
//   scan store      a 1 MB page: FileStore.put (the file: sealed with AES-256-GCM on `encrypted`, in clear on
//                   `plain`) + writeTx recording it
//   file put        FileStore.put alone (new 1 MB page: hash, seal, durable write), sealed vs clear
//   file get        FileStore.get of a 1 MB page (read, open the seal, check the hash), sealed vs clear
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { applyPragmas, openStore, type Db } from '../electron/store/open-store';
import { openDeskDb } from '../electron/store/store-cipher';
import { unlockStore } from '../electron/store/unlock-store';
import { writeTx } from '../electron/store/write';
import { insertUser } from '../electron/services/users/user-rows';
import { searchApplicantIds } from '../electron/services/applicants/applicant-search';
import { FileStore } from '../electron/services/files/file-store';
import { idCheckChar, maskIdNumber } from '../shared/rules/id-number';
import { emitResult, envInt, load1, nowMs, percentile, ROOT, table, tempDir } from './lib';

const OPS = envInt('BENCH_OPS', 1000);
const APPLICANTS = envInt('BENCH_APPLICANTS', 20000);
const SCANS = Math.max(50, Math.round(OPS / 10));
const BLOCKS = 8;

let counter = 0;
function applicant(n = counter++) {
  const birth = new Date(Date.UTC(1950, 0, 1) + Math.floor(n / 1000) * 86_400_000);
  const first17 = '420325' + birth.toISOString().slice(0, 10).replace(/-/g, '') + String(n % 1000).padStart(3, '0');
  return { name: `测试${String(n).padStart(6, '0')}`, idNumber: first17 + idCheckChar(first17), phone: '139' + String(n).padStart(8, '0') };
}

const INSERT = `INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES ('person', ?, 'resident_id', ?, ?, ?, ?)`;

interface Side {
  name: 'encrypted' | 'plain';
  dir: string;
  db: Db;
  userId: number;
  files: FileStore;
  reopen(): Db;
}

/** A migrated encrypted store with a user and APPLICANTS applicants; `plain` decrypts it and reopens it without a key. */
function side(name: Side['name']): Side {
  const dir = tempDir(`desk-bench-at-rest-${name}-`);
  const file = path.join(dir, 'desk.sqlite');
  unlockStore({ dataDir: dir, migrate: false });
  const o = openStore({ file, migrationsDir: path.join(ROOT, 'migrations'), backupDir: path.join(dir, 'backups') });
  if (!o.ok) throw new Error(`${o.kind} ${o.detail}`);
  let db = o.db;
  const userId = insertUser(db, { username: 'bench', displayName: '基准', role: 'clerk', passwordHash: 'scrypt$bench' }, new Date());
  const ins = db.prepare(INSERT);
  db.transaction(() => {
    for (let i = 0; i < APPLICANTS; i++) {
      const a = applicant(1_000_000 + i);
      ins.run(a.name, a.idNumber, a.phone, new Date().toISOString(), userId);
    }
  })();
  if (name === 'plain') {
    db.pragma('journal_mode = DELETE');
    db.pragma(`rekey = ''`);
    db.close();
    db = openDeskDb(file, { key: null });
    applyPragmas(db);
  }
  const key = name === 'plain' ? { key: null } : {};
  return { name, dir, db, userId, files: new FileStore(path.join(dir, 'files'), undefined, key), reopen: () => openDeskDb(file, { readonly: true, ...key }) };
}

type Op = (s: Side, i: number) => unknown;

function measure(sides: Side[], ops: number, op: Op): Record<Side['name'], number[]> {
  const lat = { encrypted: [] as number[], plain: [] as number[] };
  for (const s of sides) for (let i = 0; i < 20; i++) op(s, i); // warm-up
  const perBlock = Math.ceil(ops / BLOCKS);
  let i = 0;
  for (let b = 0; b < BLOCKS; b++) {
    for (const s of b % 2 ? [...sides].reverse() : sides) {
      for (let k = 0; k < perBlock && lat[s.name].length < ops; k++) {
        const t = nowMs();
        op(s, i++);
        lat[s.name].push(nowMs() - t);
      }
    }
  }
  return lat;
}

function main(): void {
  const loadAtStart = load1();
  const sides = [side('encrypted'), side('plain')];
  const plainFile = path.join(sides[1]!.dir, 'desk.sqlite');
  if (fs.readFileSync(plainFile).subarray(0, 15).toString('latin1') !== 'SQLite format 3') throw new Error('the plain store is not plaintext');

  const write: Op = (s) => {
    const a = applicant();
    writeTx(s.db, { userId: s.userId, username: 'bench' }, () => new Date(), (w) => {
      const id = Number(w.db.prepare(INSERT).run(a.name, a.idNumber, a.phone, w.at.toISOString(), s.userId).lastInsertRowid);
      w.audit({ action: 'applicant.create', entityType: 'applicant', entityId: id, detail: { name: a.name, idNumber: maskIdNumber(a.idNumber) } });
    });
  };
  const queries = (i: number) => {
    const a = applicant(1_000_000 + ((i * 7919) % APPLICANTS));
    return [a.idNumber, a.idNumber.slice(-4), a.name.slice(0, 5), a.name.slice(3)];
  };
  const searchWarm: Op = (s, i) => {
    for (const q of queries(i)) searchApplicantIds(s.db, q, 20);
  };
  const searchCold: Op = (s, i) => {
    const db = s.reopen();
    try {
      for (const q of queries(i)) searchApplicantIds(db, q, 20);
    } finally {
      db.close();
    }
  };
  const page = randomBytes(1024 * 1024);
  const scan: Op = (s, i) => {
    page.writeUInt32BE(i, 0);
    page.writeUInt8(s.name === 'plain' ? 1 : 2, 4);
    const sha = s.files.put(page);
    writeTx(s.db, { userId: s.userId, username: 'bench' }, () => new Date(), (w) => {
      s.files.record(w.db, sha, page.length, 'image/jpeg', w.at);
      w.audit({ action: 'scan.pageAdd', entityType: 'file', entityId: null, detail: { sha256: sha } });
    });
  };

  const put: Op = (s, i) => {
    page.writeUInt32BE(1_000_000 + i, 0);
    page.writeUInt8(s.name === 'plain' ? 1 : 2, 4);
    s.files.put(page);
  };
  const stored = new Map<Side['name'], string>();
  const get: Op = (s) => {
    let sha = stored.get(s.name);
    if (!sha) stored.set(s.name, (sha = s.files.put(page)));
    if (s.files.get(sha).length !== page.length) throw new Error('wrong length');
  };

  const results: Record<string, { encrypted: { p50: number; p95: number }; plain: { p50: number; p95: number }; ratioP50: number }> = {};
  const run = (label: string, n: number, op: Op) => {
    const lat = measure(sides, n, op);
    const f = (xs: number[]) => ({ p50: Number(percentile(xs, 50).toFixed(3)), p95: Number(percentile(xs, 95).toFixed(3)) });
    const e = f(lat.encrypted);
    const p = f(lat.plain);
    results[label] = { encrypted: e, plain: p, ratioP50: Number((e.p50 / p.p50).toFixed(2)) };
  };
  run('audited write', OPS, write);
  run('search (warm, 4 queries)', OPS, searchWarm);
  run('search (cold connection, 4 queries)', Math.round(OPS / 4), searchCold);
  run('scan store (1 MB page + audited row)', SCANS, scan);
  run('file put (1 MB page, new)', SCANS, put);
  run('file get (1 MB page)', SCANS * 4, get);
  for (const s of sides) s.db.close();

  console.log(`at-rest bench: ${OPS} writes, ${APPLICANTS} applicants per store, ${SCANS} scans, load ${loadAtStart} → ${load1()}`);
  console.log(
    table([
      ['figure', 'encrypted p50', 'plain p50', 'ratio p50', 'encrypted p95', 'plain p95'],
      ...Object.entries(results).map(([k, r]) => [k, `${r.encrypted.p50} ms`, `${r.plain.p50} ms`, `${r.ratioP50}×`, `${r.encrypted.p95} ms`, `${r.plain.p95} ms`]),
    ]),
  );
  emitResult({ ops: OPS, applicants: APPLICANTS, scans: SCANS, load1AtStart: loadAtStart, load1AtEnd: load1(), results });
  for (const s of sides) fs.rmSync(s.dir, { recursive: true, force: true });
}

main();
