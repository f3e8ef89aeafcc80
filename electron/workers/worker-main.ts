import { parentPort } from 'node:worker_threads';
import { jobs, warmUp } from './jobs';
import { importStoreKeys } from '../store/store-cipher';

/**
 * The worker thread: answers `{id, job, args}` messages one at a time, in order. `{warm: true}`
 * (a warm lane's new worker, run-in-worker.ts) loads what the first job needs and answers
 * `{warmed, ms}`; a job sent meanwhile waits behind it, as it would behind the same loading.
 */
let queue = Promise.resolve();
parentPort!.on('message', (msg: { id: number; job: string; args: Record<string, unknown>; storeKeys?: unknown; warm?: true }) => {
  if (msg.warm) {
    queue = queue.then(warm);
    return;
  }
  importStoreKeys(msg.storeKeys);
  queue = queue.then(async () => {
    try {
      const fn = jobs[msg.job];
      if (!fn) throw new Error(`unknown worker job: ${msg.job}`);
      parentPort!.postMessage({ id: msg.id, ok: true, value: await fn(msg.args) });
    } catch (e) {
      parentPort!.postMessage({ id: msg.id, ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
    }
  });
});

async function warm(): Promise<void> {
  const started = performance.now();
  try {
    await warmUp();
    parentPort!.postMessage({ warmed: true, ms: performance.now() - started });
  } catch (e) {
    parentPort!.postMessage({ warmed: false, ms: performance.now() - started, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}
