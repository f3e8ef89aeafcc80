/**
 * Plane geometry for the scan pipeline, without OpenCV: corner ordering, robust line fitting,
 * intersections, homographies and the page's true aspect ratio from a perspective quadrilateral.
 * Coordinates are pixels with the centre of the top-left pixel at (0, 0).
 */

export interface Point {
  x: number;
  y: number;
}
/** Corners in the order top-left, top-right, bottom-right, bottom-left (clockwise on screen). */
export type Quad = [Point, Point, Point, Point];

/** A line n·p = c with |n| = 1. */
export interface Line {
  nx: number;
  ny: number;
  c: number;
}

export const dist = (a: Point, b: Point): number => Math.hypot(a.x - b.x, a.y - b.y);

export function polygonArea(pts: readonly Point[]): number {
  let s = 0;
  for (let i = 0; i < pts.length; i++) {
    const a = pts[i]!;
    const b = pts[(i + 1) % pts.length]!;
    s += a.x * b.y - b.x * a.y;
  }
  return Math.abs(s) / 2;
}

export function isConvexQuad(q: readonly Point[]): boolean {
  if (q.length !== 4) return false;
  let sign = 0;
  for (let i = 0; i < 4; i++) {
    const a = q[i]!;
    const b = q[(i + 1) % 4]!;
    const c = q[(i + 2) % 4]!;
    const cross = (b.x - a.x) * (c.y - b.y) - (b.y - a.y) * (c.x - b.x);
    if (Math.abs(cross) < 1e-9) return false;
    const s = Math.sign(cross);
    if (sign === 0) sign = s;
    else if (s !== sign) return false;
  }
  return true;
}

/** The smallest interior angle of a quadrilateral, in degrees. */
export function minInteriorAngle(q: Quad): number {
  let min = 180;
  for (let i = 0; i < 4; i++) {
    const p = q[(i + 3) % 4]!;
    const c = q[i]!;
    const n = q[(i + 1) % 4]!;
    const a1 = Math.atan2(p.y - c.y, p.x - c.x);
    const a2 = Math.atan2(n.y - c.y, n.x - c.x);
    let d = Math.abs(a1 - a2) * (180 / Math.PI);
    if (d > 180) d = 360 - d;
    min = Math.min(min, d);
  }
  return min;
}

/**
 * Orders four corners as top-left, top-right, bottom-right, bottom-left: clockwise on screen,
 * starting so that the first side (top) points as nearly to the right as possible. For a page
 * turned less than 45° this is the page's own top-left; beyond that the page comes out turned by
 * a quarter, which the clerk corrects with the 90° rotation.
 */
export function orderCorners(pts: readonly Point[]): Quad {
  if (pts.length !== 4) throw new Error(`orderCorners: need 4 points, got ${pts.length}`);
  const cx = (pts[0]!.x + pts[1]!.x + pts[2]!.x + pts[3]!.x) / 4;
  const cy = (pts[0]!.y + pts[1]!.y + pts[2]!.y + pts[3]!.y) / 4;
  // Sorting by atan2 with y down gives clockwise order on screen.
  const cw = [...pts].sort((a, b) => Math.atan2(a.y - cy, a.x - cx) - Math.atan2(b.y - cy, b.x - cx));
  let best = 0;
  let bestCos = -Infinity;
  for (let i = 0; i < 4; i++) {
    const a = cw[i]!;
    const b = cw[(i + 1) % 4]!;
    const cos = (b.x - a.x) / (dist(a, b) || 1);
    if (cos > bestCos) {
      bestCos = cos;
      best = i;
    }
  }
  return [0, 1, 2, 3].map((k) => ({ ...cw[(best + k) % 4]! })) as Quad;
}

export function lineThrough(a: Point, b: Point): Line {
  const dx = b.x - a.x;
  const dy = b.y - a.y;
  const len = Math.hypot(dx, dy) || 1;
  const nx = -dy / len;
  const ny = dx / len;
  return { nx, ny, c: nx * a.x + ny * a.y };
}

export function intersect(l1: Line, l2: Line): Point | null {
  const det = l1.nx * l2.ny - l1.ny * l2.nx;
  if (Math.abs(det) < 1e-9) return null;
  return { x: (l1.c * l2.ny - l1.ny * l2.c) / det, y: (l1.nx * l2.c - l1.c * l2.nx) / det };
}

/** Total-least-squares line through weighted points. */
function fitLineTls(pts: readonly Point[], w?: readonly number[]): Line | null {
  let sw = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < pts.length; i++) {
    const wi = w ? w[i]! : 1;
    sw += wi;
    mx += wi * pts[i]!.x;
    my += wi * pts[i]!.y;
  }
  if (sw <= 0) return null;
  mx /= sw;
  my /= sw;
  let sxx = 0;
  let sxy = 0;
  let syy = 0;
  for (let i = 0; i < pts.length; i++) {
    const wi = w ? w[i]! : 1;
    const dx = pts[i]!.x - mx;
    const dy = pts[i]!.y - my;
    sxx += wi * dx * dx;
    sxy += wi * dx * dy;
    syy += wi * dy * dy;
  }
  // Direction = principal eigenvector; normal is perpendicular.
  const theta = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  const nx = -Math.sin(theta);
  const ny = Math.cos(theta);
  return { nx, ny, c: nx * mx + ny * my };
}

/**
 * Robust line fit: total least squares, then iteratively reweighted with Tukey's biweight on the
 * residuals (scale from the median absolute deviation, at least `minScale` px). Returns the line
 * and the share of points that ended up as inliers.
 */
export function fitLineRobust(pts: readonly Point[], minScale = 0.7): { line: Line; inliers: number; rms: number; weights: number[] } | null {
  if (pts.length < 2) return null;
  let line = fitLineTls(pts);
  if (!line) return null;
  let weights: number[] = pts.map(() => 1);
  for (let iter = 0; iter < 6; iter++) {
    const res = pts.map((p) => line!.nx * p.x + line!.ny * p.y - line!.c);
    const abs = res.map(Math.abs).sort((a, b) => a - b);
    const mad = abs[Math.floor(abs.length / 2)]! * 1.4826;
    const c = 4.685 * Math.max(mad, minScale);
    weights = res.map((r) => {
      const u = r / c;
      return Math.abs(u) < 1 ? (1 - u * u) ** 2 : 0;
    });
    const next = fitLineTls(pts, weights);
    if (!next) break;
    line = next;
  }
  let n = 0;
  let ss = 0;
  for (let i = 0; i < pts.length; i++) {
    if (weights[i]! > 0) {
      n++;
      const r = line.nx * pts[i]!.x + line.ny * pts[i]!.y - line.c;
      ss += r * r;
    }
  }
  return { line, inliers: n / pts.length, rms: n ? Math.sqrt(ss / n) : Infinity, weights };
}

/**
 * A gently bent edge: offset δ(τ) = a + bτ + cτ² from a base line, τ measured along it from
 * `origin`. Models a page edge seen through a barrel-distorting lens or a slightly curled page.
 */
export interface EdgeCurve {
  origin: Point;
  /** Unit direction of the base line. */
  u: Point;
  /** Unit normal of the base line. */
  n: Point;
  a: number;
  b: number;
  c: number;
}

export function curvePoint(k: EdgeCurve, t: number): Point {
  const d = k.a + k.b * t + k.c * t * t;
  return { x: k.origin.x + k.u.x * t + k.n.x * d, y: k.origin.y + k.u.y * t + k.n.y * d };
}

/**
 * Weighted least-squares quadratic through edge points in the frame of `line`. The curvature is
 * kept only if it is well determined (enough points spread along the edge); otherwise c = 0.
 */
export function fitEdgeCurve(pts: readonly Point[], weights: readonly number[], line: Line): EdgeCurve {
  const n = { x: line.nx, y: line.ny };
  const u = { x: line.ny, y: -line.nx };
  const origin = { x: line.nx * line.c, y: line.ny * line.c };
  let sw = 0;
  let mt = 0;
  for (let i = 0; i < pts.length; i++) {
    sw += weights[i]!;
    mt += weights[i]! * (pts[i]!.x * u.x + pts[i]!.y * u.y);
  }
  const flat: EdgeCurve = { origin, u, n, a: 0, b: 0, c: 0 };
  if (sw <= 0) return flat;
  mt /= sw;
  // Normal equations in a centred, scaled variable s = (τ − mt) / scale for conditioning.
  let span = 0;
  for (const p of pts) span = Math.max(span, Math.abs(p.x * u.x + p.y * u.y - mt));
  const scale = span || 1;
  const S = new Float64Array(5);
  const R = new Float64Array(3);
  let used = 0;
  for (let i = 0; i < pts.length; i++) {
    const w = weights[i]!;
    if (w <= 0) continue;
    used++;
    const sv = (pts[i]!.x * u.x + pts[i]!.y * u.y - mt) / scale;
    const d = pts[i]!.x * n.x + pts[i]!.y * n.y - line.c;
    let pw = w;
    for (let k = 0; k < 5; k++) {
      S[k]! += pw;
      if (k < 3) R[k]! += pw * d;
      pw *= sv;
    }
  }
  if (used < 20) return flat;
  // Solve [[S0 S1 S2][S1 S2 S3][S2 S3 S4]] [p0 p1 p2] = R (Cramer).
  const m = [
    [S[0]!, S[1]!, S[2]!],
    [S[1]!, S[2]!, S[3]!],
    [S[2]!, S[3]!, S[4]!],
  ];
  const det3 = (q: number[][]) =>
    q[0]![0]! * (q[1]![1]! * q[2]![2]! - q[1]![2]! * q[2]![1]!) - q[0]![1]! * (q[1]![0]! * q[2]![2]! - q[1]![2]! * q[2]![0]!) + q[0]![2]! * (q[1]![0]! * q[2]![1]! - q[1]![1]! * q[2]![0]!);
  const D = det3(m);
  if (Math.abs(D) < 1e-12 * Math.abs(S[0]! * S[2]! * S[4]!)) return flat;
  const col = (j: number) => m.map((row, i) => row.map((v, k) => (k === j ? R[i]! : v)));
  const p0 = det3(col(0)) / D;
  const p1 = det3(col(1)) / D;
  const p2 = det3(col(2)) / D;
  // Back to τ: δ = p0 + p1 (τ − mt)/scale + p2 (τ − mt)²/scale².
  const c = p2 / (scale * scale);
  const b = p1 / scale - 2 * c * mt;
  const a = p0 - (p1 / scale) * mt + c * mt * mt;
  return { origin, u, n, a, b, c };
}

/**
 * Where two bent edges meet: starting from `guess`, intersect the tangents of both curves at the
 * points nearest the current estimate, a few times over.
 */
export function intersectCurves(k1: EdgeCurve, k2: EdgeCurve, guess: Point): Point | null {
  let x = guess;
  for (let i = 0; i < 8; i++) {
    const tangent = (k: EdgeCurve): Line => {
      const t = (x.x - k.origin.x) * k.u.x + (x.y - k.origin.y) * k.u.y;
      const p = curvePoint(k, t);
      const slope = k.b + 2 * k.c * t;
      return lineThrough(p, { x: p.x + k.u.x + k.n.x * slope, y: p.y + k.u.y + k.n.y * slope });
    };
    const next = intersect(tangent(k1), tangent(k2));
    if (!next) return null;
    const moved = dist(next, x);
    x = next;
    if (moved < 1e-3) break;
  }
  return x;
}

/** 3×3 homography, row-major, mapping src[i] → dst[i] (exactly four points). */
export function homography(src: readonly Point[], dst: readonly Point[]): number[] {
  // Solve the 8×8 system with h33 = 1 (Gaussian elimination with partial pivoting).
  const A: number[][] = [];
  for (let i = 0; i < 4; i++) {
    const { x, y } = src[i]!;
    const { x: u, y: v } = dst[i]!;
    A.push([x, y, 1, 0, 0, 0, -u * x, -u * y, u]);
    A.push([0, 0, 0, x, y, 1, -v * x, -v * y, v]);
  }
  for (let c = 0; c < 8; c++) {
    let p = c;
    for (let r = c + 1; r < 8; r++) if (Math.abs(A[r]![c]!) > Math.abs(A[p]![c]!)) p = r;
    [A[c], A[p]] = [A[p]!, A[c]!];
    const piv = A[c]![c]!;
    if (Math.abs(piv) < 1e-12) throw new Error('homography: degenerate points');
    for (let r = 0; r < 8; r++) {
      if (r === c) continue;
      const f = A[r]![c]! / piv;
      if (f === 0) continue;
      for (let k = c; k < 9; k++) A[r]![k]! -= f * A[c]![k]!;
    }
  }
  const h = A.map((row, i) => row[8]! / row[i]!);
  return [...h, 1];
}

export function applyHomography(h: readonly number[], p: Point): Point {
  const w = h[6]! * p.x + h[7]! * p.y + h[8]!;
  return { x: (h[0]! * p.x + h[1]! * p.y + h[2]!) / w, y: (h[3]! * p.x + h[4]! * p.y + h[5]!) / w };
}

/**
 * The width/height ratio of the real rectangle seen as `q`, after Zhang & He, "Whiteboard scanning
 * and image enhancement" (2007): the focal length is recovered from the quadrilateral itself, with
 * the principal point at the image centre. When the view is nearly affine (a document camera looks
 * almost straight down) the focal length is undetermined; then `assumedFocal` (default 0.85 × the
 * longer image side, a usual document-camera lens) is used, and the result hardly depends on it.
 */
export function estimateAspect(q: Quad, imageWidth: number, imageHeight: number, assumedFocal?: number): { aspect: number; focal: number | null } {
  const u0 = (imageWidth - 1) / 2;
  const v0 = (imageHeight - 1) / 2;
  const scale = Math.max(imageWidth, imageHeight);
  // Zhang's numbering: m1 = tl, m2 = tr, m3 = bl, m4 = br.
  const m = (p: Point): [number, number, number] => [p.x, p.y, 1];
  const [m1, m2, m4, m3] = [m(q[0]), m(q[1]), m(q[2]), m(q[3])];
  const cross = (a: number[], b: number[]) => [a[1]! * b[2]! - a[2]! * b[1]!, a[2]! * b[0]! - a[0]! * b[2]!, a[0]! * b[1]! - a[1]! * b[0]!];
  const dot = (a: number[], b: number[]) => a[0]! * b[0]! + a[1]! * b[1]! + a[2]! * b[2]!;
  const k2 = dot(cross(m1, m4), m3) / dot(cross(m2, m4), m3);
  const k3 = dot(cross(m1, m4), m2) / dot(cross(m3, m4), m2);
  const n2 = [k2 * m2[0] - m1[0], k2 * m2[1] - m1[1], k2 * m2[2] - m1[2]];
  const n3 = [k3 * m3[0] - m1[0], k3 * m3[1] - m1[1], k3 * m3[2] - m1[2]];
  const [n21, n22, n23] = n2 as [number, number, number];
  const [n31, n32, n33] = n3 as [number, number, number];
  let focal: number | null = null;
  if (Math.abs(n23 * n33) > 1e-12) {
    const f2 =
      -(n21 * n31 - (n21 * n33 + n23 * n31) * u0 + n23 * n33 * u0 * u0 + (n22 * n32 - (n22 * n33 + n23 * n32) * v0 + n23 * n33 * v0 * v0)) /
      (n23 * n33);
    const f = f2 > 0 ? Math.sqrt(f2) : NaN;
    // Outside a plausible range the estimate is noise.
    if (Number.isFinite(f) && f > 0.3 * scale && f < 6 * scale) focal = f;
  }
  const f = focal ?? assumedFocal ?? 0.85 * scale;
  // (w/h)² = (n2ᵀ A⁻ᵀ A⁻¹ n2) / (n3ᵀ A⁻ᵀ A⁻¹ n3), A = [[f,0,u0],[0,f,v0],[0,0,1]].
  const norm = (n: number[]): number => {
    const a = (n[0]! - u0 * n[2]!) / f;
    const b = (n[1]! - v0 * n[2]!) / f;
    return a * a + b * b + n[2]! * n[2]!;
  };
  const aspect = Math.sqrt(norm(n2) / norm(n3));
  if (Number.isFinite(aspect) && aspect > 0) return { aspect, focal };
  const w = (dist(q[0], q[1]) + dist(q[3], q[2])) / 2;
  const h = (dist(q[0], q[3]) + dist(q[1], q[2])) / 2;
  return { aspect: w / h, focal: null };
}

/** Well-known page shapes (width/height ≥ 1) to snap to: ISO A/B series, ID-1 cards. */
export const KNOWN_ASPECTS: ReadonlyArray<{ name: string; ratio: number }> = [
  { name: 'ISO A (A4, A3, A5)', ratio: Math.SQRT2 },
  { name: 'ID-1 card (身份证, bank card)', ratio: 85.6 / 54 },
];

/** Snaps `aspect` (w/h, either orientation) to a known shape within `tolerance` (relative). */
export function snapAspect(aspect: number, tolerance = 0.03): { aspect: number; snappedTo: string | null } {
  const landscape = aspect >= 1;
  const r = landscape ? aspect : 1 / aspect;
  for (const k of KNOWN_ASPECTS) {
    if (Math.abs(r / k.ratio - 1) <= tolerance) return { aspect: landscape ? k.ratio : 1 / k.ratio, snappedTo: k.name };
  }
  return { aspect, snappedTo: null };
}
