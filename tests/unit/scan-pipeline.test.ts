import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeJpeg } from '../fixtures/scan/decode-jpeg';
import type { NoEvalStats } from '../../renderer/src/scan/opencv-no-eval';
import { loadOpenCvInNode } from '../helpers/opencv';
import {
  CAPTURE_DETECT,
  PREVIEW_DETECT,
  detectDocument,
  enhance,
  estimateSkew,
  estimateAspect,
  inkCoverage,
  isBlankPage,
  orderCorners,
  processPage,
  refineDocumentCorners,
  rotate90,
  rotatePoint,
  warpDocument,
  type CV,
  type Point,
  type Quad,
  type RgbaImage,
} from '../../renderer/src/scan/pipeline';
import { ROOT } from '../helpers/temp';

/**
 * The document-camera pipeline (renderer/src/scan/pipeline.ts) on the committed scenes of
 * tests/fixtures/scan (made by scripts/make-scan-fixtures.mjs, true corners in truth.json), with
 * OpenCV.js loaded in Node through the same eval-free shim the worker uses.
 *
 * Bounds: every detected corner within CORNER_TOLERANCE (2) px of the truth at full resolution
 * (5 MP); the warped page's printed lines axis-aligned within 0.5° and where they belong within
 * 1 % of the page; its aspect ratio within 2 %.
 */
const FIXTURES = path.join(ROOT, 'tests/fixtures/scan');
const CORNER_TOLERANCE = 2; // px at full resolution (5 MP)
const PREVIEW_TOLERANCE = 4; // px at full resolution, i.e. 1 px on the 640 px overlay frame

interface Probe {
  kind: 'line' | 'edge';
  orient: 'h' | 'v';
  pos: number;
  from: number;
  to: number;
}
interface Fixture {
  name: string;
  file: string;
  width: number;
  height: number;
  document: boolean;
  corners: [number, number][] | null;
  page: { mm: [number, number]; aspect: number } | null;
  seal: { cx: number; cy: number; r: number } | null;
  probes: Probe[];
  blank: boolean;
}

const truth = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'truth.json'), 'utf8')) as { fixtures: Fixture[] };
const withPage = truth.fixtures.filter((f) => f.document);
const byName = (name: string) => truth.fixtures.find((f) => f.name === name)!;

let cv: CV;
let noEval: NoEvalStats;
const frames = new Map<string, RgbaImage>();
const frame = (fx: Fixture): RgbaImage => {
  let img = frames.get(fx.name);
  if (!img) {
    img = decodeJpeg(fs.readFileSync(path.join(FIXTURES, fx.file)));
    frames.set(fx.name, img);
  }
  return img;
};
const pages = new Map<string, RgbaImage>();
const report: string[] = [];

beforeAll(async () => {
  ({ cv, noEval } = await loadOpenCvInNode());
});

afterAll(() => {
  if (report.length) console.log(`scan pipeline (Node, this run):\n${report.join('\n')}`);
});

const truthQuad = (fx: Fixture): Quad => fx.corners!.map(([x, y]) => ({ x, y })) as Quad;
const cornerErrors = (a: Quad, b: Quad) => a.map((p, i) => Math.hypot(p.x - b[i]!.x, p.y - b[i]!.y));

function gray(img: RgbaImage): Float32Array {
  const g = new Float32Array(img.width * img.height);
  for (let i = 0; i < g.length; i++) g[i] = 0.299 * img.data[4 * i]! + 0.587 * img.data[4 * i + 1]! + 0.114 * img.data[4 * i + 2]!;
  return g;
}

/**
 * Finds a printed line (darkest) or edge (strongest step) across the expected position at 24
 * points along it, fits a line; returns its angle from the axis and its offset from where it
 * belongs (fractions of the page).
 */
function measureProbe(page: RgbaImage, g: Float32Array, p: Probe): { angleDeg: number; offset: number; found: number } {
  const { width: W, height: H } = page;
  const along = p.orient === 'h' ? W : H;
  const across = p.orient === 'h' ? H : W;
  const at = (a: number, c: number) => {
    const x = p.orient === 'h' ? a : c;
    const y = p.orient === 'h' ? c : a;
    return g[Math.round(y) * W + Math.round(x)]!;
  };
  const expected = p.pos * across - 0.5;
  const win = 8;
  const pts: Point[] = [];
  for (let i = 0; i < 24; i++) {
    const a = Math.round((p.from + ((p.to - p.from) * (i + 0.5)) / 24) * along);
    // Average 3 neighbours along the line against noise.
    const prof: number[] = [];
    for (let c = Math.round(expected) - win - 1; c <= Math.round(expected) + win + 1; c++) prof.push((at(a - 1, c) + at(a, c) + at(a + 1, c)) / 3);
    let best = -1;
    let bestV = -Infinity;
    for (let j = 1; j < prof.length - 1; j++) {
      const v = p.kind === 'line' ? -prof[j]! : Math.abs(prof[j + 1]! - prof[j - 1]!);
      if (v > bestV) {
        bestV = v;
        best = j;
      }
    }
    if (best < 2 || best > prof.length - 3) continue;
    pts.push({ x: a, y: Math.round(expected) - win - 1 + best });
  }
  const n = pts.length;
  const mx = pts.reduce((s, q) => s + q.x, 0) / n;
  const my = pts.reduce((s, q) => s + q.y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (const q of pts) {
    sxy += (q.x - mx) * (q.y - my);
    sxx += (q.x - mx) ** 2;
  }
  const slope = sxy / sxx;
  return { angleDeg: (Math.atan(slope) * 180) / Math.PI, offset: (my - expected) / across, found: n };
}

describe('OpenCV.js without eval', () => {
  it('loads through the shim: every generated function built without eval, none unknown', () => {
    expect(cv.getBuildInformation()).toContain('4.12.0');
    expect(noEval.unknown).toBe(0);
    expect(noEval.handled.invoker).toBeGreaterThan(500);
    expect(noEval.handled.namedFunction).toBeGreaterThan(500);
  });

  it('detects a page in a Node process that forbids code generation from strings (as the CSP does)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'scan-noeval-'));
    const bundle = path.join(dir, 'scan.cjs');
    buildSync({
      stdin: { contents: "export * from './opencv-no-eval'; export * from './pipeline';", resolveDir: path.join(ROOT, 'renderer/src/scan'), loader: 'ts' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      outfile: bundle,
      logLevel: 'error',
    });
    const script = `
      const scan = require(${JSON.stringify(bundle)});
      let evalBlocked = false;
      try { new Function('return 1'); } catch (e) { evalBlocked = e instanceof EvalError; }
      const stats = scan.installNoEvalFunction();
      const cv = require(${JSON.stringify(createRequire(import.meta.url).resolve("@techstark/opencv-js"))});
      cv.onRuntimeInitialized = () => {
        const W = 400, H = 300, data = new Uint8ClampedArray(W * H * 4);
        for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
          const inside = x >= 100 && x < 300 && y >= 60 && y < 240;
          const v = inside ? 235 : 60, i = (y * W + x) * 4;
          data[i] = data[i + 1] = data[i + 2] = v; data[i + 3] = 255;
        }
        const det = scan.detectDocument(cv, { data, width: W, height: H });
        console.log(JSON.stringify({ evalBlocked, unknown: stats.unknown, corners: det && det.corners }));
      };`;
    const r = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '-e', script], { encoding: 'utf8', timeout: 30_000 });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.status, r.stderr.slice(-2000)).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { evalBlocked: boolean; unknown: number; corners: Point[] };
    expect(out.evalBlocked).toBe(true);
    expect(out.unknown).toBe(0);
    const want = [
      { x: 99.5, y: 59.5 },
      { x: 299.5, y: 59.5 },
      { x: 299.5, y: 239.5 },
      { x: 99.5, y: 239.5 },
    ];
    out.corners.forEach((p, i) => expect(Math.hypot(p.x - want[i]!.x, p.y - want[i]!.y)).toBeLessThan(1));
  });
});

describe('detectDocument on the fixtures', () => {
  it.each(withPage.map((f) => [f.name, f] as const))('%s: corners within 2 px of the truth', (_name, fx) => {
    const img = frame(fx);
    const t = performance.now();
    const det = detectDocument(cv, img, CAPTURE_DETECT);
    const ms = performance.now() - t;
    expect(det, 'a page is found').not.toBeNull();
    const errs = cornerErrors(det!.corners, truthQuad(fx));
    report.push(`  ${fx.name.padEnd(18)} corner error ${errs.map((e) => e.toFixed(2)).join(' / ')} px (coarse ${cornerErrors(det!.coarse, truthQuad(fx)).map((e) => e.toFixed(1)).join(' / ')}), confidence ${det!.confidence}, detect ${ms.toFixed(0)} ms`);
    expect(Math.max(...errs)).toBeLessThanOrEqual(CORNER_TOLERANCE);
    expect(det!.refined).toBe(true);
    expect(det!.confidence).toBeGreaterThanOrEqual(0.8);
  });

  it.each(withPage.map((f) => [f.name, f] as const))('%s: live-overlay variant on a 640 px frame within 1 px of it', (_name, fx) => {
    const img = frame(fx);
    // As the capture screen does: the frame reduced to 640 px first.
    const small = withMatsResize(img, 640);
    const det = detectDocument(cv, small, PREVIEW_DETECT);
    expect(det).not.toBeNull();
    const s = small.width / img.width;
    const full = det!.corners.map((p) => ({ x: (p.x + 0.5) / s - 0.5, y: (p.y + 0.5) / s - 0.5 })) as Quad;
    expect(Math.max(...cornerErrors(full, truthQuad(fx)))).toBeLessThanOrEqual(PREVIEW_TOLERANCE);
    // And the shutter path: those corners snapped to the edges of the full frame.
    const snapped = refineDocumentCorners(img, full);
    expect(snapped.refined).toBe(true);
    expect(Math.max(...cornerErrors(snapped.corners, truthQuad(fx)))).toBeLessThanOrEqual(CORNER_TOLERANCE);
  });

  it('finds nothing on an empty desk (wood, a pen, a round coaster), a flat grey frame or pure noise', () => {
    expect(detectDocument(cv, frame(byName('empty-desk')))).toBeNull();
    const W = 1280;
    const H = 960;
    const flat = new Uint8ClampedArray(W * H * 4).fill(128);
    expect(detectDocument(cv, { data: flat, width: W, height: H })).toBeNull();
    let seed = 7;
    const noise = new Uint8ClampedArray(W * H * 4).map((_, i) => (i % 4 === 3 ? 255 : ((seed = (seed * 1103515245 + 12345) >>> 0) >>> 24)));
    expect(detectDocument(cv, { data: noise, width: W, height: H })).toBeNull();
  });
});

function withMatsResize(img: RgbaImage, maxSide: number): RgbaImage {
  const src = new cv.Mat(img.height, img.width, cv.CV_8UC4);
  const dst = new cv.Mat();
  try {
    src.data.set(img.data);
    const f = maxSide / Math.max(img.width, img.height);
    cv.resize(src, dst, new cv.Size(Math.round(img.width * f), Math.round(img.height * f)), 0, 0, cv.INTER_AREA);
    return { data: new Uint8ClampedArray(dst.data), width: dst.cols, height: dst.rows };
  } finally {
    src.delete();
    dst.delete();
  }
}

describe('warpDocument', () => {
  it.each(withPage.map((f) => [f.name, f] as const))('%s: flat page with the right aspect, printed lines straight and in place', (_name, fx) => {
    const img = frame(fx);
    const det = detectDocument(cv, img)!;
    // The estimate itself (no snapping) is within 2 % …
    const raw = estimateAspect(det.corners, img.width, img.height).aspect;
    expect(Math.abs(raw / fx.page!.aspect - 1)).toBeLessThan(0.02);
    const t = performance.now();
    const page = warpDocument(cv, img, det.corners);
    const ms = performance.now() - t;
    pages.set(fx.name, page);
    // … and snapped to A4 / ID-1 it is exact (up to rounding the size to whole pixels).
    expect(page.snappedTo).not.toBeNull();
    expect(Math.abs(page.width / page.height / fx.page!.aspect - 1)).toBeLessThan(0.02);
    const g = gray(page);
    const probes = fx.probes.map((p) => measureProbe(page, g, p));
    report.push(
      `  ${fx.name.padEnd(18)} page ${page.width}×${page.height}, aspect ${(raw / fx.page!.aspect - 1) * 100 >= 0 ? '+' : ''}${((raw / fx.page!.aspect - 1) * 100).toFixed(2)} % before snapping, ${probes.length ? `printed lines within ${Math.max(...probes.map((p) => Math.abs(p.angleDeg))).toFixed(2)}°` : 'no printed lines'}, warp ${ms.toFixed(0)} ms`,
    );
    for (const [i, m] of probes.entries()) {
      expect(m.found, `probe ${i} found`).toBeGreaterThanOrEqual(18);
      expect(Math.abs(m.angleDeg), `probe ${i} angle`).toBeLessThan(0.5);
      expect(Math.abs(m.offset), `probe ${i} offset`).toBeLessThan(0.01);
    }
  });

  it('measures straightness for real: a page warped with one corner 2 % off is caught', () => {
    const fx = byName('licence-wood');
    const img = frame(fx);
    const q = truthQuad(fx);
    const d = 0.02 * Math.hypot(q[1].x - q[0].x, q[1].y - q[0].y);
    const off = [{ x: q[0].x, y: q[0].y - d }, q[1], q[2], q[3]] as Quad;
    const page = warpDocument(cv, img, off, { snap: false });
    const g = gray(page);
    const results = fx.probes.map((p) => measureProbe(page, g, p));
    // At least one printed line is found tilted, out of place, or not where it should be at all.
    expect(results.some((m) => m.found < 18 || Math.abs(m.angleDeg) >= 0.5 || Math.abs(m.offset) >= 0.01)).toBe(true);
  });

  /** The flat dense-text page turned by `deg` (counter-clockwise on screen), the border repeated. */
  function turnedTextPage(deg: number): RgbaImage {
    const page = pages.get('dense-text-uneven') ?? warpDocument(cv, frame(byName('dense-text-uneven')), detectDocument(cv, frame(byName('dense-text-uneven')))!.corners);
    const src = new cv.Mat(page.height, page.width, cv.CV_8UC4);
    const dst = new cv.Mat();
    const M = cv.getRotationMatrix2D(new cv.Point(page.width / 2, page.height / 2), deg, 1);
    src.data.set(page.data);
    cv.warpAffine(src, dst, M, new cv.Size(page.width, page.height), cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar());
    const turned = { data: new Uint8ClampedArray(dst.data), width: dst.cols, height: dst.rows };
    src.delete();
    dst.delete();
    M.delete();
    return turned;
  }

  it('leaves content turned beyond the deskew range as it is (no rotation by the range edge)', () => {
    expect(Math.abs(estimateSkew(cv, turnedTextPage(3)))).toBeCloseTo(3, 0);
    // 8° is outside ±5°: the best angle in range would be the edge, which is not the text's angle.
    expect(estimateSkew(cv, turnedTextPage(8))).toBe(0);
    expect(estimateSkew(cv, turnedTextPage(-8))).toBe(0);
  });

  it('deskews text lines when asked (for a frame kept whole)', () => {
    // Turn the flat page by 1.5° and let deskew find it.
    const turned = turnedTextPage(1.5);
    const whole: Quad = [
      { x: -0.5, y: -0.5 },
      { x: turned.width - 0.5, y: -0.5 },
      { x: turned.width - 0.5, y: turned.height - 0.5 },
      { x: -0.5, y: turned.height - 0.5 },
    ];
    const straight = warpDocument(cv, turned, whole, { snap: false, deskew: true, width: turned.width, height: turned.height });
    expect(Math.abs(Math.abs(straight.skewDegrees) - 1.5)).toBeLessThan(0.15);
    const fx = byName('dense-text-uneven');
    const g = gray(straight);
    for (const p of fx.probes.filter((q) => q.orient === 'h')) expect(Math.abs(measureProbe(straight, g, p).angleDeg)).toBeLessThan(0.2);
  });
});

describe('enhance', () => {
  /** The seal's own ink on the flat licence: red pixels in its disc, in colour mode. */
  function sealPixels(page: RgbaImage, fx: Fixture): number[] {
    const s = fx.seal!;
    const cx = s.cx * page.width;
    const cy = s.cy * page.height;
    const r = s.r * page.width;
    const idx: number[] = [];
    for (let y = Math.floor(cy - r); y < cy + r; y++) {
      for (let x = Math.floor(cx - r); x < cx + r; x++) {
        if (Math.hypot(x - cx, y - cy) > r) continue;
        const i = (y * page.width + x) * 4;
        if (page.data[i]! - page.data[i + 1]! > 60) idx.push(i);
      }
    }
    return idx;
  }
  const mean = (img: RgbaImage, idx: number[], c: number) => idx.reduce((s, i) => s + img.data[i + c]!, 0) / idx.length;

  it('colour (the default) keeps the red seal red; bw turns it black; gray is neutral; background removal keeps it red on white', () => {
    const fx = byName('licence-wood');
    const page = pages.get(fx.name) ?? warpDocument(cv, frame(fx), detectDocument(cv, frame(fx))!.corners);
    const color = enhance(cv, page, 'color');
    const seal = sealPixels(color, fx);
    expect(seal.length).toBeGreaterThan(2000); // the ring, the star, the name
    expect(mean(color, seal, 0)).toBeGreaterThan(150);
    expect(mean(color, seal, 0) - mean(color, seal, 1)).toBeGreaterThan(90);

    const bw = enhance(cv, page, 'bw');
    const black = seal.filter((i) => bw.data[i] === 0).length / seal.length;
    expect(black).toBeGreaterThan(0.8);
    // bw is binary.
    for (let i = 0; i < bw.data.length; i += 4001 * 4) expect([0, 255]).toContain(bw.data[i]);

    const g = enhance(cv, page, 'gray');
    expect(Math.abs(mean(g, seal, 0) - mean(g, seal, 1))).toBeLessThan(1);

    const rb = enhance(cv, page, 'remove_background');
    expect(mean(rb, seal, 0) - mean(rb, seal, 1)).toBeGreaterThan(90);
    // Paper (a margin strip between the frame and the edge) turns white.
    const paper: number[] = [];
    for (let x = Math.round(page.width * 0.2); x < page.width * 0.8; x += 7) paper.push((Math.round(page.height * 0.015) * page.width + x) * 4);
    expect(mean(rb, paper, 0)).toBeGreaterThan(245);
    expect(mean(rb, paper, 2)).toBeGreaterThan(245);
  });

  it('background removal flattens uneven light: the paper of the dense page ends up even', () => {
    const fx = byName('dense-text-uneven');
    const page = pages.get(fx.name) ?? warpDocument(cv, frame(fx), detectDocument(cv, frame(fx))!.corners);
    const spread = (img: RgbaImage) => {
      // Paper brightness in the left and right margins, top to bottom.
      const vals: number[] = [];
      for (const fxX of [0.04, 0.96]) {
        for (let fy = 0.05; fy < 0.95; fy += 0.05) {
          const i = (Math.round(fy * img.height) * img.width + Math.round(fxX * img.width)) * 4;
          vals.push(0.299 * img.data[i]! + 0.587 * img.data[i + 1]! + 0.114 * img.data[i + 2]!);
        }
      }
      return Math.max(...vals) - Math.min(...vals);
    };
    const before = spread(page);
    const after = spread(enhance(cv, page, 'remove_background'));
    expect(before).toBeGreaterThan(40);
    expect(after).toBeLessThan(12);
  });
});

describe('blank pages', () => {
  it('flags the blank sheet and none of the others', () => {
    const lines: string[] = [];
    for (const fx of withPage) {
      const img = frame(fx);
      const page = pages.get(fx.name) ?? warpDocument(cv, img, detectDocument(cv, img)!.corners);
      const ink = inkCoverage(cv, page);
      lines.push(`${fx.name} ${(ink * 100).toFixed(2)} %`);
      expect(isBlankPage(cv, page), `${fx.name}: ink ${ink}`).toBe(fx.blank);
    }
    report.push(`  ink coverage: ${lines.join(', ')}`);
  });

  it('a page with a single short line is not blank', () => {
    const W = 1240;
    const H = 1754;
    const data = new Uint8ClampedArray(W * H * 4).fill(240);
    for (let y = 400; y < 424; y++) for (let x = 150; x < 450; x++) if ((x >> 3) % 3 !== 0) data.fill(40, (y * W + x) * 4, (y * W + x) * 4 + 3);
    expect(isBlankPage(cv, { data, width: W, height: H })).toBe(false);
  });
});

describe('processPage (the worker\'s "process")', () => {
  it('licence: detected, warped, colour, not blank, with timings per step', () => {
    const fx = byName('licence-wood');
    const r = processPage(cv, frame(fx));
    expect(Math.max(...cornerErrors(r.corners!, truthQuad(fx)))).toBeLessThanOrEqual(CORNER_TOLERANCE);
    expect(r.blank).toBe(false);
    expect(r.snappedTo).toMatch(/ISO A/);
    expect(Object.keys(r.timings)).toEqual(['detect', 'warp', 'enhance', 'blank']);
    report.push(`  processPage licence-wood (5 MP → ${r.page.width}×${r.page.height}): ${Object.entries(r.timings).map(([k, v]) => `${k} ${v.toFixed(0)}`).join(', ')} ms`);
  });

  it('does not leak: the WASM heap stays the same size over repeated 5 MP captures', () => {
    const fx = byName('dense-text-uneven');
    const img = frame(fx);
    const heap = () => (cv as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;
    processPage(cv, img, { mode: 'remove_background' });
    const before = heap();
    // A leak of the frame alone would be 20 MB a round; the heap would have to grow.
    for (let i = 0; i < 3; i++) processPage(cv, img, { mode: i % 2 ? 'bw' : 'remove_background', deskew: true });
    expect(heap()).toBe(before);
  });

  it('colour in one pass: the same page and ink as warp → enhance → inkCoverage step by step, and no leak', () => {
    const heap = () => (cv as unknown as { HEAPU8: Uint8Array }).HEAPU8.length;
    for (const fx of withPage) {
      const img = frame(fx);
      const r = processPage(cv, img, { mode: 'color' });
      const stepwise = enhance(cv, warpDocument(cv, img, r.corners!), 'color');
      expect([r.page.width, r.page.height]).toEqual([stepwise.width, stepwise.height]);
      let diff = 0;
      for (let i = 0; i < stepwise.data.length; i++) diff = Math.max(diff, Math.abs(stepwise.data[i]! - r.page.data[i]!));
      expect(diff, fx.name).toBe(0);
      // The ink is counted on the warped page before the white point (not after): a hair apart, same verdict.
      const ink = inkCoverage(cv, stepwise);
      expect(Math.abs(r.ink - ink), fx.name).toBeLessThan(0.1 * ink + 0.0002);
      expect(r.blank, fx.name).toBe(fx.blank);
    }
    const img = frame(byName('dense-text-uneven'));
    processPage(cv, img, { mode: 'color' });
    const before = heap();
    for (let i = 0; i < 3; i++) processPage(cv, img, { mode: 'color', rotate: i });
    expect(heap()).toBe(before);
  });

  it('overlay corners from before the page moved: not refinable on this frame, so the page is found again', () => {
    const fx = byName('licence-wood');
    const stale = truthQuad(fx).map((p) => ({ x: p.x - 90, y: p.y + 60 })) as Quad;
    const r = processPage(cv, frame(fx), { corners: stale, refineCorners: true });
    expect(Object.keys(r.timings)).toEqual(['refine', 'detect', 'warp', 'enhance', 'blank']);
    expect(Math.max(...cornerErrors(r.corners!, truthQuad(fx)))).toBeLessThanOrEqual(CORNER_TOLERANCE);
  });

  it('rotates the flat page in quarter turns', () => {
    const fx = byName('id-card-dark');
    const r = processPage(cv, frame(fx), { rotate: 1 });
    // An ID card is landscape; a quarter turn makes the stored page portrait.
    expect(r.page.height).toBeGreaterThan(r.page.width);
  });

  it('keeps the whole frame when no page is found', () => {
    const img = frame(byName('empty-desk'));
    const r = processPage(cv, img);
    expect(r.corners).toBeNull();
    expect([r.page.width, r.page.height]).toEqual([img.width, img.height]);
    expect(() => processPage(cv, img, { wholeFrameIfNotFound: false })).toThrow(/no page/);
    // The whole frame is taken as it is (no resampling): pixel for pixel the frame.
    const whole: Quad = [
      { x: -0.5, y: -0.5 },
      { x: img.width - 0.5, y: -0.5 },
      { x: img.width - 0.5, y: img.height - 0.5 },
      { x: -0.5, y: img.height - 0.5 },
    ];
    const kept = warpDocument(cv, img, whole, { snap: false, width: img.width, height: img.height, engine: 'opencv' });
    expect(Buffer.compare(Buffer.from(kept.data.buffer, kept.data.byteOffset, kept.data.length), Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length))).toBe(0);
  });
});

describe('geometry and rotate90 (no OpenCV)', () => {
  it('orders corners tl, tr, br, bl whatever order they come in', () => {
    const q: Quad = [
      { x: 10, y: 12 },
      { x: 110, y: 5 },
      { x: 118, y: 80 },
      { x: 6, y: 90 },
    ];
    for (const perm of [
      [2, 0, 3, 1],
      [3, 2, 1, 0],
      [1, 3, 0, 2],
    ]) {
      expect(orderCorners(perm.map((i) => q[i]!))).toEqual(q);
    }
  });

  it('rotate90 moves pixels where rotatePoint says, four turns are the identity', () => {
    const w = 5;
    const h = 3;
    const data = new Uint8ClampedArray(w * h * 4);
    for (let i = 0; i < w * h; i++) data.set([i, 100 + i, 200, 255], i * 4);
    const img = { data, width: w, height: h };
    for (const t of [1, 2, 3, -1]) {
      const r = rotate90(img, t);
      expect([r.width, r.height]).toEqual(t % 2 ? [h, w] : [w, h]);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const p = rotatePoint({ x, y }, w, h, t);
          expect(r.data[(p.y * r.width + p.x) * 4]).toBe(y * w + x);
        }
      }
    }
    let r: RgbaImage = img;
    for (let i = 0; i < 4; i++) r = rotate90(r, 1);
    expect(Array.from(r.data)).toEqual(Array.from(data));
  });
});
