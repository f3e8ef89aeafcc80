/**
 * Opening a desk's store from a test (the store is encrypted: electron/store/store-cipher.ts).
 * `openTestStore(file)` takes the key this process registered for the file's data folder (an
 * in-process desk) or else reads it as a spawned browser host keeps it: `store-key.json` in the data
 * folder names it, the key file beside the folder holds it (electron/store/store-key.ts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { isPlaintextSqlite, openDeskDb, registerStoreKey, storeKeyFor, type Db, type OpenDeskDbOptions, type StoreKey } from '../../electron/store/store-cipher';
import { defaultKeyFile, KEY_RECORD_FILE } from '../../electron/store/store-key';
import { unlockStore } from '../../electron/store/unlock-store';
import { FileStore } from '../../electron/services/files/file-store';

/** The data folder holding `file` (the nearest folder above it with a key record), or null. */
function dataDirOf(file: string): string | null {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    if (fs.existsSync(path.join(dir, KEY_RECORD_FILE))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The key of the store `file` belongs to: registered here, or read from its folder's key file (then registered). */
export function testStoreKey(file: string): StoreKey | null {
  const known = storeKeyFor(file);
  if (known) return known;
  const dataDir = dataDirOf(file);
  if (!dataDir) return null;
  const keyFile = defaultKeyFile(dataDir);
  if (!fs.existsSync(keyFile)) return null;
  const key = Buffer.from(fs.readFileSync(keyFile, 'utf8').trim(), 'hex');
  registerStoreKey(dataDir, key);
  return key;
}

/** Opens a desk store (or a backup of one) with its key; a store an older version left in plaintext is opened as it is. */
export function openTestStore(file: string, opts: Omit<OpenDeskDbOptions, 'key'> = {}): Db {
  if (isPlaintextSqlite(file)) return openDeskDb(file, { ...opts, key: null });
  const key = testStoreKey(file);
  if (!key && fs.existsSync(file) && fs.statSync(file).size > 0) throw new Error(`no key found for the encrypted store ${file}`);
  return openDeskDb(file, { ...opts, key: key ?? null });
}

/** Makes `dataDir` a data folder with a key (created, or the one it has) before a test opens a store in it directly. */
export function unlockTestDataDir(dataDir: string): StoreKey {
  fs.mkdirSync(dataDir, { recursive: true });
  return unlockStore({ dataDir, migrate: false }).key;
}

/** A copy of a data folder keeps its key (a test copying a folder copies the key file beside it too). */
export function copyStoreKey(fromDataDir: string, toDataDir: string): void {
  const from = defaultKeyFile(fromDataDir);
  if (fs.existsSync(from)) fs.copyFileSync(from, defaultKeyFile(toDataDir));
  const record = path.join(fromDataDir, KEY_RECORD_FILE);
  if (fs.existsSync(record) && fs.existsSync(toDataDir)) fs.copyFileSync(record, path.join(toDataDir, KEY_RECORD_FILE));
}

/** The data folder's stored files as the desk reads them (sealed at rest: services/files/file-cipher.ts), with its store's key. */
export function testFileStore(dataDir: string): FileStore {
  const key = testStoreKey(path.join(dataDir, 'desk.sqlite'));
  if (!key) throw new Error(`no store key found for ${dataDir}`);
  return new FileStore(path.join(dataDir, 'files'), undefined, { key });
}
