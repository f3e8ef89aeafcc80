/**
 * Messages between the page (scan-client.ts) and the scan worker (scan-worker.ts). Type-only
 * imports: this module adds nothing to either bundle.
 */
import type { NoEvalStats } from './opencv-no-eval';
import type { Detection, DetectOptions, ProcessOptions, ProcessResult, Quad, RgbaImage } from './pipeline';

export type { Detection, DetectOptions, ProcessOptions, ProcessResult, Quad, RgbaImage };

/** A frame: raw RGBA (canvas ImageData, a video frame) or an encoded file (JPEG/PNG import). */
export type ImageSource = { kind: 'rgba'; image: RgbaImage } | { kind: 'encoded'; bytes: ArrayBuffer; type?: string };

export interface EncodeOptions {
  type: 'image/jpeg' | 'image/png' | 'image/webp';
  /** 0..1, for JPEG and WebP. */
  quality?: number;
  /** Also a JPEG thumbnail, the longer side at most `maxSide` px (it comes back as `thumb`). */
  thumbnail?: { maxSide: number; quality: number };
}

export type ScanRequest =
  | { id: number; op: 'init' }
  | { id: number; op: 'detect'; source: ImageSource; options?: DetectOptions }
  | {
      id: number;
      op: 'process';
      source: ImageSource;
      options?: ProcessOptions;
      /** Also encode the page in the worker (OffscreenCanvas); the Blob comes back as `encoded`. */
      encode?: EncodeOptions;
      /** Send the page's pixels back (default true); false when only `encoded` is wanted. */
      returnPixels?: boolean;
    };

export interface InitResult {
  /** OpenCV's version line, e.g. "4.12.0". */
  opencv: string;
  /** Milliseconds from the worker's start to OpenCV ready. */
  loadMs: number;
  noEval: NoEvalStats;
  /** Why the WebAssembly warp cannot run in the worker (null: it can; the page is then drawn by the canvas or OpenCV). */
  wasmWarp: string | null;
}

export interface DetectResult {
  detection: Detection | null;
  width: number;
  height: number;
  ms: number;
}

export interface ProcessReply extends Omit<ProcessResult, 'page'> {
  /** The page's pixels (absent when `returnPixels` was false). */
  page: RgbaImage | null;
  width: number;
  height: number;
  encoded: Blob | null;
  /** The thumbnail asked for in `encode.thumbnail`. */
  thumb: Blob | null;
  /** Frame size after decoding. */
  frame: { width: number; height: number };
}

export type ScanResultFor<Op extends ScanRequest['op']> = Op extends 'init' ? InitResult : Op extends 'detect' ? DetectResult : ProcessReply;

export type ScanReply = { id: number; ok: true; result: InitResult | DetectResult | ProcessReply } | { id: number; ok: false; error: string };
