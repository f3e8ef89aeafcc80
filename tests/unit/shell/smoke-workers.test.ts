/**
 * The smoke check of the worker bundles (electron/shell/smoke-workers.ts) against dist/electron
 * and a real store: each of the four answers one real message. In CI the same check runs inside
 * the packaged app (DESK_SMOKE_EXIT=1), where the bundles are read from app.asar.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type DeskApp } from '../../../electron/app/create-app';
import { smokeWorkers } from '../../../electron/shell/smoke-workers';
import { tempDir } from '../../helpers/temp';

let dataDir: string;
let app: DeskApp;
beforeAll(async () => {
  dataDir = tempDir('desk-smoke-workers-');
  app = await createApp({ dataDir, demo: false, sync: false });
});
afterAll(() => {
  app?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('smokeWorkers', () => {
  it('each worker bundle answers once', async () => {
    const results = await smokeWorkers({ dbFile: app.dbFile, dataDir });
    expect(Object.keys(results).sort()).toEqual(['staging-worker.cjs', 'sync-worker.cjs', 'transfer-worker.cjs', 'worker.cjs']);
    for (const [name, r] of Object.entries(results)) expect(r.ok, `${name}: ${r.detail}`).toBe(true);
  });
  it('a store that is not there fails the check (it can fail)', async () => {
    const results = await smokeWorkers({ dbFile: `${dataDir}/missing.sqlite`, dataDir, timeoutMs: 10_000 });
    expect(results['worker.cjs']!.ok).toBe(false);
    expect(results['sync-worker.cjs']!.ok).toBe(false);
  });
});
