// One desk start for bench/pdf-warm.bench.ts, in a process of its own (the worker lanes are the
// process's): `node --import tsx bench/pdf-warm-desk.ts <dataDir> <idleMs>`, with DESK_WARM_WORKERS
// 0 (cold) or 1 (warm) in its environment. Prints one line `PDF_WARM_DESK {json}`.
//
//   ready       createApp on a copy of a seeded data folder (an ordinary start, not the first)
//   window      from ready to ready + idleMs: 张敏 signs in, a system.status call every 50 ms (the
//               main thread's answer time while the lane warms, or not), the event loop's delay,
//               and the clerk's steps up to the signature (applicant, 托育机构备案, 承诺)
//   at idleMs   the process's RSS and CPU time since ready, and the image lane's state
//   first       intake.signCommitment: the commitment PDF, the first of this process
//   second      the same for a second case (a worker that has made one already)
// Worker threads start without the tsx loader, as in the packaged app (see intake.bench.ts).
import wt from 'node:worker_threads';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { createApp, type DeskApp } from '../electron/app/create-app';
import { workerLanes } from '../electron/workers/run-in-worker';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';
import { signaturePng } from '../tests/helpers/png';
import type { ResponseEnvelope } from '../shared/ipc/envelope';
import type { CaseView } from '../shared/ipc/methods/intake';
import { nowMs, percentile } from './lib';

const InheritingWorker = wt.Worker;
class LoaderFreeWorker extends InheritingWorker {
  constructor(file: string | URL, options: wt.WorkerOptions = {}) {
    super(file, { execArgv: [], ...options });
  }
}
(wt as { Worker: typeof wt.Worker }).Worker = LoaderFreeWorker;

const [dataDirArg, idleArg] = process.argv.slice(2);
if (!dataDirArg || !idleArg) throw new Error('usage: pdf-warm-desk.ts <dataDir> <idleMs | seed>');
const dataDir = dataDirArg;
const IDLE_MS = Number(idleArg);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function client(app: DeskApp) {
  let n = 0;
  return async <T>(method: string, input: unknown, session?: string): Promise<T> => {
    const r: ResponseEnvelope = await app.dispatcher.dispatch({ id: `w${++n}`, method, input, ...(session ? { session } : {}) }, { transport: 'bench' });
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value as T;
  };
}

/** 王芳, 托育机构备案, 承诺 chosen for its commitment certificate: the case just before the signature. */
async function caseBeforeSigning(call: ReturnType<typeof client>, token: string) {
  const items = await call<{ id: number; name: string }[]>('catalog.listServiceItems', {}, token);
  const item = items.find((i) => i.name === '托育机构备案')!;
  const applicant = (await call<{ id: number; name: string }[]>('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  let v = await call<CaseView>('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
  const c = v.certificates.find((x) => x.method === 'commitment')!;
  v = await call<CaseView>('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
  return { caseId: v.id, certificateItemId: c.certificateItemId };
}

async function main(): Promise<void> {
  if (process.argv[3] === 'seed') {
    (await createApp({ dataDir, sync: false, backups: false })).close();
    return;
  }
  const t0 = nowMs();
  const app = await createApp({ dataDir, sync: false, backups: false });
  const ready = nowMs();
  const cpuAtReady = process.cpuUsage();
  const loop = monitorEventLoopDelay({ resolution: 10 });
  loop.enable();
  const call = client(app);

  // The main thread's answers while the lane warms (or not): a cheap call every 50 ms.
  const pings: number[] = [];
  let pinging = true;
  const pinger = (async () => {
    while (pinging) {
      const t = nowMs();
      await call('system.status', {});
      pings.push(nowMs() - t);
      await sleep(50);
    }
  })();
  const t = nowMs();
  const token = (await call<{ token: string }>('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })).token;
  const signInMs = nowMs() - t;
  const first = await caseBeforeSigning(call, token);
  const second = await caseBeforeSigning(call, token);
  await sleep(Math.max(0, ready + IDLE_MS - nowMs()));
  pinging = false;
  await pinger;
  loop.disable();
  const cpu = process.cpuUsage(cpuAtReady);
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  const laneBefore = workerLanes().find((l) => l.lane === 'images') ?? null;
  const warmLog = app.logger.recent().find((e) => e.event === 'worker.warmed' || e.event === 'worker.warmFailed') ?? null;

  const sign = async (c: { caseId: number; certificateItemId: number }, who: number) => {
    const s = nowMs();
    await call('intake.signCommitment', { ...c, signatureKind: 'pad', signaturePngBase64: signaturePng(200 + who, 90).toString('base64') }, token);
    return nowMs() - s;
  };
  const firstMs = await sign(first, 1);
  const laneAfterFirst = workerLanes().find((l) => l.lane === 'images') ?? null;
  const secondMs = await sign(second, 2);
  app.close();
  process.stdout.write(
    'PDF_WARM_DESK ' +
      JSON.stringify({
        warm: process.env.DESK_WARM_WORKERS !== '0',
        readyMs: ready - t0,
        signInMs,
        pingP50: percentile(pings, 50),
        pingMax: Math.max(...pings),
        pings: pings.length,
        loopDelayP99Ms: loop.percentile(99) / 1e6,
        loopDelayMaxMs: loop.max / 1e6,
        cpuMsInWindow: (cpu.user + cpu.system) / 1000,
        rssMb,
        laneBefore,
        warmLog,
        firstMs,
        laneAfterFirst,
        secondMs,
      }) +
      '\n',
  );
  process.exit(0); // the desk is closed; a stray handle must not hold the bench
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
