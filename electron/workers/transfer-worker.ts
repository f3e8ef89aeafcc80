import { parentPort, workerData } from 'node:worker_threads';
import { applyPragmas } from '../store/open-store';
import { importStoreKeys, openDeskDb } from '../store/store-cipher';
import { writeTx } from '../store/write';
import { FileStore } from '../services/files/file-store';
import type { TargetConfig } from '../services/sync/targets-config';
import { BundleRefused } from '../services/transfer/bundle-format';
import { SetupRefused } from '../services/transfer/desk-setup';
import { exportBundle } from '../services/transfer/export-bundle';
import { importBundle } from '../services/transfer/import-bundle';
import { capCache } from '../services/transfer/open-transfer';
import { forwardingLogger, type TransferJob, type TransferReply } from '../services/transfer/transfer-runner';
import type { TransferCtx } from '../services/transfer/transfer-context';

/**
 * The transfer worker (transfer-runner.ts): its own connection to the desk's store with the
 * app's pragmas and a 2 MB cache, runs exports and imports one at a time, in order.
 */
const { dbFile, dataDir, filesRoot, storeKeys } = workerData as { dbFile: string; dataDir: string; filesRoot: string; storeKeys: unknown };
importStoreKeys(storeKeys);
const db = openDeskDb(dbFile, { fileMustExist: true });
applyPragmas(db);
capCache(db);

const post = (reply: TransferReply) => parentPort!.postMessage(reply);
let offset = 0;
let targets: TargetConfig[] = [];
const now = () => new Date(Date.now() + offset);
const logger = forwardingLogger(post);
const ctx: TransferCtx = {
  db,
  now,
  logger,
  write: (actor, fn) => writeTx(db, actor, now, fn),
  dataDir,
  files: new FileStore(filesRoot, logger),
  targets: { all: () => targets, get: (id) => targets.find((t) => t.id === id) },
};

/** The error's code (ENOSPC, SQLITE_FULL, …), so that the app maps it as it maps its own (app-error.ts). */
const errorCode = (e: unknown): { code?: string } => {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? { code } : {};
};

let queue = Promise.resolve();
parentPort!.on('message', (job: TransferJob) => {
  queue = queue.then(async () => {
    offset = job.nowMs - Date.now();
    targets = job.targets;
    try {
      const value = job.op === 'export' ? await exportBundle(ctx, job.actor, job.options) : await importBundle(ctx, job.actor, job.manifestFile);
      post({ id: job.id, ok: true, value });
    } catch (e) {
      if (e instanceof BundleRefused) post({ id: job.id, ok: false, refused: { code: e.code, userMessage: e.userMessage, detail: e.detail } });
      else if (e instanceof SetupRefused) post({ id: job.id, ok: false, setup: e.userMessage });
      else post({ id: job.id, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e), ...errorCode(e) });
    }
  });
});
