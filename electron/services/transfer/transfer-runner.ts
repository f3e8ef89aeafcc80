import { Worker } from 'node:worker_threads';
import type { Actor } from '../audit/audit-chain';
import type { Logger, LogLevel } from '../../log/logger';
import type { TargetConfig } from '../sync/targets-config';
import { workerBundle } from '../../workers/run-in-worker';
import { exportStoreKeys } from '../../store/store-cipher';
import { BundleRefused, type RefusalCode } from './bundle-format';
import { SetupRefused } from './desk-setup';
import { exportBundle, type ExportOptions, type ExportResult } from './export-bundle';
import { importBundle, type ImportResult } from './import-bundle';
import type { TransferCtx } from './transfer-context';

/** Where exports and imports run: in this thread (CLI, tests) or in a worker thread of their own (the app). */
export interface TransferRunner {
  exportBundle(actor: Actor, o: ExportOptions): Promise<ExportResult>;
  importBundle(actor: Actor, manifestFile: string): Promise<ImportResult>;
  close(): Promise<void>;
}

export function inlineRunner(ctx: TransferCtx): TransferRunner {
  return {
    exportBundle: (actor, o) => exportBundle(ctx, actor, o),
    importBundle: (actor, manifestFile) => importBundle(ctx, actor, manifestFile),
    close: async () => undefined,
  };
}

type JobBody = { op: 'export'; actor: Actor; options: ExportOptions } | { op: 'import'; actor: Actor; manifestFile: string };

/** A job for the transfer worker (electron/workers/transfer-worker.ts). */
export type TransferJob = JobBody & { id: number; nowMs: number; targets: TargetConfig[] };

/** What the worker says: a job's outcome, or a log line for the app's logger. */
export type TransferReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; refused?: { code: RefusalCode; userMessage: string; detail: Record<string, unknown> }; setup?: string; error?: string; code?: string }
  | { log: { level: LogLevel; event: string; fields: Record<string, unknown> } };

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
}

/**
 * Exports and imports in a worker thread with its own connection to the store, one job at a time,
 * so that the app's main thread goes on answering while a bundle is verified and its one
 * transaction applied (a 10,000-case import holds that transaction about a second). The worker's
 * clock follows the app's `now`, its log lines go to the app's logger, refusals come back as
 * BundleRefused / SetupRefused. If the worker dies, the jobs in flight fail and the next one
 * starts a fresh worker.
 */
export function workerRunner(ctx: TransferCtx, dbFile: string): TransferRunner {
  let worker: Worker | null = null;
  const pending = new Map<number, Pending>();
  let nextId = 1;

  function start(): Worker {
    const w = new Worker(workerBundle('transfer-worker.cjs'), { workerData: { dbFile, dataDir: ctx.dataDir, filesRoot: ctx.files.root, storeKeys: exportStoreKeys() }, execArgv: [] });
    w.unref();
    w.on('message', (msg: TransferReply) => {
      if ('log' in msg) {
        ctx.logger.log(msg.log.level, msg.log.event, msg.log.fields);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (pending.size === 0) w.unref();
      if (msg.ok) p.resolve(msg.value);
      else if (msg.refused) p.reject(new BundleRefused(msg.refused.code, msg.refused.userMessage, msg.refused.detail));
      else if (msg.setup) p.reject(new SetupRefused(msg.setup));
      else p.reject(Object.assign(new Error(`transfer worker: ${msg.error}`), msg.code ? { code: msg.code } : {}));
    });
    const fail = (error: Error) => {
      if (worker === w) worker = null;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error(`transfer worker failed: ${error.message}`));
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the transfer worker exited with code ${code}`)));
    worker = w;
    return w;
  }

  function run<T>(job: JobBody): Promise<T> {
    const w = worker ?? start();
    const id = nextId++;
    return new Promise<T>((resolve, reject) => {
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      w.ref(); // a job in flight keeps the process alive
      const message: TransferJob = { ...job, id, nowMs: ctx.now().getTime(), targets: [...ctx.targets.all()] };
      w.postMessage(message);
    });
  }

  return {
    exportBundle: (actor, options) => run<ExportResult>({ op: 'export', actor, options }),
    importBundle: (actor, manifestFile) => run<ImportResult>({ op: 'import', actor, manifestFile }),
    close: async () => {
      const w = worker;
      worker = null;
      if (w) await w.terminate();
    },
  };
}

/** A Logger whose lines are posted to the app's logger (in the worker). */
export function forwardingLogger(post: (reply: TransferReply) => void): Logger {
  const log = (level: LogLevel, event: string, fields: Record<string, unknown> = {}) => {
    try {
      post({ log: { level, event, fields } });
    } catch {
      // A field that cannot be cloned: the line without its fields (a logger never throws).
      try {
        post({ log: { level, event, fields: { unclonable: Object.keys(fields) } } });
      } catch {
        // nothing more to do
      }
    }
    return '';
  };
  return { log, info: (e, f) => log('info', e, f), warn: (e, f) => log('warn', e, f), error: (e, f) => log('error', e, f), recent: () => [] };
}
