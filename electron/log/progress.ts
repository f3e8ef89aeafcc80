import fs from 'node:fs';
import { threadId } from 'node:worker_threads';

/**
 * Progress marks for the kill -9 tests (tests/README.md): the work says where it is, so that a
 * test kills it at a point of its own progress, not after a wall-clock delay that a loaded
 * machine stretches. Off — one boolean test per call — unless the environment asks for it;
 * production never sets these variables:
 *
 *   DESK_PROGRESS_FD=3                each mark is written at once (synchronously, from any
 *                                     thread) to that fd as `DESK_PROGRESS {"mark":…,"detail":…,"thread":…}`
 *   DESK_HOLD_AT=<mark>[ <detail>]#<n>  the n-th matching mark of a thread is written with
 *                                     `"held":true` and that thread stops there for good, so
 *                                     the test's kill -9 lands exactly at that point
 *
 * A mark names a stage the work really reached (`import.verified`, `write.committed`, …); detail
 * is what it was about (the audit action of a write, a batch size).
 */
const fd = Number(process.env.DESK_PROGRESS_FD ?? '');
const enabled = Number.isInteger(fd) && fd > 0;
const hold = enabled ? parseHold(process.env.DESK_HOLD_AT) : null;
let holdCount = 0;

function parseHold(spec: string | undefined): { match: string; n: number } | null {
  const m = /^(.+)#(\d+)$/.exec(spec ?? '');
  return m ? { match: m[1]!, n: Number(m[2]) } : null;
}

let broken = false;

/** Writes the whole line; never throws into the work (a reader gone means no more marks). */
function write(line: string): void {
  const bytes = Buffer.from(line);
  for (let off = 0; off < bytes.length && !broken; ) {
    try {
      off += fs.writeSync(fd, bytes, off);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EAGAIN') Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1); // the reader is behind: wait 1 ms
      else broken = true;
    }
  }
}

/** Reports that the work reached `mark` (see above); a no-op unless DESK_PROGRESS_FD is set. */
export function progress(mark: string, detail?: string | number): void {
  if (!enabled) return;
  const held = hold !== null && (hold.match === mark || hold.match === `${mark} ${detail}`) && ++holdCount === hold.n;
  write(`DESK_PROGRESS ${JSON.stringify({ mark, ...(detail === undefined ? {} : { detail }), thread: threadId, ...(held ? { held: true } : {}) })}\n`);
  if (held) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0); // until kill -9
}
