/**
 * Time, two kinds. The wall clock (`now`) is what a person reads — audit times, acceptance times,
 * "locked until" — and can be set back or forward by hand or by a time service. Every duration
 * the desk keeps — sync retries and leases, the idle lock, lockouts — is measured on the monotonic
 * clock, which only moves forward at the rate of real time, so a clock set back by a day neither
 * stalls a retry for that day nor keeps an idle session open nor lengthens a lockout.
 */

/** Milliseconds since an arbitrary origin, never going back (performance.now: CLOCK_MONOTONIC). */
export type Monotonic = () => number;

export const systemMonotonic: Monotonic = () => performance.now();

/** Below this a change of the wall clock against the monotonic one is not a step (NTP slews by at most 0.5 ms/s). */
export const CLOCK_STEP_TOLERANCE_MS = 1000;

/**
 * Notices steps of the wall clock: the difference between wall and monotonic time stays put while
 * both run; a change of it is the wall clock set back (negative) or forward (positive).
 */
export class WallClockSteps {
  private offset: number;

  constructor(
    private readonly now: () => Date,
    private readonly monotonic: Monotonic,
    private readonly toleranceMs = CLOCK_STEP_TOLERANCE_MS,
  ) {
    this.offset = now().getTime() - monotonic();
  }

  /** The step since the last one noticed, in ms (negative: set back); 0 when there was none. */
  check(): number {
    const offset = this.now().getTime() - this.monotonic();
    const step = offset - this.offset;
    if (Math.abs(step) <= this.toleranceMs) return 0;
    this.offset = offset;
    return step;
  }
}
