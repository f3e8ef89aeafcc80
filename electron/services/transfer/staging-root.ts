import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';

/** Where imports verify bundles and exports keep their notes: <dataDir>/transfer/staging. */
export function stagingRoot(dataDir: string): string {
  return path.join(dataDir, 'transfer', 'staging');
}

/** A name in the staging folder owned by this process: `<prefix>-<pid>-<random>` (swept once the process is gone). */
export function stagingName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`;
}

/** Removes what importers and exporters that are no longer running left in the staging folder (a crash). */
export function sweepStaging(root: string): void {
  if (!fs.existsSync(root)) return;
  for (const name of fs.readdirSync(root)) {
    const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
    let alive = false;
    if (pid) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (!alive) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}
