/**
 * The scan pipeline's WebAssembly kernels with SIMD (renderer/wasm/scan-kernels.ts, compiled into
 * wasm/scan-kernels.generated.ts), loops made for one job each where OpenCV.js as shipped has no
 * SIMD (bench/README.md "Scanning" has the figures):
 * - the perspective warp: bilinear at 1/32 px with the border repeated, as OpenCV's
 *   warpPerspective(INTER_LINEAR, BORDER_REPLICATE), within rounding;
 * - the frame reduced for detection: OpenCV's cvtColor(RGBA2GRAY) and pyrDown, bit for bit.
 * They run wherever WebAssembly SIMD does: the scan worker, a page, Node (so the unit tests
 * exercise them too); elsewhere `wasmWarpAvailable()` is false and the callers use OpenCV or the
 * canvas.
 *
 * Memory: one instance per thread, its linear memory grown to the largest frame box + page seen and
 * reused (WebAssembly memory never shrinks: at most about 20 MB for a 5 MP frame and its page).
 */
import { homography, type Point, type Quad } from './geometry';
import { sourceBox } from './canvas-warp';
import { SCAN_KERNELS_WASM } from './wasm/scan-kernels.generated';
import { base64ToBytes } from '../lib/files';

interface Kernels {
  memory: WebAssembly.Memory;
  rgbaToGray(src: number, dst: number, n: number): void;
  pyrDown(src: number, w: number, h: number, dst: number, row: number): void;
  warpPerspective(
    src: number, sw: number, sh: number,
    dst: number, dw: number, dh: number,
    h0: number, h1: number, h2: number, h3: number, h4: number, h5: number, h6: number, h7: number, h8: number,
  ): void;
}

let kernels: Kernels | null | undefined;
let loadError: string | null = null;

/** The kernels, instantiated on first use (synchronously: the module is under 1 KB); null where WebAssembly SIMD is missing. */
function load(): Kernels | null {
  if (kernels !== undefined) return kernels;
  try {
    if (typeof WebAssembly !== 'object') throw new Error('no WebAssembly here');
    const bytes = base64ToBytes(SCAN_KERNELS_WASM);
    if (!WebAssembly.validate(bytes)) throw new Error('WebAssembly SIMD is not supported here');
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    kernels = instance.exports as unknown as Kernels;
  } catch (e) {
    loadError = e instanceof Error ? e.message : String(e);
    kernels = null;
  }
  return kernels;
}

/** Whether the WebAssembly warp can run here; `wasmWarpUnavailableReason()` says why not. */
export function wasmWarpAvailable(): boolean {
  return load() !== null;
}

export function wasmWarpUnavailableReason(): string | null {
  load();
  return loadError;
}

const PAGE = 65536;

/** The linear memory, grown to at least `end` bytes; a fresh view of it. */
function heapOf(k: Kernels, end: number): Uint8Array {
  const have = k.memory.buffer.byteLength;
  if (end > have) k.memory.grow(Math.ceil((end - have) / PAGE));
  return new Uint8Array(k.memory.buffer);
}
/** Past the module's own (empty) data, 16-byte aligned. */
const BASE = 2 * PAGE;
const align16 = (n: number) => (n + 15) & ~15;

/**
 * Warps the quadrilateral `corners` (pixel-centre coordinates of `frame`, tl, tr, br, bl: the
 * page's outer edges) to a flat `width`×`height` RGBA page. Only the page's bounding box of the
 * frame (grown by 3 px) is copied in. Null where the kernels cannot run.
 */
export function warpRgbaWasm(frame: { data: Uint8ClampedArray; width: number; height: number }, corners: Quad, width: number, height: number): { data: Uint8ClampedArray; width: number; height: number } | null {
  const page = warpRgbaWasmView(frame, corners, width, height);
  // Copied out: the next call reuses (and may grow, detaching) this memory.
  return page ? { data: page.data.slice(), width, height } : null;
}

/**
 * warpRgbaWasm without the copy out: the page is a view of the kernels' memory, valid only until
 * the next call into them (put it on a canvas, encode it, or copy it before that).
 */
export function warpRgbaWasmView(frame: { data: Uint8ClampedArray; width: number; height: number }, corners: Quad, width: number, height: number): { data: Uint8ClampedArray<ArrayBuffer>; width: number; height: number } | null {
  const k = load();
  if (!k) return null;
  const box = sourceBox(corners, frame.width, frame.height);
  const srcBytes = box.width * box.height * 4;
  const dstPtr = align16(BASE + srcBytes);
  const end = dstPtr + width * height * 4;
  const heap = heapOf(k, end);
  // The box, row by row (or at once when it spans whole rows).
  const rowBytes = frame.width * 4;
  if (box.x === 0 && box.width === frame.width) heap.set(frame.data.subarray(box.y * rowBytes, (box.y + box.height) * rowBytes), BASE);
  else
    for (let y = 0; y < box.height; y++) {
      const from = (box.y + y) * rowBytes + box.x * 4;
      heap.set(frame.data.subarray(from, from + box.width * 4), BASE + y * box.width * 4);
    }
  // Page pixel centres → box pixel centres.
  const page: Point[] = [
    { x: -0.5, y: -0.5 },
    { x: width - 0.5, y: -0.5 },
    { x: width - 0.5, y: height - 0.5 },
    { x: -0.5, y: height - 0.5 },
  ];
  const h = homography(
    page,
    corners.map((p) => ({ x: p.x - box.x, y: p.y - box.y })),
  );
  k.warpPerspective(BASE, box.width, box.height, dstPtr, width, height, h[0]!, h[1]!, h[2]!, h[3]!, h[4]!, h[5]!, h[6]!, h[7]!, h[8]!);
  return { data: new Uint8ClampedArray(k.memory.buffer as ArrayBuffer, dstPtr, end - dstPtr), width, height };
}

/**
 * The frame in gray, halved `halvings` times by OpenCV's pyrDown: exactly what cvtColor(RGBA2GRAY)
 * and that many pyrDown calls give in OpenCV.js, 5-6× faster (bench/README.md). Null where the
 * kernels cannot run, or for a frame under 3 px a side at some level.
 */
export function grayPyramidWasm(frame: { data: Uint8ClampedArray; width: number; height: number }, halvings: number): { data: Uint8Array; width: number; height: number } | null {
  const k = load();
  if (!k) return null;
  let w = frame.width;
  let h = frame.height;
  const n = w * h;
  const grayPtr = align16(BASE + n * 4);
  // Level k at its own place after the gray frame; one scratch row for pyrDown.
  const levels: { ptr: number; w: number; h: number }[] = [{ ptr: grayPtr, w, h }];
  let next = align16(grayPtr + n);
  for (let i = 0; i < halvings; i++) {
    if (w < 3 || h < 3) return null;
    w = (w + 1) >> 1;
    h = (h + 1) >> 1;
    levels.push({ ptr: next, w, h });
    next = align16(next + w * h);
  }
  const rowPtr = next;
  const end = rowPtr + (frame.width + 8) * 2 + 32;
  heapOf(k, end).set(frame.data, BASE);
  k.rgbaToGray(BASE, grayPtr, n);
  for (let i = 1; i < levels.length; i++) k.pyrDown(levels[i - 1]!.ptr, levels[i - 1]!.w, levels[i - 1]!.h, levels[i]!.ptr, rowPtr);
  const last = levels[levels.length - 1]!;
  return { data: new Uint8Array(k.memory.buffer.slice(last.ptr, last.ptr + last.w * last.h)), width: last.w, height: last.h };
}
