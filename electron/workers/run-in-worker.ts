import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { appRoot } from '../app/paths';

/** The worker bundle sits beside the main bundle; from source (unit tests) it is taken from dist/ (built by the test setup). */
function workerScript(): string {
  const beside = path.join(__dirname, 'worker.cjs');
  if (fs.existsSync(beside)) return beside;
  const built = path.join(appRoot(), 'dist', 'electron', 'worker.cjs');
  if (fs.existsSync(built)) return built;
  throw new Error(`worker bundle not found beside ${__dirname} nor at ${built}: run "npm run build"`);
}

/** Runs one job in a fresh worker thread, so long work never blocks the main process. */
export function runInWorker<T>(job: string, args: Record<string, unknown>): Promise<T> {
  const worker = new Worker(workerScript(), { workerData: { job, args } });
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    worker.once('message', (msg: { ok: boolean; value?: T; error?: string }) => {
      settled = true;
      if (msg.ok) resolve(msg.value as T);
      else reject(new Error(`worker job ${job} failed: ${msg.error}`));
      void worker.terminate();
    });
    worker.once('error', (e) => {
      if (!settled) reject(e);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`worker job ${job} exited with code ${code} before answering`));
    });
  });
}
