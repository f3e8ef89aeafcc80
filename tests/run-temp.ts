import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One temp folder per test run, set as TMPDIR before any worker starts, so every data folder,
 * PostgreSQL cluster and spawned host of the run lands under it (os.tmpdir()) and is removed with
 * it at the end. Nine sessions of runs that never removed their folders filled a 250 GB disk.
 * 0755: the `postgres` user must traverse it to reach its clusters; a short name: PostgreSQL's
 * socket path limit. `KEEP_TEST_DIRS=1` keeps it (its path is printed) for a post-mortem.
 */
export function useRunTemp(kind: string): () => void {
  const base = process.env.PFD_BASE_TMPDIR ?? os.tmpdir();
  const root = fs.mkdtempSync(path.join(base, `pfd-${kind}-`));
  fs.chmodSync(root, 0o755);
  process.env.PFD_BASE_TMPDIR = base;
  process.env.TMPDIR = root;
  return () => {
    if (process.env.KEEP_TEST_DIRS === '1') {
      console.log(`test folders kept in ${root}`);
      return;
    }
    fs.rmSync(root, { recursive: true, force: true, maxRetries: 3 });
  };
}
