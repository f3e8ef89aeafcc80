// Event-loop lag of this process, measured fairly: monitorEventLoopDelay at a fine resolution,
// reported as the delay beyond that resolution (the histogram records the whole interval between
// two timer runs, so an idle loop at 10 ms resolution reads "10 ms"), next to the lag an idle
// sibling process sees in the very same window (bench/loop-noise-probe.mjs): what the machine
// itself inflicts on any process, so that the code under test is not blamed for it.
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { monitorEventLoopDelay, performance, type EventLoopUtilization, type IntervalHistogram } from 'node:perf_hooks';

export interface Lag {
  p50Ms: number;
  p99Ms: number;
  p999Ms: number;
  maxMs: number;
  meanMs: number;
  count: number;
}

export const LAG_RESOLUTION_MS = 1;

function lagOf(h: IntervalHistogram, resolutionMs: number): Lag {
  const lag = (ns: number) => Math.max(0, ns / 1e6 - resolutionMs);
  return { p50Ms: lag(h.percentile(50)), p99Ms: lag(h.percentile(99)), p999Ms: lag(h.percentile(99.9)), maxMs: lag(h.max), meanMs: lag(h.mean), count: h.count };
}

export const fmtLag = (l: Lag): string => `${l.p50Ms.toFixed(1)} / ${l.p99Ms.toFixed(1)} / ${l.p999Ms.toFixed(1)} / ${l.maxMs.toFixed(1)} ms`;

export interface Window {
  /** This process's lag, the noise probe's lag over the same time, and how busy this loop was (0..1). */
  end(): Promise<{ lag: Lag; noise: Lag; utilization: number }>;
}

export class LoopLag {
  private constructor(private readonly probe: ChildProcess) {}

  /** Starts the sibling noise probe (a plain Node process, no loader). */
  static async start(): Promise<LoopLag> {
    const probe = fork(path.join(__dirname, 'loop-noise-probe.mjs'), [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      probe.once('message', () => resolve());
      probe.once('error', reject);
      probe.once('exit', (code) => reject(new Error(`noise probe exited with ${code}`)));
    });
    return new LoopLag(probe);
  }

  private ask<T>(msg: object): Promise<T> {
    return new Promise<T>((resolve) => {
      this.probe.once('message', (m) => resolve(m as T));
      this.probe.send(msg);
    });
  }

  /** Begins a measured window in this process and in the probe at the same time. */
  async begin(): Promise<Window> {
    await this.ask({ cmd: 'start', resolutionMs: LAG_RESOLUTION_MS });
    const h = monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
    const elu0: EventLoopUtilization = performance.eventLoopUtilization();
    h.enable();
    return {
      end: async () => {
        h.disable();
        const utilization = performance.eventLoopUtilization(elu0).utilization;
        const noise = await this.ask<Lag>({ cmd: 'stop' });
        return { lag: lagOf(h, LAG_RESOLUTION_MS), noise, utilization };
      },
    };
  }

  close(): void {
    this.probe.send({ cmd: 'exit' });
  }
}
