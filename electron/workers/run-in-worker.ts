import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { appRoot } from '../app/paths';
import { AppError } from '../app/app-error';
import { exportStoreKeys } from '../store/store-cipher';
import { LANES, limitsOf, WARM_AFTER_READY_MS, type JobLimits, type LaneLimits, type LaneName } from './worker-limits';

/** A worker bundle (e.g. `worker.cjs`) sits beside the main bundle; from source (unit tests, benches) it is taken from dist/ (built by the test setup). */
export function workerBundle(name: string): string {
  const beside = path.join(__dirname, name);
  if (fs.existsSync(beside)) return beside;
  const built = path.join(appRoot(), 'dist', 'electron', name);
  if (fs.existsSync(built)) return built;
  throw new Error(`worker bundle ${name} not found beside ${__dirname} nor at ${built}: run "npm run build"`);
}

interface Job {
  id: number;
  job: string;
  args: Record<string, unknown>;
  limits: JobLimits;
  resolve(value: unknown): void;
  reject(error: Error): void;
}

interface Running {
  job: Job;
  timer: NodeJS.Timeout;
  startedAt: number;
}

/** What a lane is doing, for tests and the log: the jobs running (oldest first) and how many wait. */
export interface LaneState {
  lane: LaneName;
  workers: number;
  running: string[];
  queued: number;
  /** Workers terminated for a time or memory limit since start. */
  replaced: number;
  /** Workers started since start (for a job, or ahead of one in a warm lane). */
  started: number;
  /** Workers of a warm lane that have loaded what the first job needs (worker-limits.ts). */
  warmed: number;
}

/** What a warm lane reports when a worker has warmed (or failed to: the job that follows will fail the same way and say why). */
export interface WarmReport {
  lane: LaneName;
  ok: boolean;
  ms: number;
  error?: string;
}

/**
 * A small pool of worker threads for one kind of slow job (worker-limits.ts): up to maxWorkers
 * jobs at once, one per worker, the rest queued in order. Workers are kept between jobs (fonts
 * stay loaded) and never keep the process alive while idle. A job that runs past its time limit
 * is terminated with its worker; a worker that dies (its heap limit, a crash) fails only its own
 * job; either way the next job gets a fresh worker.
 */
class WorkerLane {
  private readonly idle: Worker[] = [];
  private readonly busy = new Map<Worker, Running>();
  private readonly queue: Job[] = [];
  private replaced = 0;
  private started = 0;
  private warmed = 0;

  constructor(
    readonly name: LaneName,
    private readonly limits: LaneLimits,
  ) {}

  run<T>(id: number, job: string, args: Record<string, unknown>, limits: JobLimits): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queue.push({ id, job, args, limits, resolve: resolve as (v: unknown) => void, reject });
      this.pump();
    });
  }

  state(): LaneState {
    const running = [...this.busy.values()].sort((a, b) => a.startedAt - b.startedAt).map((r) => r.job.job);
    return { lane: this.name, workers: this.idle.length + this.busy.size, running, queued: this.queue.length, replaced: this.replaced, started: this.started, warmed: this.warmed };
  }

  /**
   * The one rule of warming: a warm lane (worker-limits.ts), once warming is on, that has no worker
   * at all and nothing queued starts one now and has it load what the first job needs. The worker
   * is idle from the start, so a job that comes meanwhile goes to it and waits inside it behind
   * the loading (less than it would wait for a new worker). Called when warming comes on after
   * the desk is ready, and after a worker was replaced for a limit.
   */
  warmIfCold(): void {
    if (!warming.on || !this.limits.warm || this.idle.length + this.busy.size > 0 || this.queue.length > 0) return;
    const worker = this.start();
    this.idle.push(worker);
    worker.postMessage({ warm: true });
  }

  private pump(): void {
    while (this.queue.length > 0 && (this.idle.length > 0 || this.busy.size < this.limits.maxWorkers)) {
      const worker = this.idle.pop() ?? this.start();
      const job = this.queue.shift()!;
      const timer = setTimeout(() => this.stop(worker, 'timeout'), job.limits.timeLimitMs);
      timer.unref();
      this.busy.set(worker, { job, timer, startedAt: performance.now() });
      worker.ref(); // a job in flight keeps the process alive
      // The store keys this thread knows go with every job: a job may open the store (store/store-cipher.ts).
      worker.postMessage({ id: job.id, job: job.job, args: job.args, storeKeys: exportStoreKeys() });
    }
  }

  private start(): Worker {
    const worker = new Worker(workerBundle('worker.cjs'), { resourceLimits: this.limits.resourceLimits });
    this.started++;
    worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: string } | { warmed: boolean; ms: number; error?: string }) => {
      if ('warmed' in msg) {
        if (msg.warmed) this.warmed++;
        warming.report?.({ lane: this.name, ok: msg.warmed, ms: Math.round(msg.ms), ...(msg.error ? { error: msg.error } : {}) });
        return;
      }
      const r = this.busy.get(worker);
      if (!r || r.job.id !== msg.id) return;
      clearTimeout(r.timer);
      this.busy.delete(worker);
      worker.unref();
      this.idle.push(worker);
      if (msg.ok) r.job.resolve(msg.value);
      else r.job.reject(new Error(`worker job ${r.job.job} failed: ${msg.error}`));
      this.pump();
    });
    const gone = (error: Error & { code?: string }) => {
      const i = this.idle.indexOf(worker);
      if (i >= 0) this.idle.splice(i, 1);
      const r = this.busy.get(worker);
      if (r) {
        clearTimeout(r.timer);
        this.busy.delete(worker);
        if (error.code === 'ERR_WORKER_OUT_OF_MEMORY') {
          this.replaced++;
          r.job.reject(outOfMemory(r.job, this.limits, error));
        } else r.job.reject(new Error(`worker job ${r.job.job} failed: ${error.message}`));
      }
      this.pump();
      if (r && error.code === 'ERR_WORKER_OUT_OF_MEMORY') this.warmIfCold();
    };
    worker.on('error', gone);
    worker.on('exit', (code) => gone(new Error(`the worker exited with code ${code}`)));
    // An idle worker never keeps the process alive. After the listeners: adding a 'message'
    // listener refs the worker's port again (a warm worker, idle from its start, would hold the process).
    worker.unref();
    return worker;
  }

  /** Ends a runaway job: its worker is terminated (the lane starts another for the next job). */
  private stop(worker: Worker, why: 'timeout'): void {
    const r = this.busy.get(worker);
    if (!r) return;
    this.busy.delete(worker);
    this.replaced++;
    r.job.reject(timedOut(r.job, performance.now() - r.startedAt, why));
    void worker.terminate();
    this.pump();
    this.warmIfCold();
  }
}

function timedOut(job: Job, ranMs: number, why: string): AppError {
  const s = Math.round(job.limits.timeLimitMs / 1000);
  const e = new AppError('UNAVAILABLE', `处理超时：${job.limits.label}超过 ${s} 秒仍未完成，已中止，未保存。请重试；如多次超时，请联系管理员。`, {
    worker: { job: job.job, limit: why, timeLimitMs: job.limits.timeLimitMs, ranMs: Math.round(ranMs) },
  });
  e.severe = true;
  return e;
}

function outOfMemory(job: Job, lane: LaneLimits, error: Error): AppError {
  const mb = lane.resourceLimits.maxOldGenerationSizeMb;
  const e = new AppError('UNAVAILABLE', `内存超限：${job.limits.label}所需内存超过 ${mb} MB 上限，已中止，未保存。请检查所用文件（如图像是否过大）后重试。`, {
    worker: { job: job.job, limit: 'memory', maxOldGenerationSizeMb: mb, error: error.message },
  });
  e.severe = true;
  return e;
}

const lanes = new Map<LaneName, WorkerLane>();
/** Warming is off until a desk is ready (the CLI and the tools never warm); once on, it stays on for the process, as the lanes do. */
const warming: { on: boolean; report?: (r: WarmReport) => void } = { on: false };
let nextId = 1;

function laneOf(name: LaneName): WorkerLane {
  let lane = lanes.get(name);
  if (!lane) lanes.set(name, (lane = new WorkerLane(name, LANES[name])));
  return lane;
}

/** Runs one job off the main thread, in its lane, within its limits (worker-limits.ts). */
export function runInWorker<T>(job: string, args: Record<string, unknown>): Promise<T> {
  const limits = limitsOf(job);
  // Test-only jobs may ask for a shorter limit (production never registers them: jobs.ts).
  const own = job.startsWith('test.') && typeof args.timeLimitMs === 'number' ? { ...limits, timeLimitMs: args.timeLimitMs } : limits;
  return laneOf(limits.lane).run<T>(nextId++, job, args, own);
}

/** Runs one background job (the daily backup) in the background lane, apart from the page's jobs. */
export function runInBackgroundWorker<T>(job: string, args: Record<string, unknown>): Promise<T> {
  return laneOf('background').run<T>(nextId++, job, args, { ...limitsOf(job), lane: 'background' });
}

/** What every lane started so far is doing. */
export function workerLanes(): LaneState[] {
  return [...lanes.values()].map((l) => l.state());
}

/**
 * Called once the desk is ready (create-app.ts): WARM_AFTER_READY_MS later, warming comes on and
 * each warm lane with no worker starts one in the background (WorkerLane.warmIfCold); `report`
 * hears each warm-up's outcome (the log). DESK_WARM_WORKERS=0 leaves warming off. Returns a cancel
 * for the desk's close (a desk closed before then warms nothing).
 */
export function warmLanesAfterReady(report: (r: WarmReport) => void): () => void {
  if (process.env.DESK_WARM_WORKERS === '0') return () => undefined;
  const timer = setTimeout(() => {
    warming.on = true;
    warming.report = report;
    for (const [name, limits] of Object.entries(LANES) as [LaneName, LaneLimits][]) if (limits.warm) laneOf(name).warmIfCold();
  }, WARM_AFTER_READY_MS);
  timer.unref(); // never keeps the process alive
  return () => {
    clearTimeout(timer);
    if (warming.report === report) warming.report = undefined;
  };
}
