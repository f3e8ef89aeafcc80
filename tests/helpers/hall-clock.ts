import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * One wall clock for a whole hall under test — the hub process, its PostgreSQL server and the
 * in-process desks — that a test moves forward (a week offline in two minutes). The hub and
 * PostgreSQL run under libfaketime (LD_PRELOAD), reading their offset from a file on every call
 * (FAKETIME_NO_CACHE); the desks get `now` (electron/app/clock.ts: the wall clock is injectable).
 * Both read the same whole-second offset, so the hub's ±5 min request window, its `now()` stamps
 * (when it first held a record) and the desks' signatures all live in the same week. Monotonic
 * clocks are left real (timers, leases and sessions run at the rate of real time).
 */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

export class HallClock {
  readonly file: string;
  private offsetS = 0;

  constructor(startAt: Date) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfd-hall-clock-'));
    fs.chmodSync(dir, 0o755); // PostgreSQL runs as `postgres` and reads the file
    this.file = path.join(dir, 'faketime');
    this.offsetS = Math.round((startAt.getTime() - Date.now()) / 1000);
    this.write();
  }

  /** The hall's wall time now (the desks' `now`). */
  readonly now = (): Date => new Date(Date.now() + this.offsetS * 1000);

  /** Moves the whole hall's clock to `at` (never back). */
  setTo(at: Date): void {
    const offset = Math.round((at.getTime() - Date.now()) / 1000);
    if (offset < this.offsetS) throw new Error(`the hall clock does not go back (${this.now().toISOString()} → ${at.toISOString()})`);
    this.offsetS = offset;
    this.write();
  }

  /** The environment that puts a child process (the hub, PostgreSQL) on this clock. */
  env(): Record<string, string> {
    return { LD_PRELOAD: LIBFAKETIME, FAKETIME_TIMESTAMP_FILE: this.file, FAKETIME_NO_CACHE: '1', FAKETIME_DONT_FAKE_MONOTONIC: '1' };
  }

  private write(): void {
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, `${this.offsetS >= 0 ? '+' : ''}${this.offsetS}\n`, { mode: 0o644 });
    fs.chmodSync(tmp, 0o644); // the desks' umask (0077) must not hide it from postgres
    fs.renameSync(tmp, this.file); // whole, never half-written: libfaketime reads it at every call
  }
}
