/**
 * The document-camera image pipeline: find the page in a frame, warp it flat, clean it up, and
 * tell a blank page. Pure functions over OpenCV.js, which is passed in as `cv`, so the very same
 * code runs in the scan Web Worker (scan-worker.ts) and in Node for the tests. Nothing here
 * touches the DOM; where the context has an OffscreenCanvas (the worker, a page) the flat page is
 * drawn by the browser's canvas (canvas-warp.ts), elsewhere (Node) by OpenCV.
 *
 * Rules kept throughout: every Mat is created through `withMats` and deleted in its `finally`
 * (the WASM heap never shrinks); OpenCV errors (numeric pointers) become Error objects; views of
 * the WASM heap (`mat.data`) are copied before the next OpenCV call, which may grow the heap and
 * detach them. See docs/scanning.md for the parameters and measured accuracy.
 */
import type * as OpenCV from '@techstark/opencv-js';
import {
  applyHomography,
  dist,
  estimateAspect,
  fitEdgeCurve,
  fitLineRobust,
  intersectCurves,
  type EdgeCurve,
  homography,
  intersect,
  isConvexQuad,
  lineThrough,
  minInteriorAngle,
  orderCorners,
  polygonArea,
  snapAspect,
  type Line,
  type Point,
  type Quad,
} from './geometry';
import { warpRgbaOnCanvas } from './canvas-warp';
import { grayPyramidWasm, warpRgbaWasm, wasmWarpUnavailableReason } from './wasm-kernels';

export type { Point, Quad } from './geometry';
export { orderCorners, estimateAspect, snapAspect } from './geometry';

/** The OpenCV.js module object (after onRuntimeInitialized). */
export type CV = typeof OpenCV;
type Mat = OpenCV.Mat;

/** An image as the canvas gives it: RGBA, 8 bits a channel, rows without padding. */
export interface RgbaImage {
  data: Uint8ClampedArray;
  width: number;
  height: number;
}

export type EnhanceMode = 'color' | 'gray' | 'bw' | 'remove_background';
export const ENHANCE_MODES: readonly EnhanceMode[] = ['color', 'gray', 'bw', 'remove_background'];

// ---------------------------------------------------------------------------------------------
// Mat bookkeeping

interface Deletable {
  delete(): void;
  isDeleted?(): boolean;
}

/** Turns what OpenCV.js throws (often a bare pointer number) into an Error. */
export function cvError(cv: CV, e: unknown): Error {
  if (e instanceof Error) return e;
  if (typeof e === 'number') {
    try {
      const ex = (cv as unknown as { exceptionFromPtr(p: number): { msg?: string } }).exceptionFromPtr(e);
      return new Error(`OpenCV: ${ex.msg ?? e}`);
    } catch {
      return new Error(`OpenCV error ${e}`);
    }
  }
  return new Error(String(e));
}

/** Runs `fn` with a `keep` that registers Mats (and MatVectors) to delete when `fn` returns or throws. */
export function withMats<T>(cv: CV, fn: (keep: <M extends Deletable>(m: M) => M) => T): T {
  const owned: Deletable[] = [];
  try {
    return fn((m) => {
      owned.push(m);
      return m;
    });
  } catch (e) {
    throw cvError(cv, e);
  } finally {
    for (let i = owned.length - 1; i >= 0; i--) {
      const m = owned[i]!;
      try {
        if (!m.isDeleted?.()) m.delete();
      } catch {
        /* already gone */
      }
    }
  }
}

function assertRgba(img: RgbaImage): void {
  if (!img || !Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new Error('scan: image needs positive integer width and height');
  }
  if (img.data.length !== img.width * img.height * 4) {
    throw new Error(`scan: RGBA data has ${img.data.length} bytes, expected ${img.width * img.height * 4}`);
  }
}

function matFromRgba(cv: CV, img: RgbaImage, keep: <M extends Deletable>(m: M) => M): Mat {
  assertRgba(img);
  const m = keep(new cv.Mat(img.height, img.width, cv.CV_8UC4));
  m.data.set(img.data);
  return m;
}

/** Copies a Mat (CV_8UC4, CV_8UC3 or CV_8UC1) out of the WASM heap as RGBA. */
function rgbaFromMat(cv: CV, m: Mat, keep: <M extends Deletable>(m: M) => M): RgbaImage {
  let rgba = m;
  if (m.type() === cv.CV_8UC1) {
    rgba = keep(new cv.Mat());
    cv.cvtColor(m, rgba, cv.COLOR_GRAY2RGBA);
  } else if (m.type() === cv.CV_8UC3) {
    rgba = keep(new cv.Mat());
    cv.cvtColor(m, rgba, cv.COLOR_RGB2RGBA);
  } else if (m.type() !== cv.CV_8UC4) {
    throw new Error(`scan: unexpected Mat type ${m.type()}`);
  }
  return { data: new Uint8ClampedArray(rgba.data), width: rgba.cols, height: rgba.rows };
}

const now = (): number => (typeof performance !== 'undefined' ? performance.now() : Date.now());

// ---------------------------------------------------------------------------------------------
// Sampling helpers (plain JS on copied pixel arrays)

/** Bilinear sample of a one-channel image; clamps to the border. */
function sampleGray(g: Uint8Array, w: number, h: number, x: number, y: number): number {
  const xc = Math.min(Math.max(x, 0), w - 1.001);
  const yc = Math.min(Math.max(y, 0), h - 1.001);
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const fx = xc - x0;
  const fy = yc - y0;
  const i = y0 * w + x0;
  const a = g[i]! + (g[i + 1]! - g[i]!) * fx;
  const b = g[i + w]! + (g[i + w + 1]! - g[i + w]!) * fx;
  return a + (b - a) * fy;
}

/** Bilinear sample of the luminance (BT.601) of an RGBA image; clamps to the border. */
function sampleLuma(d: Uint8ClampedArray, w: number, h: number, x: number, y: number): number {
  const xc = Math.min(Math.max(x, 0), w - 1.001);
  const yc = Math.min(Math.max(y, 0), h - 1.001);
  const x0 = Math.floor(xc);
  const y0 = Math.floor(yc);
  const fx = xc - x0;
  const fy = yc - y0;
  const i = (y0 * w + x0) * 4;
  const j = i + w * 4;
  // Inlined on purpose: this runs some 100 000 times a detection.
  const l00 = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
  const l01 = 0.299 * d[i + 4]! + 0.587 * d[i + 5]! + 0.114 * d[i + 6]!;
  const l10 = 0.299 * d[j]! + 0.587 * d[j + 1]! + 0.114 * d[j + 2]!;
  const l11 = 0.299 * d[j + 4]! + 0.587 * d[j + 5]! + 0.114 * d[j + 6]!;
  const a = l00 + (l01 - l00) * fx;
  const b = l10 + (l11 - l10) * fx;
  return a + (b - a) * fy;
}

// ---------------------------------------------------------------------------------------------
// detectDocument

export interface DetectOptions {
  /** Longest side of the image the outline is searched in (px). 640 for both the live overlay and a capture: the refinement on the full frame gives the same corner errors as 1000 px did, in about half the time. */
  maxSide?: number;
  /** Refine the corners on the frame as given (full resolution) by fitting lines to the page edges. */
  refine?: boolean;
  /** Smallest page, as a share of the frame area (an ID card on a 5 MP A3 camera is about 4 %). */
  minAreaRatio?: number;
  /** Lowest edge support (0..1) a quadrilateral needs to count as a page. */
  minConfidence?: number;
}

export interface Detection {
  /** tl, tr, br, bl in full-frame pixel coordinates. */
  corners: Quad;
  /** Share of the outline backed by a visible edge (0..1). */
  confidence: number;
  /** The outline found on the reduced image, in full-frame coordinates, before refinement. */
  coarse: Quad;
  /** Whether full-resolution refinement moved the corners (false if it was off or failed). */
  refined: boolean;
  /** Page area as a share of the frame. */
  areaRatio: number;
  /** Which candidate map found the outline (for diagnostics). */
  source: string;
}

/**
 * The faster variant for the live overlay: outline on a 640 px image. Refinement stays on: it
 * costs a few milliseconds (plain JS along the four edges) and steadies the overlay.
 */
export const PREVIEW_DETECT: Readonly<DetectOptions> = { maxSide: 640, refine: true };
export const CAPTURE_DETECT: Readonly<DetectOptions> = { maxSide: 640, refine: true };

interface Candidate {
  quad: Quad; // in small-image coordinates
  area: number;
  score: number;
  /** Mean step across the outline (gray levels, capped at 80). */
  strength: number;
  source: string;
}

/**
 * How well each side of `q` follows a visible step in `g` (blurred gray of the small image):
 * the share of sample points where the inside and the outside differ by at least `minStep`
 * levels, with the same sign along the side.
 */
function edgeSupport(g: Uint8Array, w: number, h: number, q: Quad, minStep = 7): { score: number; sides: number[]; strength: number } {
  const cx = (q[0].x + q[1].x + q[2].x + q[3].x) / 4;
  const cy = (q[0].y + q[1].y + q[2].y + q[3].y) / 4;
  const sides: number[] = [];
  let stepSum = 0;
  let stepCount = 0;
  for (let s = 0; s < 4; s++) {
    const a = q[s]!;
    const b = q[(s + 1) % 4]!;
    const len = dist(a, b);
    const ux = (b.x - a.x) / len;
    const uy = (b.y - a.y) / len;
    let nx = -uy;
    let ny = ux;
    if (nx * (cx - a.x) + ny * (cy - a.y) < 0) {
      nx = -nx;
      ny = -ny;
    }
    const k = Math.max(12, Math.min(80, Math.round(len / 4)));
    let pos = 0;
    let neg = 0;
    for (let i = 0; i < k; i++) {
      const t = 0.08 + (0.84 * (i + 0.5)) / k;
      const px = a.x + (b.x - a.x) * t;
      const py = a.y + (b.y - a.y) * t;
      // Best step within ±1.5 px of the outline (the coarse outline may sit a pixel off).
      let best = 0;
      for (let o = -1.5; o <= 1.5; o += 0.75) {
        const qx = px + nx * o;
        const qy = py + ny * o;
        const d = sampleGray(g, w, h, qx + nx * 2.5, qy + ny * 2.5) - sampleGray(g, w, h, qx - nx * 2.5, qy - ny * 2.5);
        if (Math.abs(d) > Math.abs(best)) best = d;
      }
      stepSum += Math.min(80, Math.abs(best));
      stepCount++;
      if (best >= minStep) pos++;
      else if (best <= -minStep) neg++;
    }
    sides.push(Math.max(pos, neg) / k);
  }
  const mean = sides.reduce((x, y) => x + y, 0) / 4;
  const min = Math.min(...sides);
  return { score: 0.5 * mean + 0.5 * min, sides, strength: stepSum / stepCount };
}

/** Quadrilaterals among the contours of a binary image. */
function quadsFromBinary(cv: CV, bin: Mat, mode: number, minArea: number, maxArea: number, keep: <M extends Deletable>(m: M) => M): Quad[] {
  const contours = keep(new cv.MatVector());
  const hierarchy = keep(new cv.Mat());
  cv.findContours(bin, contours, hierarchy, mode, cv.CHAIN_APPROX_SIMPLE);
  const out: Quad[] = [];
  const n = contours.size();
  for (let i = 0; i < n; i++) {
    const c = contours.get(i);
    try {
      const r = cv.boundingRect(c);
      if (r.width * r.height < minArea) continue;
      const area = cv.contourArea(c);
      // A broken outline still has a useful hull, so only the hull's area must be large enough.
      const hull = new cv.Mat();
      const approx = new cv.Mat();
      try {
        cv.convexHull(c, hull, false, true);
        const hullArea = cv.contourArea(hull);
        if (hullArea < minArea || hullArea > maxArea) continue;
        // Too little of the hull filled by the contour's own area: a scribble of texture, not a page.
        if (area < 0.25 * hullArea && cv.arcLength(c, true) < 0.5 * cv.arcLength(hull, true)) continue;
        const peri = cv.arcLength(hull, true);
        for (const eps of [0.02, 0.03, 0.015, 0.045]) {
          cv.approxPolyDP(hull, approx, eps * peri, true);
          if (approx.rows === 4) break;
        }
        if (approx.rows !== 4) continue;
        const p = approx.data32S;
        const pts: Point[] = [0, 1, 2, 3].map((k) => ({ x: p[2 * k]!, y: p[2 * k + 1]! }));
        if (!isConvexQuad(pts)) continue;
        const q = orderCorners(pts);
        if (minInteriorAngle(q) < 30) continue;
        out.push(q);
      } finally {
        hull.delete();
        approx.delete();
      }
    } finally {
      c.delete();
    }
  }
  return out;
}

/**
 * Fits a line to the page edge near `side` on the full-resolution frame: samples across the
 * edge at points along it, takes the strongest luminance step (sub-pixel, by a parabola through
 * the neighbours) of the side's polarity, and fits a robust line.
 */
interface SideFit {
  line: Line;
  curve: EdgeCurve;
}

function refineSide(img: RgbaImage, a: Point, b: Point, inward: Point, radius: number): SideFit | null {
  const { data, width: w, height: h } = img;
  const len = dist(a, b);
  if (len < 8) return null;
  const ux = (b.x - a.x) / len;
  const uy = (b.y - a.y) / len;
  const { x: nx, y: ny } = inward;
  const count = Math.max(16, Math.min(120, Math.round(len / 10)));
  const r = Math.ceil(radius);
  const profile = new Float64Array(2 * r + 3);
  const found: Array<{ s: number; d: number; t: number }> = [];
  for (let i = 0; i < count; i++) {
    const t = 0.1 + (0.8 * (i + 0.5)) / count;
    const px = a.x + (b.x - a.x) * t;
    const py = a.y + (b.y - a.y) * t;
    // Luminance across the edge, averaged over 5 points along it (±4 px).
    for (let j = 0; j < profile.length; j++) {
      const s = j - r - 1;
      let sum = 0;
      for (let o = -4; o <= 4; o += 2) sum += sampleLuma(data, w, h, px + nx * s + ux * o, py + ny * s + uy * o);
      profile[j] = sum / 5;
    }
    let bestJ = -1;
    let bestD = 0;
    for (let j = 1; j < profile.length - 1; j++) {
      const d = (profile[j + 1]! - profile[j - 1]!) / 2;
      if (Math.abs(d) > Math.abs(bestD)) {
        bestD = d;
        bestJ = j;
      }
    }
    if (bestJ < 2 || bestJ > profile.length - 3) continue; // at the window's end: no clear edge inside
    const dm = (profile[bestJ]! - profile[bestJ - 2]!) / 2;
    const dp = (profile[bestJ + 2]! - profile[bestJ]!) / 2;
    const denom = dm - 2 * bestD + dp;
    const off = denom !== 0 ? Math.max(-0.5, Math.min(0.5, (0.5 * (dm - dp)) / denom)) : 0;
    found.push({ s: bestJ - r - 1 + off, d: bestD, t });
  }
  if (found.length < 8) return null;
  // The page's side of the edge is brighter or darker all along: keep the majority polarity.
  const positive = found.filter((f) => f.d > 0).length;
  const sign = positive * 2 >= found.length ? 1 : -1;
  const strong = found.filter((f) => f.d * sign >= 2);
  if (strong.length < Math.max(8, 0.4 * count)) return null;
  const pts = strong.map((f) => ({ x: a.x + (b.x - a.x) * f.t + nx * f.s, y: a.y + (b.y - a.y) * f.t + ny * f.s }));
  const fit = fitLineRobust(pts, 0.5);
  if (!fit || fit.inliers < 0.5) return null;
  return { line: fit.line, curve: fitEdgeCurve(pts, fit.weights, fit.line) };
}

/**
 * Refines all four sides (two passes, shrinking the search) and intersects them. The last pass
 * fits each edge as a gentle curve (lens distortion, a curled page) and meets the curves at the
 * corners; a curve corner that strays far from the straight-line one is not trusted.
 */
function refineCorners(img: RgbaImage, coarse: Quad, scale: number, firstRadius?: number, everySide = false): Quad | null {
  let q = coarse;
  const radii = [firstRadius ?? Math.max(6, 3 / scale + 3), 3.5];
  for (let pass = 0; pass < radii.length; pass++) {
    const cx = (q[0].x + q[1].x + q[2].x + q[3].x) / 4;
    const cy = (q[0].y + q[1].y + q[2].y + q[3].y) / 4;
    const fits: Array<SideFit | null> = [];
    const lines: Line[] = [];
    for (let s = 0; s < 4; s++) {
      const a = q[s]!;
      const b = q[(s + 1) % 4]!;
      const l0 = lineThrough(a, b);
      let n = { x: l0.nx, y: l0.ny };
      if (n.x * (cx - a.x) + n.y * (cy - a.y) < 0) n = { x: -n.x, y: -n.y };
      const fit = refineSide(img, a, b, n, radii[pass]!);
      // Corners from elsewhere must find all four edges here, or they are not this frame's page.
      if (!fit && everySide) return null;
      fits.push(fit);
      lines.push(fit?.line ?? l0);
    }
    const next: Point[] = [];
    for (let i = 0; i < 4; i++) {
      const p = intersect(lines[(i + 3) % 4]!, lines[i]!);
      if (!p) return null;
      const f1 = fits[(i + 3) % 4];
      const f2 = fits[i];
      if (pass === radii.length - 1 && f1 && f2) {
        const bent = intersectCurves(f1.curve, f2.curve, p);
        next.push(bent && dist(bent, p) < 8 ? bent : p);
      } else {
        next.push(p);
      }
    }
    q = next as Quad;
  }
  // Refinement may only nudge: a corner far from the coarse one means an edge was mistaken.
  const limit = Math.max(12, 5 / scale);
  if (q.some((p, i) => dist(p, coarse[i]!) > limit) || !isConvexQuad(q)) return null;
  return q;
}

/**
 * Snaps corners found elsewhere (the live overlay's, on a reduced frame) to the page edges of
 * this full-resolution frame, searching `radius` px around each side. Plain JS, a few ms. Returns
 * the corners unchanged (refined: false) unless all four edges are found; never use it on corners
 * the clerk placed.
 */
export function refineDocumentCorners(rgba: RgbaImage, corners: Quad, radius = 12): { corners: Quad; refined: boolean } {
  assertRgba(rgba);
  const q = orderCorners(corners);
  const r = refineCorners(rgba, q, 1, radius, true);
  return r ? { corners: r, refined: true } : { corners: q, refined: false };
}

/**
 * Finds the page in a camera frame. Returns its four corners in full-frame pixels (tl, tr, br,
 * bl) and a confidence, or null if no quadrilateral with enough edge support is found.
 */
export function detectDocument(cv: CV, rgba: RgbaImage, opts: DetectOptions = {}): Detection | null {
  assertRgba(rgba);
  const maxSide = opts.maxSide ?? CAPTURE_DETECT.maxSide!;
  const minAreaRatio = opts.minAreaRatio ?? 0.015;
  const minConfidence = opts.minConfidence ?? 0.5;
  const { width: W, height: H } = rgba;
  const found = withMats(cv, (keep) => {
    const reduced = reduceForDetection(cv, rgba, maxSide, keep);
    const { small, toFull } = reduced;
    const w = small.cols;
    const h = small.rows;
    const blur = keep(new cv.Mat());
    cv.GaussianBlur(small, blur, new cv.Size(5, 5), 0);
    const g = new Uint8Array(blur.data); // copy: later calls may grow the heap
    const frameArea = w * h;
    const minArea = minAreaRatio * frameArea;
    const maxArea = 0.985 * frameArea;

    const candidates: Candidate[] = [];
    const add = (quads: Quad[], source: string) => {
      for (const quad of quads) {
        // Not the frame itself.
        const margin = 2;
        const onBorder = quad.filter((p) => p.x <= margin || p.y <= margin || p.x >= w - 1 - margin || p.y >= h - 1 - margin).length;
        if (onBorder >= 3) continue;
        const { score, strength } = edgeSupport(g, w, h, quad);
        candidates.push({ quad, area: polygonArea(quad), score, strength, source });
      }
    };
    const kernel = keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(3, 3)));
    const edges = keep(new cv.Mat());
    // Edges at two strengths: the strong map keeps desk texture out; the weak one finds a light
    // page on a light desk. Dilation closes small gaps in the outline.
    for (const [lo, hi, name] of [
      [40, 120, 'canny-strong'],
      [12, 36, 'canny-weak'],
    ] as const) {
      cv.Canny(blur, edges, lo, hi, 3, true);
      cv.dilate(edges, edges, kernel);
      add(quadsFromBinary(cv, edges, cv.RETR_LIST, minArea, maxArea, keep), name);
    }
    // Bright blob (Otsu): a white page on a darker desk, even with a ragged outline.
    const bin = keep(new cv.Mat());
    cv.threshold(blur, bin, 0, 255, cv.THRESH_BINARY | cv.THRESH_OTSU);
    const k5 = keep(cv.getStructuringElement(cv.MORPH_RECT, new cv.Size(5, 5)));
    cv.morphologyEx(bin, bin, cv.MORPH_OPEN, k5);
    add(quadsFromBinary(cv, bin, cv.RETR_EXTERNAL, minArea, maxArea, keep), 'otsu');

    const valid = candidates.filter((c) => c.score >= minConfidence);
    if (!valid.length) return null;
    // The same outline is often found several times, once along the paper's edge and once along
    // its cast shadow: of near-identical quadrilaterals keep the one on the sharpest edge.
    const rank = (c: Candidate) => c.score * (0.5 + c.strength / 160);
    const distinct: Candidate[] = [];
    for (const c of valid.sort((a, b) => rank(b) - rank(a))) {
      const tol = 0.04 * Math.sqrt(c.area);
      if (!distinct.some((d) => d.quad.every((p, i) => dist(p, c.quad[i]!) < tol))) distinct.push(c);
    }
    const bestScore = Math.max(...distinct.map((c) => c.score));
    // The largest of the well-supported outlines: the page, not a photo or frame printed on it.
    const pick = distinct.filter((c) => c.score >= 0.85 * bestScore).sort((a, b) => b.area - a.area)[0]!;
    return { pick, w, toFull };
  });
  if (!found) return null;
  const { pick, w, toFull } = found;
  const scaleX = w / W;
  const coarse = pick.quad.map(toFull) as Quad;
  let corners = coarse;
  let refined = false;
  if (opts.refine ?? true) {
    const r = refineCorners(rgba, coarse, scaleX);
    if (r) {
      corners = r;
      refined = true;
    }
  }
  return {
    corners,
    confidence: Math.round(pick.score * 1000) / 1000,
    coarse,
    refined,
    areaRatio: polygonArea(corners) / (W * H),
    source: pick.source,
  };
}

/** The frame reduced to gray with its longer side at most `maxSide`, and the map from its pixel centres back to the frame's. */
interface Reduced {
  small: Mat;
  toFull: (p: Point) => Point;
}

/**
 * The reduction: gray, halved with pyrDown (a Gaussian pyramid, cheap and alias-free) while the
 * image is at least twice the target, then one bilinear step. The gray pyramid comes from the
 * WebAssembly kernels where they run (OpenCV's very pixels, 5-6× faster), else from OpenCV.
 */
function reduceForDetection(cv: CV, rgba: RgbaImage, maxSide: number, keep: <M extends Deletable>(m: M) => M): Reduced {
  let halvings = 0;
  for (let w = rgba.width, h = rgba.height; Math.max(w, h) >= 2 * maxSide; halvings++) {
    w = (w + 1) >> 1;
    h = (h + 1) >> 1;
  }
  let small: Mat;
  const pyramid = grayPyramidWasm(rgba, halvings);
  if (pyramid) {
    small = keep(new cv.Mat(pyramid.height, pyramid.width, cv.CV_8UC1));
    small.data.set(pyramid.data);
  } else {
    const src = matFromRgba(cv, rgba, keep);
    small = keep(new cv.Mat());
    cv.cvtColor(src, small, cv.COLOR_RGBA2GRAY);
    src.delete();
    for (let i = 0; i < halvings; i++) {
      const half = keep(new cv.Mat());
      cv.pyrDown(small, half);
      small.delete();
      small = half;
    }
  }
  const pyrW = small.cols;
  const pyrH = small.rows;
  if (Math.max(pyrW, pyrH) > maxSide) {
    const f = maxSide / Math.max(pyrW, pyrH);
    const resized = keep(new cv.Mat());
    cv.resize(small, resized, new cv.Size(Math.round(pyrW * f), Math.round(pyrH * f)), 0, 0, halvings ? cv.INTER_LINEAR : cv.INTER_AREA);
    small.delete();
    small = resized;
  }
  const w = small.cols;
  const h = small.rows;
  // Small-image pixel centres → pyramid level (bilinear step) → full frame (pyrDown keeps pixel
  // i of a level centred on pixel 2i of the level below).
  const k = 2 ** halvings;
  return { small, toFull: (p) => ({ x: k * ((p.x + 0.5) * (pyrW / w) - 0.5), y: k * ((p.y + 0.5) * (pyrH / h) - 0.5) }) };
}

// ---------------------------------------------------------------------------------------------
// warpDocument

export interface WarpOptions {
  /** Force the output size (px); otherwise estimated from the outline. */
  width?: number;
  height?: number;
  /** Snap the aspect ratio to A-series paper or an ID-1 card when within `snapTolerance`. */
  snap?: boolean;
  snapTolerance?: number;
  /** Cap on the longer output side (px). */
  maxSide?: number;
  /** Straighten a small residual rotation of the content (text lines) after the warp. */
  deskew?: boolean;
  /** Focal length of the camera in pixels, if known (helps the aspect estimate). */
  focal?: number;
  /**
   * Who draws the page: 'wasm' (wasm-kernels.ts: WebAssembly with SIMD, bilinear at 1/32 px like
   * OpenCV's, the border repeated; the fastest), 'canvas' (the browser's 2D canvas, canvas-warp.ts:
   * within 0.125 px of the true perspective), 'opencv' (warpPerspective), or 'auto' (default):
   * WebAssembly where it runs (a browser, a worker, Node), else the canvas where it can (a browser
   * or worker, the page clear of the frame's border, a perspective it can cut into few enough
   * cells), else OpenCV; with deskew always OpenCV. 'wasm' and 'canvas' throw where they cannot.
   */
  engine?: WarpEngine | 'auto';
}

export type WarpEngine = 'wasm' | 'canvas' | 'opencv';

export interface PageSize {
  width: number;
  height: number;
  aspect: number;
  snappedTo: string | null;
  focal: number | null;
}

/** The flat page's natural size: the longer measured side kept, the other from the true aspect. */
export function pageSize(corners: Quad, frameWidth: number, frameHeight: number, opts: WarpOptions = {}): PageSize {
  const est = estimateAspect(corners, frameWidth, frameHeight, opts.focal);
  const snapped = opts.snap === false ? { aspect: est.aspect, snappedTo: null } : snapAspect(est.aspect, opts.snapTolerance ?? 0.03);
  const aspect = snapped.aspect;
  const wMeasured = Math.max(dist(corners[0], corners[1]), dist(corners[3], corners[2]));
  const hMeasured = Math.max(dist(corners[0], corners[3]), dist(corners[1], corners[2]));
  let width: number;
  let height: number;
  if (opts.width && opts.height) {
    width = opts.width;
    height = opts.height;
  } else if (wMeasured / hMeasured >= aspect) {
    width = wMeasured;
    height = wMeasured / aspect;
  } else {
    height = hMeasured;
    width = hMeasured * aspect;
  }
  const maxSide = opts.maxSide ?? 4096;
  const f = Math.min(1, maxSide / Math.max(width, height));
  return { width: Math.max(1, Math.round(width * f)), height: Math.max(1, Math.round(height * f)), aspect, snappedTo: snapped.snappedTo, focal: est.focal };
}

export interface WarpResult extends RgbaImage {
  aspect: number;
  snappedTo: string | null;
  /** Rotation removed by deskew (degrees, counter-clockwise positive), 0 if none. */
  skewDegrees: number;
  /** Who drew the page. */
  engine: WarpEngine;
}

/**
 * The page drawn outside OpenCV (WebAssembly, else the canvas), when `opts.engine` allows it and it
 * can be used here (see WarpOptions.engine); null otherwise.
 */
function warpOutsideOpenCv(rgba: RgbaImage, corners: Quad, opts: WarpOptions): WarpResult | null {
  const engine = opts.engine ?? 'auto';
  if (engine === 'opencv') return null;
  if (opts.deskew) {
    if (engine !== 'auto') throw new Error(`scan: the ${engine} warp does not deskew`);
    return null;
  }
  assertRgba(rgba);
  const q = orderCorners(corners);
  const size = pageSize(q, rgba.width, rgba.height, opts);
  const done = (page: RgbaImage, by: WarpEngine): WarpResult => ({ ...page, aspect: size.aspect, snappedTo: size.snappedTo, skewDegrees: 0, engine: by });
  if (engine === 'wasm' || engine === 'auto') {
    const page = warpRgbaWasm(rgba, q, size.width, size.height);
    if (page) return done(page, 'wasm');
    if (engine === 'wasm') throw new Error(`scan: the WebAssembly warp cannot run here (${wasmWarpUnavailableReason() ?? 'unknown'})`);
  }
  const drawn = warpRgbaOnCanvas(rgba, q, size.width, size.height);
  if (drawn) return done(drawn.page, 'canvas');
  if (engine === 'canvas') throw new Error('scan: the canvas warp cannot draw this page here');
  return null;
}

function warpMat(cv: CV, src: Mat, corners: Quad, size: PageSize, keep: <M extends Deletable>(m: M) => M): Mat {
  const { width: w, height: h } = size;
  // Corners are the page's outer edges; map them to the outer edges of the output pixels.
  const srcPts = keep(cv.matFromArray(4, 1, cv.CV_32FC2, corners.flatMap((p) => [p.x, p.y])));
  const dstPts = keep(cv.matFromArray(4, 1, cv.CV_32FC2, [-0.5, -0.5, w - 0.5, -0.5, w - 0.5, h - 0.5, -0.5, h - 0.5]));
  const M = keep(cv.getPerspectiveTransform(srcPts, dstPts));
  const out = keep(new cv.Mat());
  cv.warpPerspective(src, out, M, new cv.Size(w, h), cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar());
  return out;
}

/**
 * Warps the full-resolution frame so the quadrilateral `corners` becomes a flat, upright page at
 * its natural size; optionally deskews what rotation is left in the content.
 */
export function warpDocument(cv: CV, rgba: RgbaImage, corners: Quad, opts: WarpOptions = {}): WarpResult {
  const drawn = warpOutsideOpenCv(rgba, corners, opts);
  if (drawn) return drawn;
  return withMats(cv, (keep) => {
    const w = warpToMat(cv, rgba, corners, opts, keep);
    return { ...rgbaFromMat(cv, w.mat, keep), aspect: w.aspect, snappedTo: w.snappedTo, skewDegrees: w.skewDegrees, engine: 'opencv' as const };
  });
}

/** Whether `q` (ordered) is the whole width×height frame's outer edge and `size` the frame's own. */
function isWholeFrame(q: Quad, width: number, height: number, size: PageSize): boolean {
  if (size.width !== width || size.height !== height) return false;
  const edges = [
    [-0.5, -0.5],
    [width - 0.5, -0.5],
    [width - 0.5, height - 0.5],
    [-0.5, height - 0.5],
  ];
  return q.every((p, i) => Math.abs(p.x - edges[i]![0]!) < 1e-6 && Math.abs(p.y - edges[i]![1]!) < 1e-6);
}

/** warpDocument, the flat page left in the WASM heap (CV_8UC4) for further steps there. */
function warpToMat(
  cv: CV,
  rgba: RgbaImage,
  corners: Quad,
  opts: WarpOptions,
  keep: <M extends Deletable>(m: M) => M,
): { mat: Mat; aspect: number; snappedTo: string | null; skewDegrees: number } {
  assertRgba(rgba);
  const q = orderCorners(corners);
  const size = pageSize(q, rgba.width, rgba.height, opts);
  const src = matFromRgba(cv, rgba, keep);
  // The whole frame at its own size (no page found) is the identity: nothing to resample.
  let out = isWholeFrame(q, rgba.width, rgba.height, size) ? src : warpMat(cv, src, q, size, keep);
  if (out !== src) src.delete();
  let skew = 0;
  if (opts.deskew) {
    skew = estimateSkewMat(cv, out, keep);
    if (skew !== 0) out = rotateSmall(cv, out, skew, keep);
  }
  return { mat: out, aspect: size.aspect, snappedTo: size.snappedTo, skewDegrees: skew };
}

/** Deskew looks for text lines turned by at most this much (degrees). */
const SKEW_RANGE_DEG = 5;

/**
 * The dominant angle of the text lines (degrees, within ±5°), from horizontal projection
 * profiles of the ink; 0 when there is too little ink, no clear peak, or the best angle at the
 * range's edge (turned further than that).
 */
function estimateSkewMat(cv: CV, page: Mat, keep: <M extends Deletable>(m: M) => M): number {
  const gray = keep(new cv.Mat());
  cv.cvtColor(page, gray, page.channels() === 4 ? cv.COLOR_RGBA2GRAY : cv.COLOR_RGB2GRAY);
  const f = Math.min(1, 900 / Math.max(gray.cols, gray.rows));
  const small = keep(new cv.Mat());
  cv.resize(gray, small, new cv.Size(Math.round(gray.cols * f), Math.round(gray.rows * f)), 0, 0, cv.INTER_AREA);
  const ink = keep(new cv.Mat());
  cv.adaptiveThreshold(small, ink, 255, cv.ADAPTIVE_THRESH_MEAN_C, cv.THRESH_BINARY_INV, 25, 15);
  const w = ink.cols;
  const h = ink.rows;
  const d = new Uint8Array(ink.data);
  const xs: number[] = [];
  const ys: number[] = [];
  const mx = Math.round(w * 0.05);
  const my = Math.round(h * 0.05);
  for (let y = my; y < h - my; y++) {
    for (let x = mx; x < w - mx; x++) {
      if (d[y * w + x]) {
        xs.push(x - w / 2);
        ys.push(y - h / 2);
      }
    }
  }
  if (xs.length < 0.002 * w * h) return 0;
  const score = (deg: number): number => {
    const a = (deg * Math.PI) / 180;
    const s = Math.sin(a);
    const c = Math.cos(a);
    const bins = new Float64Array(h * 2 + 4);
    for (let i = 0; i < xs.length; i++) {
      const yr = -xs[i]! * s + ys[i]! * c + h + 2;
      bins[Math.round(yr)]! += 1;
    }
    let sq = 0;
    for (const b of bins) sq += b * b;
    return sq;
  };
  let best = 0;
  let bestScore = score(0);
  const base = bestScore;
  for (let deg = -SKEW_RANGE_DEG; deg <= SKEW_RANGE_DEG + 0.0001; deg += 0.25) {
    const s = score(deg);
    if (s > bestScore) {
      bestScore = s;
      best = deg;
    }
  }
  // Best at the very edge of the range: the profile is still sharpening beyond it, so the content is
  // turned further than deskew is meant for (or it is not text at all). Rotating by the edge value
  // would be wrong either way: leave it.
  if (Math.abs(best) >= SKEW_RANGE_DEG - 0.0001) return 0;
  for (let deg = best - 0.25; deg <= best + 0.25; deg += 0.05) {
    const s = score(deg);
    if (s > bestScore) {
      bestScore = s;
      best = deg;
    }
  }
  // Only a clear improvement over "no rotation" counts, and below 0.2° is not worth a resample.
  if (bestScore < base * 1.05 || Math.abs(best) < 0.2) return 0;
  return Math.round(best * 100) / 100;
}

function rotateSmall(cv: CV, src: Mat, deg: number, keep: <M extends Deletable>(m: M) => M): Mat {
  const center = new cv.Point(src.cols / 2 - 0.5, src.rows / 2 - 0.5);
  // The profile angle is the text's clockwise tilt on screen; rotate it back.
  const M = keep(cv.getRotationMatrix2D(center, deg, 1));
  const out = keep(new cv.Mat());
  cv.warpAffine(src, out, M, new cv.Size(src.cols, src.rows), cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar());
  return out;
}

/** The residual rotation of the text lines on a flat page (degrees; 0 if none is clear). */
export function estimateSkew(cv: CV, rgba: RgbaImage): number {
  return withMats(cv, (keep) => estimateSkewMat(cv, matFromRgba(cv, rgba, keep), keep));
}

// ---------------------------------------------------------------------------------------------
// enhance, background, blank pages

/**
 * The paper's own brightness at every pixel: a max filter removes the ink (strokes are thinner
 * than the kernel), a blur smooths it; computed at a small size and scaled back up.
 */
function backgroundMat(cv: CV, src: Mat, keep: <M extends Deletable>(m: M) => M): Mat {
  const f = Math.min(1, 320 / Math.max(src.cols, src.rows));
  const small = keep(new cv.Mat());
  cv.resize(src, small, new cv.Size(Math.max(1, Math.round(src.cols * f)), Math.max(1, Math.round(src.rows * f))), 0, 0, cv.INTER_AREA);
  const k = Math.max(3, Math.round(Math.max(small.cols, small.rows) / 40)) | 1;
  const kernel = keep(cv.getStructuringElement(cv.MORPH_ELLIPSE, new cv.Size(k, k)));
  cv.dilate(small, small, kernel);
  cv.GaussianBlur(small, small, new cv.Size(2 * k + 1, 2 * k + 1), 0, 0, cv.BORDER_REPLICATE);
  const bg = keep(new cv.Mat());
  cv.resize(small, bg, new cv.Size(src.cols, src.rows), 0, 0, cv.INTER_LINEAR);
  return bg;
}

/** `src / background × 255`, per channel: the paper becomes white, ink keeps its colour. */
function flatten(cv: CV, src: Mat, keep: <M extends Deletable>(m: M) => M): Mat {
  const bg = backgroundMat(cv, src, keep);
  const out = keep(new cv.Mat());
  cv.divide(src, bg, out, 255, -1);
  return out;
}

/** The value below which `share` of the sampled values lie, per channel of an interleaved array. */
function percentile(data: Uint8Array | Uint8ClampedArray, channels: number, channel: number, share: number): number {
  const hist = new Uint32Array(256);
  const step = Math.max(1, Math.floor(data.length / channels / 200_000));
  let n = 0;
  for (let i = channel; i < data.length; i += channels * step) {
    hist[data[i]!]!++;
    n++;
  }
  let acc = 0;
  for (let v = 0; v < 256; v++) {
    acc += hist[v]!;
    if (acc >= share * n) return v;
  }
  return 255;
}

/**
 * Brightens in place so the paper (the 97th percentile of each colour channel) sits at `white`,
 * with a gain within [1, 1.8] per channel: corrects exposure and colour cast, keeps the colours.
 */
function whitePoint(img: RgbaImage, white = 248): void {
  applyLuts(img.data, whitePointLuts(img.data, white));
}

type Luts = [Uint8ClampedArray, Uint8ClampedArray, Uint8ClampedArray];

/** The gains of `whitePoint` per colour channel (R, G, B), from the 97th percentile of each channel of RGBA `data`. */
export function whitePointGains(data: Uint8Array | Uint8ClampedArray, white = 248): [number, number, number] {
  return [0, 1, 2].map((c) => Math.min(1.8, Math.max(1, white / Math.max(1, percentile(data, 4, c, 0.97))))) as [number, number, number];
}

/** The per-channel curves of `whitePoint`, from the 97th percentile of each channel of RGBA `data`. */
function whitePointLuts(data: Uint8Array | Uint8ClampedArray, white = 248): Luts {
  const luts: Uint8ClampedArray[] = [];
  for (const gain of whitePointGains(data, white)) {
    const lut = new Uint8ClampedArray(256);
    for (let v = 0; v < 256; v++) lut[v] = Math.round(v * gain);
    luts.push(lut);
  }
  return luts as Luts;
}

/** Applies per-channel curves in place to RGBA `d` (alpha untouched). */
function applyLuts(d: Uint8Array | Uint8ClampedArray, [r, g, b]: Luts): void {
  for (let i = 0; i < d.length; i += 4) {
    d[i] = r[d[i]!]!;
    d[i + 1] = g[d[i + 1]!]!;
    d[i + 2] = b[d[i + 2]!]!;
  }
}

/** A contrast curve after flattening: paper texture above `paper` goes white, ink is stretched. */
function paperCurve(data: Uint8ClampedArray, paper = 228, ink = 20): void {
  const lut = new Uint8ClampedArray(256);
  for (let v = 0; v < 256; v++) lut[v] = Math.round(((v - ink) * 255) / (paper - ink));
  for (let i = 0; i < data.length; i += 4) {
    data[i] = lut[data[i]!]!;
    data[i + 1] = lut[data[i + 1]!]!;
    data[i + 2] = lut[data[i + 2]!]!;
  }
}

/**
 * Cleans up a flat page.
 * - `color` (default for licences and certificates): colours kept, white point corrected only.
 * - `gray`: luminance with the white point corrected.
 * - `bw`: local threshold against the estimated paper brightness (red seals turn black).
 * - `remove_background`: the paper flattened to white (uneven light, shadows, yellowed paper),
 *   ink and seals keep their colour.
 */
export function enhance(cv: CV, rgba: RgbaImage, mode: EnhanceMode = 'color'): RgbaImage {
  assertRgba(rgba);
  if (mode === 'color') {
    // Plain JS: no copy into the WASM heap.
    const out = { data: new Uint8ClampedArray(rgba.data), width: rgba.width, height: rgba.height };
    whitePoint(out);
    return out;
  }
  return withMats(cv, (keep) => {
    const src = matFromRgba(cv, rgba, keep);
    switch (mode) {
      case 'gray': {
        const gray = keep(new cv.Mat());
        cv.cvtColor(src, gray, cv.COLOR_RGBA2GRAY);
        const out = rgbaFromMat(cv, gray, keep);
        whitePoint(out);
        return out;
      }
      case 'bw': {
        const gray = keep(new cv.Mat());
        cv.cvtColor(src, gray, cv.COLOR_RGBA2GRAY);
        const flat = flatten(cv, gray, keep);
        const bw = keep(new cv.Mat());
        // Ink: darker than 75 % of the paper around it.
        cv.threshold(flat, bw, 0.75 * 255, 255, cv.THRESH_BINARY);
        cv.medianBlur(bw, bw, 3);
        return rgbaFromMat(cv, bw, keep);
      }
      case 'remove_background': {
        const rgb = keep(new cv.Mat());
        cv.cvtColor(src, rgb, cv.COLOR_RGBA2RGB);
        const out = rgbaFromMat(cv, flatten(cv, rgb, keep), keep);
        paperCurve(out.data);
        return out;
      }
      default:
        throw new Error(`scan: unknown enhance mode ${String(mode)}`);
    }
  });
}

/**
 * Share of the page (inside a 5 % margin) covered by ink: pixels darker than 70 % of the local
 * paper brightness, after a 3×3 median against noise. Measured on a copy of at most 700 px.
 */
export function inkCoverage(cv: CV, rgba: RgbaImage): number {
  assertRgba(rgba);
  return withMats(cv, (keep) => {
    // Gray at full size first, then shrink: one channel to shrink instead of four.
    const gray = keep(new cv.Mat());
    cv.cvtColor(matFromRgba(cv, rgba, keep), gray, cv.COLOR_RGBA2GRAY);
    return inkCoverageMat(cv, shrinkForInk(cv, gray, keep), keep);
  });
}

/** The page shrunk to at most 700 px for the ink count (the Mat itself if already that small). */
function shrinkForInk(cv: CV, page: Mat, keep: <M extends Deletable>(m: M) => M): Mat {
  const f = Math.min(1, 700 / Math.max(page.cols, page.rows));
  if (f >= 1) return page;
  const small = keep(new cv.Mat());
  cv.resize(page, small, new cv.Size(Math.max(1, Math.round(page.cols * f)), Math.max(1, Math.round(page.rows * f))), 0, 0, cv.INTER_AREA);
  return small;
}

/** Ink coverage of a page already shrunk by `shrinkForInk` (CV_8UC4 or gray). */
function inkCoverageMat(cv: CV, small: Mat, keep: <M extends Deletable>(m: M) => M): number {
  let gray = small;
  if (small.type() !== cv.CV_8UC1) {
    gray = keep(new cv.Mat());
    cv.cvtColor(small, gray, cv.COLOR_RGBA2GRAY);
  }
  const flat = flatten(cv, gray, keep);
  cv.medianBlur(flat, flat, 3);
  const w = flat.cols;
  const h = flat.rows;
  const d = flat.data;
  const mx = Math.round(w * 0.05);
  const my = Math.round(h * 0.05);
  let ink = 0;
  let n = 0;
  for (let y = my; y < h - my; y++) {
    for (let x = mx; x < w - mx; x++) {
      n++;
      if (d[y * w + x]! < 0.7 * 255) ink++;
    }
  }
  return n ? ink / n : 0;
}

/** Ink coverage below which a page counts as blank (a page with one short line is about 0.3 %). */
export const BLANK_INK_COVERAGE = 0.001;

/** True if the flat page carries (almost) no ink. */
export function isBlankPage(cv: CV, rgba: RgbaImage, threshold = BLANK_INK_COVERAGE): boolean {
  return inkCoverage(cv, rgba) < threshold;
}

// ---------------------------------------------------------------------------------------------
// rotate90 (no OpenCV)

/** Rotates by quarter turns, clockwise for positive `quarterTurns`. Returns a new image. */
export function rotate90(rgba: RgbaImage, quarterTurns: number): RgbaImage {
  assertRgba(rgba);
  const t = ((Math.round(quarterTurns) % 4) + 4) % 4;
  const { width: w, height: h } = rgba;
  const src = new Uint32Array(rgba.data.buffer, rgba.data.byteOffset, w * h);
  if (t === 0) return { data: new Uint8ClampedArray(rgba.data), width: w, height: h };
  const ow = t === 2 ? w : h;
  const oh = t === 2 ? h : w;
  const out = new Uint8ClampedArray(w * h * 4);
  const dst = new Uint32Array(out.buffer);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      let ox: number;
      let oy: number;
      if (t === 1) {
        ox = h - 1 - y;
        oy = x;
      } else if (t === 2) {
        ox = w - 1 - x;
        oy = h - 1 - y;
      } else {
        ox = y;
        oy = w - 1 - x;
      }
      dst[oy * ow + ox] = src[row + x]!;
    }
  }
  return { data: out, width: ow, height: oh };
}

/** Maps a point of the frame to the rotated frame (for drawing corners over a rotated preview). */
export function rotatePoint(p: Point, width: number, height: number, quarterTurns: number): Point {
  const t = ((Math.round(quarterTurns) % 4) + 4) % 4;
  if (t === 1) return { x: height - 1 - p.y, y: p.x };
  if (t === 2) return { x: width - 1 - p.x, y: height - 1 - p.y };
  if (t === 3) return { x: p.y, y: width - 1 - p.x };
  return { ...p };
}

// ---------------------------------------------------------------------------------------------
// The whole capture in one call (what the worker's 'process' runs)

export interface ProcessOptions {
  /** Corners the clerk accepted or dragged; when absent the page is detected. */
  corners?: Quad | null;
  /**
   * Snap the given corners to the page edges on this frame (for corners taken over from the live
   * overlay: saves the detection; if no edges are found near them, the page is detected again).
   * Leave off for corners the clerk dragged.
   */
  refineCorners?: boolean;
  detect?: DetectOptions;
  /** Without an outline, keep the whole frame (true, default) or fail (false). */
  wholeFrameIfNotFound?: boolean;
  mode?: EnhanceMode;
  /** Quarter turns clockwise applied to the flat page. */
  rotate?: number;
  /** Deskew the content after the warp: 'auto' (default) only when no outline was found. */
  deskew?: boolean | 'auto';
  warp?: Omit<WarpOptions, 'deskew'>;
  /**
   * Called with the cleaned page as soon as it exists, before the blank check, so the caller can
   * start encoding it (the browser encodes off this thread) while the ink is counted. The page's
   * pixels are not changed after this call.
   */
  onPage?: (page: RgbaImage) => void;
}

export interface ProcessResult {
  page: RgbaImage;
  /** The corners used (full-frame px), null when the whole frame was kept. */
  corners: Quad | null;
  detection: Detection | null;
  aspect: number;
  snappedTo: string | null;
  skewDegrees: number;
  /** Who drew the flat page (see WarpOptions.engine). */
  warpEngine: WarpEngine;
  ink: number;
  blank: boolean;
  /** Milliseconds per step. */
  timings: Record<string, number>;
}

/** The page's outline as the capture settles it (see ProcessOptions.corners), with the time it took. */
export interface ResolvedCorners {
  /** Null: no page found, the whole frame is kept. */
  corners: Quad | null;
  detection: Detection | null;
  timings: Record<string, number>;
}

/** A stopwatch over `timings`: each `lap(name)` records the milliseconds (one decimal) since the previous lap, or since the stopwatch started. */
export function lapTimer(timings: Record<string, number>): (name: string) => void {
  let t = now();
  return (name) => {
    const n = now();
    timings[name] = Math.round((n - t) * 10) / 10;
    t = n;
  };
}

/** Settles the outline: the given corners (snapped to this frame's edges on request), else detected. */
export function resolveCorners(cv: CV, frame: RgbaImage, opts: ProcessOptions = {}): ResolvedCorners {
  const timings: Record<string, number> = {};
  const lap = lapTimer(timings);
  let detection: Detection | null = null;
  let corners: Quad | null = opts.corners ? orderCorners(opts.corners) : null;
  if (corners && opts.refineCorners) {
    const r = refineDocumentCorners(frame, corners);
    lap('refine');
    if (r.refined) corners = r.corners;
    else {
      // The page moved since the overlay's frame (or its edges are not where they were): find it again on this frame.
      detection = detectDocument(cv, frame, opts.detect ?? CAPTURE_DETECT);
      lap('detect');
      corners = detection?.corners ?? corners;
    }
  }
  if (!corners) {
    detection = detectDocument(cv, frame, opts.detect ?? CAPTURE_DETECT);
    lap('detect');
    corners = detection?.corners ?? null;
    if (!corners && opts.wholeFrameIfNotFound === false) throw new Error('scan: no page found in the frame');
  }
  return { corners, detection, timings };
}

export function processPage(cv: CV, frame: RgbaImage, opts: ProcessOptions = {}): ProcessResult {
  return processResolved(cv, frame, resolveCorners(cv, frame, opts), opts);
}

/** Whether the page is deskewed: ProcessOptions.deskew, 'auto' meaning only a frame kept whole. */
export function deskewWanted(opts: ProcessOptions, corners: Quad | null): boolean {
  return opts.deskew === 'auto' || opts.deskew === undefined ? !corners : opts.deskew;
}

/** processPage once the outline is settled (resolveCorners). */
export function processResolved(cv: CV, frame: RgbaImage, resolved: ResolvedCorners, opts: ProcessOptions = {}): ProcessResult {
  const timings: Record<string, number> = { ...resolved.timings };
  const lap = lapTimer(timings);
  const { corners, detection } = resolved;
  const whole: Quad = [
    { x: -0.5, y: -0.5 },
    { x: frame.width - 0.5, y: -0.5 },
    { x: frame.width - 0.5, y: frame.height - 0.5 },
    { x: -0.5, y: frame.height - 0.5 },
  ];
  const deskew = deskewWanted(opts, corners);
  const target = corners ?? whole;
  const warpOpts: WarpOptions = corners ? { ...opts.warp, deskew } : { ...opts.warp, snap: false, width: frame.width, height: frame.height, deskew };
  const mode = opts.mode ?? 'color';
  const turns = ((Math.round(opts.rotate ?? 0) % 4) + 4) % 4;
  // Warp, colour clean-up and blank check in one pass: the flat page leaves the WASM heap once,
  // the ink is counted on a shrunk copy made there, and the white point is applied in place.
  const out = withMats(cv, (keep) => {
    // The flat page drawn outside OpenCV where it can be (see WarpOptions.engine), else by OpenCV;
    // in colour mode its ink is counted on the page as warped, in OpenCV's heap: OpenCV's own
    // output, or a copy of the other engine's page made before the colour curves change it.
    const drawn = corners ? warpOutsideOpenCv(frame, target, warpOpts) : null;
    const warped = drawn ? { ...drawn, mat: null } : warpToMat(cv, frame, target, warpOpts, keep);
    let page: RgbaImage = drawn ? { data: drawn.data, width: drawn.width, height: drawn.height } : rgbaFromMat(cv, warped.mat!, keep);
    const inkMat = warped.mat ?? (mode === 'color' ? matFromRgba(cv, page, keep) : null);
    lap('warp');
    if (turns) {
      page = rotate90(page, turns);
      lap('rotate');
    }
    let luts: Luts | null = null;
    if (mode === 'color') {
      luts = whitePointLuts(page.data);
      applyLuts(page.data, luts);
    } else {
      page = enhance(cv, page, mode);
    }
    lap('enhance');
    opts.onPage?.(page);
    // The ink, counted on the warped page in the heap (gray at full size, then shrunk: both
    // native and cheap; rotation does not change the count). Not through the colour curves: ink is
    // measured against the local paper brightness, which the per-channel gains scale alike.
    // Other modes count on the page as cleaned.
    let ink: number;
    if (luts && inkMat) {
      const gray = keep(new cv.Mat());
      cv.cvtColor(inkMat, gray, cv.COLOR_RGBA2GRAY);
      ink = inkCoverageMat(cv, shrinkForInk(cv, gray, keep), keep);
    } else {
      ink = inkCoverage(cv, page);
    }
    lap('blank');
    return { page, ink, aspect: warped.aspect, snappedTo: warped.snappedTo, skewDegrees: warped.skewDegrees, warpEngine: drawn ? drawn.engine : ('opencv' as const) };
  });
  return {
    page: out.page,
    corners,
    detection,
    aspect: out.aspect,
    snappedTo: out.snappedTo,
    skewDegrees: out.skewDegrees,
    warpEngine: out.warpEngine,
    ink: out.ink,
    blank: out.ink < BLANK_INK_COVERAGE,
    timings,
  };
}

/** Maps page coordinates (px of the flat page) back into the frame, e.g. to draw on the preview. */
export function pageToFrame(corners: Quad, pageWidth: number, pageHeight: number, p: Point): Point {
  const h = homography(
    [
      { x: -0.5, y: -0.5 },
      { x: pageWidth - 0.5, y: -0.5 },
      { x: pageWidth - 0.5, y: pageHeight - 0.5 },
      { x: -0.5, y: pageHeight - 0.5 },
    ],
    corners,
  );
  return applyHomography(h, p);
}
