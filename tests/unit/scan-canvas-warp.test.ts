import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../helpers/temp';
import { applyHomography, type Quad } from '../../renderer/src/scan/geometry';
import { pageSize } from '../../renderer/src/scan/pipeline';
import { MAX_WARP_ERROR, PIXELS_PER_CELL, canvasWarpAvailable, pageToFrameHomography, quadInside, sourceBox, warpGrid, warpRgbaOnCanvas } from '../../renderer/src/scan/canvas-warp';

/**
 * The geometry of the canvas warp (renderer/src/scan/canvas-warp.ts), in Node: the cells it cuts a
 * perspective into, checked densely against the homography. The drawing itself needs a browser's
 * canvas and is compared with OpenCV's warp in tests/e2e/scan-warp-quality.spec.ts.
 */
const truth = JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/scan/truth.json'), 'utf8')) as {
  fixtures: Array<{ name: string; width: number; height: number; corners: [number, number][] | null }>;
};

/** The largest distance between each cell's affine fit and the homography, on a 9×9 grid of points per cell (source px). */
function denseError(h: number[], width: number, height: number, grid: ReturnType<typeof warpGrid>): number {
  let worst = 0;
  for (let j = 0; j < grid.rows; j++)
    for (let i = 0; i < grid.cols; i++) {
      const x0 = Math.round((i * width) / grid.cols);
      const x1 = Math.round(((i + 1) * width) / grid.cols);
      const y0 = Math.round((j * height) / grid.rows);
      const y1 = Math.round(((j + 1) * height) / grid.rows);
      const m = grid.fits.subarray(6 * (j * grid.cols + i), 6 * (j * grid.cols + i) + 6);
      for (let v = 0; v <= 8; v++)
        for (let u = 0; u <= 8; u++) {
          const x = x0 + ((x1 - x0) * u) / 8;
          const y = y0 + ((y1 - y0) * v) / 8;
          const exact = applyHomography(h, { x, y });
          worst = Math.max(worst, Math.hypot(m[0]! * x + m[2]! * y + m[4]! - exact.x, m[1]! * x + m[3]! * y + m[5]! - exact.y));
        }
    }
  return worst;
}

describe('canvas warp geometry', () => {
  it('maps the page canvas corners onto the outline, shifted to canvas coordinates (pixel centres at +0.5)', () => {
    const q: Quad = [
      { x: 100, y: 50 },
      { x: 900, y: 80 },
      { x: 870, y: 700 },
      { x: 120, y: 650 },
    ];
    const h = pageToFrameHomography(q, 800, 600);
    const page = [
      { x: 0, y: 0 },
      { x: 800, y: 0 },
      { x: 800, y: 600 },
      { x: 0, y: 600 },
    ];
    page.forEach((p, k) => {
      const f = applyHomography(h, p);
      expect(f.x).toBeCloseTo(q[k]!.x + 0.5, 6);
      expect(f.y).toBeCloseTo(q[k]!.y + 0.5, 6);
    });
  });

  it('an affine outline (a rotated rectangle) needs one cell, fitted exactly', () => {
    const a = (12 * Math.PI) / 180;
    const r = (x: number, y: number) => ({ x: 300 + x * Math.cos(a) - y * Math.sin(a), y: 200 + x * Math.sin(a) + y * Math.cos(a) });
    const q: Quad = [r(0, 0), r(1000, 0), r(1000, 700), r(0, 700)];
    const h = pageToFrameHomography(q, 1000, 700);
    const grid = warpGrid(h, 1000, 700);
    expect([grid.cols, grid.rows]).toEqual([1, 1]);
    expect(grid.maxError).toBeLessThan(1e-6);
  });

  for (const fx of truth.fixtures.filter((f) => f.corners)) {
    it(`${fx.name}: every cell's affine map stays within ${MAX_WARP_ERROR} px of the perspective, checked densely`, () => {
      const q = fx.corners!.map(([x, y]) => ({ x, y })) as Quad;
      const { width, height } = pageSize(q, fx.width, fx.height);
      const h = pageToFrameHomography(q, width, height);
      const grid = warpGrid(h, width, height);
      expect(grid.maxError).toBeLessThanOrEqual(MAX_WARP_ERROR);
      // The search looks at 5×5 points a cell; a 9×9 look finds at most a hair more.
      expect(denseError(h, width, height, grid)).toBeLessThanOrEqual(MAX_WARP_ERROR * 1.02);
      // Few enough cells for the canvas to be worth it (see PIXELS_PER_CELL).
      expect(grid.cols * grid.rows).toBeLessThanOrEqual((width * height) / PIXELS_PER_CELL);
      expect(quadInside(q, fx.width, fx.height)).toBe(true);
      const box = sourceBox(q, fx.width, fx.height);
      for (const p of q) {
        expect(p.x - box.x).toBeGreaterThanOrEqual(3);
        expect(box.x + box.width - 1 - p.x).toBeGreaterThanOrEqual(3);
        expect(p.y - box.y).toBeGreaterThanOrEqual(3);
        expect(box.y + box.height - 1 - p.y).toBeGreaterThanOrEqual(3);
      }
    });
  }

  it('an outline at the frame border is left to OpenCV (which repeats the border)', () => {
    const q: Quad = [
      { x: 0.5, y: 10 },
      { x: 600, y: 10 },
      { x: 600, y: 400 },
      { x: 0.5, y: 400 },
    ];
    expect(quadInside(q, 640, 480)).toBe(false);
  });

  it('in Node (no OffscreenCanvas) the canvas warp declines and draws nothing', () => {
    expect(canvasWarpAvailable()).toBe(false);
    const frame = { data: new Uint8ClampedArray(64 * 48 * 4), width: 64, height: 48 };
    const q: Quad = [
      { x: 5, y: 5 },
      { x: 58, y: 6 },
      { x: 57, y: 42 },
      { x: 6, y: 41 },
    ];
    expect(warpRgbaOnCanvas(frame, q, 50, 36)).toBeNull();
  });
});
