/**
 * Kill points that follow the work's own progress (tests/README.md, electron/log/progress.ts):
 * the process under test writes a line per stage it reaches to fd 3; a test kills it when a
 * chosen mark appears, or has it stop for good at a chosen mark (DESK_HOLD_AT) so that the kill
 * lands exactly there. Which mark and which occurrence are drawn from a seeded PRNG whose seed is
 * printed; KILL_SEED=<seed> replays a run.
 */
import type { Readable } from 'node:stream';

/**
 * How long a kill test may take before it counts as failed: a deadline, never a kill point. The
 * tests take 1–2 minutes on an idle 2-core machine; this leaves room for one slowed tenfold by a
 * parallel `npm test` and other work.
 */
export const KILL_TEST_TIMEOUT_MS = 20 * 60_000;

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The kill test's random source: KILL_SEED if set, else a fresh seed; printed either way. */
export function killRandom(test: string): { seed: number; random: () => number; int: (lo: number, hi: number) => number; pick: <T>(xs: readonly T[]) => T } {
  const seed = process.env.KILL_SEED ? Number(process.env.KILL_SEED) : Math.floor(Math.random() * 1_000_000_000);
  console.log(`${test}: kill seed ${seed} (KILL_SEED=${seed} to replay)`);
  const random = prng(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random() * (hi - lo + 1));
  return { seed, random, int, pick: (xs) => xs[Math.floor(random() * xs.length)]! };
}

export interface Mark {
  mark: string;
  detail?: string | number;
  thread: number;
  held?: boolean;
}

/** The env that turns marks on (fd 3) and, optionally, stops the process at the n-th `hold` mark. */
export function progressEnv(hold?: { at: string; n: number }): Record<string, string> {
  return { DESK_PROGRESS_FD: '3', ...(hold ? { DESK_HOLD_AT: `${hold.at}#${hold.n}` } : {}) };
}

/** The marks a process writes to its fd 3 (spawn it with stdio[3] = 'pipe' and progressEnv()). */
export class ProgressMarks {
  readonly seen: Mark[] = [];
  private waiters: { pred: (m: Mark) => boolean; resolve: (m: Mark | null) => void }[] = [];
  private ended = false;

  constructor(stream: Readable) {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const lines = (rest + chunk).split('\n');
      rest = lines.pop()!;
      for (const line of lines) if (line.startsWith('DESK_PROGRESS ')) this.add(JSON.parse(line.slice('DESK_PROGRESS '.length)) as Mark);
    });
    stream.on('close', () => this.end());
    stream.on('end', () => this.end());
  }

  /** The first mark (already seen or still to come) for which `pred` holds; null if the stream ends first. */
  next(pred: (m: Mark) => boolean): Promise<Mark | null> {
    const found = this.seen.find(pred);
    if (found) return Promise.resolve(found);
    if (this.ended) return Promise.resolve(null);
    return new Promise((resolve) => this.waiters.push({ pred, resolve }));
  }

  /** The `n`-th mark named `mark` (with `detail`, if given); null if the stream ends first. */
  nth(mark: string, n: number, detail?: string | number): Promise<Mark | null> {
    let k = 0;
    return this.next((m) => m.mark === mark && (detail === undefined || m.detail === detail) && ++k === n);
  }

  /** The mark the process stopped at (DESK_HOLD_AT); null if it ended without stopping. */
  held(): Promise<Mark | null> {
    return this.next((m) => m.held === true);
  }

  count(mark: string, detail?: string | number): number {
    return this.seen.filter((m) => m.mark === mark && (detail === undefined || m.detail === detail)).length;
  }

  private add(m: Mark): void {
    this.seen.push(m);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(m)) return true;
      w.resolve(m);
      return false;
    });
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    for (const w of this.waiters) w.resolve(null);
    this.waiters = [];
  }
}
