/**
 * The browser side of bench/scan.bench.ts, bundled by esbuild into a bench-only page (no CSP; not
 * part of the app). One page holds our pipeline (renderer/src/scan, the same OpenCV.js build the app
 * ships) and jscanify 1.4.3, which finds the page with the same OpenCV instance (it expects a global
 * `cv`). Everything is driven from Node through `window.bench`.
 */
import '../renderer/src/scan/opencv-no-eval-install';
import cvModule from '@techstark/opencv-js';
import jscanifyCtor from 'jscanify/client';
import { CAPTURE_DETECT, detectDocument, enhance, inkCoverage, pageSize, PREVIEW_DETECT, processPage, refineDocumentCorners, warpDocument, type CV, type Quad, type RgbaImage } from '../renderer/src/scan/pipeline';
import { drawPageOnCanvas, pageOnCanvas, processPageForEncoding } from '../renderer/src/scan/canvas-page';
import { warpRgbaWasm } from '../renderer/src/scan/wasm-kernels';
import { createScanClient, PREVIEW } from '../renderer/src/scan/scan-client';
import { encodePage } from '../renderer/src/camera/camera';
import { downscale, PAGE_ENCODING } from '../renderer/src/pages/scan/processor';
import { blobToBase64 } from '../renderer/src/lib/files';

type Pt = { x: number; y: number };
interface JscanifyCorners {
  topLeftCorner?: Pt;
  topRightCorner?: Pt;
  bottomLeftCorner?: Pt;
  bottomRightCorner?: Pt;
}
interface Jscanify {
  findPaperContour(img: unknown): { delete(): void } | null;
  getCornerPoints(contour: unknown): JscanifyCorners;
  extractPaper(image: HTMLCanvasElement, w: number, h: number, corners?: JscanifyCorners): HTMLCanvasElement | null;
  highlightPaper(image: HTMLCanvasElement): HTMLCanvasElement;
}
interface Mat {
  delete(): void;
}
interface CvExtra {
  matFromImageData(img: ImageData): Mat;
}

const cv = cvModule as unknown as CV & CvExtra & { onRuntimeInitialized?: () => void; getBuildInformation(): string };
// jscanify reads the global `cv`: the very OpenCV instance our pipeline uses.
(globalThis as unknown as { cv: unknown }).cv = cvModule;
const scanner = new (jscanifyCtor as unknown as new () => Jscanify)();

interface Fixture {
  name: string;
  full: ImageData;
  fullCanvas: HTMLCanvasElement;
  preview: ImageData;
  previewCanvas: HTMLCanvasElement;
  /** preview px → full px */
  scale: number;
}
const fixtures = new Map<string, Fixture>();

function cvReady(): Promise<string> {
  return new Promise((resolve) => {
    const done = () => resolve(/Version control:\s*(\S+)/.exec(cv.getBuildInformation())?.[1] ?? 'unknown');
    if (typeof cv.Mat === 'function' && typeof cv.getBuildInformation === 'function') done();
    else cv.onRuntimeInitialized = done;
  });
}

async function load(name: string, previewSide: number): Promise<{ width: number; height: number }> {
  const blob = await (await fetch(`/fixtures/${name}.jpg`)).blob();
  const bitmap = await createImageBitmap(blob);
  const canvas = (w: number, h: number) => Object.assign(document.createElement('canvas'), { width: w, height: h });
  const fullCanvas = canvas(bitmap.width, bitmap.height);
  const fctx = fullCanvas.getContext('2d', { willReadFrequently: true })!;
  fctx.drawImage(bitmap, 0, 0);
  const scale = Math.max(bitmap.width, bitmap.height) / previewSide;
  const previewCanvas = canvas(Math.round(bitmap.width / scale), Math.round(bitmap.height / scale));
  const pctx = previewCanvas.getContext('2d', { willReadFrequently: true })!;
  pctx.drawImage(bitmap, 0, 0, previewCanvas.width, previewCanvas.height);
  bitmap.close();
  fixtures.set(name, {
    name,
    full: fctx.getImageData(0, 0, fullCanvas.width, fullCanvas.height),
    fullCanvas,
    preview: pctx.getImageData(0, 0, previewCanvas.width, previewCanvas.height),
    previewCanvas,
    scale: fullCanvas.width / previewCanvas.width,
  });
  return { width: fullCanvas.width, height: fullCanvas.height };
}

const fx = (name: string) => {
  const f = fixtures.get(name);
  if (!f) throw new Error(`fixture ${name} not loaded`);
  return f;
};
const rgba = (img: ImageData): RgbaImage => ({ data: img.data, width: img.width, height: img.height });
const quadOf = (c: JscanifyCorners): Pt[] | null =>
  c.topLeftCorner && c.topRightCorner && c.bottomRightCorner && c.bottomLeftCorner ? [c.topLeftCorner, c.topRightCorner, c.bottomRightCorner, c.bottomLeftCorner] : null;
const plain = (q: readonly Pt[] | null) => (q ? q.map((p) => ({ x: p.x, y: p.y })) : null);

/** The page as the app's worker encodes one it holds in pixels (canvas-page.ts pageOnCanvas). */
const jpeg = (img: RgbaImage): Promise<Blob> => pageOnCanvas(img).convertToBlob({ type: 'image/jpeg', quality: 0.9 });

/**
 * (a)+(b) ours, the same work as jscanify's: detect (CAPTURE_DETECT: 640 px + refinement on the full
 * frame), warp at the page's natural size onto a canvas, JPEG encoded by the browser from that canvas
 * (as jscanify's). `engine` 'auto' is the app's path in this browser (drawPageOnCanvas: WebAssembly,
 * the page put on the canvas straight from its memory), 'opencv' the code before (warpPerspective,
 * the page copied out and put on a canvas). Then, for information, the whole capture as the app's
 * worker runs it at the shutter (+ colour clean-up + blank check; processPageForEncoding, or
 * processPage with OpenCV's warp).
 */
async function oursProcess(name: string, engine: 'auto' | 'opencv' = 'auto') {
  const f = fx(name);
  const t0 = performance.now();
  const d = detectDocument(cv, rgba(f.full), CAPTURE_DETECT);
  const t1 = performance.now();
  let page = { width: f.full.width, height: f.full.height };
  let jpegBytes = 0;
  let warpMs = 0;
  let warpEngine: string | null = null;
  if (d) {
    const size = pageSize(d.corners, f.full.width, f.full.height);
    // The app's path: the page drawn onto a canvas (WebAssembly, put straight from its memory) and
    // encoded from there; before: OpenCV's page copied out, put on a canvas, encoded.
    const drawn = engine === 'auto' ? drawPageOnCanvas(rgba(f.full), d.corners, size.width, size.height) : null;
    if (drawn) {
      warpEngine = drawn.engine;
      warpMs = performance.now() - t1;
      jpegBytes = (await drawn.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 })).size;
      drawn.release();
    } else {
      const warped = warpDocument(cv, rgba(f.full), d.corners, { engine });
      warpEngine = warped.engine;
      warpMs = performance.now() - t1;
      jpegBytes = (await jpeg(warped)).size;
    }
    page = size;
  }
  const t3 = performance.now();
  let fullEncoded: Blob;
  let timings: Record<string, number>;
  if (engine === 'auto') {
    const r = processPageForEncoding(cv, rgba(f.full), { mode: 'color' });
    fullEncoded = await (r.canvas ? r.canvas.convertToBlob({ type: 'image/jpeg', quality: 0.9 }) : jpeg(r.page!));
    r.release();
    timings = r.timings;
  } else {
    const r = processPage(cv, rgba(f.full), { mode: 'color', warp: { engine } });
    fullEncoded = await jpeg(r.page);
    timings = r.timings;
  }
  const t4 = performance.now();
  return {
    corners: plain(d?.corners ?? null),
    page,
    warpEngine,
    ms: t3 - t0,
    detectMs: t1 - t0,
    warpMs,
    encodeMs: d ? t3 - t1 - warpMs : 0,
    jpegBytes,
    fullCaptureMs: t4 - t3,
    fullCaptureTimings: { ...timings, encode: Math.round((t4 - t3 - Object.values(timings).reduce((a, b) => a + b, 0)) * 10) / 10 },
    fullCaptureBytes: fullEncoded.size,
  };
}

/** (a)+(b) jscanify as documented: findPaperContour + getCornerPoints on the full frame, extractPaper to the given size, JPEG. */
async function jscanifyProcess(name: string, out: { width: number; height: number }) {
  const f = fx(name);
  const t0 = performance.now();
  const img = cv.matFromImageData(f.full);
  const contour = scanner.findPaperContour(img);
  const corners = contour ? scanner.getCornerPoints(contour) : null;
  contour?.delete();
  img.delete();
  const quad = corners ? quadOf(corners) : null;
  const t1 = performance.now();
  let jpegBytes = 0;
  let t2 = t1;
  if (quad && corners) {
    const page = scanner.extractPaper(f.fullCanvas, out.width, out.height, corners);
    t2 = performance.now();
    if (page) jpegBytes = (await new Promise<Blob>((res) => page.toBlob((b) => res(b!), 'image/jpeg', 0.9))).size;
  }
  const t3 = performance.now();
  return { corners: plain(quad), ms: t3 - t0, detectMs: t1 - t0, warpMs: t2 - t1, encodeMs: t3 - t2, jpegBytes };
}

/** (c) live overlay: detections per second on preview-size frames, for `seconds`. */
/** The capture page's live loop per frame: 'before-fix' as it was written before (grab the full frame, downscale it, detect in the worker, wait 120 ms), 'small-grab' as it is now without its 15 fps pacing (draw the frame at 640 px, detect). */
const APP_LOOP_SLEEP_MS = 120;
async function appLoopFrame(f: Fixture, how: 'before-fix' | 'small-grab'): Promise<boolean> {
  let small: ImageData;
  if (how === 'before-fix') {
    // grabFrame: the whole 5 MP frame read back; then downscale (processor.ts) to 640 px.
    const ctx = f.fullCanvas.getContext('2d', { willReadFrequently: true })!;
    small = downscale(ctx.getImageData(0, 0, f.fullCanvas.width, f.fullCanvas.height), 640).small;
  } else {
    // Draw the frame straight into a 640 px canvas and read back only that.
    const c = new OffscreenCanvas(f.preview.width, f.preview.height);
    const ctx = c.getContext('2d', { willReadFrequently: true })!;
    ctx.drawImage(f.fullCanvas, 0, 0, c.width, c.height);
    small = ctx.getImageData(0, 0, c.width, c.height);
  }
  const found = (await client.detect(small, PREVIEW, { transfer: true })).detection !== null;
  if (how === 'before-fix') await new Promise((r) => setTimeout(r, APP_LOOP_SLEEP_MS));
  return found;
}

async function overlayLoop(name: string, who: 'ours' | 'ours-worker' | 'app-loop-before-fix' | 'app-loop-small-grab' | 'jscanify' | 'jscanify-highlight', seconds: number) {
  const f = fx(name);
  const until = performance.now() + seconds * 1000;
  const times: number[] = [];
  let found = 0;
  while (performance.now() < until || times.length < 3) {
    const t = performance.now();
    if (who === 'ours') {
      if (detectDocument(cv, rgba(f.preview), PREVIEW_DETECT)) found++;
    } else if (who === 'app-loop-before-fix' || who === 'app-loop-small-grab') {
      if (await appLoopFrame(f, who === 'app-loop-before-fix' ? 'before-fix' : 'small-grab')) found++;
    } else if (who === 'ours-worker') {
      // The app's path: a copy of the preview frame handed to the scan worker.
      const copy = new ImageData(new Uint8ClampedArray(f.preview.data), f.preview.width, f.preview.height);
      if ((await client.detect(copy, PREVIEW, { transfer: true })).detection) found++;
    } else if (who === 'jscanify') {
      const img = cv.matFromImageData(f.preview);
      const contour = scanner.findPaperContour(img);
      if (contour && quadOf(scanner.getCornerPoints(contour))) found++;
      contour?.delete();
      img.delete();
    } else {
      scanner.highlightPaper(f.previewCanvas);
      found++;
    }
    times.push(performance.now() - t);
  }
  const total = times.reduce((a, b) => a + b, 0);
  return { frames: times.length, fps: (times.length * 1000) / total, meanMs: total / times.length, found };
}

/** (d) the app's shutter path: 5 MP frame in hand → worker (refine the live corners, warp, clean up, blank, JPEG + thumbnail) → base64 → scans.addPage on the real host, acknowledged. */
const client = createScanClient(() => new Worker('/scan-worker.js', { type: 'module', name: 'scan' }));
let rpcId = 0;
async function rpc(method: string, input: unknown, session: string): Promise<unknown> {
  const res = await fetch('/api/rpc', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ id: `b${++rpcId}`, method, input, session }) });
  const body = (await res.json()) as { ok: boolean; value?: unknown; error?: { code: string; message: string } };
  if (!body.ok) throw new Error(`${method}: ${body.error?.code} ${body.error?.message}`);
  return body.value;
}

async function shutterToStored(name: string, documentId: number, session: string, engine: 'auto' | 'opencv' = 'auto') {
  const f = fx(name);
  // The live overlay's corners, as the capture page holds them at the shutter.
  const live = detectDocument(cv, rgba(f.preview), PREVIEW_DETECT);
  const corners = live ? (live.corners.map((p) => ({ x: (p.x + 0.5) * f.scale - 0.5, y: (p.y + 0.5) * f.scale - 0.5 })) as Quad) : null;
  // The frame in hand: a fresh copy (the worker takes the buffer, as in the app).
  const frame = new ImageData(new Uint8ClampedArray(f.full.data), f.full.width, f.full.height);
  const t0 = performance.now();
  // As opencv-processor.ts asks it at the shutter: the worker encodes the JPEG and thumbnail itself.
  const encode = { type: 'image/jpeg' as const, quality: PAGE_ENCODING.quality, thumbnail: { maxSide: PAGE_ENCODING.thumbMaxSide, quality: PAGE_ENCODING.thumbQuality } };
  const r = await client.process(frame, { corners, mode: 'color', refineCorners: true, warp: { engine }, encode, returnPixels: false }, { transfer: true });
  const t1 = performance.now();
  const page = { width: r.width, height: r.height };
  const bytes = r.encoded!;
  const thumb = r.thumb!;
  const t2 = performance.now();
  const fields = {
    page: { mime: 'image/jpeg', base64: await blobToBase64(bytes) },
    thumb: { mime: 'image/jpeg', base64: await blobToBase64(thumb) },
    width: page.width,
    height: page.height,
    mode: 'color',
    ...(r.corners ? { corners: r.corners } : {}),
    capture: { deviceLabel: 'bench', adapter: 'uvc', resolution: { width: frame.width, height: frame.height }, rotation: 0, trigger: 'manual', blank: r.blank },
  };
  const t3 = performance.now();
  const doc = (await rpc('scans.addPage', { documentId, ...fields }, session)) as { pages: unknown[] };
  const t4 = performance.now();
  return { ms: t4 - t0, workerMs: t1 - t0, encodeMs: t2 - t1, base64Ms: t3 - t2, addPageMs: t4 - t3, pages: doc.pages.length, jpegBytes: bytes.size, page: { width: page.width, height: page.height }, workerTimings: r.timings, warpEngine: r.warpEngine };
}

/** Where the shutter's time goes: the app's capture steps one by one, in this thread (ms). */
async function profileCapture(name: string) {
  const f = fx(name);
  const live = detectDocument(cv, rgba(f.preview), PREVIEW_DETECT);
  if (!live) return null;
  const corners = live.corners.map((p) => ({ x: (p.x + 0.5) * f.scale - 0.5, y: (p.y + 0.5) * f.scale - 0.5 })) as Quad;
  const out: Record<string, number> = {};
  const lap = async <T>(k: string, fn: () => T | Promise<T>): Promise<T> => {
    const t = performance.now();
    const r = await fn();
    out[k] = Math.round((performance.now() - t) * 10) / 10;
    return r;
  };
  await lap('copy 5 MP frame into OpenCV', () => cv.matFromImageData(f.full).delete());
  const refined = await lap('refine corners (JS)', () => refineDocumentCorners(rgba(f.full), corners).corners);
  await lap('warp, OpenCV (copy in, warpPerspective, copy out)', () => warpDocument(cv, rgba(f.full), refined, { engine: 'opencv' }));
  const page = await lap('warp, canvas (box in, cells drawn, read back)', () => warpDocument(cv, rgba(f.full), refined, { engine: 'canvas' }));
  const size = pageSize(refined, f.full.width, f.full.height);
  await lap('warp, WebAssembly SIMD (box in, warp, page out)', () => warpRgbaWasm(rgba(f.full), refined, size.width, size.height));
  const clean = await lap('enhance color (copy + white point, JS)', () => enhance(cv, page, 'color'));
  await lap('blank check (inkCoverage)', () => inkCoverage(cv, clean));
  const blob = await lap('of which JPEG q0.9 alone', () => jpeg(clean));
  await lap('encodePage: JPEG + thumbnail (the app)', () => encodePage(new ImageData(clean.data as Uint8ClampedArray<ArrayBuffer>, clean.width, clean.height), 'image/jpeg'));
  await lap('base64 of the JPEG', () => blobToBase64(blob));
  return { page: { width: page.width, height: page.height }, jpegKiB: Math.round(blob.size / 1024), steps: out };
}

declare global {
  interface Window {
    bench: unknown;
  }
}
window.bench = {
  ready: async () => ({ opencv: await cvReady(), worker: (await client.ready()).opencv }),
  load,
  oursProcess,
  jscanifyProcess,
  overlayLoop,
  shutterToStored,
  profileCapture,
  CAPTURE_DETECT,
};

