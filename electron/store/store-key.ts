import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { writeFileDurably } from './durable-write';
import { isPlaintextSqlite, STORE_KEY_BYTES, storeKeyId, type StoreKey } from './store-cipher';

/**
 * Where the store's key is kept (docs/SECURITY.md, 数据保密性). Two sources:
 *
 * - `os` (the Electron shell): the key sealed by the OS key store — Electron's `safeStorage`: DPAPI
 *   on Windows, the Secret Service (libsecret: GNOME Keyring / KWallet) on UOS and Kylin, the
 *   Keychain on macOS — and the sealed blob kept in the data folder's `store-key.json`. A copy of the
 *   folder (a lost disk read elsewhere, a backup carried off) cannot be unsealed without this OS
 *   user's login secret.
 * - `file` (the browser host, the CLI, tests): 32 random bytes in hex in a key file of mode 0600
 *   OUTSIDE the data folder — by default `<parent>/<folder name>.store-key` beside it, or the path
 *   `DESK_STORE_KEY_FILE` names (removable media, a folder of its own). A copy of the data folder
 *   alone holds no key; a copy of the whole disk does (the browser host is the development and
 *   fallback host; a lost laptop is covered by the Electron shell's OS key store).
 *
 * `store-key.json` (0600, in the data folder) names the key (`keyId`, an HMAC under it — not the
 * key) and holds the sealed blob for `os`. So a start can tell a key that is missing (a folder whose
 * store was encrypted, no key to be found) or wrong (a key file of another folder) from a damaged
 * store, and refuses the first two in Chinese (app/start-failure.ts) with nothing deleted.
 */

/** Electron's safeStorage as the key source needs it (the shell passes the real one; tests a simulator). */
export interface OsKeyStore {
  isEncryptionAvailable(): boolean;
  encryptString(plain: string): Buffer;
  decryptString(sealed: Buffer): string;
  /** Linux: the backend in use ('basic_text' = no keyring, the blob sealed with a fixed password). Elsewhere ''. */
  backend(): string;
}

export type StoreKeySource = { kind: 'os'; keyStore: OsKeyStore } | { kind: 'file'; file: string };

export const KEY_RECORD_FILE = 'store-key.json';
export const keyRecordPath = (dataDir: string): string => path.join(dataDir, KEY_RECORD_FILE);

/** The browser host's key file: DESK_STORE_KEY_FILE, else `<parent>/<folder>.store-key` beside the data folder. */
export function defaultKeyFile(dataDir: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  if (env.DESK_STORE_KEY_FILE) return path.resolve(env.DESK_STORE_KEY_FILE);
  const dir = path.resolve(dataDir);
  return path.join(path.dirname(dir), `${path.basename(dir)}.store-key`);
}

export const fileKeySource = (dataDir: string, env?: Readonly<Record<string, string | undefined>>): StoreKeySource => ({ kind: 'file', file: defaultKeyFile(dataDir, env) });

interface KeyRecord {
  v: 1;
  keyId: string;
  source: 'os' | 'file';
  /** `os`: the key (hex) sealed by the OS key store, base64. */
  sealed?: string;
  createdAt: string;
}

/** A start refused for the key: `userMessage` is what the person starting the desk reads. Nothing was changed or deleted. */
export class StoreKeyRefused extends Error {
  constructor(
    readonly userMessage: string,
    detail: string,
  ) {
    super(detail);
  }
}

export interface ResolvedStoreKey {
  key: StoreKey;
  keyId: string;
  /** A key made now (a new data folder, or one whose store was never encrypted). */
  created: boolean;
  source: StoreKeySource['kind'];
  /** Where the key is kept, for the log (never the key). */
  keptAt: string;
  /** The Electron shell without a real OS keyring (basic_text, or a key file beside the folder): logged as a warning. */
  weak: boolean;
}

const HEX_KEY = /^[0-9a-f]{64}$/;
const NOTHING_DELETED = '程序没有改动或删除任何文件。';

function readRecord(dataDir: string): KeyRecord | null {
  const file = keyRecordPath(dataDir);
  if (!fs.existsSync(file)) return null;
  let r: Partial<KeyRecord>;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8')) as Partial<KeyRecord>;
  } catch (e) {
    throw new StoreKeyRefused(`数据目录中的密钥记录 ${file} 无法读取或已损坏，无法解开本地数据库。${NOTHING_DELETED}请联系系统管理员。`, `unreadable ${file}: ${String(e)}`);
  }
  if (r.v !== 1 || typeof r.keyId !== 'string' || (r.source !== 'os' && r.source !== 'file')) {
    throw new StoreKeyRefused(`数据目录中的密钥记录 ${file} 格式不对，无法解开本地数据库。${NOTHING_DELETED}请联系系统管理员。`, `malformed ${file}`);
  }
  return r as KeyRecord;
}

function writeRecord(dataDir: string, record: KeyRecord): void {
  writeFileDurably(keyRecordPath(dataDir), `${JSON.stringify(record)}\n`, { mode: 0o600 });
}

/** Whether the folder holds a store that was opened (and so encrypted) before: not plaintext, not empty, and its marker beside it. */
function encryptedStoreHere(dbFile: string): boolean {
  return fs.existsSync(dbFile) && fs.statSync(dbFile).size > 0 && !isPlaintextSqlite(dbFile) && fs.existsSync(`${dbFile}.marker`);
}

function readKeyFile(file: string): StoreKey | null {
  if (!fs.existsSync(file)) return null;
  const text = fs.readFileSync(file, 'utf8').trim();
  if (!HEX_KEY.test(text)) throw new StoreKeyRefused(`数据库密钥文件 ${file} 内容不对（应为 64 位十六进制），无法解开本地数据库。${NOTHING_DELETED}`, `malformed key file ${file}`);
  return Buffer.from(text, 'hex');
}

/**
 * The key of the data folder's store: found (and checked against the folder's record) or, where no
 * store was ever encrypted here, made and kept first (the key file, then the record: a kill between
 * leaves a key file the next start takes up). Throws StoreKeyRefused for a missing or wrong key.
 */
export function resolveStoreKey(dataDir: string, dbFile: string, source: StoreKeySource, now: () => Date = () => new Date()): ResolvedStoreKey {
  const record = readRecord(dataDir);
  return source.kind === 'os' ? fromOsKeyStore(dataDir, dbFile, source.keyStore, record, now) : fromKeyFile(dataDir, dbFile, source.file, record, now);
}

function fromKeyFile(dataDir: string, dbFile: string, file: string, record: KeyRecord | null, now: () => Date): ResolvedStoreKey {
  const found = readKeyFile(file);
  const kept = { source: 'file' as const, keptAt: file, weak: false };
  if (found) {
    const keyId = storeKeyId(found);
    if (record && record.keyId !== keyId) {
      throw new StoreKeyRefused(
        `数据库密钥文件 ${file} 不是本数据目录的密钥（密钥编号不符），无法解开本地数据库。请换回原来的密钥文件，或用 DESK_STORE_KEY_FILE 指定它。${NOTHING_DELETED}`,
        `key file ${file} has key id ${keyId}, the data folder's record names ${record.keyId}`,
      );
    }
    if (!record) writeRecord(dataDir, { v: 1, keyId, source: 'file', createdAt: now().toISOString() });
    return { key: found, keyId, created: false, ...kept };
  }
  if (record || encryptedStoreHere(dbFile)) {
    throw new StoreKeyRefused(
      `找不到数据库密钥文件 ${file}，无法解开本数据目录中已加密的数据库。请放回原来的密钥文件，或用 DESK_STORE_KEY_FILE 指定它所在的位置。${NOTHING_DELETED}`,
      `key file ${file} missing; ${record ? `the data folder's record names key ${record.keyId}` : `${dbFile} is encrypted`}`,
    );
  }
  const key = randomBytes(STORE_KEY_BYTES);
  writeFileDurably(file, `${key.toString('hex')}\n`, { mode: 0o600 });
  const keyId = storeKeyId(key);
  writeRecord(dataDir, { v: 1, keyId, source: 'file', createdAt: now().toISOString() });
  return { key, keyId, created: true, ...kept };
}

function fromOsKeyStore(dataDir: string, dbFile: string, ks: OsKeyStore, record: KeyRecord | null, now: () => Date): ResolvedStoreKey {
  const backend = ks.backend();
  const kept = { source: 'os' as const, keptAt: `${keyRecordPath(dataDir)} (${backend || 'OS key store'})`, weak: backend === 'basic_text' };
  // A folder keyed by a key file (the browser host's, or this shell's on a machine without an OS key
  // store) keeps it; a new folder where the OS key store is unavailable (Linux without a keyring
  // service) gets a key file beside it, logged as weak — the desk starts rather than refusing.
  if (record?.source === 'file' || (!record && !ks.isEncryptionAvailable() && !encryptedStoreHere(dbFile))) {
    const r = fromKeyFile(dataDir, dbFile, defaultKeyFile(dataDir), record, now);
    return { ...r, weak: true };
  }
  if (!ks.isEncryptionAvailable()) {
    throw new StoreKeyRefused(
      `操作系统的密钥库不可用（Windows 数据保护 / 麒麟、统信的密钥环），无法${record ? '解开' : '保护'}本地数据库的密钥。请登录桌面会话并确认密钥环服务已启动后重试。${NOTHING_DELETED}`,
      `safeStorage.isEncryptionAvailable() is false (backend ${backend || 'n/a'})`,
    );
  }
  if (record?.sealed) {
    let hex: string;
    try {
      hex = ks.decryptString(Buffer.from(record.sealed, 'base64'));
    } catch (e) {
      throw new StoreKeyRefused(
        `无法用本机的系统密钥库解开数据库密钥：该数据目录可能来自另一台电脑或另一个系统用户，或系统用户的密钥环已被重置。${NOTHING_DELETED}请联系系统管理员。`,
        `safeStorage.decryptString failed: ${String(e)}`,
      );
    }
    if (!HEX_KEY.test(hex) || storeKeyId(Buffer.from(hex, 'hex')) !== record.keyId) {
      throw new StoreKeyRefused(`系统密钥库解开的数据库密钥与本数据目录的记录不符。${NOTHING_DELETED}请联系系统管理员。`, `unsealed key does not match key id ${record.keyId}`);
    }
    return { key: Buffer.from(hex, 'hex'), keyId: record.keyId, created: false, ...kept };
  }
  if (record || encryptedStoreHere(dbFile)) {
    throw new StoreKeyRefused(
      `找不到本数据目录的数据库密钥（密钥记录 ${keyRecordPath(dataDir)} ${record ? '中没有密钥' : '不见了'}），无法解开已加密的数据库。${NOTHING_DELETED}请由管理员从备份恢复密钥记录。`,
      record ? `record ${record.keyId} holds no sealed key` : `${dbFile} is encrypted and ${keyRecordPath(dataDir)} is missing`,
    );
  }
  const key = randomBytes(STORE_KEY_BYTES);
  const keyId = storeKeyId(key);
  const sealed = ks.encryptString(key.toString('hex')).toString('base64');
  writeRecord(dataDir, { v: 1, keyId, source: 'os', sealed, createdAt: now().toISOString() });
  return { key, keyId, created: true, ...kept };
}
