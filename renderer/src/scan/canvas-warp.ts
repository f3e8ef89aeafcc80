/**
 * The perspective warp done by the browser's own 2D raster engine (Skia, with SIMD) instead of
 * OpenCV.js's warpPerspective (no SIMD, no threads in the shipped build).
 *
 * A 2D canvas draws only affine maps, so the flat page is cut into a grid of rectangular cells and
 * each cell is filled (`fillRect`, whole pixels: no antialiasing, no overlap) with the frame as a
 * pattern under the affine map that best fits the homography over that cell (least squares). The
 * grid is made fine enough that every cell stays within `MAX_WARP_ERROR` source pixels of the true
 * perspective (`warpGrid`), so two neighbouring cells disagree by at most twice that along their
 * common edge. Bilinear sampling (`imageSmoothingQuality = 'low'`), as OpenCV's INTER_LINEAR.
 *
 * Why rectangles and not triangles (which meet without any jump, each drawn grown by a pixel under
 * an antialiased path): measured in Chromium on the scan fixtures (bench/README.md), triangles
 * within 0.25 px were no faster than rectangles within 0.125 px (an antialiased fill costs per
 * scanline) and further from OpenCV's warp (PSNR 46-56 dB against 53-61 dB).
 *
 * Coordinates: the pipeline's (OpenCV's) convention puts pixel centres at integers; a canvas puts
 * them at half-integers, so everything here is shifted by 0.5 where the two meet.
 */
import { homography, type Point, type Quad } from './geometry';

/**
 * Largest distance (source px) a cell's affine map may stray from the true homography: neighbours
 * then meet within a quarter of a pixel.
 */
export const MAX_WARP_ERROR = 0.125;
/** No finer than this (cells per side): the strongest tilt of the fixtures needs 51×35 cells. */
const MAX_CELLS_PER_SIDE = 128;
/**
 * Each fill costs some 10-15 µs on top of its pixels, while the canvas saves some 6-8 ns a page
 * pixel over OpenCV: with fewer than one cell per this many page pixels the canvas is faster
 * (measured: 1785 cells for a 2.85 MP page, the fixtures' strongest tilt, came out about even).
 * Beyond it the caller falls back to OpenCV.
 */
export const PIXELS_PER_CELL = 1500;

export interface WarpGrid {
  cols: number;
  rows: number;
  /** The largest deviation of the affine pieces from the homography found on the grid (source px). */
  maxError: number;
  /** Each cell's affine map, page → frame, row by row: [a b c d e f] (x' = a x + c y + e, y' = b x + d y + f). */
  fits: Float64Array;
}

/** Whether this context can warp on a canvas (a browser or worker; not Node). */
export function canvasWarpAvailable(): boolean {
  return typeof OffscreenCanvas === 'function' && typeof DOMMatrix === 'function';
}

/** The homography from page canvas coordinates (0..width, 0..height) to frame canvas coordinates. */
export function pageToFrameHomography(corners: Quad, width: number, height: number): number[] {
  const page: Point[] = [
    { x: 0, y: 0 },
    { x: width, y: 0 },
    { x: width, y: height },
    { x: 0, y: height },
  ];
  // The corners are the page's outer edges in pixel-centre coordinates: +0.5 makes them canvas coordinates.
  return homography(
    page,
    corners.map((p) => ({ x: p.x + 0.5, y: p.y + 0.5 })),
  );
}

/** `h` applied to (x, y), into `out` at `at` (no allocation: this runs some 100 000 times a grid). */
function project(h: readonly number[], x: number, y: number, out: Float64Array, at: number): void {
  const w = h[6]! * x + h[7]! * y + h[8]!;
  out[at] = (h[0]! * x + h[1]! * y + h[2]!) / w;
  out[at + 1] = (h[3]! * x + h[4]! * y + h[5]!) / w;
}

const RECT_SAMPLES = 5;
const rectFrame = new Float64Array(2 * RECT_SAMPLES * RECT_SAMPLES);
/** The samples' offsets from the cell's centre along x and y, filled per cell by fitRect. */
const rectU = new Float64Array(RECT_SAMPLES);
const rectV = new Float64Array(RECT_SAMPLES);

/**
 * The least-squares affine fit of `h` over the rectangle [x0,x1]×[y0,y1] (page → frame) on a 5×5
 * grid of samples, as a matrix [a b c d e f] (x' = a x + c y + e, y' = b x + d y + f), and its
 * largest error there (source px).
 */
export function fitRect(h: readonly number[], x0: number, y0: number, x1: number, y1: number): { m: [number, number, number, number, number, number]; error: number } {
  // Local coordinates centred on the cell: on a symmetric grid Σu = Σv = Σuv = 0 and the fit separates.
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const n = RECT_SAMPLES;
  for (let i = 0; i < n; i++) {
    rectU[i] = ((x1 - x0) * i) / (n - 1) - (x1 - x0) / 2;
    rectV[i] = ((y1 - y0) * i) / (n - 1) - (y1 - y0) / 2;
  }
  let suu = 0;
  let svv = 0;
  let sx = 0;
  let sy = 0;
  let sux = 0;
  let suy = 0;
  let svx = 0;
  let svy = 0;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const u = rectU[i]!;
      const v = rectV[j]!;
      const k = 2 * (j * n + i);
      project(h, cx + u, cy + v, rectFrame, k);
      const fx = rectFrame[k]!;
      const fy = rectFrame[k + 1]!;
      suu += u * u;
      svv += v * v;
      sx += fx;
      sy += fy;
      sux += u * fx;
      suy += u * fy;
      svx += v * fx;
      svy += v * fy;
    }
  const ax = suu ? sux / suu : 0;
  const bx = svv ? svx / svv : 0;
  const ay = suu ? suy / suu : 0;
  const by = svv ? svy / svv : 0;
  const tx = sx / (n * n);
  const ty = sy / (n * n);
  let error = 0;
  for (let j = 0; j < n; j++)
    for (let i = 0; i < n; i++) {
      const u = rectU[i]!;
      const v = rectV[j]!;
      const k = 2 * (j * n + i);
      error = Math.max(error, Math.hypot(ax * u + bx * v + tx - rectFrame[k]!, ay * u + by * v + ty - rectFrame[k + 1]!));
    }
  return { m: [ax, ay, bx, by, tx - ax * cx - bx * cy, ty - ay * cx - by * cy], error };
}

/** Cell edges of a grid: `count` cells over `size` px, at whole pixels. */
const edge = (k: number, count: number, size: number) => Math.round((k * size) / count);

/**
 * Largest deviation (source px) of the affine pieces from `h` over the cells of a cols×rows grid;
 * `cornersOnly` looks at the four corner cells only (where a perspective usually bends most: its
 * second derivatives grow as 1/w³, and w is linear over the page).
 */
function gridError(h: readonly number[], width: number, height: number, cols: number, rows: number, cornersOnly: boolean, fits?: Float64Array): number {
  let worst = 0;
  const rowStep = cornersOnly ? Math.max(1, rows - 1) : 1;
  const colStep = cornersOnly ? Math.max(1, cols - 1) : 1;
  for (let j = 0; j < rows; j += rowStep) {
    for (let i = 0; i < cols; i += colStep) {
      const x0 = edge(i, cols, width);
      const x1 = edge(i + 1, cols, width);
      const y0 = edge(j, rows, height);
      const y1 = edge(j + 1, rows, height);
      const fit = fitRect(h, x0, y0, x1, y1);
      worst = Math.max(worst, fit.error);
      fits?.set(fit.m, 6 * (j * cols + i));
    }
  }
  return worst;
}

/**
 * The coarsest grid whose affine pieces stay within `maxError` source px of the homography `h`
 * (page canvas → frame canvas coordinates). Refines the direction that gains the most per cell
 * added, so a tilt along one axis gets cuts along that axis only. Searched on the corner cells,
 * then checked on every cell (and refined further should another cell be worse).
 */
export function warpGrid(h: readonly number[], width: number, height: number, maxError = MAX_WARP_ERROR): WarpGrid {
  let cols = 1;
  let rows = 1;
  for (const cornersOnly of [true, false]) {
    let err = gridError(h, width, height, cols, rows, cornersOnly);
    while (err > maxError && (cols < MAX_CELLS_PER_SIDE || rows < MAX_CELLS_PER_SIDE)) {
      const byCols = cols < MAX_CELLS_PER_SIDE ? gridError(h, width, height, cols + 1, rows, cornersOnly) : Infinity;
      const byRows = rows < MAX_CELLS_PER_SIDE ? gridError(h, width, height, cols, rows + 1, cornersOnly) : Infinity;
      // Error removed per cell added.
      if ((err - byCols) / rows >= (err - byRows) / cols) {
        cols++;
        err = byCols;
      } else {
        rows++;
        err = byRows;
      }
    }
    if (!cornersOnly) {
      // The grid is final: its fits, for drawing.
      const fits = new Float64Array(6 * cols * rows);
      gridError(h, width, height, cols, rows, false, fits);
      return { cols, rows, maxError: err, fits };
    }
  }
  throw new Error('unreachable');
}

export interface CanvasWarpOptions {
  maxError?: number;
  /** Image smoothing: 'low' is bilinear (what OpenCV's INTER_LINEAR does). */
  quality?: ImageSmoothingQuality;
}

/** The inverse of the affine map at `at` in `m` ([a b c d e f], x' = a x + c y + e, y' = b x + d y + f), as a DOMMatrix2DInit. */
function invertAffine(m: Float64Array, at: number): DOMMatrix2DInit {
  const a = m[at]!;
  const b = m[at + 1]!;
  const c = m[at + 2]!;
  const d = m[at + 3]!;
  const e = m[at + 4]!;
  const f = m[at + 5]!;
  const det = a * d - b * c;
  return { a: d / det, b: -b / det, c: -c / det, d: a / det, e: (c * f - d * e) / det, f: (b * e - a * f) / det };
}

/** Draws the page flat onto `ctx` (a `width`×`height` canvas), cell by cell as `grid` maps them from `source`. */
function drawCells(ctx: OffscreenCanvasRenderingContext2D, source: ImageBitmap, grid: WarpGrid, width: number, height: number, quality: ImageSmoothingQuality): void {
  ctx.imageSmoothingEnabled = true;
  ctx.imageSmoothingQuality = quality;
  const pattern = ctx.createPattern(source, 'no-repeat');
  if (!pattern) throw new Error('scan: no pattern for the warp');
  ctx.fillStyle = pattern;
  const { cols, rows } = grid;
  for (let j = 0; j < rows; j++) {
    const y0 = edge(j, rows, height);
    const y1 = edge(j + 1, rows, height);
    for (let i = 0; i < cols; i++) {
      const x0 = edge(i, cols, width);
      const x1 = edge(i + 1, cols, width);
      // The pattern's transform maps the frame onto the page: the inverse of the cell's fit.
      pattern.setTransform(invertAffine(grid.fits, 6 * (j * cols + i)));
      ctx.fillRect(x0, y0, x1 - x0, y1 - y0);
    }
  }
}

/** Whether the page's corners lie at least `margin` px inside a width×height frame. */
export function quadInside(corners: Quad, width: number, height: number, margin = 2): boolean {
  return corners.every((p) => p.x >= margin && p.y >= margin && p.x <= width - 1 - margin && p.y <= height - 1 - margin);
}

/** The frame's pixels the warp reads: the page's bounding box grown by `margin`, within the frame. */
export function sourceBox(corners: Quad, width: number, height: number, margin = 3): { x: number; y: number; width: number; height: number } {
  const x0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.x))) - margin);
  const y0 = Math.max(0, Math.floor(Math.min(...corners.map((p) => p.y))) - margin);
  const x1 = Math.min(width, Math.ceil(Math.max(...corners.map((p) => p.x))) + margin + 1);
  const y1 = Math.min(height, Math.ceil(Math.max(...corners.map((p) => p.y))) + margin + 1);
  return { x: x0, y: y0, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

export interface CanvasWarpResult {
  /** The flat page, RGBA, opaque. */
  page: { data: Uint8ClampedArray; width: number; height: number };
  grid: WarpGrid;
}

/** A flat page left on a canvas (not read back): to encode or shrink it there. */
export interface CanvasPageDrawn {
  canvas: OffscreenCanvas;
  ctx: OffscreenCanvasRenderingContext2D;
  grid: WarpGrid;
  /** Frees the frame's pixels the cells were drawn from: call once the page has been read (drawn elsewhere, encoded, read back). */
  release(): void;
}

/**
 * Warps the quadrilateral `corners` (pixel-centre coordinates of `frame`, tl, tr, br, bl) to a flat
 * `width`×`height` page on canvases: the page's bounding box of the frame into a source canvas, the
 * cells drawn, the page read back. Returns null, having drawn nothing, where it should not be used:
 * no OffscreenCanvas here, a page reaching to within 2 px of the frame's border (OpenCV repeats the
 * border there, a pattern would fade it out), or a perspective that needs so many cells that the
 * canvas would be slower (`PIXELS_PER_CELL`).
 */
export function warpRgbaOnCanvas(
  frame: { data: Uint8ClampedArray; width: number; height: number },
  corners: Quad,
  width: number,
  height: number,
  opts: CanvasWarpOptions = {},
): CanvasWarpResult | null {
  const drawn = warpOntoCanvas(frame, corners, width, height, opts);
  if (!drawn) return null;
  try {
    // Reading back runs the recorded fills, so the source is released only after.
    const img = drawn.ctx.getImageData(0, 0, width, height);
    return { page: { data: img.data, width, height }, grid: drawn.grid };
  } finally {
    drawn.release();
  }
}

/** warpRgbaOnCanvas without the read-back: the page stays on its (CPU-backed, opaque) canvas. */
export function warpOntoCanvas(
  frame: { data: Uint8ClampedArray; width: number; height: number },
  corners: Quad,
  width: number,
  height: number,
  opts: CanvasWarpOptions = {},
): CanvasPageDrawn | null {
  if (!canvasWarpAvailable() || !quadInside(corners, frame.width, frame.height)) return null;
  const maxError = opts.maxError ?? MAX_WARP_ERROR;
  const box = sourceBox(corners, frame.width, frame.height);
  const h = pageToFrameHomography(
    corners.map((p) => ({ x: p.x - box.x, y: p.y - box.y })) as Quad,
    width,
    height,
  );
  const grid = warpGrid(h, width, height, maxError);
  if (grid.maxError > maxError || grid.cols * grid.rows > Math.max(1, (width * height) / PIXELS_PER_CELL)) return null;
  // Both canvases CPU-backed (willReadFrequently), also where a GPU exists: the pixels come from
  // and go back to JS at once. Opaque: nothing to premultiply.
  const source = new OffscreenCanvas(box.width, box.height);
  const sctx = source.getContext('2d', { alpha: false, willReadFrequently: true });
  const canvas = new OffscreenCanvas(width, height);
  const ctx = canvas.getContext('2d', { alpha: false, willReadFrequently: true });
  if (!sctx || !ctx) throw new Error('scan: no 2D context for the warp');
  // Only the box is copied (the dirty rectangle), to the source canvas's origin; then handed over
  // as a bitmap without a copy (a pattern of the canvas itself would snapshot it, a copy).
  sctx.putImageData(new ImageData(frame.data as Uint8ClampedArray<ArrayBuffer>, frame.width, frame.height), -box.x, -box.y, box.x, box.y, box.width, box.height);
  const bitmap = source.transferToImageBitmap();
  try {
    drawCells(ctx, bitmap, grid, width, height, opts.quality ?? 'low');
  } catch (e) {
    bitmap.close();
    throw e;
  }
  return { canvas, ctx, grid, release: () => bitmap.close() };
}
