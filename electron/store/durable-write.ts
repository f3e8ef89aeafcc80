import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * The one way the desk writes a file it must not lose: written whole to a temp name in the same
 * folder (every byte checked written), flushed, renamed over the target, and the folder flushed,
 * so after a crash or power cut the file is either complete or absent — never cut short. Folders
 * it creates are flushed into their parents too. A failure (a full disk, EIO) removes the temp
 * file and throws; nothing is left half-written under the target's name.
 */

/** The temp name a durable write uses next to its target (swept by start-up as `.tmp-*`). */
export const tempNameFor = (file: string): string =>
  path.join(path.dirname(file), `.tmp-${path.basename(file)}-${process.pid}-${randomBytes(4).toString('hex')}`);

/** Writes every byte of `data` at the descriptor's position (short writes continued; 0 bytes written is an error). */
export function writeAllSync(fd: number, data: Uint8Array): void {
  let off = 0;
  while (off < data.length) {
    const n = fs.writeSync(fd, data, off, data.length - off);
    if (n <= 0) throw Object.assign(new Error(`short write: ${off} of ${data.length} bytes`), { code: 'ENOSPC' });
    off += n;
  }
}

/** Writes every byte of `pieces` (writev; short writes continued). */
export async function writeAll(fh: fs.promises.FileHandle, pieces: readonly Uint8Array[]): Promise<void> {
  const left = pieces.filter((p) => p.length).map((p) => Buffer.from(p.buffer, p.byteOffset, p.byteLength));
  while (left.length) {
    let { bytesWritten } = await fh.writev(left);
    if (bytesWritten <= 0) throw Object.assign(new Error('short write: no bytes written'), { code: 'ENOSPC' });
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

/** True for the errors that mean the disk (or the user's quota) is full: ENOSPC, EDQUOT, SQLite's SQLITE_FULL. */
export function isDiskFull(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT' || code === 'SQLITE_FULL') return true;
  return typeof code === 'string' && code.startsWith('SQLITE_FULL');
}
