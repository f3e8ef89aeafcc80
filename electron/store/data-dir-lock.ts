import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { chinaDateTime } from '../../shared/rules/china-time';
import { fsyncDir, writeFileDurably } from '../services/transfer/durable-file';

/**
 * One host per data folder. Two hosts on one folder each take the other's sync leases for
 * abandoned and deliver the same cases twice; a desk starting while a command-line import is
 * between placing its files and committing would sweep those files as orphans. So whoever opens
 * the folder takes an OS-level lock on it first, which the OS releases when the process ends,
 * however it ends (kill -9, power cut, crash):
 *
 * - the lock is a small SQLite file `<dataDir>/desk.lock` held open for the life of the process
 *   in `locking_mode = EXCLUSIVE` (SQLite's own file locks: fcntl on POSIX, LockFileEx on
 *   Windows; also between two connections of one process). Nothing in it matters but the lock;
 * - a **host** (Electron's main, the browser host, an in-process app) takes it exclusively: a
 *   write transaction, after which SQLite never gives the EXCLUSIVE lock back. No other host
 *   and no command-line tool can then take it;
 * - a **command-line tool** that writes the store (bundle-import/export, transfer-setup/-pair)
 *   takes it shared: a read, after which SQLite keeps the SHARED lock. Several such tools run
 *   side by side (their writes are SQLite transactions), but no host starts meanwhile;
 * - whoever takes it writes who they are to `<dataDir>/desk.lock.json` (durably) so that a
 *   process that is refused can name the holder: pid, computer, kind, since when. The locked
 *   SQLite file itself cannot be read by others, hence the separate file. It is the latest
 *   taker's: the refused process checks that a holder named there on this computer is alive.
 *
 * The lock file is never deleted or replaced: a new file would be a new lock beside the held one.
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
  readonly shared: boolean;
  /** Gives the lock back (idempotent). Ending the process does the same. */
  release(): void;
}

/** The folder is held by another process; `holder` is who, when it could be read. */
export class DataDirLocked extends Error {
  constructor(
    readonly dataDir: string,
    readonly holder: LockHolder | null,
    /** What was asked for: a host (exclusive) or a command-line tool (shared). */
    readonly wanted: 'host' | 'cli',
  ) {
    super(`data folder ${dataDir} is locked by ${holder ? `${holder.kind} pid ${holder.pid} on ${holder.host} since ${holder.since}` : 'another process'}`);
    this.name = 'DataDirLocked';
  }

  /** The Chinese message for the person starting the second process. */
  get userMessage(): string {
    return lockedMessage(this);
  }
}

export const lockFile = (dataDir: string) => path.join(dataDir, 'desk.lock');
export const holderFile = (dataDir: string) => path.join(dataDir, 'desk.lock.json');

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
export function lockedMessage(e: Pick<DataDirLocked, 'dataDir' | 'holder' | 'wanted'>): string {
  const who = e.holder ? `（${describeHolder(e.holder)}）` : '（未能读到其进程信息）';
  if (e.wanted === 'cli') {
    return (
      `数据目录 ${e.dataDir} 正由工作台使用${who}。工作台运行时，命令行不能导入导出交换包或修改配对，` +
      '请在工作台的“内外网交换”页面（或其监视文件夹）中操作，或先关闭工作台再运行本命令。'
    );
  }
  const byCli = e.holder?.kind === 'cli';
  return (
    `数据目录 ${e.dataDir} 已被${byCli ? '命令行工具' : '另一个工作台'}占用${who}。` +
    '同一数据目录同一时间只能由一个工作台打开，否则同一办件可能被重复推送。' +
    (byCli
      ? '请等该命令运行完毕后再启动工作台。'
      : `请使用已打开的那个工作台，或先将其关闭后再启动${e.holder && e.holder.host === os.hostname() ? `；若它已无响应，可结束进程 ${e.holder.pid}` : ''}。`)
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

/**
 * Takes the data folder's lock, or throws DataDirLocked naming who holds it. `shared` is for the
 * command-line tools (see the module comment). Creates the folder when it does not exist yet.
 */
export function lockDataDir(dataDir: string, o: { kind: HolderKind; shared?: boolean; command?: string; now?: () => Date }): DataDirLock {
  const shared = o.shared === true;
  fs.mkdirSync(dataDir, { recursive: true });
  const db = new Database(lockFile(dataDir), { timeout: 0 });
  const holder: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    kind: o.kind,
    ...(o.command ? { command: o.command } : {}),
    since: (o.now ?? (() => new Date()))().toISOString(),
  };
  try {
    db.pragma('locking_mode = EXCLUSIVE');
    if (shared) {
      db.prepare('SELECT count(*) FROM sqlite_master').get();
    } else {
      db.exec('BEGIN EXCLUSIVE');
      db.exec('CREATE TABLE IF NOT EXISTS holder (id INTEGER PRIMARY KEY CHECK (id = 1), identity TEXT NOT NULL)');
      db.prepare('INSERT OR REPLACE INTO holder (id, identity) VALUES (1, ?)').run(JSON.stringify(holder));
      db.exec('COMMIT');
    }
  } catch (e) {
    db.close();
    if (!isBusy(e)) throw e;
    // The holder writes its name right after taking the lock: give a holder that is just starting a moment.
    let named = readHolder(dataDir);
    for (let i = 0; i < 10 && !named; i++) {
      sleep(50);
      named = readHolder(dataDir);
    }
    throw new DataDirLocked(dataDir, named, shared ? 'cli' : 'host');
  }
  try {
    writeFileDurably(holderFile(dataDir), `${JSON.stringify(holder, null, 2)}\n`);
    fsyncDir(dataDir);
  } catch (e) {
    db.close();
    throw e;
  }
  let held = true;
  return {
    holder,
    shared,
    release: () => {
      if (!held) return;
      held = false;
      db.close();
    },
  };
}
