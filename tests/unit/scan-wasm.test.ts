import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { decodeJpeg } from '../fixtures/scan/decode-jpeg';
import { loadOpenCvInNode } from '../helpers/opencv';
import { CAPTURE_DETECT, detectDocument, orderCorners, pageSize, warpDocument, type CV, type Quad, type RgbaImage } from '../../renderer/src/scan/pipeline';
import { grayPyramidWasm, wasmWarpAvailable, wasmWarpUnavailableReason, warpRgbaWasm } from '../../renderer/src/scan/wasm-kernels';
import { documentFixtures, SCAN_FIXTURES } from '../helpers/scan-fixtures';
// @ts-expect-error: a plain ES module script without types
import { compileKernels, generatedModule, GENERATED } from '../../scripts/build-wasm.mjs';

/**
 * The scan pipeline's WebAssembly kernels (renderer/wasm/scan-kernels.ts → renderer/src/scan/
 * wasm/scan-kernels.generated.ts): the committed module is what the source compiles to, and the
 * warp is OpenCV's warpPerspective (INTER_LINEAR, BORDER_REPLICATE) within rounding, on every
 * document fixture and at the frame's border.
 */
const FIXTURES = SCAN_FIXTURES;
const documents = documentFixtures();

let cv: CV;
beforeAll(async () => {
  ({ cv } = await loadOpenCvInNode());
});

/** PSNR (dB) over R, G, B and the largest difference of a channel. */
function compare(a: RgbaImage, b: RgbaImage): { psnr: number; max: number } {
  expect([a.width, a.height]).toEqual([b.width, b.height]);
  let se = 0;
  let max = 0;
  let n = 0;
  for (let i = 0; i < a.data.length; i++) {
    if ((i & 3) === 3) continue;
    const d = Math.abs(a.data[i]! - b.data[i]!);
    se += d * d;
    n++;
    if (d > max) max = d;
  }
  return { psnr: se ? 10 * Math.log10((255 * 255 * n) / se) : Infinity, max };
}

/** A synthetic frame with detail at every scale: smooth gradients plus a one-pixel checker in part. */
function synthetic(w: number, h: number): RgbaImage {
  const data = new Uint8ClampedArray(w * h * 4);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const o = (y * w + x) * 4;
      data[o] = (x * 7 + y * 3) & 255;
      data[o + 1] = x < w / 2 && y < h / 2 ? ((x + y) & 1) * 255 : (x * y) & 255;
      data[o + 2] = (y * 11) & 255;
      data[o + 3] = 255;
    }
  return { data, width: w, height: h };
}

describe('WebAssembly kernels', () => {
  it('the committed module is what renderer/wasm/scan-kernels.ts compiles to', async () => {
    const expected = generatedModule(await compileKernels()) as string;
    expect(fs.readFileSync(GENERATED as string, 'utf8'), 'run: node scripts/build-wasm.mjs').toBe(expected);
  });

  it('runs in Node (WebAssembly SIMD), and warpDocument draws with it by default', () => {
    expect(wasmWarpUnavailableReason()).toBeNull();
    expect(wasmWarpAvailable()).toBe(true);
    const frame = synthetic(200, 150);
    const q: Quad = [
      { x: 20.3, y: 15.7 },
      { x: 170.2, y: 25.1 },
      { x: 160.9, y: 130.4 },
      { x: 30.6, y: 120.8 },
    ];
    expect(warpDocument(cv, frame, q).engine).toBe('wasm');
    expect(warpDocument(cv, frame, q, { engine: 'opencv' }).engine).toBe('opencv');
  });

  it("is OpenCV's warpPerspective within rounding on every document fixture (true corners)", () => {
    const lines: string[] = [];
    for (const fx of documents) {
      const frame = decodeJpeg(fs.readFileSync(path.join(FIXTURES, fx.file)));
      const q = orderCorners(fx.corners!.map(([x, y]) => ({ x, y })) as Quad);
      const size = pageSize(q, frame.width, frame.height);
      const ours = warpRgbaWasm(frame, q, size.width, size.height)!;
      const ref = warpDocument(cv, frame, q, { engine: 'opencv' });
      const { psnr, max } = compare(ours, ref);
      lines.push(`${fx.name} ${size.width}×${size.height}: PSNR ${psnr.toFixed(1)} dB, largest difference ${max}`);
      // Both sample at 1/32 px; only the rounding of the weights differs (OpenCV: 1/32768 per weight).
      expect(psnr, fx.name).toBeGreaterThan(65);
      expect(max, fx.name).toBeLessThanOrEqual(4);
    }
    console.log(`WebAssembly warp vs OpenCV:\n  ${lines.join('\n  ')}`);
  });

  it('repeats the border as OpenCV does for a page reaching past the frame, at any width (the row tails)', () => {
    const frame = synthetic(123, 97);
    for (const [w, h] of [
      [101, 77],
      [102, 60],
      [103, 61],
      [5, 3],
      [1, 1],
    ] as const) {
      // Corners partly outside the frame: samples beyond every edge.
      const q: Quad = [
        { x: -8.2, y: -5.5 },
        { x: 130.4, y: 3.2 },
        { x: 118.6, y: 105.9 },
        { x: 4.1, y: 90.3 },
      ];
      const ours = warpRgbaWasm(frame, q, w, h)!;
      const ref = warpDocument(cv, frame, q, { engine: 'opencv', width: w, height: h, snap: false });
      const { psnr, max } = compare(ours, ref);
      expect(max, `${w}×${h}`).toBeLessThanOrEqual(4);
      expect(psnr, `${w}×${h}`).toBeGreaterThan(50);
    }
  });

  it('an exact shift copies pixels exactly, alpha included', () => {
    const frame = synthetic(64, 40);
    // Page pixel (x, y) ↔ frame pixel (x + 7, y + 5): outer edges 6.5..56.5 × 4.5..34.5.
    const q: Quad = [
      { x: 6.5, y: 4.5 },
      { x: 56.5, y: 4.5 },
      { x: 56.5, y: 34.5 },
      { x: 6.5, y: 34.5 },
    ];
    const page = warpRgbaWasm(frame, q, 50, 30)!;
    for (let y = 0; y < 30; y++)
      for (let x = 0; x < 50; x++)
        for (let c = 0; c < 4; c++) expect(page.data[(y * 50 + x) * 4 + c]).toBe(frame.data[((y + 5) * 64 + x + 7) * 4 + c]);
  });
});

describe('WebAssembly reduction for detection', () => {
  /** OpenCV's own gray pyramid of `img`, `halvings` levels down. */
  function opencvPyramid(img: RgbaImage, halvings: number): { data: Uint8Array; width: number; height: number } {
    const src = new cv.Mat(img.height, img.width, cv.CV_8UC4);
    src.data.set(img.data);
    let m = new cv.Mat();
    cv.cvtColor(src, m, cv.COLOR_RGBA2GRAY);
    src.delete();
    for (let i = 0; i < halvings; i++) {
      const half = new cv.Mat();
      cv.pyrDown(m, half);
      m.delete();
      m = half;
    }
    const out = { data: new Uint8Array(m.data), width: m.cols, height: m.rows };
    m.delete();
    return out;
  }

  it("is OpenCV's cvtColor(RGBA2GRAY) + pyrDown bit for bit, on a camera frame and on odd sizes", () => {
    const fx = documents[0]!;
    const frame = decodeJpeg(fs.readFileSync(path.join(FIXTURES, fx.file)));
    const sizes: [RgbaImage, number][] = [
      [frame, 0],
      [frame, 1],
      [frame, 2],
      [synthetic(37, 29), 1],
      [synthetic(38, 30), 2],
      [synthetic(45, 17), 3],
      [synthetic(300, 7), 1],
    ];
    for (const [img, halvings] of sizes) {
      const ours = grayPyramidWasm(img, halvings)!;
      const ref = opencvPyramid(img, halvings);
      const what = `${img.width}×${img.height}, ${halvings} halvings`;
      expect([ours.width, ours.height], what).toEqual([ref.width, ref.height]);
      let differ = 0;
      for (let i = 0; i < ref.data.length; i++) if (ours.data[i] !== ref.data[i]) differ++;
      expect(differ, `${what}: pixels differing from OpenCV`).toBe(0);
    }
  });

  it('detectDocument, reducing with it, finds every fixture within 2 px of the true corners', () => {
    // The reduction is OpenCV's bit for bit (above), so the outline is the one OpenCV alone finds.
    for (const fx of documents) {
      const frame = decodeJpeg(fs.readFileSync(path.join(FIXTURES, fx.file)));
      const withKernels = detectDocument(cv, frame, CAPTURE_DETECT)!;
      expect(withKernels, fx.name).not.toBeNull();
      const truth = fx.corners!.map(([x, y]) => ({ x, y }));
      for (let i = 0; i < 4; i++) expect(Math.hypot(withKernels.corners[i]!.x - truth[i]!.x, withKernels.corners[i]!.y - truth[i]!.y), fx.name).toBeLessThan(2);
    }
  });
});
