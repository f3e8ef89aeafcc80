import fs from 'node:fs';
import path from 'node:path';
import { progress } from '../log/progress';
import { replaceWithCheckedFile, tempNameFor } from './durable-write';
import { encryptionBackupName, writeBackupSync } from './backups';
import { isPlaintextSqlite, openDeskDb, type Db, type StoreKey } from './store-cipher';

/**
 * Encrypting a data folder written before the store was encrypted (issue 15), in place, at start-up
 * (before the store is opened; the data folder's lock is held): desk.sqlite, then every plaintext
 * backup in `backups/` and every store moved aside by a restore in `replaced/`.
 *
 * For each file: its -wal checkpointed into it; a copy at a temp name beside it, encrypted there
 * (`PRAGMA rekey`), flushed and verified — reopened with the key, quick_check, and every table's
 * row count equal to the original's; for desk.sqlite a backup of the encrypted copy written and
 * verified (`before-encryption-<time>.sqlite`, store/backups.ts); then the copy renamed over the
 * original through the durable-write primitive. A kill at any point leaves the original (plaintext,
 * taken up again at the next start; the temp copy swept as `.tmp-*`) or the encrypted file, never
 * neither. Marks (electron/log/progress.ts): `store.encrypt.copied`, `store.encrypt.verified`,
 * `store.encrypt.backedUp`, `store.encrypt.replaced` with the file's name.
 *
 * The old plaintext blocks stay on the disk until the file system reuses them: a folder that held
 * personal data in clear is only clean on a new or wiped disk (docs/SECURITY.md).
 */

export interface EncryptOutcome {
  /** Files encrypted, relative to the data folder. */
  encrypted: string[];
  /** The backup of desk.sqlite taken before it was replaced, if it was encrypted now. */
  backup: string | null;
}

function tableCounts(db: Db): Record<string, number> {
  const tables = (db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).all() as { name: string }[]).map((r) => r.name);
  const counts: Record<string, number> = {};
  for (const t of tables) counts[t] = (db.prepare(`SELECT COUNT(*) AS n FROM "${t.replace(/"/g, '""')}"`).get() as { n: number }).n;
  return counts;
}

/** Whether a plaintext SQLite file is a desk store (has schema_migrations): a foreign database is left for openStore to refuse. */
function isDeskStore(file: string): boolean {
  const db = openDeskDb(file, { key: null, readonly: true, fileMustExist: true });
  try {
    return !!db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`).get();
  } catch {
    return false;
  } finally {
    db.close();
  }
}

/** Checkpoints the plaintext file's -wal into it and counts its rows; closes it (its -wal and -shm go with the last connection). */
function settlePlaintext(file: string): Record<string, number> {
  const db = openDeskDb(file, { key: null, fileMustExist: true });
  let counts: Record<string, number>;
  try {
    db.pragma('busy_timeout = 5000');
    db.pragma('wal_checkpoint(TRUNCATE)');
    counts = tableCounts(db);
  } finally {
    db.close();
  }
  const wal = `${file}-wal`;
  if (fs.existsSync(wal) && fs.statSync(wal).size > 0) throw new Error(`${wal} still holds ${fs.statSync(wal).size} bytes after a checkpoint: another connection is open`);
  fs.rmSync(wal, { force: true });
  fs.rmSync(`${file}-shm`, { force: true });
  return counts;
}

/** Encrypts a plaintext SQLite file in place (the caller's private copy). */
function rekeyCopy(file: string, key: StoreKey): void {
  const db = openDeskDb(file, { key: null, fileMustExist: true });
  try {
    db.pragma('journal_mode = DELETE');
    applyStoreKeyForRekey(db, key);
  } finally {
    db.close();
  }
}

function applyStoreKeyForRekey(db: Db, key: StoreKey): void {
  // The same cipher settings as applyStoreKey, then rekey (not key): a plaintext database becomes encrypted.
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`rekey = "x'${key.toString('hex')}'"`);
}

function verifyEncrypted(file: string, key: StoreKey, expected: Record<string, number>): void {
  const db = openDeskDb(file, { readonly: true, fileMustExist: true, key });
  try {
    const check = db.pragma('quick_check') as { quick_check: string }[];
    if (check.length !== 1 || check[0]?.quick_check !== 'ok') throw new Error(`encrypted copy ${file} fails quick_check: ${check.map((c) => c.quick_check).slice(0, 3).join('; ')}`);
    const got = tableCounts(db);
    if (JSON.stringify(got) !== JSON.stringify(expected)) throw new Error(`encrypted copy ${file} differs from the original: ${JSON.stringify(got)} vs ${JSON.stringify(expected)}`);
  } finally {
    db.close();
  }
}

/** One plaintext file encrypted through a verified copy; `beforeReplace` runs on the verified copy (the store's backup). */
function encryptFile(file: string, key: StoreKey, beforeReplace?: (copy: string) => void): void {
  const name = path.basename(file);
  const counts = settlePlaintext(file);
  const tmp = tempNameFor(file);
  try {
    fs.copyFileSync(file, tmp);
    rekeyCopy(tmp, key);
    progress('store.encrypt.copied', name);
    verifyEncrypted(tmp, key, counts);
    progress('store.encrypt.verified', name);
    beforeReplace?.(tmp);
    replaceWithCheckedFile(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    fs.rmSync(`${tmp}-journal`, { force: true });
    throw e;
  }
  progress('store.encrypt.replaced', name);
}

/** The plaintext store files of a data folder besides desk.sqlite: backups and stores a restore moved aside. */
function plaintextCopies(dataDir: string, backupDir: string): string[] {
  const found: string[] = [];
  if (fs.existsSync(backupDir)) {
    for (const n of fs.readdirSync(backupDir).sort()) if (n.endsWith('.sqlite') && !n.startsWith('.')) found.push(path.join(backupDir, n));
  }
  for (const sub of replacedDirs(dataDir).sort()) {
    for (const n of fs.readdirSync(sub).sort()) if (n.endsWith('.sqlite')) found.push(path.join(sub, n));
  }
  return found.filter((f) => isPlaintextSqlite(f) && isDeskStore(f));
}

/** A copy this module made (tempNameFor of a `.sqlite` file, and its rollback journal). */
const OWN_TEMP = /^\.tmp-.+\.sqlite-\d+-[0-9a-f]{8}(-journal)?$/;

/**
 * Removes copies a kill left half-made (a plaintext copy before its rekey finished would hold
 * personal data in clear). Start-up only, under the folder's lock: no other process makes them.
 */
function sweepOwnTemps(dirs: string[]): string[] {
  const removed: string[] = [];
  for (const dir of dirs) {
    if (!fs.existsSync(dir)) continue;
    for (const n of fs.readdirSync(dir)) {
      if (!OWN_TEMP.test(n)) continue;
      fs.rmSync(path.join(dir, n), { force: true });
      removed.push(path.join(dir, n));
    }
  }
  return removed;
}

function replacedDirs(dataDir: string): string[] {
  const replaced = path.join(dataDir, 'replaced');
  if (!fs.existsSync(replaced)) return [];
  return fs
    .readdirSync(replaced)
    .map((d) => path.join(replaced, d))
    .filter((d) => fs.statSync(d).isDirectory());
}

/** Encrypts what is still plaintext in the data folder (nothing, on a folder already encrypted: one header read per file). */
export function encryptPlaintextStores(o: { dataDir: string; dbFile: string; backupDir: string; key: StoreKey; now: () => Date }): EncryptOutcome {
  sweepOwnTemps([o.dataDir, o.backupDir, ...replacedDirs(o.dataDir)]);
  const encrypted: string[] = [];
  let backup: string | null = null;
  if (isPlaintextSqlite(o.dbFile) && isDeskStore(o.dbFile)) {
    encryptFile(o.dbFile, o.key, (copy) => {
      backup = writeBackupSync(copy, o.backupDir, encryptionBackupName(o.now())).file;
      progress('store.encrypt.backedUp', path.basename(o.dbFile));
    });
    encrypted.push(path.relative(o.dataDir, o.dbFile));
  }
  for (const f of plaintextCopies(o.dataDir, o.backupDir)) {
    encryptFile(f, o.key);
    encrypted.push(path.relative(o.dataDir, f));
  }
  return { encrypted, backup };
}
