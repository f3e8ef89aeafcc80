/**
 * The scan Web Worker: loads OpenCV.js once (about 10 MB, all of it in this worker's chunk, none
 * in the page's bundle) and answers ScanRequest messages from scan-client.ts:
 *   init     → OpenCV's version and load time
 *   detect   → the page outline (live overlay or before the shutter)
 *   process  → the flat, cleaned page (and, on request, its JPEG), the outline used, blank flag
 * Pixel buffers coming back are transferred, not copied.
 *
 * Started as a module worker:
 *   new Worker(new URL('./scan-worker.ts', import.meta.url), { type: 'module' })
 */
import { noEvalStats } from './opencv-no-eval-install'; // must come before OpenCV
import cvModule from '@techstark/opencv-js';
import { cvError, detectDocument, processPage, type CV, type RgbaImage } from './pipeline';
import { pageOnCanvas, processPageForEncoding, withPixels, type EncodablePage } from './canvas-page';
import { wasmWarpUnavailableReason } from './wasm-kernels';
import type { DetectResult, EncodeOptions, ImageSource, InitResult, ProcessReply, ScanReply, ScanRequest } from './scan-protocol';

interface WorkerScope {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (e: MessageEvent<ScanRequest>) => void): void;
}
const scope = globalThis as unknown as WorkerScope;
const started = performance.now();

let ready: Promise<InitResult> | null = null;

/** Resolves once OpenCV's runtime is up. Never awaits or resolves with the module itself: it is a thenable that resolves to itself. */
function loadOpenCv(): Promise<InitResult> {
  ready ??= new Promise<InitResult>((resolve, reject) => {
    const cv = cvModule as unknown as CV & { onRuntimeInitialized?: () => void; onAbort?: (what: unknown) => void };
    const done = () => {
      const info = cv.getBuildInformation().match(/Version control:\s*(\S+)/);
      resolve({ opencv: info?.[1] ?? 'unknown', loadMs: Math.round(performance.now() - started), noEval: noEvalStats, wasmWarp: wasmWarpUnavailableReason() });
    };
    cv.onAbort = (what) => reject(new Error(`OpenCV failed to start: ${String(what)}`));
    if (typeof cv.Mat === 'function' && typeof cv.getBuildInformation === 'function') done();
    else cv.onRuntimeInitialized = done;
  });
  return ready;
}

async function frameFrom(source: ImageSource): Promise<RgbaImage> {
  if (source.kind === 'rgba') return source.image;
  const bitmap = await createImageBitmap(new Blob([source.bytes], source.type ? { type: source.type } : undefined));
  try {
    const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('scan: no 2D context in the worker');
    ctx.drawImage(bitmap, 0, 0);
    const img = ctx.getImageData(0, 0, bitmap.width, bitmap.height);
    return { data: img.data, width: img.width, height: img.height };
  } finally {
    bitmap.close();
  }
}

/** The page's file and (when asked) its JPEG thumbnail, encoded here so the pixels need not go back to the page. */
async function encode(page: RgbaImage | OffscreenCanvas, opts: EncodeOptions): Promise<{ bytes: Blob; thumb: Blob | null }> {
  const canvas = page instanceof OffscreenCanvas ? page : pageOnCanvas(page);
  const bytes = canvas.convertToBlob({ type: opts.type, quality: opts.quality });
  let thumb: Promise<Blob> | null = null;
  if (opts.thumbnail) {
    const scale = Math.min(1, opts.thumbnail.maxSide / Math.max(page.width, page.height));
    const t = new OffscreenCanvas(Math.max(1, Math.round(page.width * scale)), Math.max(1, Math.round(page.height * scale)));
    const tctx = t.getContext('2d');
    if (!tctx) throw new Error('scan: no 2D context in the worker');
    tctx.drawImage(canvas, 0, 0, t.width, t.height);
    thumb = t.convertToBlob({ type: 'image/jpeg', quality: opts.thumbnail.quality });
  }
  return { bytes: await bytes, thumb: thumb ? await thumb : null };
}

async function handle(msg: ScanRequest): Promise<{ result: InitResult | DetectResult | ProcessReply; transfer: Transferable[] }> {
  const info = await loadOpenCv();
  const cv = cvModule as unknown as CV;
  switch (msg.op) {
    case 'init':
      return { result: info, transfer: [] };
    case 'detect': {
      const frame = await frameFrom(msg.source);
      const t = performance.now();
      const detection = detectDocument(cv, frame, msg.options);
      return { result: { detection, width: frame.width, height: frame.height, ms: Math.round((performance.now() - t) * 10) / 10 }, transfer: [] };
    }
    case 'process': {
      const t0 = performance.now();
      const frame = await frameFrom(msg.source);
      const decodeMs = performance.now() - t0;
      // The JPEG (and thumbnail) is started as soon as the page is clean and encodes while the
      // blank check runs; the time reported is what the reply still waited for it.
      let encoding: Promise<{ bytes: Blob; thumb: Blob | null }> | null = null;
      const encodeOpts = msg.encode;
      const startEncoding = (page: RgbaImage | OffscreenCanvas) => {
        encoding = encode(page, encodeOpts!);
        encoding.catch(() => undefined); // awaited below; not unhandled if the blank check throws first
      };
      const keepPixels = msg.returnPixels !== false;
      // Only the file wanted: the colour page can stay on the canvas to the encoder (canvas-page.ts).
      const r: EncodablePage = encodeOpts && !keepPixels
        ? processPageForEncoding(cv, frame, { ...msg.options, onPage: startEncoding, onCanvas: startEncoding })
        : withPixels(processPage(cv, frame, { ...msg.options, onPage: encodeOpts ? startEncoding : undefined }));
      if (msg.source.kind === 'encoded') r.timings.decode = Math.round(decodeMs * 10) / 10;
      let encoded: Blob | null = null;
      let thumb: Blob | null = null;
      try {
        if (encoding) {
          const t = performance.now();
          ({ bytes: encoded, thumb } = await encoding);
          r.timings.encode = Math.round((performance.now() - t) * 10) / 10;
        }
      } finally {
        r.release();
      }
      const { canvas: _canvas, release: _release, ...rest } = r;
      const reply: ProcessReply = {
        ...rest,
        page: keepPixels ? r.page : null,
        encoded,
        thumb,
        frame: { width: frame.width, height: frame.height },
      };
      return { result: reply, transfer: keepPixels && r.page ? [r.page.data.buffer as ArrayBuffer] : [] };
    }
    default:
      throw new Error(`scan: unknown op ${String((msg as { op?: unknown }).op)}`);
  }
}

scope.addEventListener('message', (e) => {
  const msg = e.data;
  handle(msg).then(
    ({ result, transfer }) => scope.postMessage({ id: msg.id, ok: true, result } satisfies ScanReply, transfer),
    (err: unknown) => {
      const error = cvError(cvModule as unknown as CV, err);
      scope.postMessage({ id: msg.id, ok: false, error: error.message } satisfies ScanReply);
    },
  );
});

// Start loading at once: the first capture should not wait for OpenCV.
void loadOpenCv().catch(() => undefined);
