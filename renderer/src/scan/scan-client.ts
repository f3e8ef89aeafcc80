/**
 * Promise-based client for the scan worker. The worker (and its 10 MB of OpenCV) starts on the
 * first call, not on import, and is shared by every caller of the same client.
 *
 *   const scan = createScanClient();
 *   const { detection } = await scan.detect(smallFrame, PREVIEW);       // live overlay
 *   const r = await scan.process(fullFrame, { corners, mode: 'color' }); // shutter
 *
 * Frames are copied to the worker unless `transfer: true` is passed (then the caller's buffer is
 * detached: faster, but the frame is gone). Results' pixel buffers are transferred back.
 */
import type { DetectOptions, ProcessOptions, Quad, RgbaImage } from './pipeline';
import type { DetectResult, EncodeOptions, ImageSource, InitResult, ProcessReply, ScanReply, ScanRequest, ScanResultFor } from './scan-protocol';

export type { DetectResult, EncodeOptions, InitResult, ProcessReply } from './scan-protocol';

/** The live-overlay detection settings (same values as the pipeline's PREVIEW_DETECT). */
export const PREVIEW: Readonly<DetectOptions> = { maxSide: 640, refine: true };

type Frame = RgbaImage | ImageData | { bytes: ArrayBuffer | Blob; type?: string };

export interface CallOptions {
  /** Hand the frame's buffer to the worker instead of copying it (the caller's copy is detached). */
  transfer?: boolean;
}

export interface ScanClient {
  /** Waits until OpenCV is loaded in the worker. */
  ready(): Promise<InitResult>;
  detect(frame: Frame, options?: DetectOptions, call?: CallOptions): Promise<DetectResult>;
  process(frame: Frame, options?: ProcessOptions & { encode?: EncodeOptions; returnPixels?: boolean }, call?: CallOptions): Promise<ProcessReply>;
  /** Stops the worker; pending calls are rejected. The next call starts a new one. */
  terminate(): void;
}

type Pending = { resolve: (v: unknown) => void; reject: (e: Error) => void };
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

function startWorker(): Worker {
  // Written out literally so Vite bundles the worker (and OpenCV with it) as its own chunk.
  return new Worker(new URL('./scan-worker.ts', import.meta.url), { type: 'module', name: 'scan' });
}

/** The message payload for a frame; synchronous except for a Blob, which must be read first. */
function toSource(frame: Frame, transfer: boolean): { source: ImageSource; transfer: Transferable[] } | Promise<{ source: ImageSource; transfer: Transferable[] }> {
  if ('bytes' in frame) {
    const { bytes: b, type } = frame;
    if (b instanceof Blob) return b.arrayBuffer().then((bytes) => ({ source: { kind: 'encoded', bytes, type: type ?? b.type }, transfer: [bytes] }));
    return { source: { kind: 'encoded', bytes: b, type }, transfer: transfer ? [b] : [] };
  }
  const image: RgbaImage = { data: frame.data, width: frame.width, height: frame.height };
  return { source: { kind: 'rgba', image }, transfer: transfer ? [frame.data.buffer as ArrayBuffer] : [] };
}

export function createScanClient(spawn: () => Worker = startWorker): ScanClient {
  let worker: Worker | null = null;
  let nextId = 1;
  const pending = new Map<number, Pending>();

  const failAll = (error: Error) => {
    for (const p of pending.values()) p.reject(error);
    pending.clear();
  };

  const get = (): Worker => {
    if (worker) return worker;
    const w = spawn();
    w.addEventListener('message', (e: MessageEvent<ScanReply>) => {
      const reply = e.data;
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if (reply.ok) p.resolve(reply.result);
      else p.reject(new Error(reply.error));
    });
    w.addEventListener('error', (e: ErrorEvent) => {
      e.preventDefault();
      failAll(new Error(`scan worker failed: ${e.message || 'could not start'}`));
      w.terminate();
      if (worker === w) worker = null;
    });
    w.addEventListener('messageerror', () => failAll(new Error('scan worker: a message could not be read')));
    worker = w;
    return w;
  };

  const send = <Op extends ScanRequest['op']>(msg: DistributiveOmit<Extract<ScanRequest, { op: Op }>, 'id'>, transfer: Transferable[] = []) =>
    new Promise<ScanResultFor<Op>>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      try {
        get().postMessage({ ...msg, id }, transfer);
      } catch (e) {
        pending.delete(id);
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });

  return {
    ready: () => send<'init'>({ op: 'init' }),
    // Posted synchronously (except a Blob, read first), so terminate() right after a call rejects it.
    detect(frame, options, call) {
      const go = ({ source, transfer }: { source: ImageSource; transfer: Transferable[] }) => send<'detect'>({ op: 'detect', source, options }, transfer);
      const s = toSource(frame, call?.transfer ?? false);
      return s instanceof Promise ? s.then(go) : go(s);
    },
    process(frame, options = {}, call) {
      const { encode, returnPixels, ...rest } = options;
      const go = ({ source, transfer }: { source: ImageSource; transfer: Transferable[] }) =>
        send<'process'>({ op: 'process', source, options: rest, encode, returnPixels }, transfer);
      const s = toSource(frame, call?.transfer ?? false);
      return s instanceof Promise ? s.then(go) : go(s);
    },
    terminate() {
      worker?.terminate();
      worker = null;
      failAll(new Error('scan worker stopped'));
    },
  };
}

/**
 * The capture screen's processor shape (detect a reduced frame; process a full frame with the
 * accepted corners and a mode), backed by the worker.
 */
export function scanProcessor(client: ScanClient = createScanClient(), detectOptions: DetectOptions = PREVIEW) {
  return {
    async detect(frame: ImageData): Promise<Quad | null> {
      const r = await client.detect(frame, detectOptions);
      return r.detection?.corners ?? null;
    },
    /** `refineCorners`: true for corners taken over from the live overlay, false (default) for corners the clerk dragged. */
    async process(
      frame: ImageData,
      corners: Quad | null,
      mode: ProcessOptions['mode'],
      extra: { refineCorners?: boolean; rotate?: number } = {},
    ): Promise<{ page: ImageData; blank: boolean; corners: Quad | null }> {
      const r = await client.process(frame, { corners, mode, ...extra });
      const page = r.page!;
      return { page: new ImageData(page.data as Uint8ClampedArray<ArrayBuffer>, page.width, page.height), blank: r.blank, corners: r.corners };
    },
  };
}
