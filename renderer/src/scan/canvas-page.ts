/**
 * A capture whose page is only to be encoded (the shutter: the worker writes the JPEG and sends no
 * pixels back) keeps its colour page on the browser's canvas from the warp to the encoder, instead
 * of reading it back into JS, running the white-point curves there and uploading it again:
 *
 *   warp (wasm-kernels.ts, its page put on a canvas; else canvas-warp.ts; the whole frame put on a
 *   canvas when no page was found)
 *   → a copy of at most SMALL_COPY_MAX_SIDE px drawn by the canvas, read back: the white point's
 *     percentiles, the ink count (blank check) and, for a frame kept whole, the skew come from it
 *   → quarter turns and the skew turned on the canvas
 *   → the white-point gains applied by a `color-dodge` fill (dst / (1 − src) = dst × gain, clamped,
 *     per channel; within one grey level of the JS curves)
 *   → `onCanvas`: the caller starts encoding while the ink is counted on the small copy.
 *
 * Where this does not apply (Node, a mode other than colour, a page the canvas warp declines, an
 * outline with deskew asked) it is processPage's own path, with the pixels in `page`.
 */
import { canvasWarpAvailable, warpOntoCanvas } from './canvas-warp';
import { warpRgbaWasmView } from './wasm-kernels';
import {
  BLANK_INK_COVERAGE,
  deskewWanted,
  estimateSkew,
  inkCoverage,
  lapTimer,
  pageSize,
  processResolved,
  resolveCorners,
  whitePointGains,
  type CV,
  type ProcessOptions,
  type ProcessResult,
  type Quad,
  type RgbaImage,
  type WarpEngine,
} from './pipeline';

/**
 * Longest side of the copy the statistics are taken from: the blank check has always counted ink
 * on a copy of at most 700 px (`inkCoverage`), and the white point's percentiles sample at most
 * 200,000 pixels anyway.
 */
export const SMALL_COPY_MAX_SIDE = 700;

export interface EncodablePage extends Omit<ProcessResult, 'page'> {
  /** The page's pixels when it was made in JS (processPage's path); null when it is on `canvas`. */
  page: RgbaImage | null;
  /** The finished page on an opaque canvas, ready for `convertToBlob`; null on processPage's path. */
  canvas: OffscreenCanvas | null;
  width: number;
  height: number;
  /** Frees what the canvas page still holds of the frame: call once the page is encoded. */
  release(): void;
}

export interface EncodableOptions extends ProcessOptions {
  /** Called with the finished page on its canvas before the blank check (start encoding here). */
  onCanvas?: (canvas: OffscreenCanvas) => void;
}

/** processPage for a page that is only to be encoded: on the canvas where it can be (see above). */
export function processPageForEncoding(cv: CV, frame: RgbaImage, opts: EncodableOptions = {}): EncodablePage {
  const resolved = resolveCorners(cv, frame, opts);
  if ((opts.mode ?? 'color') === 'color' && canvasWarpAvailable()) {
    const onCanvas = colourPageOnCanvas(cv, frame, resolved.corners, resolved.timings, opts);
    if (onCanvas) return { ...onCanvas, corners: resolved.corners, detection: resolved.detection };
  }
  return withPixels(processResolved(cv, frame, resolved, opts));
}

/** processPage's result as an EncodablePage: the page in pixels, no canvas, nothing to release. */
export function withPixels(r: ProcessResult): EncodablePage {
  return { ...r, canvas: null, width: r.page.width, height: r.page.height, release: () => undefined };
}

type CanvasPart = Omit<EncodablePage, 'corners' | 'detection'>;

function colourPageOnCanvas(cv: CV, frame: RgbaImage, corners: ProcessResult['corners'], resolvedTimings: Record<string, number>, opts: EncodableOptions): CanvasPart | null {
  const timings: Record<string, number> = { ...resolvedTimings };
  const lap = lapTimer(timings);
  const deskew = deskewWanted(opts, corners);
  let canvas: OffscreenCanvas;
  let release = () => undefined as void;
  let aspect: number;
  let snappedTo: string | null = null;
  let warpEngine: WarpEngine = 'canvas'; // the frame kept whole is put on a canvas
  if (corners) {
    // An outline with deskew asked: OpenCV's path (the canvas warp does not deskew).
    if (deskew) return null;
    const size = pageSize(corners, frame.width, frame.height, opts.warp);
    const drawn = drawPageOnCanvas(frame, corners, size.width, size.height, opts.warp?.engine ?? 'auto');
    if (!drawn) return null;
    ({ canvas, release, engine: warpEngine } = drawn);
    aspect = size.aspect;
    snappedTo = size.snappedTo;
  } else {
    // No page: the frame as it is.
    canvas = pageOnCanvas(frame);
    aspect = frame.width / frame.height;
  }
  try {
    lap('warp');
    // Drawing the page here also runs the warp's recorded fills. Two copies: averaged for the ink
    // (as the pixel path shrinks before counting), point-sampled for the white point's percentiles
    // (the pixel path samples the page's own pixels: averaging would lower a textured 97th percentile).
    const small = shrinkCanvas(canvas, SMALL_COPY_MAX_SIDE);
    const sampled = shrinkCanvas(canvas, SMALL_COPY_MAX_SIDE, 'nearest');
    lap('shrink');
    const skewDegrees = deskew ? estimateSkew(cv, small) : 0;
    const turns = ((Math.round(opts.rotate ?? 0) % 4) + 4) % 4;
    if (turns || skewDegrees) {
      canvas = turnCanvas(canvas, turns, skewDegrees);
      lap('rotate');
    }
    applyGains(canvas, whitePointGains(sampled.data));
    lap('enhance');
    opts.onCanvas?.(canvas);
    // Counted on the page as warped (not through the curves, not turned), as processPage does.
    const ink = inkCoverage(cv, small);
    lap('blank');
    return { page: null, canvas, width: canvas.width, height: canvas.height, aspect, snappedTo, skewDegrees, warpEngine, ink, blank: ink < BLANK_INK_COVERAGE, timings, release };
  } catch (e) {
    release();
    throw e;
  }
}

/**
 * The flat page drawn onto a canvas: by WebAssembly (its page put on the canvas straight from the
 * kernels' memory), else by the canvas warp; null where `engine` allows neither here.
 */
export function drawPageOnCanvas(
  frame: RgbaImage,
  corners: Quad,
  width: number,
  height: number,
  engine: WarpEngine | 'auto' = 'auto',
): { canvas: OffscreenCanvas; engine: WarpEngine; release(): void } | null {
  if (engine === 'opencv') return null;
  const page = engine === 'canvas' ? null : warpRgbaWasmView(frame, corners, width, height);
  if (page) return { canvas: pageOnCanvas(page), engine: 'wasm', release: () => undefined };
  if (engine === 'wasm') return null;
  const drawn = warpOntoCanvas(frame, corners, width, height);
  return drawn ? { canvas: drawn.canvas, engine: 'canvas', release: drawn.release } : null;
}

/** `image` put on a new opaque (nothing to premultiply; a JPEG has no alpha), CPU-backed canvas. */
export function pageOnCanvas(image: RgbaImage): OffscreenCanvas {
  const canvas = new OffscreenCanvas(image.width, image.height);
  const ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  if (!ctx) throw new Error('scan: no 2D context for the page');
  ctx.putImageData(new ImageData(image.data as Uint8ClampedArray<ArrayBuffer>, image.width, image.height), 0, 0);
  return canvas;
}

/**
 * A copy of `canvas` with its longer side at most `maxSide`, read back: 'average' (mipmapped,
 * box-like: close to OpenCV's INTER_AREA) or 'nearest' (every pixel of the copy one of the page's).
 */
export function shrinkCanvas(canvas: OffscreenCanvas, maxSide: number, how: 'average' | 'nearest' = 'average'): RgbaImage {
  const f = Math.min(1, maxSide / Math.max(canvas.width, canvas.height));
  const w = Math.max(1, Math.round(canvas.width * f));
  const h = Math.max(1, Math.round(canvas.height * f));
  const small = new OffscreenCanvas(w, h);
  const ctx = small.getContext('2d', { alpha: false, willReadFrequently: true });
  if (!ctx) throw new Error('scan: no 2D context for the copy');
  ctx.imageSmoothingEnabled = how === 'average';
  ctx.imageSmoothingQuality = 'medium';
  ctx.drawImage(canvas, 0, 0, w, h);
  const img = ctx.getImageData(0, 0, w, h);
  return { data: img.data, width: w, height: h };
}

/**
 * The page turned by `quarterTurns` clockwise, then by `skewDegrees` counter-clockwise on screen
 * about its centre (OpenCV's getRotationMatrix2D convention, as the pixel path's deskew), on a new
 * canvas. Where the small rotation uncovers the corners the unturned page shows (the pixel path
 * repeats the border there).
 */
export function turnCanvas(canvas: OffscreenCanvas, quarterTurns: number, skewDegrees: number): OffscreenCanvas {
  const turns = ((quarterTurns % 4) + 4) % 4;
  const w = turns % 2 ? canvas.height : canvas.width;
  const h = turns % 2 ? canvas.width : canvas.height;
  let out = canvas;
  if (turns) {
    out = new OffscreenCanvas(w, h);
    const ctx = out.getContext('2d', { alpha: false, willReadFrequently: true });
    if (!ctx) throw new Error('scan: no 2D context for the page');
    ctx.translate(w / 2, h / 2);
    ctx.rotate((turns * Math.PI) / 2);
    ctx.drawImage(canvas, -canvas.width / 2, -canvas.height / 2);
  }
  if (skewDegrees) {
    const turned = new OffscreenCanvas(w, h);
    const ctx = turned.getContext('2d', { alpha: false, willReadFrequently: true });
    if (!ctx) throw new Error('scan: no 2D context for the page');
    ctx.imageSmoothingEnabled = true;
    ctx.imageSmoothingQuality = 'low';
    ctx.drawImage(out, 0, 0);
    ctx.translate(w / 2, h / 2);
    ctx.rotate((-skewDegrees * Math.PI) / 180);
    ctx.drawImage(out, -w / 2, -h / 2);
    out = turned;
  }
  return out;
}

/**
 * Multiplies each colour channel by its gain (≥ 1), clamped at white, with a `color-dodge` fill:
 * dst / (1 − src) for src = 1 − 1/gain. The fill colour is 8-bit, so each gain is the nearest one
 * such a colour gives (at most 0.8 % off for the largest gain, 1.8: within a grey level at white).
 */
export function applyGains(canvas: OffscreenCanvas, gains: readonly [number, number, number]): void {
  if (gains.every((g) => g <= 1)) return;
  const ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  if (!ctx) throw new Error('scan: no 2D context for the page');
  const [r, g, b] = gains.map((gain) => dodgeLevel(gain));
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.globalCompositeOperation = 'color-dodge';
  ctx.fillStyle = `rgb(${r}, ${g}, ${b})`;
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.restore();
}

/** The 8-bit source level whose colour dodge multiplies by (nearly) `gain`: 255 × (1 − 1/gain), rounded. */
export function dodgeLevel(gain: number): number {
  return Math.max(0, Math.min(254, Math.round(255 * (1 - 1 / Math.max(1, gain)))));
}
