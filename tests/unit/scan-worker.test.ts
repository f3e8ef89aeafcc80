import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeJpeg } from '../fixtures/scan/decode-jpeg';
import { ROOT } from '../helpers/temp';
import type { ScanClient } from '../../renderer/src/scan/scan-client';
import type { Quad } from '../../renderer/src/scan/geometry';

/**
 * The scan worker (renderer/src/scan/scan-worker.ts) and its client, in Node: the worker module
 * runs in this process with the real OpenCV, behind a stand-in for `Worker` that passes messages
 * through `structuredClone` with their transfer lists, as postMessage does. (The browser-only
 * parts, decoding files and JPEG output through OffscreenCanvas, are covered in Chromium.)
 *
 * OpenCV.js is loaded with a plain `require` (the same file, untouched): through vitest's ESM
 * import of the CommonJS package, `then` becomes a named export, the module namespace is a
 * thenable resolving to the Emscripten module, which is itself a thenable resolving to itself —
 * the import never settles and the microtask queue spins forever (the hang of the first version).
 * Vite's bundle for the browser takes `module.exports` as the default export and does not await it.
 */
vi.mock('@techstark/opencv-js', () => ({ default: createRequire(import.meta.url)('@techstark/opencv-js') as unknown }));
type Listener = (e: { data: unknown }) => void;
const toWorker: Listener[] = [];
let toPage: ((data: unknown) => void) | null = null;

class FakeWorker {
  private listeners = new Map<string, Listener[]>();
  terminated = false;
  constructor() {
    toPage = (data) => {
      if (!this.terminated) for (const l of this.listeners.get('message') ?? []) l({ data });
    };
  }
  addEventListener(type: string, l: Listener) {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  postMessage(msg: unknown, transfer: Transferable[] = []) {
    const data = structuredClone(msg, { transfer: transfer as Transferable[] });
    setTimeout(() => toWorker.forEach((l) => l({ data })), 0);
  }
  terminate() {
    this.terminated = true;
  }
}

let createScanClient: typeof import('../../renderer/src/scan/scan-client').createScanClient;
let scanProcessor: typeof import('../../renderer/src/scan/scan-client').scanProcessor;
let client: ScanClient;
const truth = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/scan/truth.json'), 'utf8')) as { fixtures: Array<{ name: string; file: string; corners: [number, number][] | null }> };
const fixture = (name: string) => {
  const fx = truth.fixtures.find((f) => f.name === name)!;
  return { fx, img: decodeJpeg(fs.readFileSync(path.join(ROOT, 'tests/fixtures/scan', fx.file))) };
};

beforeAll(async () => {
  const g = globalThis as unknown as Record<string, unknown>;
  g.addEventListener = (type: string, l: Listener) => {
    if (type === 'message') toWorker.push(l);
  };
  g.postMessage = (msg: unknown, transfer: Transferable[] = []) => {
    const data = structuredClone(msg, { transfer });
    setTimeout(() => toPage?.(data), 0);
  };
  g.ImageData ??= class {
    constructor(
      public data: Uint8ClampedArray,
      public width: number,
      public height: number,
    ) {}
  };
  const before = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') };
  await import('../../renderer/src/scan/scan-worker');
  ({ createScanClient, scanProcessor } = await import('../../renderer/src/scan/scan-client'));
  client = createScanClient(() => new FakeWorker() as unknown as Worker);
  await client.ready();
  for (const l of process.listeners('uncaughtException')) if (!before.u.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.r.includes(l)) process.off('unhandledRejection', l);
});

describe('scan worker and client', () => {
  it('init reports OpenCV 4.12 loaded without eval', async () => {
    const info = await client.ready();
    expect(info.opencv).toBe('4.12.0');
    expect(info.noEval.unknown).toBe(0);
    expect(info.noEval.handled.invoker).toBeGreaterThan(500);
  });

  it('detect: corners of the licence; the frame is copied unless transfer is asked for', async () => {
    const { fx, img } = fixture('licence-wood');
    const r = await client.detect(img);
    expect(r.width).toBe(img.width);
    r.detection!.corners.forEach((p, i) => expect(Math.hypot(p.x - fx.corners![i]![0], p.y - fx.corners![i]![1])).toBeLessThan(2));
    expect(img.data.byteLength).toBe(img.width * img.height * 4); // still ours

    const copy = { data: new Uint8ClampedArray(img.data), width: img.width, height: img.height };
    await client.detect(copy, undefined, { transfer: true });
    expect(copy.data.byteLength).toBe(0); // handed over
  });

  it('process: overlay corners refined at the shutter; the page comes back (transferred) with timings', async () => {
    const { fx, img } = fixture('dense-text-uneven');
    // Corners as a 640 px overlay would give them: a few pixels off.
    const rough = fx.corners!.map(([x, y], i) => ({ x: x + (i % 2 ? 3 : -3), y: y + (i < 2 ? 2 : -2) })) as Quad;
    const r = await client.process(img, { corners: rough, refineCorners: true, mode: 'gray' });
    r.corners!.forEach((p, i) => expect(Math.hypot(p.x - fx.corners![i]![0], p.y - fx.corners![i]![1])).toBeLessThan(2));
    expect(r.page!.data.byteLength).toBe(r.width * r.height * 4);
    expect(r.blank).toBe(false);
    expect(Object.keys(r.timings)).toEqual(['refine', 'warp', 'enhance', 'blank']);
    expect(r.frame).toEqual({ width: img.width, height: img.height });
  });

  it('the capture screen adapter: detect on a small frame, process with corners and a mode', async () => {
    const proc = scanProcessor(client);
    const { img } = fixture('id-card-dark');
    const corners = await proc.detect(img as unknown as ImageData);
    expect(corners).toHaveLength(4);
    const out = await proc.process(img as unknown as ImageData, corners, 'color');
    expect(out.page.width / out.page.height).toBeCloseTo(85.6 / 54, 2);
    expect(out.blank).toBe(false);
  });

  it('errors come back as rejections, and the worker keeps serving', async () => {
    await expect(client.detect({ data: new Uint8ClampedArray(10), width: 4, height: 4 })).rejects.toThrow(/RGBA data has 10 bytes/);
    await expect(client.process({ data: new Uint8ClampedArray(16 * 16 * 4), width: 16, height: 16 }, { wholeFrameIfNotFound: false })).rejects.toThrow(/no page/);
    const r = await client.detect(fixture('empty-desk').img);
    expect(r.detection).toBeNull();
  });

  it('terminate rejects what is pending; the next call starts a new worker', async () => {
    const { img } = fixture('light-on-light');
    const pending = client.detect(img);
    client.terminate();
    await expect(pending).rejects.toThrow(/stopped/);
    const again = await client.detect(img);
    expect(again.detection).not.toBeNull();
  });
});
