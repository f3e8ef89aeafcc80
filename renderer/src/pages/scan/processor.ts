import type { ScanMode } from '../../../../shared/ipc/methods/scans';

export interface Point {
  x: number;
  y: number;
}
export type Corners = [Point, Point, Point, Point];

/** What the capture screen needs from image processing (the OpenCV worker implements it). */
export interface ScanProcessor {
  /** The page's outline in the frame's pixel coordinates, or null when none is found. */
  detect(frame: ImageData): Promise<Corners | null>;
  /** The flat, cropped page in the chosen mode, and whether it looks blank. */
  process(frame: ImageData, corners: Corners | null, mode: ScanMode): Promise<{ page: ImageData; blank: boolean }>;
}

/** Scales an ImageData down so its longer side is at most `max` (for the live overlay). */
export function downscale(img: ImageData, max: number): { small: ImageData; scale: number } {
  const scale = Math.min(1, max / Math.max(img.width, img.height));
  if (scale === 1) return { small: img, scale };
  const src = new OffscreenCanvas(img.width, img.height);
  src.getContext('2d')!.putImageData(img, 0, 0);
  const dst = new OffscreenCanvas(Math.round(img.width * scale), Math.round(img.height * scale));
  const ctx = dst.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(src, 0, 0, dst.width, dst.height);
  return { small: ctx.getImageData(0, 0, dst.width, dst.height), scale };
}
