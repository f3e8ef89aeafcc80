import fs from 'node:fs';
import path from 'node:path';
import { createLogger } from '../../log/logger';
import { openStore, type Db } from '../../store/open-store';
import { unlockStore } from '../../store/unlock-store';
import { sealSecretsAtRest } from '../../app/seal-secrets';
import type { StoreKeySource } from '../../store/store-key';
import { writeTx } from '../../store/write';
import { appRoot, storePaths } from '../../app/paths';
import { FileStore } from '../files/file-store';
import { loadSyncConfig } from '../sync/targets-config';
import type { TransferCtx } from './transfer-context';

/**
 * SQLite's page cache for a connection that exports or imports bundles: 2 MB instead of
 * better-sqlite3's 16 MB. Exports read the store once in order; an import's one transaction
 * spills its pages to the WAL beyond the cache. Measured on 20,000 cases: the same apply time
 * with 2, 8 or 16 MB, and 10 MB less peak memory.
 */
export function capCache(db: Db): void {
  db.pragma('cache_size = -2048');
}

/**
 * The transfer services on an existing data folder without the app (the CLI, tests). The store
 * must exist: a bundle is never imported into a new empty database.
 */
export function openTransfer(dataDir: string, opts: { now?: () => Date; storeKey?: StoreKeySource } = {}): { ctx: TransferCtx; close(): void } {
  const paths = storePaths(dataDir);
  if (!fs.existsSync(paths.dbFile)) throw new Error(`找不到数据库文件：${paths.dbFile}`);
  const now = opts.now ?? (() => new Date());
  const logger = createLogger({ file: paths.logFile });
  // The store's key (and a plaintext store encrypted in place), as at the app's start (store/unlock-store.ts).
  unlockStore({ dataDir, now, ...(opts.storeKey ? { source: opts.storeKey } : {}) });
  const keys = sealSecretsAtRest(dataDir);
  if (keys.sealed.length) logger.warn('store.keysSealedInPlace', { files: keys.sealed });
  for (const f of keys.failed) logger.error('store.keyNotSealed', f);
  const opened = openStore({ file: paths.dbFile, migrationsDir: path.join(appRoot(), 'migrations'), backupDir: paths.backupDir, now });
  if (!opened.ok) throw new Error(`${opened.message}（${opened.detail}）`);
  const { db } = opened;
  capCache(db);
  const cfg = loadSyncConfig(dataDir);
  const targets = cfg.config.targets;
  const files = new FileStore(path.join(dataDir, 'files'), logger);
  files.sealClearFiles(); // as at the app's start: files an older version stored in clear are sealed first
  const ctx: TransferCtx = {
    db,
    now,
    logger,
    write: (actor, fn) => writeTx(db, actor, now, fn),
    dataDir,
    files,
    targets: { all: () => targets, get: (id) => targets.find((t) => t.id === id) },
  };
  return { ctx, close: () => db.close() };
}
