import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import type { Db } from '../../store/open-store';

/**
 * Content-addressed files under <dataDir>/files/ab/<sha256>. A file is
 * written to a temp name in the same folder, flushed, renamed and the folder
 * flushed, so after a power cut it is either complete or absent. Its row in
 * `files` is inserted by the caller inside the transaction that references
 * it; `sweepOrphans` removes files whose transaction never committed.
 */
export class FileStore {
  constructor(readonly root: string) {}

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Writes the bytes durably (once) and returns their SHA-256. */
  put(bytes: Uint8Array): string {
    const sha = createHash('sha256').update(bytes).digest('hex');
    const target = this.pathOf(sha);
    if (fs.existsSync(target)) return sha;
    const dir = path.dirname(target);
    fs.mkdirSync(dir, { recursive: true });
    const tmp = path.join(dir, `.tmp-${randomBytes(6).toString('hex')}`);
    const fd = fs.openSync(tmp, 'wx');
    try {
      fs.writeSync(fd, bytes);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
    syncDir(dir);
    return sha;
  }

  /** Reads a file and checks it still has its hash. */
  get(sha256: string): Buffer {
    const bytes = fs.readFileSync(this.pathOf(sha256));
    const actual = createHash('sha256').update(bytes).digest('hex');
    if (actual !== sha256) throw new Error(`file ${sha256} is damaged (hash ${actual})`);
    return bytes;
  }

  /** Records a stored file; call inside the write transaction that references it. */
  record(db: Db, sha256: string, size: number, mime: string, at: Date): void {
    db.prepare('INSERT OR IGNORE INTO files (sha256, size, mime, created_at) VALUES (?, ?, ?, ?)').run(sha256, size, mime, at.toISOString());
  }

  /**
   * Removes what it can prove is debris of THIS store: temp files (`.tmp-*`, never a finished
   * file), and files no committed row refers to that were written since `notBefore` — the start of
   * the store's current epoch (its creation, or the restore of a backup). Such a file was written
   * by this store for a transaction that never committed (a crash in between). An unreferenced
   * file older than that may belong to another store (the one a backup replaced, the one whose
   * database went missing): it is kept and counted, never removed.
   */
  sweepOrphans(db: Db, opts: { notBefore: Date }): { removed: number; keptUnreferenced: number } {
    if (!fs.existsSync(this.root)) return { removed: 0, keptUnreferenced: 0 };
    const known = db.prepare('SELECT 1 FROM files WHERE sha256 = ?');
    const since = opts.notBefore.getTime();
    let removed = 0;
    let keptUnreferenced = 0;
    for (const sub of fs.readdirSync(this.root)) {
      const dir = path.join(this.root, sub);
      if (!fs.statSync(dir).isDirectory()) continue;
      for (const name of fs.readdirSync(dir)) {
        const file = path.join(dir, name);
        if (name.startsWith('.tmp-')) {
          fs.rmSync(file, { force: true });
          removed++;
        } else if (!known.get(name)) {
          if (fs.statSync(file).mtimeMs >= since) {
            fs.rmSync(file, { force: true });
            removed++;
          } else keptUnreferenced++;
        }
      }
    }
    return { removed, keptUnreferenced };
  }
}

function syncDir(dir: string): void {
  if (process.platform === 'win32') return; // directories cannot be opened for fsync on Windows
  const fd = fs.openSync(dir, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}
