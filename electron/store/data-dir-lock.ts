import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chinaDateTime } from '../../shared/rules/china-time';
import { isDiskFull, writeFileDurably } from './durable-write';

/**
 * One host per data folder. Two hosts on one folder each take the other's sync leases for
 * abandoned and deliver the same cases twice. So whichever host opens the folder (Electron's
 * main, the browser host, an in-process app) takes an OS-level lock on it first, which the OS
 * releases when the process ends, however it ends (kill -9, power cut, crash):
 *
 * - the lock is a small SQLite file `<dataDir>/desk.lock` held open for the life of the process
 *   in `locking_mode = EXCLUSIVE` after a write, so SQLite never gives its EXCLUSIVE lock back
 *   (its own file locks: fcntl on POSIX, LockFileEx on Windows; also between two connections of
 *   one process). Nothing in the file matters but the lock;
 * - the holder writes who it is to `<dataDir>/desk.lock.json` (durably) so that a second host,
 *   refused, can name it: pid, computer, kind, since when (the locked SQLite file itself cannot be
 *   read by others). It is the latest holder's: a refused process checks that a holder named there
 *   on this computer is alive.
 *
 * The command-line transfer tools (bundle-import/export, transfer-setup/-pair) may run beside a
 * host and beside each other: their writes are SQLite transactions, like the app's own transfer
 * worker's. The one thing that is not safe is a host *starting* while an import has placed its
 * files but not yet committed: the start-up sweep would take them for orphans. So such a tool
 * holds `<dataDir>/desk.import.lock` shared for its run (`holdImportGuard`), and a host sweeps
 * only if it can take that lock exclusively at that moment (`tryImportGuardExclusive`);
 * otherwise it skips the sweep (the orphans go at a later start).
 *
 * Lock files are never deleted or replaced: a new file would be a new lock beside the held one.
 */

export type HolderKind = 'electron' | 'browser-host' | 'cli' | 'in-process';

export interface LockHolder {
  pid: number;
  /** The computer's name (a data folder on a network share could be opened from another one). */
  host: string;
  kind: HolderKind;
  /** The command-line command, for kind 'cli'. */
  command?: string;
  /** ISO time the lock was taken (wall clock: for a person to read). */
  since: string;
}

export interface DataDirLock {
  readonly holder: LockHolder;
  /** Gives the lock back (idempotent). Ending the process does the same. */
  release(): void;
}

/** The folder is held by another host; `holder` is who, when it could be read. */
export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
  ) {
    super(`data folder ${dataDir} is locked by ${holder ? `${holder.kind} pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process'}`);
    this.name = 'DataDirLocked';
  }

  /** The Chinese message for the person starting the second host. */
  get userMessage(): string {
    return lockedMessage(this);
  }
}

/** The lock file cannot be used at all (not a SQLite file, no permission): nothing can say whether another host runs. */
export class DataDirLockUnusable extends Error {
  constructor(
    readonly file: string,
    readonly reason: unknown,
  ) {
    super(`data folder lock ${file} cannot be used: ${(reason as Error)?.message ?? String(reason)}`, { cause: reason });
    this.name = 'DataDirLockUnusable';
  }

  get userMessage(): string {
    return (
      `无法锁定数据目录：锁文件 ${this.file} 无法使用（${(this.reason as { code?: string })?.code ?? '未知原因'}）。` +
      '请确认本机没有其他工作台在使用该数据目录，并检查该目录的读写权限；若锁文件已损坏，可在确认无工作台运行后将其删除再启动。'
    );
  }
}

export const lockFile = (dataDir: string) => path.join(dataDir, 'desk.lock');
export const holderFile = (dataDir: string) => path.join(dataDir, 'desk.lock.json');
export const importGuardFile = (dataDir: string) => path.join(dataDir, 'desk.import.lock');

const KIND_LABEL: Record<HolderKind, string> = {
  electron: '桌面程序',
  'browser-host': '浏览器模式',
  cli: '命令行工具',
  'in-process': '内嵌程序',
};

function describeHolder(h: LockHolder): string {
  const kind = h.kind === 'cli' && h.command ? `${KIND_LABEL.cli} ${h.command}` : KIND_LABEL[h.kind];
  const where = h.host === os.hostname() ? '本机' : `计算机“${h.host}”`;
  let since = h.since;
  try {
    since = chinaDateTime(h.since);
  } catch {
    // an unreadable time is shown as written
  }
  return `${kind}，${where}进程号 ${h.pid}，自 ${since} 起`;
}

/** The refusal, in Chinese: who holds the folder, why only one may, what to do. */
export function lockedMessage(e: Pick<DataDirLocked, 'dataDir' | 'holder'>): string {
  const who = e.holder ? `（${describeHolder(e.holder)}）` : '（未能读到其进程信息）';
  const local = e.holder && e.holder.host === os.hostname();
  return (
    `数据目录 ${e.dataDir} 已被另一个工作台占用${who}。同一数据目录同一时间只能由一个工作台打开，否则同一办件可能被重复推送。` +
    `请使用已打开的那个工作台，或先将其关闭后再启动${local ? `；若它已无响应，可结束进程 ${e.holder!.pid}` : ''}。`
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The holder named in the sidecar, if it can be read and (on this computer) is still running. */
export function readHolder(dataDir: string): LockHolder | null {
  try {
    const h = JSON.parse(fs.readFileSync(holderFile(dataDir), 'utf8')) as LockHolder;
    if (!Number.isInteger(h.pid) || typeof h.host !== 'string' || typeof h.since !== 'string' || !(h.kind in KIND_LABEL)) return null;
    if (h.host === os.hostname() && !isAlive(h.pid)) return null;
    return h;
  } catch {
    return null;
  }
}

const sleep = (ms: number) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

const isBusy = (e: unknown) => {
  const code = (e as { code?: unknown }).code;
  return code === 'SQLITE_BUSY' || code === 'SQLITE_LOCKED' || (typeof code === 'string' && code.startsWith('SQLITE_BUSY'));
};

/** Opens a lock file for locking: no waiting (timeout 0) unless asked, locks kept until closed. */
function lockConnection(file: string, timeoutMs = 0): Database.Database {
  const db = new Database(file, { timeout: timeoutMs });
  try {
    db.pragma('locking_mode = EXCLUSIVE');
  } catch (e) {
    db.close();
    throw e;
  }
  return db;
}

/** Takes the EXCLUSIVE lock for good: a write in exclusive locking mode. */
function writeLock(db: Database.Database, identity: string): void {
  db.exec('BEGIN EXCLUSIVE');
  try {
    db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), identity TEXT NOT NULL)');
    db.prepare('INSERT OR REPLACE INTO holder (id, identity) VALUES (1, ?)').run(identity);
    db.exec('COMMIT');
  } catch (e) {
    if (db.inTransaction) db.exec('ROLLBACK');
    if (!isDiskFull(e)) throw e;
    // A full disk: no room for the write's journal. A lock file made by an earlier start holds its
    // table; an EXCLUSIVE transaction kept open on it holds the same OS lock without writing a byte
    // (released with the connection, or by the OS when the process dies).
    db.exec('BEGIN EXCLUSIVE');
    db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
  }
}

/**
 * Takes the data folder's lock for a host, or throws DataDirLocked naming who holds it. Creates
 * the folder when it does not exist yet.
 */
export function lockDataDir(dataDir: string, o: { kind: HolderKind; command?: string; now?: () => Date }): DataDirLock {
  fs.mkdirSync(dataDir, { recursive: true });
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    kind: o.kind,
    ...(o.command ? { command: o.command } : {}),
    since: (o.now ?? (() => new Date()))().toISOString(),
  };
  let db: Database.Database;
  try {
    db = lockConnection(lockFile(dataDir));
  } catch (e) {
    throw new DataDirLockUnusable(lockFile(dataDir), e);
  }
  try {
    writeLock(db, JSON.stringify(holder));
  } catch (e) {
    db.close();
    if (!isBusy(e)) throw new DataDirLockUnusable(lockFile(dataDir), e);
    // The holder writes its name right after taking the lock: give a holder that is just starting a moment.
    let named = readHolder(dataDir);
    for (let i = 0; i < 10 && !named; i++) {
      sleep(50);
      named = readHolder(dataDir);
    }
    throw new DataDirLocked(dataDir, named);
  }
  try {
    writeFileDurably(holderFile(dataDir), `${JSON.stringify(holder, null, 2)}\n`);
  } catch (e) {
    // The lock itself is held; on a full disk the desk still starts (a refused second host then
    // names no holder) rather than refusing to start for want of a few bytes of description.
    if (!isDiskFull(e)) {
      db.close();
      throw e;
    }
  }
  return released(db, holder);
}

function released(db: Database.Database, holder: LockHolder): DataDirLock {
  let held = true;
  return {
    holder,
    release: () => {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}

/**
 * For a command-line tool that writes the store (an import places files before its transaction
 * commits): holds the import guard shared until released, so that no host starting meanwhile
 * sweeps those files. Several tools hold it at once. Waits up to `waitMs` while a host is sweeping.
 */
export function holdImportGuard(dataDir: string, o: { command: string; waitMs?: number }): DataDirLock {
  const db = lockConnection(importGuardFile(dataDir), o.waitMs ?? 60_000);
  try {
    db.prepare('SELECT count(*) FROM sqlite_master').get(); // a read in exclusive locking mode: SHARED kept
  } catch (e) {
    db.close();
    throw e;
  }
  return released(db, { pid: process.pid, host: os.hostname(), kind: 'cli', command: o.command, since: new Date().toISOString() });
}

/**
 * For a host about to sweep orphan files: the import guard, exclusively, or null when a
 * command-line tool holds it (then the sweep must not run). Release it once the sweep is done.
 */
export function tryImportGuardExclusive(dataDir: string, kind: HolderKind): DataDirLock | null {
  const db = lockConnection(importGuardFile(dataDir));
  const holder: LockHolder = { pid: process.pid, host: os.hostname(), kind, since: new Date().toISOString() };
  try {
    writeLock(db, JSON.stringify(holder));
  } catch (e) {
    db.close();
    if (isBusy(e)) return null;
    throw e;
  }
  return released(db, holder);
}
