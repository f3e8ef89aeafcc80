import { describe, expect, it } from 'vitest';
import { AutoCaptureWatch, MOVED_FRACTION, STILL_FRACTION, STILL_MS } from '../../renderer/src/pages/scan/auto-capture';
import type { Corners } from '../../renderer/src/pages/scan/processor';

/** When the capture screen auto-captures (renderer/src/pages/scan/auto-capture.ts), on a 2592×1944 frame. */
const W = 2592;
const H = 1944;
const DIAG = Math.hypot(W, H); // 3240 px: still ≤ 13 px, moved > 97 px
const page = (dx = 0, dy = 0): Corners => [
  { x: 600 + dx, y: 240 + dy },
  { x: 2400 + dx, y: 390 + dy },
  { x: 2150 + dx, y: 1780 + dy },
  { x: 550 + dx, y: 1340 + dy },
];

/** Feeds detections every 120 ms (the live loop's pace); returns the times at which it fired. */
function run(watch: AutoCaptureWatch, frames: Array<Corners | null>, start = 0): number[] {
  const fired: number[] = [];
  frames.forEach((c, i) => {
    const t = start + i * 120;
    if (watch.update(c, W, H, t)) fired.push(t);
  });
  return fired;
}
const repeat = <T,>(n: number, f: (i: number) => T) => Array.from({ length: n }, (_, i) => f(i));

describe('auto-capture', () => {
  it('fires once after the outline has been still for STILL_MS, despite sub-threshold jitter, and not again while it stays', () => {
    const jitter = STILL_FRACTION * DIAG * 0.4;
    const fired = run(new AutoCaptureWatch(), repeat(60, (i) => page(i % 2 ? jitter : -jitter, 0)));
    expect(fired).toEqual([Math.ceil(STILL_MS / 120) * 120]);
  });

  it('does not fire while the page keeps moving', () => {
    const step = STILL_FRACTION * DIAG * 1.5;
    expect(run(new AutoCaptureWatch(), repeat(40, (i) => page(i * step, 0)))).toEqual([]);
  });

  it('fires again for a new page: after the outline disappeared, or moved by more than MOVED_FRACTION', () => {
    const w = new AutoCaptureWatch();
    expect(run(w, repeat(12, () => page()))).toHaveLength(1);
    // Nudged a little (less than MOVED_FRACTION): the same page, no second shot.
    expect(run(w, repeat(20, () => page(MOVED_FRACTION * DIAG * 0.5, 0)), 2000)).toEqual([]);
    // Taken away, next page placed at the same spot.
    expect(run(w, [null, ...repeat(12, () => page())], 5000)).toHaveLength(1);
    // Moved far (the clerk slid the next sheet in).
    expect(run(w, repeat(12, () => page(MOVED_FRACTION * DIAG * 1.5, 0)), 9000)).toHaveLength(1);
  });
});
