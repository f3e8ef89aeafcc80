// The limits of the slow jobs run off the main thread (run-in-worker.ts): which lane a job runs in,
// how long it may take, how much memory its worker may use. One table, so that docs/SECURITY.md
// ("Bounded input") can point at one place.
//
// Lanes keep one clerk's slow or hostile job from holding another's: a receipt (text only, its
// input bounded by the store) never waits behind an image job, and each lane runs up to
// `maxWorkers` jobs at once. A job past its time limit is terminated with its worker, which the
// lane replaces for the next job; a worker past its memory limit dies the same way. The caller
// gets UNAVAILABLE with a Chinese message (处理超时 / 内存超限) and the log id.
//
// Warm lanes (`warm: true`): a worker's first PDF pays for starting the thread and loading the fonts
// (most of the first commitment's wait at the window: bench/README.md, pdf-warm). So once the desk is ready, and again after
// such a lane's worker was replaced for a limit, a warm lane with no worker starts one in the
// background and has it load them (run-in-worker.ts, `warmIfCold`). It gets the lane's limits like
// any worker, and never keeps the process alive. DESK_WARM_WORKERS=0 turns warming off.
//
// Memory: `resourceLimits` bounds the worker's JavaScript heap. Decoded pixels live in typed
// arrays outside that heap; what bounds them is the image check at the boundary
// (services/images/image-check.ts: ≤ 50 MP, i.e. ≤ 200 MB of RGBA per image).
import type { ResourceLimits } from 'node:worker_threads';

export type LaneName = 'documents' | 'images' | 'data' | 'background' | 'test';

export interface LaneLimits {
  maxWorkers: number;
  resourceLimits: ResourceLimits;
  /** Keep one worker started and its fonts loaded ahead of the lane's first job (see above). */
  warm?: boolean;
}

const MB = 1;
export const LANES: Record<LaneName, LaneLimits> = {
  /** Text PDFs (receipt, guide): the fonts and a QR code; small, bounded inputs. */
  documents: { maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 512 * MB, maxYoungGenerationSizeMb: 32 * MB, stackSizeMb: 4 } },
  /** PDFs that embed images the clerk supplied (commitment with its signature, scanned documents). Warm: the commitment is signed with the applicant waiting. */
  images: { maxWorkers: 2, resourceLimits: { maxOldGenerationSizeMb: 768 * MB, maxYoungGenerationSizeMb: 32 * MB, stackSizeMb: 4 }, warm: true },
  /** Reading a catalog workbook, verifying the audit chain. */
  data: { maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 1024 * MB, maxYoungGenerationSizeMb: 64 * MB, stackSizeMb: 4 } },
  /** Upkeep nobody waits for (the daily backup). */
  background: { maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 256 * MB, maxYoungGenerationSizeMb: 16 * MB, stackSizeMb: 4 } },
  /** Test-only jobs (DESK_TEST_WORKER_JOBS=1): small, so that an out-of-memory test is cheap. */
  test: { maxWorkers: 1, resourceLimits: { maxOldGenerationSizeMb: 48 * MB, maxYoungGenerationSizeMb: 8 * MB, stackSizeMb: 4 } },
};

/**
 * How long after the desk is ready its warm lanes start their worker: past the first page load and
 * sign-in (so the two do not share the CPU), and long before a clerk can have signed a commitment.
 * This delay and the worker's own thread are the warm-up's low priority: Node gives a worker thread
 * no scheduling priority of its own (and a thread's raised nice could not be lowered again, without
 * privilege, for the jobs it then runs).
 */
export const WARM_AFTER_READY_MS = 2000;

export interface JobLimits {
  lane: LaneName;
  /** Wall time from the job's start in its worker (not its wait in the queue). */
  timeLimitMs: number;
  /** What the job does, for the clerk's message (“生成受理回执处理超时…”). */
  label: string;
}

const S = 1000;
const MIN = 60 * S;
export const JOBS: Record<string, JobLimits> = {
  'documents.receiptPdf': { lane: 'documents', timeLimitMs: 60 * S, label: '生成受理回执' },
  'documents.rejectionNoticePdf': { lane: 'documents', timeLimitMs: 60 * S, label: '生成不予受理告知书' },
  'documents.guidePdf': { lane: 'documents', timeLimitMs: 60 * S, label: '生成办事指南' },
  'documents.commitmentPdf': { lane: 'images', timeLimitMs: 60 * S, label: '生成告知承诺书' },
  'documents.paperCommitmentPdf': { lane: 'documents', timeLimitMs: 60 * S, label: '生成待签字的告知承诺书' },
  // Up to 200 pages of up to 20 MB each are read, hashed and embedded.
  'scans.exportPdf': { lane: 'images', timeLimitMs: 10 * MIN, label: '导出扫描件 PDF' },
  'catalog.parseXlsx': { lane: 'data', timeLimitMs: 2 * MIN, label: '读取清单工作簿' },
  // Linear in the audit log: minutes on a store of many years.
  'audit.verify': { lane: 'data', timeLimitMs: 30 * MIN, label: '校验审计链' },
  'store.backup': { lane: 'background', timeLimitMs: 60 * MIN, label: '备份数据库' },
  'test.spin': { lane: 'images', timeLimitMs: 10 * MIN, label: '测试任务' },
  'test.echo': { lane: 'images', timeLimitMs: 10 * MIN, label: '测试任务' },
  'test.hog': { lane: 'test', timeLimitMs: 10 * MIN, label: '测试任务' },
};

/** The limits of a job (an unknown job runs in the data lane with a minute, and fails there as unknown). */
export function limitsOf(job: string): JobLimits {
  return JOBS[job] ?? { lane: 'data', timeLimitMs: MIN, label: '后台处理' };
}
