import fs from 'node:fs';
import path from 'node:path';
import type { StoreProblem } from '../../shared/ipc/contract';
import { loadMigrations, MigrationSetError, type MigrationFile } from './migrations';
import { fsyncDir, isDiskFull, writeFileDurably } from './durable-write';
import { backupName, writeBackupSync } from './backups';
import { isPlaintextSqlite, openDeskDb, type Db } from './store-cipher';

export type { Db };
export type ProblemKind = StoreProblem['kind'];

export type OpenStoreResult =
  | { ok: true; db: Db; schemaVersion: number; created: boolean; applied: number[] }
  | { ok: false; kind: ProblemKind; message: string; detail: string };

export interface OpenStoreOptions {
  file: string;
  migrationsDir: string;
  backupDir: string;
  now?: () => Date;
}

const MIGRATIONS_TABLE = `CREATE TABLE IF NOT EXISTS schema_migrations (
  version     INTEGER PRIMARY KEY,
  name        TEXT NOT NULL,
  checksum    TEXT NOT NULL,
  applied_at  TEXT NOT NULL
)`;

const MESSAGES: Record<ProblemKind, string> = {
  corrupt: '本地数据库文件已损坏，程序没有改动该文件，也没有新建空库。',
  unreadable: '无法读取本地数据库文件（可能被占用或没有权限），程序没有改动该文件。',
  newer_version: '本地数据库由更高版本的工作台写入，当前版本不能打开它，请安装最新版本。',
  migration_changed: '程序自带的数据库升级脚本与该数据库已执行过的脚本不一致，已停止启动以保护数据。',
  migration_gap: '数据库升级脚本不连续，已停止启动以保护数据。',
  not_desk_db: '该文件不是无证明办理工作台的数据库，程序没有改动该文件。',
  empty: '本地数据库文件是空的（0 字节），但数据目录中有此前使用过的痕迹（已存文件、备份或库标记）。程序没有新建空库，也没有删除任何文件；请由管理员从备份恢复。',
  missing: '本地数据库文件不见了，但数据目录中有此前使用过的痕迹（已存文件、备份或库标记）。程序没有新建空库，也没有删除任何文件；请由管理员从备份恢复。',
};

/**
 * The marker beside the store, written durably once the store exists: its presence says "a store
 * was here", so a missing or 0-byte desk.sqlite next to it is refused rather than replaced by a
 * new empty one.
 */
export const markerPathFor = (file: string): string => `${file}.marker`;

/**
 * What says a store should exist where `file` is missing or empty: its marker, a -wal with
 * content, a stored file under files/, a backup. Empty means a first start.
 */
export function storeEvidence(file: string, backupDir: string): string[] {
  const dir = path.dirname(file);
  const found: string[] = [];
  if (fs.existsSync(markerPathFor(file))) found.push(`marker ${markerPathFor(file)}`);
  const wal = `${file}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0) found.push(`${wal} (${fs.statSync(wal).size} bytes)`);
  const stored = firstStoredFile(path.join(dir, 'files'));
  if (stored) found.push(`stored file ${stored}`);
  if (fs.existsSync(backupDir)) {
    const backups = fs.readdirSync(backupDir).filter((f) => f.endsWith('.sqlite'));
    if (backups.length) found.push(`${backups.length} backup(s) in ${backupDir}`);
  }
  return found;
}

function firstStoredFile(root: string): string | null {
  if (!fs.existsSync(root)) return null;
  for (const sub of fs.readdirSync(root)) {
    const d = path.join(root, sub);
    if (!fs.statSync(d).isDirectory()) continue;
    const name = fs.readdirSync(d).find((n) => !n.startsWith('.tmp-'));
    if (name) return path.join(d, name);
  }
  return null;
}

function writeMarker(file: string, at: Date): void {
  writeFileDurably(markerPathFor(file), `${JSON.stringify({ store: 'proof-free-desk', file: path.basename(file), markedAt: at.toISOString() })}\n`);
}

function refuse(kind: ProblemKind, detail: string): OpenStoreResult {
  return { ok: false, kind, message: MESSAGES[kind], detail };
}

interface Inspection {
  applied: Map<number, string>;
  hasUserTables: boolean;
}

/**
 * Looks at an existing database through a read-only connection and decides
 * whether it may be opened for writing. Nothing is written to the file.
 */
function inspectExisting(file: string, migrations: MigrationFile[]): OpenStoreResult | Inspection {
  let ro: Db;
  // A plaintext SQLite file here is a foreign database (a desk store in plaintext is encrypted before it is opened: store/unlock-store.ts).
  const plaintext = isPlaintextSqlite(file);
  try {
    ro = openDeskDb(file, { readonly: true, fileMustExist: true, ...(plaintext ? { key: null } : {}) });
  } catch (e) {
    // With the key applied at open, a file that is no database (or not this key's) may already fail here.
    const code = (e as { code?: string }).code ?? '';
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return refuse('corrupt', `${code}: ${(e as Error).message}`);
    return refuse('unreadable', String(e));
  }
  try {
    let tables: string[];
    try {
      tables = (ro.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name);
      const check = ro.pragma('quick_check') as { quick_check: string }[];
      if (check.length !== 1 || check[0]?.quick_check !== 'ok') {
        return refuse('corrupt', `quick_check: ${check.map((c) => c.quick_check).slice(0, 5).join('; ')}`);
      }
    } catch (e) {
      const code = (e as { code?: string }).code ?? '';
      if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return refuse('corrupt', `${code}: ${(e as Error).message}`);
      return refuse('unreadable', `${code}: ${(e as Error).message}`);
    }
    const applied = new Map<number, string>();
    if (!tables.includes('schema_migrations')) {
      const userTables = tables.filter((t) => !t.startsWith('sqlite_'));
      if (userTables.length > 0) return refuse('not_desk_db', `tables without schema_migrations: ${userTables.slice(0, 5).join(', ')}`);
      if (plaintext) return refuse('not_desk_db', 'an empty plaintext SQLite database');
      return { applied, hasUserTables: false };
    }
    if (plaintext) return refuse('unreadable', 'a desk store still in plaintext: it is encrypted at start-up (store/unlock-store.ts), not opened as it is');
    for (const row of ro.prepare('SELECT version, checksum FROM schema_migrations ORDER BY version').all() as {
      version: number;
      checksum: string;
    }[]) {
      applied.set(row.version, row.checksum);
    }
    const latest = migrations.length;
    const maxApplied = Math.max(0, ...applied.keys());
    if (maxApplied > latest) {
      return refuse('newer_version', `database schema version ${maxApplied}, this build knows up to ${latest}`);
    }
    let expected = 1;
    for (const version of applied.keys()) {
      if (version !== expected) return refuse('migration_gap', `applied migrations skip version ${expected} (found ${version})`);
      expected++;
    }
    for (const [version, checksum] of applied) {
      const file = migrations[version - 1];
      if (!file || file.checksum !== checksum) {
        return refuse(
          'migration_changed',
          `migration ${String(version).padStart(4, '0')}_${file?.name ?? '?'} was applied with checksum ${checksum.slice(0, 12)}… but the shipped file has ${file?.checksum.slice(0, 12) ?? 'none'}…`,
        );
      }
    }
    return { applied, hasUserTables: true };
  } finally {
    ro.close();
  }
}

/**
 * Would `openStore` accept this file? The same read-only pre-flight, for a copy about to become
 * the store (a restore): null if it would open, else the refusal. Nothing is written.
 */
export function preflight(file: string, migrationsDir: string): Extract<OpenStoreResult, { ok: false }> | null {
  let migrations: MigrationFile[];
  try {
    migrations = loadMigrations(migrationsDir);
  } catch (e) {
    if (e instanceof MigrationSetError) return { ok: false, kind: 'migration_gap', message: MESSAGES.migration_gap, detail: e.message };
    throw e;
  }
  const r = inspectExisting(file, migrations);
  if ('ok' in r) return r.ok ? null : r;
  return r.hasUserTables ? null : { ok: false, kind: 'not_desk_db', message: MESSAGES.not_desk_db, detail: 'an empty database' };
}

export function applyPragmas(db: Db): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('foreign_keys = ON');
  db.pragma('busy_timeout = 5000');
}

/**
 * Opens the store: refuses (without touching the file) a corrupt or foreign
 * file, a newer schema, a changed or missing migration; otherwise backs the
 * file up and applies pending migrations, each in its own transaction.
 */
export function openStore(opts: OpenStoreOptions): OpenStoreResult {
  const now = opts.now ?? (() => new Date());
  let migrations: MigrationFile[];
  try {
    migrations = loadMigrations(opts.migrationsDir);
  } catch (e) {
    if (e instanceof MigrationSetError) return refuse('migration_gap', e.message);
    throw e;
  }
  const present = fs.existsSync(opts.file);
  const exists = present && fs.statSync(opts.file).size > 0;
  if (!exists) {
    // A first start, or a store that should be here and is gone or empty: only evidence tells.
    const evidence = storeEvidence(opts.file, opts.backupDir);
    if (evidence.length) return refuse(present ? 'empty' : 'missing', `${present ? '0-byte' : 'no'} ${opts.file}, but: ${evidence.join('; ')}`);
  }
  let applied = new Map<number, string>();
  if (exists) {
    const inspection = inspectExisting(opts.file, migrations);
    if ('ok' in inspection) return inspection;
    applied = inspection.applied;
  }
  fs.mkdirSync(path.dirname(opts.file), { recursive: true });
  const db = openDeskDb(opts.file);
  if (!exists) fsyncDir(path.dirname(opts.file));
  try {
    applyPragmas(db);
    db.exec(MIGRATIONS_TABLE);
    const pending = migrations.filter((m) => !applied.has(m.version));
    if (exists && pending.length > 0 && applied.size > 0) {
      // Durable and verified before the first migration commits (store/backups.ts).
      writeBackupSync(opts.file, opts.backupDir, backupName('before-migration', now(), pending[0]!.version));
    }
    const record = db.prepare('INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)');
    const done: number[] = [];
    for (const m of pending) {
      db.transaction(() => {
        db.exec(m.sql);
        record.run(m.version, m.name, m.checksum, now().toISOString());
      }).immediate();
      done.push(m.version);
    }
    if (!fs.existsSync(markerPathFor(opts.file))) writeMarker(opts.file, now());
    return { ok: true, db, schemaVersion: migrations.length, created: !exists, applied: done };
  } catch (e) {
    db.close();
    // A full disk while opening (WAL files, a migration): recovery mode saying so, not a crash at start.
    if (isDiskFull(e)) return refuse('unreadable', `${String((e as { code?: unknown }).code)}: ${(e as Error).message}`);
    throw e;
  }
}

export function listBackups(backupDir: string): string[] {
  if (!fs.existsSync(backupDir)) return [];
  return fs
    .readdirSync(backupDir)
    .filter((f) => f.endsWith('.sqlite'))
    .sort()
    .reverse()
    .map((f) => path.join(backupDir, f));
}
