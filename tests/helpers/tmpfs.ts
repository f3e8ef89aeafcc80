import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** A small real file system that can be filled: a tmpfs of `size` (e.g. '32m', '64k'). */
export interface Tmpfs {
  dir: string;
  /** Why it could not be mounted (not root, no mount permission in a container); null when mounted. */
  skipReason: string | null;
  unmount(): void;
}

/** Mounts a tmpfs (CI runs as root); where that is impossible, says why on stdout and gives a skip reason. */
export function mountTmpfs(size: string, what: string): Tmpfs {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-tmpfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
  } catch (e) {
    const err = e as { stderr?: Buffer; message: string };
    const skipReason = `cannot mount a tmpfs at ${dir} (${(err.stderr?.toString() || err.message).trim()}); ${what} needs root or mount permission`;
    console.log(`SKIPPED — ${skipReason}`);
    fs.rmSync(dir, { recursive: true, force: true });
    return { dir, skipReason, unmount: () => undefined };
  }
  return {
    dir,
    skipReason: null,
    unmount: () => {
      execFileSync('umount', ['-l', dir]);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function freeBytes(dir: string): number {
  const s = fs.statfsSync(dir);
  return s.bavail * s.bsize;
}

/** Fills the file system holding `file` by appending to it until not one more byte is taken. */
export function fillUp(file: string): void {
  const fd = fs.openSync(file, 'a');
  const chunk = Buffer.alloc(64 * 1024, 1);
  try {
    for (let len = chunk.length; len >= 1; ) {
      try {
        fs.writeSync(fd, chunk, 0, len);
      } catch {
        len = Math.floor(len / 2);
      }
    }
  } finally {
    fs.closeSync(fd);
  }
}
