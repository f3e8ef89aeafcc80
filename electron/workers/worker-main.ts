import { parentPort, workerData } from 'node:worker_threads';
import { jobs } from './jobs';

const { job, args } = workerData as { job: string; args: Record<string, unknown> };
async function run(): Promise<void> {
  try {
    const fn = jobs[job];
    if (!fn) throw new Error(`unknown worker job: ${job}`);
    parentPort!.postMessage({ ok: true, value: await fn(args) });
  } catch (e) {
    parentPort!.postMessage({ ok: false, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) });
  }
}
void run();
