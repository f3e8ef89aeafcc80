import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { appRoot } from '../app/paths';

/** A worker bundle (e.g. `worker.cjs`) sits beside the main bundle; from source (unit tests, benches) it is taken from dist/ (built by the test setup). */
export function workerBundle(name: string): string {
  const beside = path.join(__dirname, name);
  if (fs.existsSync(beside)) return beside;
  const built = path.join(appRoot(), 'dist', 'electron', name);
  if (fs.existsSync(built)) return built;
  throw new Error(`worker bundle ${name} not found beside ${__dirname} nor at ${built}: run "npm run build"`);
}

interface Pending {
  resolve(value: unknown): void;
  reject(error: Error): void;
  job: string;
}

/**
 * One long-lived worker thread for the slow jobs (PDF rendering, .xlsx
 * parsing, audit verification), so the main process stays responsive and a
 * job does not pay for starting a thread and loading fonts each time. Jobs
 * run one after another in the worker; if it dies, the jobs in flight fail
 * and the next job starts a fresh one.
 */
class WorkerLane {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;

  run<T>(job: string, args: Record<string, unknown>): Promise<T> {
    const worker = this.worker ?? this.start();
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, job });
      worker.ref(); // a job in flight keeps the process alive
      worker.postMessage({ id, job, args });
    });
  }

  private start(): Worker {
    const worker = new Worker(workerBundle('worker.cjs'));
    worker.unref(); // an idle worker never keeps the process alive
    worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: string }) => {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      if (this.pending.size === 0) worker.unref();
      if (msg.ok) p.resolve(msg.value);
      else p.reject(new Error(`worker job ${p.job} failed: ${msg.error}`));
    });
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = null;
      for (const [id, p] of this.pending) {
        this.pending.delete(id);
        p.reject(new Error(`worker job ${p.job} failed: ${error.message}`));
      }
    };
    worker.on('error', fail);
    worker.on('exit', (code) => fail(new Error(`the worker exited with code ${code}`)));
    this.worker = worker;
    return worker;
  }
}

const lane = new WorkerLane();
// A second lane for background upkeep (the daily backup: seconds on a large store), so that a
// receipt PDF a clerk is waiting for never queues behind it. Started on its first job.
const backgroundLane = new WorkerLane();

/** Runs one job off the main thread (see WorkerLane). */
export function runInWorker<T>(job: string, args: Record<string, unknown>): Promise<T> {
  return lane.run<T>(job, args);
}

/** Runs one background job (the daily backup) on a worker thread of its own, apart from the page's jobs. */
export function runInBackgroundWorker<T>(job: string, args: Record<string, unknown>): Promise<T> {
  return backgroundLane.run<T>(job, args);
}
