import type { Monotonic } from '../../app/clock';

/**
 * How long an account stays locked after too many wrong passwords: `lockMs` of real time,
 * measured on the monotonic clock (app/clock.ts), whatever the wall clock does meanwhile.
 *
 * The lock is recorded in `users.locked_until` (a wall time: a supervisor reads it, and it
 * survives a restart); this process keeps, per user, the monotonic moment that lock ends. A
 * lock this process did not begin (a restart) is taken as it is stored but never for longer than
 * `lockMs` from when it is first looked at — a clock set back a day between the lock and the
 * restart cannot make it last a day more. A supervisor's unlock (locked_until cleared) or a new
 * lock (another locked_until) replaces what was kept.
 */
export class Lockouts {
  private readonly ends = new Map<number, { lockedUntil: string; endsAt: number }>();

  constructor(
    readonly lockMs: number,
    private readonly now: () => Date,
    private readonly monotonic: Monotonic,
  ) {}

  /** Begins a lock now: the `locked_until` to store. */
  begin(userId: number): string {
    const lockedUntil = new Date(this.now().getTime() + this.lockMs).toISOString();
    this.ends.set(userId, { lockedUntil, endsAt: this.monotonic() + this.lockMs });
    return lockedUntil;
  }

  /**
   * Takes a lock begun elsewhere (the hall's, electron/services/auth/hall-lockouts.ts) with
   * `remainingMs` left: never longer than `lockMs` from now on this process's monotonic clock.
   * Returns the `locked_until` to store.
   */
  adopt(userId: number, remainingMs: number): string {
    const left = Math.max(0, Math.min(remainingMs, this.lockMs));
    const lockedUntil = new Date(this.now().getTime() + left).toISOString();
    this.ends.set(userId, { lockedUntil, endsAt: this.monotonic() + left });
    return lockedUntil;
  }

  /** Milliseconds left of the user's lock (0: not locked), given the stored `locked_until`. */
  remainingMs(userId: number, lockedUntil: string | null): number {
    if (!lockedUntil) {
      this.ends.delete(userId);
      return 0;
    }
    let kept = this.ends.get(userId);
    if (!kept || kept.lockedUntil !== lockedUntil) {
      const stored = Date.parse(lockedUntil) - this.now().getTime();
      kept = { lockedUntil, endsAt: this.monotonic() + Math.max(0, Math.min(Number.isFinite(stored) ? stored : 0, this.lockMs)) };
      this.ends.set(userId, kept);
    }
    return Math.max(0, kept.endsAt - this.monotonic());
  }

  /** When the lock ends, as a wall time for a person to read (null: not locked). */
  endsAt(userId: number, lockedUntil: string | null): string | null {
    const left = this.remainingMs(userId, lockedUntil);
    return left > 0 ? new Date(this.now().getTime() + left).toISOString() : null;
  }
}
