/**
 * The packaging smoke test's worker check: each worker-thread bundle started once, the way the
 * app starts it, with one real round trip. In a packaged desk the bundles sit inside app.asar,
 * where a worker thread must still load its script and better-sqlite3; `DESK_SMOKE_EXIT=1`
 * (electron/main.ts) writes these results into the ready file before quitting, and the CI
 * workflow reads them. Plain Node: unit-tested here against dist/electron.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { workerBundle } from '../workers/run-in-worker';
import { exportStoreKeys } from '../store/store-cipher';

export interface WorkerSmoke {
  ok: boolean;
  detail: string;
}

type Probe = { bundle: string; workerData?: unknown; message: unknown; accept(reply: Record<string, unknown>): boolean };

function roundTrip(probe: Probe, timeoutMs: number): Promise<WorkerSmoke> {
  return new Promise((resolve) => {
    let settled = false;
    let worker: Worker;
    const done = (result: WorkerSmoke) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker?.terminate();
      resolve(result);
    };
    const timer = setTimeout(() => done({ ok: false, detail: `no answer within ${timeoutMs} ms` }), timeoutMs);
    try {
      worker = new Worker(workerBundle(probe.bundle), { workerData: probe.workerData, execArgv: [] });
    } catch (e) {
      done({ ok: false, detail: `cannot start: ${(e as Error).message}` });
      return;
    }
    worker.on('message', (reply: Record<string, unknown>) => {
      if (!('id' in reply)) return; // log lines of the transfer worker
      done(probe.accept(reply) ? { ok: true, detail: JSON.stringify(reply).slice(0, 200) } : { ok: false, detail: `unexpected answer ${JSON.stringify(reply).slice(0, 200)}` });
    });
    worker.on('error', (e) => done({ ok: false, detail: `error: ${e.message}` }));
    worker.on('exit', (code) => done({ ok: false, detail: `exited with ${code} before answering` }));
    worker.postMessage(probe.message);
  });
}

/** Runs every worker bundle once against the store `dbFile` of `dataDir`; resolves per bundle. */
export async function smokeWorkers(input: { dbFile: string; dataDir: string; timeoutMs?: number }): Promise<Record<string, WorkerSmoke>> {
  const timeoutMs = input.timeoutMs ?? 30_000;
  const staging = fs.mkdtempSync(path.join(os.tmpdir(), 'desk-smoke-staging-'));
  // The store's keys go with each probe, as with the app's own jobs (store/store-cipher.ts).
  const storeKeys = exportStoreKeys();
  const probes: Record<string, Probe> = {
    'worker.cjs': { bundle: 'worker.cjs', message: { id: 1, job: 'audit.verify', args: { dbFile: input.dbFile }, storeKeys }, accept: (r) => r.ok === true && (r.value as { ok?: boolean }).ok === true },
    'sync-worker.cjs': { bundle: 'sync-worker.cjs', workerData: { dbFile: input.dbFile, storeKeys }, message: { id: 1, op: 'close', arg: null }, accept: (r) => r.ok === true },
    // An import of a manifest that does not exist: the worker loads everything, runs the import and refuses it.
    'transfer-worker.cjs': {
      bundle: 'transfer-worker.cjs',
      workerData: { dbFile: input.dbFile, dataDir: input.dataDir, filesRoot: path.join(input.dataDir, 'files'), storeKeys },
      message: { id: 1, op: 'import', actor: { userId: 0, username: 'smoke', name: 'smoke', role: 'supervisor' }, manifestFile: path.join(staging, 'none.manifest.json'), nowMs: Date.now(), targets: [] },
      accept: (r) => r.ok === false && (r.refused !== undefined || typeof r.error === 'string'),
    },
    'staging-worker.cjs': { bundle: 'staging-worker.cjs', workerData: { dir: staging, slots: [] }, message: { id: 1, close: true }, accept: (r) => r.ok === true },
  };
  const results: Record<string, WorkerSmoke> = {};
  try {
    for (const [name, probe] of Object.entries(probes)) results[name] = await roundTrip(probe, timeoutMs);
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  return results;
}
