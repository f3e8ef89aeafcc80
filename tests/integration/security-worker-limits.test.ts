// Security suite, issue 15 "Bounded decoding": worker jobs have lanes, a time limit and a memory
// limit (electron/workers/worker-limits.ts). The security probe's 74-byte PNG held the single PDF
// worker for 90 s and another clerk's receipt waited 86 s; the boundary now refuses that file
// (security-bounded-input.test.ts), and this file proves the backstop behind it. A runaway cannot
// be made from a real image any more without bypassing the boundary and depending on the
// machine's speed, so the runaway here is a test-only job (`test.spin`, registered only with
// DESK_TEST_WORKER_JOBS=1) that keeps the CPU busy in the image lane — where the commitment PDF
// with its signature runs — until the test releases it by creating a file. Assertions follow the
// work's progress (what each lane is running), never wall-clock thresholds; the only durations
// are the time limits under test (2 s for a job that otherwise never ends).
process.env.DESK_TEST_WORKER_JOBS = '1';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { acceptCase, applicantIdOf, plainItem } from '../helpers/sync-desks';
import { runInWorker, workerLanes } from '../../electron/workers/run-in-worker';
import { AppError } from '../../electron/app/app-error';

const lane = (name: string) => workerLanes().find((l) => l.lane === name) ?? { running: [], queued: 0, replaced: 0, workers: 0 };
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (e: unknown) => (e instanceof AppError ? { code: e.code, message: e.userMessage, severe: e.severe } : { error: String(e) }),
  );

describe('worker lanes and limits', () => {
  it("one clerk's runaway image jobs do not hold another clerk's receipt; past its time limit a job is terminated, reported in Chinese, its worker replaced", async () => {
    const d = await testDesk({ sync: false });
    const liu = (await d.signIn('liuyang')).token;
    const item = await plainItem(d, liu);
    const c = await acceptCase(d, liu, await applicantIdOf(d, liu), item.id);

    // Two runaways fill the image lane (its 2 workers); a third image job queues behind them.
    const release = path.join(tempDir('worker-release-'), 'go');
    const spins = [runInWorker<number>('test.spin', { untilFile: release }), runInWorker<number>('test.spin', { untilFile: release })];
    const queued = runInWorker<{ n: number }>('test.echo', { n: 3 });
    expect(lane('images')).toMatchObject({ running: ['test.spin', 'test.spin'], queued: 1 });

    // 刘洋's receipt is made while both runaways are still running.
    const receipt = await d.call('intake.receiptPdf', { caseId: c.id }, liu);
    expect(Buffer.from(receipt.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
    expect(receipt.fileName).toBe(`受理回执-${c.caseNo}.pdf`);
    expect(lane('images')).toMatchObject({ running: ['test.spin', 'test.spin'], queued: 1 });

    fs.writeFileSync(release, '');
    for (const n of await Promise.all(spins)) expect(n).toBeGreaterThan(0);
    expect(await queued).toEqual({ n: 3 });

    // A job that never ends is stopped at its limit: UNAVAILABLE, 处理超时, the log id added by the dispatcher (severe).
    const before = lane('images').replaced;
    expect(await refusal(runInWorker('test.spin', { timeLimitMs: 2000 }))).toEqual({
      code: 'UNAVAILABLE',
      message: '处理超时：测试任务超过 2 秒仍未完成，已中止，未保存。请重试；如多次超时，请联系管理员。',
      severe: true,
    });
    expect(lane('images').replaced).toBe(before + 1);
    expect(lane('images').running).toEqual([]);
    // The lane goes on with a fresh worker.
    expect(await runInWorker('test.echo', { after: 'timeout' })).toEqual({ after: 'timeout' });
    expect((await d.call('intake.receiptPdf', { caseId: c.id }, liu)).sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a job that grows past its heap limit is terminated and reported as 内存超限; the lane goes on', async () => {
    expect(await refusal(runInWorker('test.hog', {}))).toEqual({
      code: 'UNAVAILABLE',
      message: '内存超限：测试任务所需内存超过 48 MB 上限，已中止，未保存。请检查所用文件（如图像是否过大）后重试。',
      severe: true,
    });
    expect(lane('test')).toMatchObject({ replaced: 1, running: [] });
    expect(await runInWorker('test.echo', { after: 'oom' })).toEqual({ after: 'oom' });
  });
});
