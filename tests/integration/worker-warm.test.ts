// The warm lane (electron/workers/worker-limits.ts, run-in-worker.ts `warmIfCold`): once a desk is
// ready, the image lane — where the commitment PDF is rendered while the applicant waits — starts
// one worker in the background and has it load the fonts, so the first commitment at the window
// does not start a worker. Asserted on the lanes' state (workers started, warmed), never on time:
// the speed-up itself is measured in bench/pdf-warm.bench.ts. The waits below follow the lane's own
// progress (a worker started, a worker warmed), bounded only by the test's timeout.
process.env.DESK_TEST_WORKER_JOBS = '1';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { tempDir } from '../helpers/temp';
import { waitFor } from '../helpers/sync-desks';
import { runInWorker, workerLanes, type LaneState } from '../../electron/workers/run-in-worker';
import { AppError } from '../../electron/app/app-error';
import type { CaseView } from '../../shared/ipc/methods/intake';

const ROOT = path.resolve(__dirname, '..', '..');
const NO_LANE = { workers: 0, started: 0, warmed: 0, running: [], queued: 0, replaced: 0 };
const lane = (name: string): Omit<LaneState, 'lane'> => workerLanes().find((l) => l.lane === name) ?? NO_LANE;
const TEST_TIMEOUT = 120_000;

/** 王芳 starts 托育机构备案 and chooses to commit for its commitment certificate (not yet signed). */
async function caseBeforeSigning(d: TestDesk, token: string): Promise<{ v: CaseView; certificateItemId: number }> {
  const item = (await d.call('catalog.listServiceItems', {}, token)).find((i) => i.name === '托育机构备案')!;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  let v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
  const c = v.certificates.find((x) => x.method === 'commitment')!;
  v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
  return { v, certificateItemId: c.certificateItemId };
}

describe('the warm image lane', () => {
  it(
    'after the desk is ready one idle image worker is started and warmed; the first commitment is rendered in it, no worker started for it',
    async () => {
      // Nothing in this process has used a worker yet: the lanes are as a desk's process starts them.
      expect(lane('images')).toMatchObject({ workers: 0, started: 0, warmed: 0 });
      const d = await testDesk({ sync: false });
      const clerk = (await d.signIn('zhangmin')).token;
      const { v, certificateItemId } = await caseBeforeSigning(d, clerk);

      // The desk is ready: the image lane warms one worker in the background, and only that lane.
      await waitFor('the image lane to warm a worker', () => lane('images').warmed === 1, TEST_TIMEOUT);
      expect(lane('images')).toMatchObject({ workers: 1, started: 1, warmed: 1, running: [], queued: 0, replaced: 0 });
      expect(lane('documents')).toMatchObject({ workers: 0, started: 0 });
      const warmed = d.app.logger.recent().filter((e) => e.event === 'worker.warmed');
      expect(warmed).toHaveLength(1);
      expect(warmed[0]).toMatchObject({ lane: 'images', ok: true });

      // The applicant signs: the commitment PDF is made by the warm worker; no worker is started for it.
      const signed = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId, signatureKind: 'pad', signaturePngBase64: signaturePng().toString('base64') }, clerk);
      const commitmentId = signed.certificates.find((c) => c.certificateItemId === certificateItemId)!.commitment!.id;
      const pdf = await d.call('intake.commitmentPdf', { commitmentId }, clerk);
      expect(Buffer.from(pdf.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
      expect(lane('images')).toMatchObject({ workers: 1, started: 1, warmed: 1, running: [], replaced: 0 });

      // A worker replaced for its time limit: the lane, left without a worker, warms the next one.
      const refused = await runInWorker('test.spin', { timeLimitMs: 2000 }).then(
        () => null,
        (e: unknown) => (e instanceof AppError ? e.code : String(e)),
      );
      expect(refused).toBe('UNAVAILABLE');
      expect(lane('images')).toMatchObject({ replaced: 1, started: 2 });
      await waitFor('the image lane to warm its replacement', () => lane('images').warmed === 2, TEST_TIMEOUT);
      expect(await runInWorker('test.echo', { after: 'replaced' })).toEqual({ after: 'replaced' });
      expect(lane('images')).toMatchObject({ workers: 1, started: 2, warmed: 2, running: [] });
      d.app.close();
    },
    TEST_TIMEOUT,
  );

  it(
    'a desk process whose warm worker is started ends by itself once the desk is closed (the worker is unref’d); DESK_WARM_WORKERS=0 starts none',
    async () => {
      const script = path.join(tempDir('worker-warm-child-'), 'child.ts');
      // The child: a desk, wait until its warm worker has started — or, warming off, until a timer set
      // after the warm-up's own has fired (timers fire in order of their due time, whatever the load) —,
      // close the desk, print the image lane and return without process.exit: it must end by itself.
      fs.writeFileSync(
        script,
        `import { createApp } from ${JSON.stringify(path.join(ROOT, 'electron/app/create-app'))};
import { workerLanes } from ${JSON.stringify(path.join(ROOT, 'electron/workers/run-in-worker'))};
import { WARM_AFTER_READY_MS } from ${JSON.stringify(path.join(ROOT, 'electron/workers/worker-limits'))};
const images = () => workerLanes().find((l) => l.lane === 'images');
void (async () => {
  const app = await createApp({ dataDir: ${JSON.stringify(tempDir('worker-warm-desk-'))}, sync: false, backups: false });
  if (process.env.DESK_WARM_WORKERS === '0') await new Promise((r) => setTimeout(r, WARM_AFTER_READY_MS + 1));
  else while (!images()) await new Promise((r) => setTimeout(r, 20));
  app.close();
  process.stdout.write('LANE ' + JSON.stringify(images() ?? null) + '\\n');
})();
`,
      );
      const run = (env: Record<string, string>) =>
        new Promise<{ code: number | null; out: string }>((resolve) => {
          const child = spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
          let out = '';
          child.stdout.on('data', (c: Buffer) => (out += c.toString()));
          child.stderr.on('data', (c: Buffer) => (out += c.toString()));
          child.once('exit', (code) => resolve({ code, out }));
        });
      const laneOf = (out: string) => JSON.parse(/^LANE (.*)$/m.exec(out)?.[1] ?? 'undefined') as LaneState | null;

      const on = await run({ DESK_WARM_WORKERS: '1' });
      expect(on.code, on.out).toBe(0);
      expect(laneOf(on.out)).toMatchObject({ lane: 'images', workers: 1, started: 1, running: [] });

      const off = await run({ DESK_WARM_WORKERS: '0' });
      expect(off.code, off.out).toBe(0);
      expect(laneOf(off.out)).toBeNull();
    },
    TEST_TIMEOUT,
  );
});
