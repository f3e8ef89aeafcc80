import type { Corners } from './processor';

/** Corner movement (fraction of the frame's diagonal) below which the page counts as still. */
export const STILL_FRACTION = 0.004;
/** How long the outline must stay still before the shot. */
export const STILL_MS = 1000;
/** Movement (fraction of the diagonal) from the captured outline that counts as a new page. */
export const MOVED_FRACTION = 0.03;

const shift = (a: Corners, b: Corners) => Math.max(...a.map((p, i) => Math.hypot(p.x - b[i]!.x, p.y - b[i]!.y)));

/**
 * Decides when to auto-capture: once the detected outline has stayed within STILL_FRACTION of
 * the frame's diagonal for STILL_MS, exactly once; then not again until the outline has gone
 * (page taken away) or moved by more than MOVED_FRACTION (a new page, or this one moved).
 */
export class AutoCaptureWatch {
  private still: { corners: Corners; since: number } | null = null;
  private taken: Corners | null = null;

  /** Feeds one detection; true when this is the moment to capture. */
  update(corners: Corners | null, width: number, height: number, now: number): boolean {
    if (!corners) {
      this.still = null;
      this.taken = null;
      return false;
    }
    const diag = Math.hypot(width, height);
    if (this.taken) {
      if (shift(corners, this.taken) <= MOVED_FRACTION * diag) return false;
      this.taken = null;
    }
    if (!this.still || shift(corners, this.still.corners) > STILL_FRACTION * diag) {
      this.still = { corners, since: now };
      return false;
    }
    if (now - this.still.since < STILL_MS) return false;
    this.taken = corners;
    this.still = null;
    return true;
  }
}

/** Whether this desk auto-captures (remembered per desk, i.e. this browser profile). */
const KEY = 'desk.scan.autoCapture';
export function loadAutoCapture(): boolean {
  try {
    return localStorage.getItem(KEY) === '1';
  } catch {
    return false;
  }
}
export function saveAutoCapture(on: boolean): void {
  localStorage.setItem(KEY, on ? '1' : '0');
}
