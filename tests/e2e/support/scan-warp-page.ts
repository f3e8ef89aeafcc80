/**
 * The browser side of tests/e2e/scan-warp-quality.spec.ts, bundled by esbuild into a test-only page
 * (no CSP; not part of the app): the scan pipeline (renderer/src/scan, the OpenCV.js build the app
 * ships) warps a fixture's page with OpenCV's warpPerspective and with the canvas warp
 * (canvas-warp.ts), and measures how far apart the two are. Only figures go back to Node.
 */
import '../../../renderer/src/scan/opencv-no-eval-install';
import cvModule from '@techstark/opencv-js';
import { estimateSkew, orderCorners, pageSize, processPage, warpDocument, type CV, type ProcessOptions, type Quad, type RgbaImage } from '../../../renderer/src/scan/pipeline';
import { processPageForEncoding } from '../../../renderer/src/scan/canvas-page';
import { wasmWarpUnavailableReason, warpRgbaWasm } from '../../../renderer/src/scan/wasm-kernels';
import { MAX_WARP_ERROR, warpRgbaOnCanvas } from '../../../renderer/src/scan/canvas-warp';
import { createScanClient } from '../../../renderer/src/scan/scan-client';
import { blobToBase64 } from '../../../renderer/src/lib/files';

const cv = cvModule as unknown as CV & { onRuntimeInitialized?: () => void };

function cvReady(): Promise<void> {
  return new Promise((resolve) => {
    if (typeof cv.Mat === 'function') resolve();
    else cv.onRuntimeInitialized = () => resolve();
  });
}

/** The fixture decoded by the browser, as a camera frame is in the app (RGBA). */
async function frameOf(file: string): Promise<RgbaImage> {
  return frameOfBlob(await (await fetch(`/fixtures/${file}`)).blob());
}

const edge = (k: number, count: number, size: number) => Math.round((k * size) / count);
const luma = (d: Uint8ClampedArray, o: number) => 0.299 * d[o]! + 0.587 * d[o + 1]! + 0.114 * d[o + 2]!;

/** PSNR (dB, RGB, every pixel), largest difference of a channel, and the steepest step of `ref` between neighbours. */
function compare(a: Uint8ClampedArray, ref: Uint8ClampedArray, w: number, h: number) {
  let se = 0;
  let max = 0;
  let steepest = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(a[o + c]! - ref[o + c]!);
        se += d * d;
        if (d > max) max = d;
        if (x + 1 < w) steepest = Math.max(steepest, Math.abs(ref[o + 4 + c]! - ref[o + c]!));
        if (y + 1 < h) steepest = Math.max(steepest, Math.abs(ref[o + 4 * w + c]! - ref[o + c]!));
      }
    }
  }
  const mse = se / (w * h * 3);
  return { psnr: mse === 0 ? Infinity : 10 * Math.log10((255 * 255) / mse), max, steepest };
}

/**
 * Seams: along every cut between cells (the two pixel lines that meet there), the mean signed luma
 * difference to OpenCV's page over the pixels where the page is flat (paper: the 3×3 neighbourhood
 * of OpenCV's page varies by at most 4 levels). There a sub-pixel displacement changes nothing, so
 * whatever shows is the cut itself: a gap, a double or half-covered line, a misplaced cell. (On ink,
 * the cells' ≤ 0.125 px displacement legitimately moves edges; the per-pixel bound checks that.)
 */
function worstSeam(a: Uint8ClampedArray, ref: Uint8ClampedArray, w: number, h: number, cols: number, rows: number) {
  const flat = (x: number, y: number) => {
    const c = luma(ref, (y * w + x) * 4);
    for (let dy = -1; dy <= 1; dy++)
      for (let dx = -1; dx <= 1; dx++) {
        const xx = Math.min(w - 1, Math.max(0, x + dx));
        const yy = Math.min(h - 1, Math.max(0, y + dy));
        if (Math.abs(luma(ref, (yy * w + xx) * 4) - c) > 4) return false;
      }
    return true;
  };
  let worst = { signed: 0, at: '', flatPixels: 0 };
  let fewest = Infinity;
  const line = (pixels: Array<[number, number]>, at: string) => {
    let sum = 0;
    let n = 0;
    for (const [x, y] of pixels) {
      if (!flat(x, y)) continue;
      const o = (y * w + x) * 4;
      sum += luma(a, o) - luma(ref, o);
      n++;
    }
    fewest = Math.min(fewest, n);
    const signed = n ? sum / n : 0;
    if (Math.abs(signed) >= Math.abs(worst.signed)) worst = { signed, at, flatPixels: n };
  };
  for (let i = 1; i < cols; i++) {
    const x = edge(i, cols, w);
    const pixels: Array<[number, number]> = [];
    for (let y = 0; y < h; y++) pixels.push([x - 1, y], [x, y]);
    line(pixels, `x=${x}`);
  }
  for (let j = 1; j < rows; j++) {
    const y = edge(j, rows, h);
    const pixels: Array<[number, number]> = [];
    for (let x = 0; x < w; x++) pixels.push([x, y - 1], [x, y]);
    line(pixels, `y=${y}`);
  }
  return { ...worst, fewestFlatPixels: fewest };
}

/** PSNR of the page through the app's JPEG (q0.9, the browser's encoder) against itself: the loss every stored page has anyway. */
async function jpegPsnr(page: RgbaImage): Promise<number> {
  const c = new OffscreenCanvas(page.width, page.height);
  c.getContext('2d', { alpha: false })!.putImageData(new ImageData(page.data as Uint8ClampedArray<ArrayBuffer>, page.width, page.height), 0, 0);
  const back = await frameOfBlob(await c.convertToBlob({ type: 'image/jpeg', quality: 0.9 }));
  return compare(back.data, page.data, page.width, page.height).psnr;
}

async function frameOfBlob(blob: Blob): Promise<RgbaImage> {
  const bitmap = await createImageBitmap(blob);
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
  ctx.drawImage(bitmap, 0, 0);
  bitmap.close();
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return { data: img.data, width: img.width, height: img.height };
}

/** Everything the spec asserts, for one fixture and its true corners. */
async function measure(file: string, trueCorners: Quad) {
  await cvReady();
  const frame = await frameOf(file);
  const corners = orderCorners(trueCorners);
  const { width: w, height: h } = pageSize(corners, frame.width, frame.height);
  const ref = warpDocument(cv, frame, corners, { engine: 'opencv' });
  const drawn = warpRgbaOnCanvas(frame, corners, w, h);
  if (!drawn) throw new Error('the canvas warp refused the page');
  const { cols, rows, maxError } = drawn.grid;
  const out = drawn.page.data;

  // warpDocument's 'canvas' engine is this very canvas warp.
  const viaEngine = warpDocument(cv, frame, corners, { engine: 'canvas' });
  let sameAsEngine = viaEngine.engine === 'canvas' && viaEngine.width === w && viaEngine.height === h;
  for (let i = 0; sameAsEngine && i < out.length; i++) if (viaEngine.data[i] !== out[i]) sameAsEngine = false;
  // What the app runs in this browser (engine 'auto'): the WebAssembly warp, OpenCV's within rounding.
  const auto = warpDocument(cv, frame, corners);
  const wasm = warpRgbaWasm(frame, corners, w, h);
  let sameAsAuto = auto.engine === 'wasm' && !!wasm && auto.width === w && auto.height === h;
  for (let i = 0; sameAsAuto && wasm && i < wasm.data.length; i++) if (auto.data[i] !== wasm.data[i]) sameAsAuto = false;
  const wasmVsOpencv = wasm ? compare(wasm.data, ref.data, w, h) : null;

  const q = compare(out, ref.data, w, h);
  const seam = worstSeam(out, ref.data, w, h, cols, rows);

  // Controls, to show the checks can fail. (1) One cut line 2 levels darker than drawn.
  const darkened = new Uint8ClampedArray(out);
  const xc = edge(cols >> 1, cols, w);
  for (let y = 0; y < h; y++) for (let c = 0; c < 3; c++) darkened[(y * w + xc) * 4 + c] = Math.max(0, darkened[(y * w + xc) * 4 + c]! - 2);
  const darkenedSeam = worstSeam(darkened, ref.data, w, h, cols, rows);
  // (2) The inner cell with the most ink drawn 1 px to the right (a misplaced cell).
  let best = -1;
  let ci = 0;
  let cj = 0;
  for (let j = 1; j < rows - 1; j++)
    for (let i = 1; i < cols - 1; i++) {
      let g = 0;
      for (let y = edge(j, rows, h); y < edge(j + 1, rows, h); y++)
        for (let x = edge(i, cols, w); x < edge(i + 1, cols, w) - 1; x++) g += Math.abs(ref.data[(y * w + x + 1) * 4 + 1]! - ref.data[(y * w + x) * 4 + 1]!);
      if (g > best) [best, ci, cj] = [g, i, j];
    }
  const shifted = new Uint8ClampedArray(out);
  for (let y = edge(cj, rows, h); y < edge(cj + 1, rows, h); y++)
    for (let x = edge(ci + 1, cols, w) - 1; x > edge(ci, cols, w); x--) for (let c = 0; c < 4; c++) shifted[(y * w + x) * 4 + c] = shifted[(y * w + x - 1) * 4 + c]!;
  const shiftedMax = compare(shifted, ref.data, w, h).max;

  return {
    page: { width: w, height: h },
    grid: { cols, rows, maxError },
    maxWarpError: MAX_WARP_ERROR,
    sameAsEngine,
    sameAsAuto,
    autoEngine: auto.engine,
    wasmUnavailable: wasmWarpUnavailableReason(),
    wasmVsOpencv: wasmVsOpencv ? { psnr: wasmVsOpencv.psnr, maxAbs: wasmVsOpencv.max } : null,
    psnr: q.psnr,
    maxAbs: q.max,
    steepest: q.steepest,
    jpegPsnr: await jpegPsnr(ref),
    seam,
    controls: { darkenedSeam: darkenedSeam.signed, shiftedMaxAbs: shiftedMax, shiftedCell: `${ci},${cj}` },
  };
}

/** The app's shutter path through the real scan worker: which engine drew the page there. */
const client = createScanClient(() => new Worker('/scan-worker.js', { type: 'module', name: 'scan' }));
async function workerEngine(file: string, corners: Quad) {
  const frame = await frameOf(file);
  const r = await client.process(new ImageData(frame.data as Uint8ClampedArray<ArrayBuffer>, frame.width, frame.height), { corners, mode: 'color' }, { transfer: true });
  return { warpEngine: r.warpEngine, width: r.width, height: r.height, timings: r.timings, wasmWarp: (await client.ready()).wasmWarp };
}

/**
 * The shutter's page kept on the canvas (canvas-page.ts) against processPage's pixels, on one
 * frame: `corners` null lets the page be detected (or the frame kept whole); `turnDegrees` first
 * turns the fixture's flat page by that much and takes it as a frame kept whole (for deskew).
 */
async function canvasPage(file: string, corners: Quad | null, opts: { rotate?: number; turnDegrees?: number; trueCorners?: Quad; noPage?: boolean } = {}) {
  await cvReady();
  let frame = await frameOf(file);
  if (opts.turnDegrees) {
    const flat = warpDocument(cv, frame, orderCorners(opts.trueCorners!), { engine: 'opencv' });
    const src = new cv.Mat(flat.height, flat.width, cv.CV_8UC4);
    const dst = new cv.Mat();
    const M = cv.getRotationMatrix2D(new cv.Point(flat.width / 2 - 0.5, flat.height / 2 - 0.5), opts.turnDegrees, 1);
    src.data.set(flat.data);
    cv.warpAffine(src, dst, M, new cv.Size(flat.width, flat.height), cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar());
    frame = { data: new Uint8ClampedArray(dst.data), width: dst.cols, height: dst.rows };
    src.delete();
    dst.delete();
    M.delete();
  }
  // noPage: a detection that can accept nothing, so the frame is kept whole (and deskewed).
  const options: ProcessOptions = { corners, mode: 'color', rotate: opts.rotate ?? 0, wholeFrameIfNotFound: true, ...(opts.noPage ? { detect: { minConfidence: 2 } } : {}) };
  const pixels = processPage(cv, { ...frame, data: new Uint8ClampedArray(frame.data) }, options);
  let handed: OffscreenCanvas | null = null;
  const t0 = performance.now();
  const r = processPageForEncoding(cv, { ...frame, data: new Uint8ClampedArray(frame.data) }, { ...options, onCanvas: (c) => (handed = c) });
  const ms = performance.now() - t0;
  try {
    if (!r.canvas) return { onCanvas: false as const, timings: r.timings };
    const img = r.canvas.getContext('2d', { alpha: false, willReadFrequently: true })!.getImageData(0, 0, r.width, r.height);
    const sameSize = img.width === pixels.page.width && img.height === pixels.page.height;
    // A small rotation (deskew) uncovers the corners differently (pixel path: border repeated): compare inside 5 %.
    const m = pixels.skewDegrees ? Math.round(0.05 * Math.max(img.width, img.height)) : 0;
    const crop = (d: Uint8ClampedArray, w: number, h: number) => {
      const out = new Uint8ClampedArray((w - 2 * m) * (h - 2 * m) * 4);
      for (let y = m; y < h - m; y++) out.set(d.subarray((y * w + m) * 4, (y * w + w - m) * 4), (y - m) * (w - 2 * m) * 4);
      return out;
    };
    const q = sameSize ? compare(crop(img.data, img.width, img.height), crop(pixels.page.data, img.width, img.height), img.width - 2 * m, img.height - 2 * m) : null;
    return {
      onCanvas: true as const,
      handedToEncoder: handed === r.canvas,
      size: { canvas: [img.width, img.height], pixels: [pixels.page.width, pixels.page.height] },
      psnr: q?.psnr ?? null,
      maxAbs: q?.max ?? null,
      ink: { canvas: r.ink, pixels: pixels.ink },
      blank: { canvas: r.blank, pixels: pixels.blank },
      skew: { canvas: r.skewDegrees, pixels: pixels.skewDegrees, leftOnCanvasPage: opts.turnDegrees ? estimateSkew(cv, { data: img.data, width: img.width, height: img.height }) : null },
      corners: { canvas: r.corners, pixels: pixels.corners },
      ms,
      timings: r.timings,
    };
  } finally {
    r.release();
  }
}

/** blobToBase64 (FileReader's data: URL) against btoa of the same bytes, for awkward lengths. */
async function base64Check() {
  const wrong: number[] = [];
  for (const n of [0, 1, 2, 3, 4, 5, 0x8000 - 1, 0x8000, 0x8000 + 1, 300_001]) {
    const bytes = new Uint8Array(n);
    for (let i = 0; i < n; i++) bytes[i] = (i * 2654435761) >>> 24;
    let bin = '';
    for (let i = 0; i < n; i++) bin += String.fromCharCode(bytes[i]!);
    if ((await blobToBase64(new Blob([bytes], { type: 'image/jpeg' }))) !== btoa(bin)) wrong.push(n);
  }
  return wrong;
}

declare global {
  interface Window {
    warpQuality: unknown;
  }
}
window.warpQuality = { measure, workerEngine, canvasPage, base64Check };
