import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const tempName = (file: string) => path.join(path.dirname(file), `.tmp-${path.basename(file)}-${randomBytes(4).toString('hex')}`);

/** Writes bytes to a temp name in the same folder, flushes, renames: complete or absent. */
export function writeFileDurably(file: string, data: Buffer | string): void {
  const tmp = tempName(file);
  const fd = fs.openSync(tmp, 'wx', 0o600);
  try {
    fs.writeSync(fd, typeof data === 'string' ? Buffer.from(data) : data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/** writeFileDurably on libuv's thread pool; the temp file is removed if anything fails. */
export async function writeFileDurablyAsync(file: string, pieces: Buffer[]): Promise<void> {
  const tmp = tempName(file);
  const fh = await fs.promises.open(tmp, 'wx', 0o600);
  try {
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
}

export async function writeAll(fh: fs.promises.FileHandle, pieces: Buffer[]): Promise<void> {
  const left = pieces.filter((p) => p.length);
  while (left.length) {
    let { bytesWritten } = await fh.writev(left);
    while (left.length && bytesWritten >= left[0]!.length) bytesWritten -= left.shift()!.length;
    if (left.length && bytesWritten) left[0] = left[0]!.subarray(bytesWritten);
  }
}

export function fsyncDir(dir: string): void {
  if (process.platform === 'win32') return;
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

async function fsyncPath(p: string, flags: 'r' | 'r+'): Promise<void> {
  const fh = await fs.promises.open(p, flags);
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/**
 * Linux: syncfs(2) of the file system holding `dir` (coreutils `sync -f`), which flushes every
 * file written there — one call instead of one fsync per file, like dpkg's sync() after unpacking.
 * Resolves false where that is not available (then the caller flushes file by file).
 */
export function syncFileSystem(dir: string): Promise<boolean> {
  if (process.platform !== 'linux') return Promise.resolve(false);
  const bin = ['/usr/bin/sync', '/bin/sync'].find((b) => fs.existsSync(b));
  if (!bin) return Promise.resolve(false);
  return new Promise((resolve) => execFile(bin, ['-f', dir], { timeout: 10 * 60_000 }, (error) => resolve(!error)));
}

/** Calls fn with the paths in a folder, up to 1,024 at a time (never all names at once). */
export async function eachName(dir: string, fn: (paths: string[]) => Promise<void>): Promise<void> {
  const d = await fs.promises.opendir(dir, { bufferSize: 256 });
  let batch: string[] = [];
  for await (const ent of d) {
    batch.push(path.join(dir, ent.name));
    if (batch.length === 1024) {
      await fn(batch);
      batch = [];
    }
  }
  if (batch.length) await fn(batch);
}

export const fsyncFile = (file: string) => fsyncPath(file, 'r+');

/** Makes the given folders durable (their entries: renames into them). */
export async function flushDirs(dirs: readonly string[], width = 32): Promise<void> {
  if (!dirs.length || process.platform === 'win32') return; // directories cannot be opened for fsync on Windows
  if (await syncFileSystem(dirs[0]!)) return;
  await inPool(dirs, width, (d) => fsyncPath(d, 'r'));
}

/** Up to `max` names in a folder (a batch: call again after moving them away). */
export function someNames(dir: string, max: number): string[] {
  const d = fs.opendirSync(dir, { bufferSize: Math.min(max, 1024) });
  const names: string[] = [];
  try {
    while (names.length < max) {
      const ent = d.readSync();
      if (!ent) break;
      names.push(ent.name);
    }
  } finally {
    d.closeSync();
  }
  return names;
}

/** Runs fn over items, at most `width` at a time; rejects with the first failure once none is running. */
export async function inPool<T>(items: readonly T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown = null;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length && failure === null) {
        try {
          await fn(items[next++]!);
        } catch (e) {
          failure ??= e;
        }
      }
    }),
  );
  if (failure !== null) throw failure;
}
