// Helpers for flushing a bundle's many files at once. Writing one file durably is the job of the
// one primitive, store/durable-write.ts; nothing here writes a file.
import fs from 'node:fs';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { fsyncDirAsync } from '../../store/durable-write';

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

/** Makes the given folders durable (their entries: renames into them). */
export async function flushDirs(dirs: readonly string[], width = 32): Promise<void> {
  if (!dirs.length || process.platform === 'win32') return; // directories cannot be opened for fsync on Windows
  if (await syncFileSystem(dirs[0]!)) return;
  await inPool(dirs, width, fsyncDirAsync);
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
