import type { ScanMode } from '../../../../shared/ipc/methods/scans';
import type { ScanProcessor } from './processor';

/**
 * Processing without OpenCV: no outline detection (the whole frame, or the
 * clerk's four corners' bounding box), modes by per-pixel arithmetic. Used
 * only where the OpenCV worker cannot load (the page then says so).
 */
export const plainProcessor: ScanProcessor = {
  name: 'plain',
  async detect() {
    return null;
  },
  async process(frame, corners, mode) {
    let img = frame;
    if (corners) {
      const xs = corners.map((c) => c.x);
      const ys = corners.map((c) => c.y);
      const x0 = Math.max(0, Math.floor(Math.min(...xs)));
      const y0 = Math.max(0, Math.floor(Math.min(...ys)));
      const x1 = Math.min(frame.width, Math.ceil(Math.max(...xs)));
      const y1 = Math.min(frame.height, Math.ceil(Math.max(...ys)));
      const c = new OffscreenCanvas(frame.width, frame.height);
      const ctx = c.getContext('2d', { willReadFrequently: true })!;
      ctx.putImageData(frame, 0, 0);
      img = ctx.getImageData(x0, y0, Math.max(1, x1 - x0), Math.max(1, y1 - y0));
    }
    return { page: applyMode(img, mode), width: img.width, height: img.height, blank: looksBlank(img), corners };
  },
};

export function applyMode(img: ImageData, mode: ScanMode): ImageData {
  if (mode === 'color' || mode === 'remove_background') return img;
  const out = new ImageData(new Uint8ClampedArray(img.data), img.width, img.height);
  const d = out.data;
  for (let i = 0; i < d.length; i += 4) {
    const y = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
    const v = mode === 'bw' ? (y > 150 ? 255 : 0) : y;
    d[i] = d[i + 1] = d[i + 2] = v;
  }
  return out;
}

/** Nearly no dark pixels: a blank sheet (or the lid of the camera). */
export function looksBlank(img: ImageData): boolean {
  const d = img.data;
  let dark = 0;
  let n = 0;
  for (let i = 0; i < d.length; i += 4 * 16) {
    const y = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
    if (y < 110) dark++;
    n++;
  }
  return dark / n < 0.002;
}
