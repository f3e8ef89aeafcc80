import { Worker } from 'node:worker_threads';
import type { Db } from '../../store/open-store';
import { workerBundle } from '../../workers/run-in-worker';
import { SENDER_OPS, type SenderOpName, type SenderOps } from './sender-store';
import { exportStoreKeys } from '../../store/store-cipher';

/**
 * Where the sender's state changes run (sender-store.ts). Every operation is
 * asynchronous for the sender, whichever backing serves it:
 *
 * - `worker` (the app): a worker thread with its own connection to the store
 *   (WAL, synchronous=FULL, like the main one) runs them one after another, in
 *   the order they were asked. Each commit — claims, acknowledgement batches,
 *   retries, upload offsets — fsyncs there, not on the main thread, so the
 *   dispatcher keeps answering during a drain. A promise settles only after
 *   its transaction committed: what the sender does next (send a claimed
 *   entry, let the next entry of a case go) never runs ahead of the disk.
 * - `inline`: the same functions on the main connection (the behaviour before
 *   the worker; the bench's baseline).
 */
export type SenderStore = { readonly [K in SenderOpName]: (arg: Parameters<SenderOps[K]>[1]) => Promise<ReturnType<SenderOps[K]>> } & {
  readonly mode: SenderStoreMode;
  /** Commits what was asked, then closes the connection (a clean stop). */
  close(): Promise<void>;
  /** Stops at once: the process or the store is going away; a transaction cut short rolls back. */
  halt(): void;
};

export type SenderStoreMode = 'worker' | 'inline';

function facade(mode: SenderStoreMode, call: (op: SenderOpName, arg: unknown) => Promise<unknown>, close: () => Promise<void>, halt: () => void): SenderStore {
  const ops = Object.fromEntries(Object.keys(SENDER_OPS).map((op) => [op, (arg: unknown) => call(op as SenderOpName, arg)]));
  return { ...ops, mode, close, halt } as unknown as SenderStore;
}

/** The operations on the main connection, on the main thread. */
export function inlineSenderStore(db: Db): SenderStore {
  let closed = false;
  const call = async (op: SenderOpName, arg: unknown) => {
    if (closed) throw new Error(`sender store closed (${op})`);
    return (SENDER_OPS[op] as (db: Db, a: unknown) => unknown)(db, arg);
  };
  const close = async () => {
    closed = true;
  };
  return facade('inline', call, close, () => void close());
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  op: string;
}

/** What the worker answers (electron/workers/sync-store-worker.ts). */
export type StoreReply = { id: number; ok: true; value: unknown } | { id: number; ok: false; error: string; code?: string };

/**
 * The operations in a worker thread of their own (not the shared job lane: a PDF being rendered
 * must not hold up an acknowledgement). If the worker dies, what was asked fails (the sender logs
 * it; entries it held come back as unknown when their lease runs out) and the next operation
 * starts a fresh worker.
 */
export function workerSenderStore(
  dbFile: string,
  onRestart?: (error: string) => void,
  /** Starts the worker (the tests pass one that keeps a handle, to stop it under the store). */
  spawn: (file: string, workerData: unknown) => Worker = (file, workerData) => new Worker(file, { workerData, execArgv: [] }),
): SenderStore {
  let worker: Worker | null = null;
  let closed = false;
  const pending = new Map<number, Pending>();
  let nextId = 1;
  let lastFailure: string | null = null;

  function start(): Worker {
    const w = spawn(workerBundle('sync-worker.cjs'), { dbFile, storeKeys: exportStoreKeys() });
    w.unref();
    w.on('message', (msg: StoreReply) => {
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if (pending.size === 0) w.unref();
      if (msg.ok) p.resolve(msg.value);
      else p.reject(Object.assign(new Error(`sync store ${p.op} failed: ${msg.error}`), { code: msg.code }));
    });
    const fail = (error: Error) => {
      if (worker === w) worker = null;
      lastFailure = error.message;
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new Error(`sync store ${p.op} failed: ${error.message}`));
      }
    };
    w.on('error', fail);
    w.on('exit', (code) => fail(new Error(`the sync store worker exited with code ${code}`)));
    if (lastFailure) onRestart?.(lastFailure);
    worker = w;
    return w;
  }

  const call = (op: SenderOpName, arg: unknown) => {
    if (closed) return Promise.reject(new Error(`sender store closed (${op})`));
    const w = worker ?? start();
    const id = nextId++;
    return new Promise<unknown>((resolve, reject) => {
      pending.set(id, { resolve, reject, op });
      w.ref(); // an operation in flight keeps the process alive
      w.postMessage({ id, op, arg });
    });
  };

  const close = async () => {
    if (closed) return;
    const w = worker;
    closed = true;
    worker = null;
    if (!w) return;
    // Everything asked before commits first (the worker answers in order), then its connection closes.
    await new Promise<void>((resolve) => {
      pending.set(nextId, { resolve: () => resolve(), reject: () => resolve(), op: 'close' });
      w.postMessage({ id: nextId++, op: 'close' });
    });
    await w.terminate();
  };

  const halt = () => {
    closed = true;
    const w = worker;
    worker = null;
    for (const [id, p] of pending) {
      pending.delete(id);
      p.reject(new Error(`sync store halted (${p.op})`));
    }
    if (w) void w.terminate();
  };

  return facade('worker', call, close, halt);
}
