import fs from 'node:fs';
import path from 'node:path';

/**
 * The data folder is the desk's alone (issue 15: `desk.sqlite` was 0644 with ID numbers and phones,
 * `sync-targets.json` 0644 with the targets' tokens): the folder and its sub-folders 0700, its files
 * 0600, so no other local account can read or even list them. New files get that from the process's
 * umask (set once by the composition root, app/create-app.ts); what an older version left is tightened
 * at every start — the folder, its direct files and sub-folders (the folder's own 0700 already bars
 * everything below it). POSIX only: on Windows the data folder sits in the user's profile, whose ACL
 * already excludes other users.
 */
export const PRIVATE_UMASK = 0o077;

export function restrictNewFiles(): void {
  if (process.platform === 'win32') return;
  try {
    process.umask(PRIVATE_UMASK);
  } catch {
    // A worker thread cannot set the umask (ERR_WORKER_UNSUPPORTED_OPERATION); its files are made by the main thread's rules.
  }
}

/** Tightens the folder, its direct files and its direct sub-folders; returns what it changed. */
export function tightenDataDir(dataDir: string): string[] {
  if (process.platform === 'win32') return [];
  const changed: string[] = [];
  const tighten = (p: string, mode: number) => {
    const st = fs.lstatSync(p);
    if (st.isSymbolicLink() || (st.mode & 0o777) === mode) return;
    fs.chmodSync(p, mode);
    changed.push(path.relative(dataDir, p) || '.');
  };
  tighten(dataDir, 0o700);
  for (const e of fs.readdirSync(dataDir, { withFileTypes: true })) {
    const p = path.join(dataDir, e.name);
    if (e.isDirectory()) tighten(p, 0o700);
    else if (e.isFile()) tighten(p, 0o600);
  }
  return changed;
}
