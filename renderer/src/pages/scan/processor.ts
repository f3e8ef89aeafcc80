import type { ScanMode } from '../../../../shared/ipc/methods/scans';

export interface Point {
  x: number;
  y: number;
}
export type Corners = [Point, Point, Point, Point];

export interface ProcessCall {
  /**
   * Snap the given corners to the page's edges on this frame first: true for corners taken over
   * from the live overlay, false for corners the clerk dragged (those are used as they are).
   */
  refineCorners?: boolean;
  /**
   * Encode the page as this type (and a JPEG thumbnail) where it was processed, so its pixels
   * need not come back: the result then has `encoded` and no `page`. A processor may ignore it.
   */
  encode?: 'image/jpeg' | 'image/png';
}

export interface ProcessedPage {
  /** The page's pixels; null when the processor encoded it (see `encoded`). */
  page: ImageData | null;
  width: number;
  height: number;
  /** The page's file (type as asked in `encode`) and its JPEG thumbnail (see PAGE_ENCODING). */
  encoded?: { bytes: Blob; thumb: Blob };
  blank: boolean;
  /** The corners the warp used (frame px), null when the whole frame was kept. */
  corners: Corners | null;
}

/** The stored page's encoding: the file's JPEG quality, the thumbnail's longer side and JPEG quality (as `encodePage`). */
export const PAGE_ENCODING = { quality: 0.9, thumbMaxSide: 320, thumbQuality: 0.8 } as const;

/** What the capture screen needs from image processing (the OpenCV worker implements it). */
export interface ScanProcessor {
  /** 'opencv' or 'plain' (shown to the clerk and in the DOM). */
  readonly name: string;
  /** The page's outline in the frame's pixel coordinates, or null when none is found. */
  detect(frame: ImageData): Promise<Corners | null>;
  /** The flat, cropped page in the chosen mode, and whether it looks blank. Without corners the page is detected on this frame. */
  process(frame: ImageData, corners: Corners | null, mode: ScanMode, call?: ProcessCall): Promise<ProcessedPage>;
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
