import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium, expect, test, type Browser, type Page } from '@playwright/test';
import { freshDir, ROOT } from './support/host';
import { CHROMIUM, CHROMIUM_ARGS, assertChromium } from './support/browser';
import { documentFixtures, SCAN_FIXTURES, type ScanFixture } from '../helpers/scan-fixtures';

/**
 * The canvas warp (renderer/src/scan/canvas-warp.ts) against OpenCV's warpPerspective (bilinear),
 * in Chromium, on the page of every document fixture (true corners from truth.json). The pages are
 * compared pixel by pixel in the browser (tests/e2e/support/scan-warp-page.ts); only figures come
 * back. Thresholds, and why:
 *
 * - PSNR ≥ 45 dB against OpenCV's page, and at least 6 dB above the PSNR of that page through the
 *   app's own JPEG (q0.9; 44-47 dB on these pages): the difference the canvas makes is then at most
 *   a quarter of the loss every stored page has anyway. (Measured: 53-61 dB.)
 * - No pixel differs by more than a displacement of MAX_WARP_ERROR (0.125 px) in any direction
 *   can explain on that page: 0.125 × √2 × its steepest step between neighbouring pixels, plus 4
 *   levels for the two engines' different rounding of bilinear weights (OpenCV: 1/32 px). A cell
 *   drawn 1 px off breaks this (the control below).
 * - Seams: along every cut between cells, on flat paper (where a sub-pixel displacement changes
 *   nothing), the mean signed difference stays within 0.25 grey levels: a line drawn twice, half
 *   covered or left out would be tens of levels off; the control, one cut line only 2 levels
 *   darker, reads about 1.
 *
 * The same test checks the app's default in this browser, the WebAssembly warp (wasm-kernels.ts):
 * warpDocument's 'auto' engine is that warp, its page is OpenCV's within rounding (PSNR > 65 dB,
 * no channel more than 4 levels off), and the real scan worker reports it drew with it. (The canvas
 * warp stays an engine of its own: the fallback where WebAssembly SIMD is missing.)
 */
const FIXTURES = SCAN_FIXTURES;
const MIN_PSNR_DB = 45;
const MARGIN_OVER_JPEG_DB = 6;
const ROUNDING_LEVELS = 4;
const MAX_SEAM_LEVELS = 0.25;

type Fixture = ScanFixture;
const documents = documentFixtures();

interface Measured {
  page: { width: number; height: number };
  grid: { cols: number; rows: number; maxError: number };
  maxWarpError: number;
  sameAsEngine: boolean;
  sameAsAuto: boolean;
  autoEngine: string;
  wasmUnavailable: string | null;
  wasmVsOpencv: { psnr: number; maxAbs: number } | null;
  psnr: number;
  maxAbs: number;
  steepest: number;
  jpegPsnr: number;
  seam: { signed: number; at: string; flatPixels: number; fewestFlatPixels: number };
  controls: { darkenedSeam: number; shiftedMaxAbs: number; shiftedCell: string };
}

let browser: Browser;
let page: Page;
let server: http.Server;
const figures: string[] = [];

test.beforeAll(async () => {
  test.setTimeout(120_000);
  assertChromium();
  const dir = freshDir('desk-warp-quality-');
  await build({
    entryPoints: { 'warp-page': path.join(ROOT, 'tests', 'e2e', 'support', 'scan-warp-page.ts'), 'scan-worker': path.join(ROOT, 'renderer', 'src', 'scan', 'scan-worker.ts') },
    outdir: dir,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'chrome120',
    logLevel: 'error',
    // OpenCV.js's Emscripten glue mentions Node modules it never loads in a browser.
    external: ['fs', 'path', 'crypto', 'ws', 'perf_hooks', 'worker_threads'],
  });
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>warp quality</title><script type="module" src="/warp-page.js"></script>');
  const files: Record<string, [string, string]> = {
    '/': [path.join(dir, 'index.html'), 'text/html; charset=utf-8'],
    '/warp-page.js': [path.join(dir, 'warp-page.js'), 'text/javascript'],
    '/scan-worker.js': [path.join(dir, 'scan-worker.js'), 'text/javascript'],
  };
  server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const fixture = /^\/fixtures\/([a-z0-9-]+\.jpg)$/.exec(url.pathname);
    const file = fixture ? ([path.join(FIXTURES, fixture[1]!), 'image/jpeg'] as [string, string]) : files[url.pathname];
    if (!file || !fs.existsSync(file[0])) return void res.writeHead(404).end();
    res.writeHead(200, { 'Content-Type': file[1] });
    fs.createReadStream(file[0]).pipe(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
  page = await browser.newPage();
  await page.goto(`http://127.0.0.1:${(server.address() as { port: number }).port}/`);
  await page.waitForFunction(() => 'warpQuality' in window, null, { timeout: 60_000 });
});

test.afterAll(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (figures.length) console.log(`canvas warp vs OpenCV warpPerspective in Chromium:\n${figures.join('\n')}`);
});

type Api = Record<string, (...args: unknown[]) => Promise<unknown>>;
const call = <T>(fn: string, ...args: unknown[]) => page.evaluate(([f, a]) => (window.warpQuality as Api)[f as string]!(...(a as unknown[])), [fn, args] as const) as Promise<T>;
const quad = (fx: Fixture) => fx.corners!.map(([x, y]) => ({ x, y }));

for (const fx of documents) {
  test(`${fx.name}: the canvas warp matches OpenCV's (PSNR, largest difference, no seam)`, async () => {
    test.setTimeout(120_000);
    const m = await call<Measured>('measure', fx.file, quad(fx));
    const bound = Math.ceil(m.maxWarpError * Math.SQRT2 * m.steepest) + ROUNDING_LEVELS;

    expect(m.grid.maxError).toBeLessThanOrEqual(m.maxWarpError);
    expect(m.sameAsEngine, "warpDocument's 'canvas' engine draws the same page").toBe(true);
    // The app's default in this browser is the WebAssembly warp: OpenCV's page within rounding.
    expect(m.wasmUnavailable).toBeNull();
    expect(m.autoEngine).toBe('wasm');
    expect(m.sameAsAuto, "warpDocument (engine auto) is the WebAssembly warp").toBe(true);
    expect(m.wasmVsOpencv!.psnr).toBeGreaterThan(65);
    expect(m.wasmVsOpencv!.maxAbs).toBeLessThanOrEqual(4);
    expect(m.psnr).toBeGreaterThanOrEqual(MIN_PSNR_DB);
    expect(m.psnr).toBeGreaterThanOrEqual(m.jpegPsnr + MARGIN_OVER_JPEG_DB);
    expect(m.maxAbs).toBeLessThanOrEqual(bound);
    expect(m.seam.fewestFlatPixels, 'enough flat paper along every cut to see a seam').toBeGreaterThan(100);
    expect(Math.abs(m.seam.signed), `seam at ${m.seam.at}`).toBeLessThanOrEqual(MAX_SEAM_LEVELS);
    // The checks catch what they are for (a misplaced cell shows only where there is ink to move).
    expect(Math.abs(m.controls.darkenedSeam)).toBeGreaterThan(MAX_SEAM_LEVELS);
    if (fx.name !== 'blank-sheet') expect(m.controls.shiftedMaxAbs).toBeGreaterThan(bound);

    figures.push(
      `  ${fx.name.padEnd(18)} page ${m.page.width}×${m.page.height}, ${m.grid.cols}×${m.grid.rows} cells (≤ ${m.grid.maxError.toFixed(3)} px): ` +
        `PSNR ${m.psnr.toFixed(1)} dB (its JPEG q0.9: ${m.jpegPsnr.toFixed(1)} dB), largest difference ${m.maxAbs} (bound ${bound}), ` +
        `worst seam ${m.seam.signed.toFixed(3)} levels at ${m.seam.at}; the app's WebAssembly warp vs OpenCV: PSNR ${m.wasmVsOpencv!.psnr.toFixed(1)} dB, largest difference ${m.wasmVsOpencv!.maxAbs}; controls: darkened cut ${m.controls.darkenedSeam.toFixed(2)}, cell ${m.controls.shiftedCell} 1 px off ${m.controls.shiftedMaxAbs}`,
    );
  });
}

test('the scan worker draws the page with WebAssembly in Chromium', async () => {
  test.setTimeout(120_000);
  const fx = documents[0]!;
  const r = await call<{ warpEngine: string; width: number; height: number; timings: Record<string, number>; wasmWarp: string | null }>('workerEngine', fx.file, quad(fx));
  expect(r.wasmWarp, 'the WebAssembly warp runs in the worker').toBeNull();
  expect(r.warpEngine).toBe('wasm');
  expect(r.width * r.height).toBeGreaterThan(1_000_000);
  figures.push(`  worker, ${fx.name}: ${r.width}×${r.height} drawn by '${r.warpEngine}', steps ${JSON.stringify(r.timings)} ms`);
});

interface CanvasPageMeasured {
  onCanvas: boolean;
  handedToEncoder: boolean;
  size: { canvas: [number, number]; pixels: [number, number] };
  psnr: number | null;
  maxAbs: number | null;
  ink: { canvas: number; pixels: number };
  blank: { canvas: boolean; pixels: boolean };
  skew: { canvas: number; pixels: number; leftOnCanvasPage: number | null };
  corners: { canvas: unknown; pixels: unknown };
  ms: number;
  timings: Record<string, number>;
}

/**
 * The shutter's colour page kept on the canvas to the encoder (renderer/src/scan/canvas-page.ts)
 * is the page processPage makes in JS: same size, same outline, the white point within a grey level
 * or two (8-bit dodge colour, percentiles from the 700 px copy), the same blank verdict, the ink
 * counted within a fifth, a frame kept whole deskewed the same way.
 */
function expectSamePage(m: CanvasPageMeasured, what: string) {
  figures.push(
    `  canvas page, ${what}: ${m.size.canvas.join('×')}, PSNR ${m.psnr?.toFixed(1)} dB vs processPage, largest difference ${m.maxAbs}, ` +
      `ink ${(100 * m.ink.canvas).toFixed(2)} % vs ${(100 * m.ink.pixels).toFixed(2)} %, skew ${m.skew.canvas}° vs ${m.skew.pixels}°, ${m.ms.toFixed(0)} ms ${JSON.stringify(m.timings)}`,
  );
  expect(m.onCanvas, `${what}: kept on the canvas`).toBe(true);
  expect(m.handedToEncoder, `${what}: the finished canvas handed to the encoder`).toBe(true);
  expect(m.size.canvas).toEqual(m.size.pixels);
  expect(m.corners.canvas).toEqual(m.corners.pixels);
  expect(m.psnr!, what).toBeGreaterThanOrEqual(40);
  expect(m.blank.canvas, what).toBe(m.blank.pixels);
  expect(Math.abs(m.ink.canvas - m.ink.pixels), `${what}: ink ${m.ink.canvas} vs ${m.ink.pixels}`).toBeLessThanOrEqual(0.2 * m.ink.pixels + 0.0002);
}

test('the shutter\'s colour page kept on the canvas is processPage\'s page (every fixture, a quarter turn, the empty desk)', async () => {
  test.setTimeout(180_000);
  for (const fx of documents) expectSamePage(await call<CanvasPageMeasured>('canvasPage', fx.file, quad(fx)), fx.name);
  const card = documents.find((f) => f.name === 'id-card-dark')!;
  const turned = await call<CanvasPageMeasured>('canvasPage', card.file, quad(card), { rotate: 1 });
  expectSamePage(turned, 'id-card-dark turned a quarter');
  expect(turned.size.canvas[1]).toBeGreaterThan(turned.size.canvas[0]);
  // No page on the empty desk: the frame kept whole, not blank (the desk has texture), no outline.
  const desk = await call<CanvasPageMeasured>('canvasPage', 'empty-desk.jpg', null);
  expectSamePage(desk, 'empty-desk (frame kept whole)');
  expect(desk.corners.canvas).toBeNull();
});

test('a frame kept whole is deskewed on the canvas as in processPage', async () => {
  test.setTimeout(120_000);
  const fx = documents.find((f) => f.name === 'dense-text-uneven')!;
  for (const deg of [1.5, -2]) {
    const m = await call<CanvasPageMeasured>('canvasPage', fx.file, null, { turnDegrees: deg, trueCorners: quad(fx), noPage: true });
    expectSamePage(m, `dense text turned ${deg}° as a whole frame`);
    expect(Math.abs(Math.abs(m.skew.canvas) - Math.abs(deg))).toBeLessThan(0.2);
    expect(Math.sign(m.skew.canvas)).toBe(Math.sign(m.skew.pixels));
    // The text on the stored page is straight.
    expect(Math.abs(m.skew.leftOnCanvasPage!)).toBeLessThan(0.25);
  }
});

test("a page's bytes go to the host as base64 encoded by the browser, exactly as btoa would", async () => {
  expect(await call<number[]>('base64Check'), 'lengths encoded wrongly').toEqual([]);
});
