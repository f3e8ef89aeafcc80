import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The one way the desk writes a file it must not lose: written whole to a temp name in the same
 * folder (every byte checked written), flushed, renamed over the target, and the folder flushed,
 * so after a crash or power cut the file is either complete or absent — never cut short. Folders
 * it creates are flushed into their parents too. A failure (a full disk, EIO) removes the temp
 * file and throws; nothing is left half-written under the target's name.
 *
 * Content-addressed files (named by the SHA-256 of their bytes) go through putContentAddressed:
 * an existing file of that name is trusted only once it is checked to hold exactly those bytes;
 * a damaged one (cut short by a full disk, or changed) is replaced from the bytes in hand.
 */

/** The temp name a durable write uses next to its target (swept by start-up as `.tmp-*`). */
export const tempNameFor = (file: string): string =>
  path.join(path.dirname(file), `.tmp-${path.basename(file)}-${process.pid}-${randomBytes(4).toString('hex')}`);

/** A file system's write(2); tests pass one that stops short, as a full disk does. */
export type WriteSyncFn = (fd: number, data: Uint8Array, offset: number, length: number) => number;

const shortWrite = (written: number, total: number) =>
  Object.assign(new Error(`ENOSPC: short write, ${written} of ${total} bytes written and no more accepted`), { code: 'ENOSPC' });

/** Writes every byte of `data` at the descriptor's position (short writes continued; 0 bytes written is an error). */
export function writeAllSync(fd: number, data: Uint8Array, write: WriteSyncFn = fs.writeSync): void {
  let off = 0;
  while (off < data.length) {
    const n = write(fd, data, off, data.length - off);
    if (!(n > 0)) throw shortWrite(off, data.length);
    off += n;
  }
}

/** Writes every byte of `pieces` (writev; short writes continued). Takes any handle with FileHandle's writev. */
export async function writeAll(fh: Pick<fs.promises.FileHandle, 'writev'>, pieces: readonly Uint8Array[]): Promise<void> {
  const left = pieces.filter((p) => p.length).map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  const total = left.reduce((s, p) => s + p.length, 0);
  let done = 0;
  while (left.length) {
    let { bytesWritten } = await fh.writev(left);
    if (!(bytesWritten > 0)) throw shortWrite(done, total);
    done += bytesWritten;
    while (left.length && bytesWritten >= left[0]!.length) bytesWritten -= left.shift()!.length;
    if (left.length && bytesWritten) left[0] = left[0]!.subarray(bytesWritten);
  }
}

/** Flushes a folder's entries (renames and creations into it). A no-op on Windows, where folders cannot be opened for fsync. */
export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/** Flushes a file's data and metadata. */
export function fsyncFile(file: string): void {
  const fd = fs.openSync(file, 'r+');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function fsyncAsync(p: string, flags: 'r' | 'r+'): Promise<void> {
  const fh = await fs.promises.open(p, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** fsyncFile on libuv's thread pool (many files flushed side by side). */
export const fsyncFileAsync = (file: string): Promise<void> => fsyncAsync(file, 'r+');

/** fsyncDir on libuv's thread pool. */
export const fsyncDirAsync = (dir: string): Promise<void> => (process.platform === 'win32' ? Promise.resolve() : fsyncAsync(dir, 'r'));

/** Creates a folder (and its missing parents) and makes each new one durable in its parent. */
export function ensureDirDurably(dir: string): void {
  const missing: string[] = [];
  let d = path.resolve(dir);
  while (!fs.existsSync(d)) {
    missing.push(d);
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
  if (!missing.length) return;
  fs.mkdirSync(dir, { recursive: true });
  for (const m of missing.reverse()) fsyncDir(path.dirname(m));
}

export interface DurableWriteOptions {
  /** File mode of the new file (default 0o644; secrets pass 0o600). */
  mode?: number;
  /** Keep this modification time (a file re-encoded in place: what its age says stays true). */
  mtime?: Date;
}

/** Writes `data` to `file` durably (see the module comment). Replaces an existing file atomically. */
export function writeFileDurably(file: string, data: Uint8Array | string, opts: DurableWriteOptions = {}): void {
  const dir = path.dirname(file);
  ensureDirDurably(dir);
  const tmp = tempNameFor(file);
  const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
  try {
    const fd = fs.openSync(tmp, 'wx', opts.mode ?? 0o644);
    try {
      writeAllSync(fd, bytes);
      if (opts.mtime) fs.futimesSync(fd, opts.mtime, opts.mtime);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/**
 * Puts a finished file (written whole and checked by the caller at a temp name in the target's
 * folder, e.g. a store copy just encrypted and verified) in place of `target`: the temp file
 * flushed, renamed over the target, the folder flushed. A crash leaves the old target or the new.
 */
export function replaceWithCheckedFile(tmp: string, target: string): void {
  if (path.dirname(path.resolve(tmp)) !== path.dirname(path.resolve(target))) throw new Error(`replaceWithCheckedFile: ${tmp} is not beside ${target}`);
  fsyncFile(tmp);
  fs.renameSync(tmp, target);
  fsyncDir(path.dirname(target));
}

/**
 * True when the file open at `fd` (`size` bytes long) ends part-way through a line — its last byte
 * is not a newline: a line torn by a crash or a full disk. The desk's two writers of line files
 * meet it with two remedies, on purpose:
 * - appendLineDurably (below; evidence: the audit checkpoint file) keeps the torn bytes and closes
 *   them off with a newline, so they stand alone as a line its readers skip (readCheckpoints). The
 *   desk never shortens an append-only evidence file itself: a file that lost bytes is what
 *   tampering looks like (docs/audit-checkpoints.md), and a checked file must not depend on the
 *   desk having cut it right. Each append is flushed, so a torn line there is rare.
 * - the logger (electron/log/logger.ts; diagnostics, written through a descriptor held open and
 *   not flushed per line) removes a torn last line when it opens the file, so every line of
 *   desk.log is a whole JSON line for whoever reads it with line tools. A torn tail is common there
 *   (a kill, a stop while a full disk held the rest back) and the cut entry was never whole. Only a
 *   fragment with no line end in its last 64 KB is closed off with a newline instead, as here.
 */
export function endsInTornLine(fd: number, size: number): boolean {
  if (size === 0) return false;
  const last = Buffer.alloc(1);
  return fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] !== 0x0a;
}

/**
 * Appends one line to an append-only file durably: every byte checked written, the file flushed
 * (and, when the append created it, its folder). A line torn by a crash or a full disk during an
 * earlier append is closed off first (a newline), so it stands alone as an unreadable line that
 * readers skip, and never merges with this one; it is never removed (endsInTornLine says why the
 * logger removes its own instead). The line must not contain a newline.
 */
export function appendLineDurably(file: string, line: string, opts: DurableWriteOptions = {}): void {
  if (line.includes('\n')) throw new Error('appendLineDurably: the line contains a newline');
  const dir = path.dirname(file);
  ensureDirDurably(dir);
  const created = !fs.existsSync(file);
  const fd = fs.openSync(file, 'a+', opts.mode ?? 0o644);
  try {
    const torn = endsInTornLine(fd, fs.fstatSync(fd).size);
    writeAllSync(fd, Buffer.from(`${torn ? '\n' : ''}${line}\n`, 'utf8'));
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  if (created) fsyncDir(dir);
}

/** writeFileDurably on libuv's thread pool, for large files written in pieces. */
export async function writeFileDurablyAsync(file: string, pieces: readonly Uint8Array[], opts: DurableWriteOptions = {}): Promise<void> {
  const dir = path.dirname(file);
  ensureDirDurably(dir);
  const tmp = tempNameFor(file);
  try {
    const fh = await fs.promises.open(tmp, 'wx', opts.mode ?? 0o644);
    try {
      await writeAll(fh, pieces);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await fs.promises.rename(tmp, file);
  } catch (e) {
    await fs.promises.rm(tmp, { force: true });
    throw e;
  }
  fsyncDir(dir);
}

/** What putContentAddressed did: wrote a new file, kept an existing one that holds the bytes, or replaced a damaged one. */
export type ContentAddressedPut = 'written' | 'kept' | 'repaired';

/** Read size when comparing an existing file with the bytes in hand. */
const COMPARE_CHUNK = 1 << 20;

/**
 * Stores `bytes` under `file`, a name derived from their hash. An existing file is trusted only
 * if it holds exactly these bytes: its size is compared first (a file cut short by a full disk
 * fails here at the cost of one stat), then its content, read once and compared with the bytes
 * in hand (no hashing; a read of the file instead of writing it again). A kept file is flushed
 * with its folder (cheap when already clean), so "kept" is as durable as "written" even if the
 * write that left it failed before its folder was flushed. A damaged file is replaced atomically
 * from the bytes in hand. Anything at that name that is not a regular file is refused (throws).
 * `holds` replaces the byte comparison where the same content is stored differently each time (a
 * sealed file: a new nonce per write, services/files/file-cipher.ts): it says whether the file of
 * the same size already holds that content.
 */
export function putContentAddressed(file: string, bytes: Uint8Array, holds: (file: string) => boolean = (f) => holdsExactly(f, bytes)): ContentAddressedPut {
  let st: fs.Stats | undefined;
  try {
    st = fs.lstatSync(file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  if (!st) {
    writeFileDurably(file, bytes);
    return 'written';
  }
  if (!st.isFile()) throw new Error(`${file} exists and is not a regular file; refusing to store content there`);
  if (st.size === bytes.length && holds(file)) {
    fsyncFile(file);
    fsyncDir(path.dirname(file));
    return 'kept';
  }
  writeFileDurably(file, bytes);
  return 'repaired';
}

/** True if the file's bytes are exactly `bytes` (read in 1 MB chunks through one descriptor). */
function holdsExactly(file: string, bytes: Uint8Array): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const buf = Buffer.allocUnsafe(Math.min(COMPARE_CHUNK, Math.max(1, bytes.length)));
    const want = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let off = 0;
    while (off < want.length) {
      const n = fs.readSync(fd, buf, 0, Math.min(buf.length, want.length - off), off);
      if (n <= 0 || buf.compare(want, off, off + n, 0, n) !== 0) return false;
      off += n;
    }
    // Nothing beyond: a file that grew since the stat is not this content either.
    return fs.readSync(fd, buf, 0, 1, off) === 0;
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * True for the errors that mean the disk (or the user's quota) is full: ENOSPC, EDQUOT, SQLite's
 * SQLITE_FULL, and SQLITE_IOERR_SHMSIZE — SQLite could not grow its `-shm` file, which on a full
 * disk is what opening (even read-only) or growing a WAL store fails with.
 */
export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && DISK_FULL_CODES.test(code);
}

const DISK_FULL_CODES = /^(ENOSPC|EDQUOT|SQLITE_FULL(_.*)?|SQLITE_IOERR_SHMSIZE)$/;
