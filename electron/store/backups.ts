import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, fsyncFile, ensureDirDurably } from './durable-write';
import { openDeskDb } from './store-cipher';

/**
 * Backups of the store (docs/backup-restore.md): `VACUUM INTO` a temp name in `<dataDir>/backups/`
 * on a connection of its own (the app runs it in a worker thread, so the page does not stall),
 * the copy fsynced, then reopened read-only and checked (quick_check, the desk's tables, the
 * schema version) — only then renamed to its `.sqlite` name and the folder fsynced. A backup
 * that fails its check is removed and never listed.
 *
 *   daily-<time>.sqlite                    taken daily while the app runs (and at start-up if the last is older than a day); 14 days kept
 *   before-migration-NNNN-<time>.sqlite    before migration NNNN is applied; kept
 *   before-encryption-<time>.sqlite        the store as it was encrypted in place (store/encrypt-store.ts); kept (listed as 'other')
 *
 * A backup is encrypted with the store's key (VACUUM INTO writes the copy under the source's cipher and key).
 */

export type BackupKind = 'daily' | 'before-migration';

export interface BackupInfo {
  file: string;
  name: string;
  kind: BackupKind | 'other';
  /** When it was taken (from its name; the file's time for a name without one). */
  takenAt: string;
  size: number;
}

export const DAILY_KEEP_DAYS = 14;
export const DAY_MS = 24 * 60 * 60 * 1000;

const stampOf = (at: Date): string => at.toISOString().replace(/[:.]/g, '-');
const STAMP = /(\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}-\d{3}Z)\.sqlite$/;

function parseStamp(name: string): string | null {
  const m = STAMP.exec(name);
  if (!m) return null;
  const s = m[1]!;
  return `${s.slice(0, 13)}:${s.slice(14, 16)}:${s.slice(17, 19)}.${s.slice(20, 23)}Z`;
}

export function backupName(kind: BackupKind, at: Date, migration?: number): string {
  const prefix = kind === 'before-migration' ? `before-migration-${String(migration ?? 0).padStart(4, '0')}` : kind;
  return `${prefix}-${stampOf(at)}.sqlite`;
}

/** The name of the backup taken when a plaintext store is encrypted in place (store/encrypt-store.ts). */
export const encryptionBackupName = (at: Date): string => `before-encryption-${stampOf(at)}.sqlite`;

export class BackupCheckError extends Error {}

/** Opens a backup read-only and checks it: quick_check ok, the desk's tables, a schema version. Returns the version. */
export function verifyBackup(file: string): { schemaVersion: number } {
  const db = openDeskDb(file, { readonly: true, fileMustExist: true });
  try {
    const check = db.pragma('quick_check') as { quick_check: string }[];
    if (check.length !== 1 || check[0]?.quick_check !== 'ok') throw new BackupCheckError(`quick_check: ${check.map((c) => c.quick_check).slice(0, 3).join('; ')}`);
    const tables = new Set((db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]).map((r) => r.name));
    for (const t of ['schema_migrations', 'hall', 'users', 'audit_log', 'cases']) if (!tables.has(t)) throw new BackupCheckError(`table ${t} missing`);
    const v = (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v;
    if (!v) throw new BackupCheckError('no applied migration');
    return { schemaVersion: v };
  } finally {
    db.close();
  }
}

/**
 * Takes one backup of `dbFile` (a connection of its own, read-only: the store is not changed) into
 * `backupDir/name`, durably and verified (see the module comment). Synchronous: the app calls it in
 * a worker thread (job `store.backup`); the pre-migration backup runs it at start-up.
 */
export function writeBackupSync(dbFile: string, backupDir: string, name: string): BackupInfo & { ms: number } {
  const t0 = performance.now();
  ensureDirDurably(backupDir);
  const target = path.join(backupDir, name);
  const tmp = path.join(backupDir, `.tmp-${name}`);
  fs.rmSync(tmp, { force: true });
  try {
    const src = openDeskDb(dbFile, { readonly: true, fileMustExist: true });
    try {
      src.pragma('busy_timeout = 5000');
      src.prepare('VACUUM INTO ?').run(tmp);
    } finally {
      src.close();
    }
    fsyncFile(tmp);
    verifyBackup(tmp);
    fs.renameSync(tmp, target);
    fsyncDir(backupDir);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  const size = fs.statSync(target).size;
  return { file: target, name, kind: kindOf(name), takenAt: parseStamp(name) ?? new Date().toISOString(), size, ms: Math.round(performance.now() - t0) };
}

function kindOf(name: string): BackupInfo['kind'] {
  if (name.startsWith('daily-')) return 'daily';
  if (name.startsWith('before-migration-')) return 'before-migration';
  return 'other';
}

/** The finished backups, newest first (temp files of a backup in progress are not listed). */
export function listBackupInfos(backupDir: string): BackupInfo[] {
  if (!fs.existsSync(backupDir)) return [];
  return fs
    .readdirSync(backupDir)
    .filter((f) => f.endsWith('.sqlite') && !f.startsWith('.'))
    .map((name) => {
      const file = path.join(backupDir, name);
      const st = fs.statSync(file);
      return { file, name, kind: kindOf(name), takenAt: parseStamp(name) ?? st.mtime.toISOString(), size: st.size };
    })
    .sort((a, b) => (a.takenAt < b.takenAt ? 1 : a.takenAt > b.takenAt ? -1 : 0));
}

/** Removes daily backups older than `keepDays` (pre-migration ones are kept; never the newest daily) and temp files of backups cut short. Returns the names removed. */
export function pruneBackups(backupDir: string, now: Date, keepDays = DAILY_KEEP_DAYS): string[] {
  const cutoff = now.getTime() - keepDays * DAY_MS;
  const all = listBackupInfos(backupDir);
  const newestDaily = all.find((b) => b.kind === 'daily');
  const removed: string[] = [];
  for (const b of all) {
    if (b.kind === 'daily' && b !== newestDaily && Date.parse(b.takenAt) < cutoff) {
      fs.rmSync(b.file, { force: true });
      removed.push(b.name);
    }
  }
  // A backup cut short by a crash or kill leaves its temp file: none is in progress when pruning runs (it follows a backup, one at a time).
  for (const f of fs.readdirSync(backupDir).filter((n) => n.startsWith('.tmp-'))) {
    fs.rmSync(path.join(backupDir, f), { force: true });
    removed.push(f);
  }
  if (removed.length) fsyncDir(backupDir);
  return removed;
}

/** True when no backup (of any kind) was taken within the last day. */
export function backupDue(backupDir: string, now: Date): boolean {
  const last = listBackupInfos(backupDir).find((b) => b.kind !== 'other');
  return !last || now.getTime() - Date.parse(last.takenAt) >= DAY_MS;
}

export interface BackupSchedulerOptions {
  dbFile: string;
  backupDir: string;
  now: () => Date;
  /** Runs `writeBackupSync` off the main thread (the app: runInBackgroundWorker('store.backup', …)). */
  take(name: string): Promise<BackupInfo & { ms: number }>;
  log(event: string, detail: Record<string, unknown>, level?: 'info' | 'warn' | 'error'): void;
  /** How often it looks whether a backup is due (default hourly). */
  checkEveryMs?: number;
}

/**
 * Daily backups while the app runs: at start and then every hour it looks whether the last
 * backup is a day old; if so it takes one (in a worker thread) and prunes the old ones. A
 * failure is logged and tried again at the next check.
 */
export class BackupScheduler {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;

  constructor(private readonly o: BackupSchedulerOptions) {}

  /** `now: false` skips the check at start (a store just created has nothing to back up yet). */
  start(o: { now?: boolean } = {}): void {
    if (o.now !== false) void this.checkNow();
    this.timer = setInterval(() => void this.checkNow(), this.o.checkEveryMs ?? 60 * 60 * 1000);
    this.timer.unref();
  }

  /** Takes a backup if one is due (resolves when done; one at a time). */
  checkNow(): Promise<void> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }

  private async run(): Promise<void> {
    const at = this.o.now();
    if (!backupDue(this.o.backupDir, at)) return;
    try {
      const b = await this.o.take(backupName('daily', at));
      this.o.log('backup.taken', { file: b.file, size: b.size, ms: b.ms });
      const removed = pruneBackups(this.o.backupDir, at);
      if (removed.length) this.o.log('backup.pruned', { removed });
    } catch (e) {
      this.o.log('backup.failed', { error: e instanceof Error ? e.message : String(e) }, 'error');
    }
  }
}
