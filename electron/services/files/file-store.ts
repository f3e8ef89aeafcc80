import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Db } from '../../store/open-store';
import { putContentAddressed } from '../../store/durable-write';
import type { Logger } from '../../log/logger';

/**
 * Content-addressed files under <dataDir>/files/ab/<sha256>, written through the one durable-write
 * primitive (store/durable-write.ts): every byte checked written to a temp name in the same
 * folder, flushed, renamed, the folder flushed (a new `ab/` folder flushed into `files/` too), so
 * after a full disk, a crash or a power cut a file is either complete or absent. An existing file
 * of the same name is trusted only once it holds exactly the bytes being stored (size, then
 * content); a damaged one is replaced from the bytes in hand. Its row in `files` is inserted by
 * the caller inside the transaction that references it; `sweepOrphans` removes files whose
 * transaction never committed.
 */
export class FileStore {
  constructor(
    readonly root: string,
    private readonly logger?: Pick<Logger, 'warn'>,
  ) {}

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Writes the bytes durably (once; a damaged earlier copy is repaired) and returns their SHA-256. Throws (e.g. ENOSPC) with nothing stored. */
  put(bytes: Uint8Array): string {
    const sha = createHash('sha256').update(bytes).digest('hex');
    if (putContentAddressed(this.pathOf(sha), bytes) === 'repaired') this.logger?.warn('files.repaired', { sha256: sha, size: bytes.length });
    return sha;
  }

  /**
   * Whether the bytes are here. A `files` row does not say so: a page of the hall's material
   * library is recorded by hash when its material arrives and fetched from the hub when first
   * needed (services/hub/hall-materials.ts).
   */
  holds(sha256: string): boolean {
    return fs.existsSync(this.pathOf(sha256));
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
