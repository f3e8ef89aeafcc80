import { storePaths } from '../app/paths';
import { encryptPlaintextStores, type EncryptOutcome } from './encrypt-store';
import { registerStoreKey } from './store-cipher';
import { fileKeySource, resolveStoreKey, type ResolvedStoreKey, type StoreKeySource } from './store-key';

export interface UnlockedStore extends ResolvedStoreKey {
  /** What was encrypted in place now (store/encrypt-store.ts); empty on a folder already encrypted. */
  migration: EncryptOutcome;
}

/**
 * Makes a data folder's store openable in this process, before anything opens it (the composition
 * root, the CLI): its key resolved (store-key.ts; a missing or wrong key throws StoreKeyRefused),
 * registered for the folder (store-cipher.ts), and what is still plaintext in the folder encrypted
 * in place (`migrate: false` for a tool that only reads). The caller holds the folder (its lock, or
 * the CLI's import guard): the migration renames the store.
 */
export function unlockStore(o: { dataDir: string; source?: StoreKeySource; now?: () => Date; migrate?: boolean }): UnlockedStore {
  const now = o.now ?? (() => new Date());
  const paths = storePaths(o.dataDir);
  const resolved = resolveStoreKey(o.dataDir, paths.dbFile, o.source ?? fileKeySource(o.dataDir), now);
  registerStoreKey(o.dataDir, resolved.key);
  const migration = o.migrate === false ? { encrypted: [], backup: null } : encryptPlaintextStores({ dataDir: o.dataDir, dbFile: paths.dbFile, backupDir: paths.backupDir, key: resolved.key, now });
  return { ...resolved, migration };
}
