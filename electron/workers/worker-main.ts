import { parentPort } from 'node:worker_threads';
import { jobs } from './jobs';
import { importStoreKeys } from '../store/store-cipher';

/** The worker thread: answers `{id, job, args}` messages one at a time, in order. */
let queue = Promise.resolve();
parentPort!.on('message', (msg: { id: number; job: string; args: Record<string, unknown>; storeKeys?: unknown }) => {
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
