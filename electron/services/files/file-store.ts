import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { Db } from '../../store/open-store';
import { putContentAddressed, writeFileDurably } from '../../store/durable-write';
import { StoreKeyMissingError, storeKeyFor, type StoreKey } from '../../store/store-cipher';
import type { Logger } from '../../log/logger';
import { progress } from '../../log/progress';
import { fileKeyFrom, looksSealed, openSealedSteps, runNow, runYielding, SEAL_OVERHEAD, sealFile, sha256Steps, type Steps } from './file-cipher';

export interface FileStoreOptions {
  /** The store key the file key derives from; default the one registered for the data folder holding `root`. `null`: files in clear (the benchmark's baseline only). */
  key?: StoreKey | null;
}


/** Whether the file's first bytes are a sealed file's (read: at most SEAL_OVERHEAD bytes). */
function beginsSealed(file: string): boolean {
  const fd = fs.openSync(file, 'r');
  try {
    const head = Buffer.alloc(SEAL_OVERHEAD);
    return looksSealed(head.subarray(0, fs.readSync(fd, head, 0, head.length, 0)));
  } finally {
    fs.closeSync(fd);
  }
}

const sha256Of = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

const damaged = (sha256: string, raw: Buffer) => new Error(`file ${sha256} is damaged (${raw.length} bytes that neither open with this desk's file key nor hash to its name)`);

/**
 * Content-addressed files under <dataDir>/files/ab/<sha256>, written through the one durable-write
 * primitive (store/durable-write.ts): every byte checked written to a temp name in the same
 * folder, flushed, renamed, the folder flushed (a new `ab/` folder flushed into `files/` too), so
 * after a full disk, a crash or a power cut a file is either complete or absent. An existing file
 * of the same name is trusted only once it holds exactly the bytes being stored (size, then
 * content); a damaged one is replaced from the bytes in hand. Its row in `files` is inserted by
 * the caller inside the transaction that references it; `sweepOrphans` removes files whose
 * transaction never committed.
 *
 * Every file is sealed at rest (file-cipher.ts: AES-256-GCM under a key derived from the store
 * key) and still named by the SHA-256 of its plaintext; `get` opens it and checks that hash, so a
 * changed, cut or swapped file is refused as a damaged one. Whatever leaves the desk (the hub, a
 * sync target, a transfer bundle, an export) is the plaintext from `get`. Files an older version
 * wrote in clear are sealed in place at start (`sealClearFiles`) and read as they are until then.
 */
export class FileStore {
  private readonly fileKey: Buffer | null;

  constructor(
    readonly root: string,
    private readonly logger?: Pick<Logger, 'warn'>,
    opts: FileStoreOptions = {},
  ) {
    const key = opts.key === undefined ? storeKeyFor(path.join(root, 'x')) : opts.key;
    if (key === null && opts.key !== null) throw new StoreKeyMissingError(`no store key is registered for the data folder holding ${root}: its files cannot be sealed`);
    this.fileKey = key ? fileKeyFrom(key) : null;
  }

  pathOf(sha256: string): string {
    return path.join(this.root, sha256.slice(0, 2), sha256);
  }

  /** Writes the bytes durably (once; a damaged earlier copy is repaired) and returns their SHA-256. Throws (e.g. ENOSPC) with nothing stored. */
  put(bytes: Uint8Array): string {
    const sha = sha256Of(bytes);
    const stored = this.encode(sha, bytes);
    const holds = this.fileKey ? (f: string) => this.opened(sha, fs.readFileSync(f)) !== null : undefined;
    if (putContentAddressed(this.pathOf(sha), stored, holds) === 'repaired') this.logger?.warn('files.repaired', { sha256: sha, size: bytes.length });
    return sha;
  }

  /** The key files are sealed with (null: the baseline without a key), for writers that seal as they go (the import's staging). */
  sealingKey(): Buffer | null {
    return this.fileKey ?? null;
  }

  /** The bytes kept on disk for `plain` (whose SHA-256 is `sha256`): sealed, or as they are in the baseline without a key. */
  encode(sha256: string, plain: Uint8Array): Uint8Array {
    return this.fileKey ? sealFile(this.fileKey, sha256, plain) : plain;
  }

  /** The plaintext of the stored bytes of file `sha256`, checked against its hash; null when they are not it. */
  private opened(sha256: string, raw: Buffer): Buffer | null {
    return runNow(this.openingSteps(sha256, raw));
  }

  /** `opened`, a slice at a time (file-cipher.ts Steps): run at once by `get`, yielding by `read`. */
  private *openingSteps(sha256: string, raw: Buffer): Steps<Buffer | null> {
    if (this.fileKey && looksSealed(raw)) {
      const plain = yield* openSealedSteps(this.fileKey, sha256, raw);
      if (plain && (yield* sha256Steps(plain)) === sha256) return plain;
    }
    // A file written in clear before the files were sealed (or, rarely, such a file that begins like a sealed one).
    return (yield* sha256Steps(raw)) === sha256 ? raw : null;
  }

  /**
   * Whether the bytes are here. A `files` row does not say so: a page of the hall's material
   * library is recorded by hash when its material arrives and fetched from the hub when first
   * needed (services/hub/hall-materials.ts).
   */
  holds(sha256: string): boolean {
    return fs.existsSync(this.pathOf(sha256));
  }

  /** Reads a file (opening its seal) and checks it still has its hash; a file that does not open or hash to its name is refused. */
  get(sha256: string): Buffer {
    const raw = fs.readFileSync(this.pathOf(sha256));
    const plain = this.opened(sha256, raw);
    if (!plain) throw damaged(sha256, raw);
    return plain;
  }

  /**
   * `get` for a large file on the main thread: read without blocking, opened and checked a slice at
   * a time with a turn of the event loop between slices. Reading a 200 MB scan in one piece blocked
   * the main thread for seconds (20 s and more at load 30): sockets the target closed meanwhile
   * (keep-alive expiry) were still in the pool when it ended, and the next request on one was reset.
   */
  async read(sha256: string): Promise<Buffer> {
    const raw = await fs.promises.readFile(this.pathOf(sha256));
    const plain = await runYielding(this.openingSteps(sha256, raw));
    if (!plain) throw damaged(sha256, raw);
    return plain;
  }

  /**
   * Seals in place every file still in clear (written before the files were sealed), at start,
   * before anything reads them. A file that begins as a sealed one is passed over after reading
   * those 5 bytes (the walk costs about what the orphan sweep's does); a clear one is replaced
   * through the durable-write primitive (sealed at a temp name, flushed, renamed, the folder
   * flushed) keeping its modification time (sweepOrphans judges a file's age by it): a kill leaves
   * each file in clear or sealed, both readable, and the next start finishes the walk. A clear file
   * that no longer hashes to its name is left as it is (damaged: `get` refuses it).
   */
  sealClearFiles(): { sealed: number; damaged: string[] } {
    const out = { sealed: 0, damaged: [] as string[] };
    if (!this.fileKey || !fs.existsSync(this.root)) return out;
    for (const sub of fs.readdirSync(this.root)) {
      const dir = path.join(this.root, sub);
      if (!fs.statSync(dir).isDirectory()) continue;
      for (const name of fs.readdirSync(dir)) {
        if (!/^[0-9a-f]{64}$/.test(name)) continue; // temp files (.tmp-*) are the sweep's
        const file = path.join(dir, name);
        if (beginsSealed(file)) continue;
        const raw = fs.readFileSync(file);
        if (sha256Of(raw) !== name) {
          out.damaged.push(name);
          continue;
        }
        writeFileDurably(file, sealFile(this.fileKey, name, raw), { mtime: fs.statSync(file).mtime });
        out.sealed++;
        progress('files.sealed', String(out.sealed));
      }
    }
    return out;
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
