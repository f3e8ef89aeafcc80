import fs from 'node:fs';
import path from 'node:path';
import { createHmac } from 'node:crypto';
import type BetterSqlite3 from 'better-sqlite3';
import CipherDatabase from 'better-sqlite3-multiple-ciphers';

/**
 * The one way the desk opens its store — desk.sqlite, a backup of it, a copy staged for a restore —
 * in every process and thread (the app, backups and their verification, restore, the CLI, the
 * workers): `openDeskDb`. The store is encrypted at rest (issue 15) by better-sqlite3-multiple-ciphers
 * (SQLite3 Multiple Ciphers, a drop-in fork of better-sqlite3) in SQLCipher 4's format — AES-256-CBC
 * pages with an HMAC-SHA512 each, a random salt in the first 16 bytes — so `sqlcipher` itself opens a
 * store given its key. The key is 32 random bytes handed over raw (`x'…'`, no passphrase KDF: the key
 * is already random, and every open would otherwise cost PBKDF2's 256,000 rounds); where it is kept
 * is store-key.ts.
 *
 * Keys are registered per data folder (`registerStoreKey`) by whoever resolved them (the composition
 * root, the CLI, a test helper) and found by path: a file inside a registered folder (desk.sqlite,
 * backups/…, replaced/…, a `.tmp-` copy beside the store) is opened with that folder's key. Worker
 * threads get the registered keys with their job (`exportStoreKeys` → `importStoreKeys`).
 */

export type Db = BetterSqlite3.Database;
/** The raw 32-byte key of one data folder's store. */
export type StoreKey = Buffer;

export const STORE_KEY_BYTES = 32;
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

const keys = new Map<string, StoreKey>();

/** Makes `key` the key of every store file under `dataDir` (this thread). */
export function registerStoreKey(dataDir: string, key: StoreKey): void {
  if (key.length !== STORE_KEY_BYTES) throw new Error(`a store key has ${STORE_KEY_BYTES} bytes, not ${key.length}`);
  keys.set(path.resolve(dataDir), Buffer.from(key));
}

/** The key registered for the data folder holding `file` (the deepest registered folder above it), or null. */
export function storeKeyFor(file: string): StoreKey | null {
  let dir = path.dirname(path.resolve(file));
  for (;;) {
    const k = keys.get(dir);
    if (k) return k;
    const up = path.dirname(dir);
    if (up === dir) return null;
    dir = up;
  }
}

/** The registered keys, to hand to a worker thread (hex; structured-clone safe). */
export function exportStoreKeys(): Record<string, string> {
  return Object.fromEntries([...keys].map(([dir, k]) => [dir, k.toString('hex')]));
}

/** Registers keys a worker thread was handed (`exportStoreKeys` in the parent). */
export function importStoreKeys(exported: unknown): void {
  if (!exported || typeof exported !== 'object') return;
  for (const [dir, hex] of Object.entries(exported as Record<string, unknown>)) {
    if (typeof hex === 'string' && /^[0-9a-f]{64}$/.test(hex)) registerStoreKey(dir, Buffer.from(hex, 'hex'));
  }
}

/** A short public name of a key (an HMAC of a fixed label under it): tells keys apart without revealing them. */
export function storeKeyId(key: StoreKey): string {
  return createHmac('sha256', key).update('proof-free-desk store key id v1').digest('hex').slice(0, 32);
}

export interface OpenDeskDbOptions {
  readonly?: boolean;
  fileMustExist?: boolean;
  /** Busy timeout of the connection, ms (better-sqlite3's `timeout`). */
  timeout?: number;
  /** The key; default the one registered for the file's data folder. `null`: open a plaintext store (only the migration that encrypts it). */
  key?: StoreKey | null;
}

export class StoreKeyMissingError extends Error {}

/** Applies the cipher and key to a connection just opened (before its first read). */
export function applyStoreKey(db: Db, key: StoreKey): void {
  db.pragma(`cipher = 'sqlcipher'`);
  db.pragma('legacy = 4');
  db.pragma(`key = "x'${key.toString('hex')}'"`);
}

/**
 * Opens a store file (better-sqlite3's options). The connection reads nothing yet: a wrong key (or a
 * file that is no SQLite store) shows as SQLITE_NOTADB at the first statement, as corruption did before.
 */
export function openDeskDb(file: string, opts: OpenDeskDbOptions = {}): Db {
  const key = opts.key === undefined ? storeKeyFor(file) : opts.key;
  if (key === null && opts.key !== null) throw new StoreKeyMissingError(`no store key is registered for ${file}`);
  const Ctor = CipherDatabase as unknown as new (file: string, options?: BetterSqlite3.Options) => Db;
  const db = new Ctor(file, {
    ...(opts.readonly ? { readonly: true } : {}),
    ...(opts.fileMustExist ? { fileMustExist: true } : {}),
    ...(opts.timeout !== undefined ? { timeout: opts.timeout } : {}),
  });
  if (key) {
    try {
      applyStoreKey(db, key);
    } catch (e) {
      db.close();
      throw e;
    }
  }
  return db;
}

/** True when the file begins with SQLite's plaintext header (an unencrypted store); false for an encrypted, empty, missing or foreign file. */
export function isPlaintextSqlite(file: string): boolean {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch {
    return false;
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    return n === head.length && head.equals(SQLITE_HEADER);
  } finally {
    fs.closeSync(fd);
  }
}

/** Whether `key` opens the store file (reads its schema; nothing written). */
export function keyOpens(file: string, key: StoreKey): boolean {
  let db: Db | null = null;
  try {
    db = openDeskDb(file, { readonly: true, fileMustExist: true, key });
    db.prepare('SELECT COUNT(*) AS n FROM sqlite_master').get();
    return true;
  } catch {
    return false;
  } finally {
    db?.close();
  }
}
