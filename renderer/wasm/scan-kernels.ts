// AssemblyScript source of the scan pipeline's WebAssembly kernels (SIMD). Compiled by
// scripts/build-wasm.mjs into renderer/src/scan/wasm/scan-kernels.generated.ts (committed, checked
// against this source by tests/unit/scan-wasm.test.ts). Not TypeScript: i32, f32, v128 are
// AssemblyScript's types; the file is outside the TypeScript and lint projects.
//
// Memory: the caller (renderer/src/scan/wasm-kernels.ts) owns the layout of the linear memory and
// grows it; nothing here allocates.

/**
 * Bilinear perspective warp, RGBA, with the border repeated (OpenCV's warpPerspective with
 * INTER_LINEAR and BORDER_REPLICATE): for every pixel (x, y) of the dw×dh page at `dst`, the
 * source point (X/Z, Y/Z) with X = h0 x + h1 y + h2, Y = h3 x + h4 y + h5, Z = h6 x + h7 y + h8
 * (pixel centres at integers) is sampled from the sw×sh image at `src`, at 1/32 px (OpenCV's
 * INTER_BITS), with weights in 1/1024.
 *
 * Four page pixels per step: their source points, fractions, weights and addresses are computed
 * four-wide (f32: at 5 MP a source coordinate is below 2^12, so 1/32 px is kept with room to spare);
 * each pixel's two neighbour pairs are loaded as two 8-byte rows and blended by two 16-bit dot
 * products; the four results are narrowed and stored as one 16-byte write. A step that touches the
 * border (rare: the page lies inside its box) takes the clamped path pixel by pixel.
 */
export function warpPerspective(
  src: usize, sw: i32, sh: i32,
  dst: usize, dw: i32, dh: i32,
  h0: f64, h1: f64, h2: f64, h3: f64, h4: f64, h5: f64, h6: f64, h7: f64, h8: f64,
): void {
  const stride = sw << 2;
  const lanes = f32x4(0.0, 1.0, 2.0, 3.0);
  const H0 = f32x4.splat(<f32>h0);
  const H3 = f32x4.splat(<f32>h3);
  const H6 = f32x4.splat(<f32>h6);
  const one = f32x4.splat(1.0);
  const k32 = f32x4.splat(32.0);
  const half = f32x4.splat(0.5);
  const m31 = i32x4.splat(31);
  const c32 = i32x4.splat(32);
  const lastX = i32x4.splat(sw - 1);
  const lastY = i32x4.splat(sh - 1);
  const strideV = i32x4.splat(stride);
  const srcV = i32x4.splat(<i32>src);
  const round = i32x4.splat(512);
  // In tiles of TILE×TILE page pixels: whatever the page's turn in the frame, the source pixels a
  // tile reads (some 16-20 KB) stay in the L1 cache while it is drawn (row by row over the whole
  // page, a page turned by 90° would read a new cache line for every pixel).
  for (let ty = 0; ty < dh; ty += TILE) {
    const yEnd = min(ty + TILE, dh);
    for (let tx = 0; tx < dw; tx += TILE) {
      const xEnd = min(tx + TILE, dw);
      for (let y = ty; y < yEnd; y++) {
        const fy = <f64>y;
        const BX = f32x4.splat(<f32>(h1 * fy + h2));
        const BY = f32x4.splat(<f32>(h4 * fy + h5));
        const BZ = f32x4.splat(<f32>(h7 * fy + h8));
        let out = dst + <usize>((y * dw + tx) << 2);
        let x = tx;
        for (; x + 4 <= xEnd; x += 4) {
          const xs = f32x4.add(f32x4.splat(<f32>x), lanes);
          const inv = f32x4.div(one, f32x4.add(f32x4.mul(H6, xs), BZ));
          const sx = i32x4.trunc_sat_f32x4_s(f32x4.floor(f32x4.add(f32x4.mul(f32x4.mul(f32x4.add(f32x4.mul(H0, xs), BX), inv), k32), half)));
          const sy = i32x4.trunc_sat_f32x4_s(f32x4.floor(f32x4.add(f32x4.mul(f32x4.mul(f32x4.add(f32x4.mul(H3, xs), BY), inv), k32), half)));
          const ix = i32x4.shr_s(sx, 5);
          const iy = i32x4.shr_s(sy, 5);
          let r0: v128, r1: v128, r2: v128, r3: v128;
          if (v128.all_true<i32>(v128.and(i32x4.lt_u(ix, lastX), i32x4.lt_u(iy, lastY)))) {
            const ax = v128.and(sx, m31);
            const ay = v128.and(sy, m31);
            const bx = i32x4.sub(c32, ax);
            const by = i32x4.sub(c32, ay);
            // [w00 | w01 << 16] and [w10 | w11 << 16] per pixel.
            const wt = v128.or(i32x4.mul(bx, by), i32x4.shl(i32x4.mul(ax, by), 16));
            const wb = v128.or(i32x4.mul(bx, ay), i32x4.shl(i32x4.mul(ax, ay), 16));
            const addr = i32x4.add(srcV, i32x4.add(i32x4.mul(iy, strideV), i32x4.shl(ix, 2)));
            r0 = blend(<usize>i32x4.extract_lane(addr, 0), stride, i32x4.extract_lane(wt, 0), i32x4.extract_lane(wb, 0));
            r1 = blend(<usize>i32x4.extract_lane(addr, 1), stride, i32x4.extract_lane(wt, 1), i32x4.extract_lane(wb, 1));
            r2 = blend(<usize>i32x4.extract_lane(addr, 2), stride, i32x4.extract_lane(wt, 2), i32x4.extract_lane(wb, 2));
            r3 = blend(<usize>i32x4.extract_lane(addr, 3), stride, i32x4.extract_lane(wt, 3), i32x4.extract_lane(wb, 3));
          } else {
            r0 = clamped(src, sw, sh, i32x4.extract_lane(sx, 0), i32x4.extract_lane(sy, 0));
            r1 = clamped(src, sw, sh, i32x4.extract_lane(sx, 1), i32x4.extract_lane(sy, 1));
            r2 = clamped(src, sw, sh, i32x4.extract_lane(sx, 2), i32x4.extract_lane(sy, 2));
            r3 = clamped(src, sw, sh, i32x4.extract_lane(sx, 3), i32x4.extract_lane(sy, 3));
          }
          const a = i16x8.narrow_i32x4_u(i32x4.shr_u(i32x4.add(r0, round), 10), i32x4.shr_u(i32x4.add(r1, round), 10));
          const b = i16x8.narrow_i32x4_u(i32x4.shr_u(i32x4.add(r2, round), 10), i32x4.shr_u(i32x4.add(r3, round), 10));
          v128.store(out, i8x16.narrow_i16x8_u(a, b));
          out += 16;
        }
        // The tile row's last 0-3 pixels.
        for (; x < xEnd; x++) {
          const fx = <f64>x;
          const z = 1.0 / (h6 * fx + h7 * fy + h8);
          const sx = <i32>Math.floor((h0 * fx + h1 * fy + h2) * z * 32.0 + 0.5);
          const sy = <i32>Math.floor((h3 * fx + h4 * fy + h5) * z * 32.0 + 0.5);
          const r = i32x4.shr_u(i32x4.add(clamped(src, sw, sh, sx, sy), round), 10);
          const n = i16x8.narrow_i32x4_u(r, r);
          v128.store32_lane(out, i8x16.narrow_i16x8_u(n, n), 0);
          out += 4;
        }
      }
    }
  }
}

/** Page pixels per side of a tile (a multiple of 4). */
const TILE = 64;

/** The weighted sum (×1024) of the 2×2 neighbours at `p` (top-left) and `p + stride`: weights packed as [left | right << 16] per row. */
// @ts-ignore: decorator
@inline
function blend(p: usize, stride: i32, wt: i32, wb: i32): v128 {
  const zero = i32x4.splat(0);
  // Bytes [a.r a.g a.b a.a b.r b.g b.b b.a] → 16-bit lanes [a.r b.r a.g b.g a.b b.b a.a b.a].
  const t = i8x16.shuffle(v128.load64_zero(p), zero, 0, 16, 4, 16, 1, 16, 5, 16, 2, 16, 6, 16, 3, 16, 7, 16);
  const b = i8x16.shuffle(v128.load64_zero(p + <usize>stride), zero, 0, 16, 4, 16, 1, 16, 5, 16, 2, 16, 6, 16, 3, 16, 7, 16);
  return i32x4.add(i32x4.dot_i16x8_s(t, i32x4.splat(wt)), i32x4.dot_i16x8_s(b, i32x4.splat(wb)));
}

/** `blend` for a source point in 1/32 px anywhere: each neighbour clamped into the image (the border repeated). */
function clamped(src: usize, sw: i32, sh: i32, sx: i32, sy: i32): v128 {
  const ix = sx >> 5;
  const iy = sy >> 5;
  const ax = sx & 31;
  const ay = sy & 31;
  const stride = sw << 2;
  const x0 = clamp(ix, sw) << 2;
  const x1 = clamp(ix + 1, sw) << 2;
  const r0 = src + <usize>(clamp(iy, sh) * stride);
  const r1 = src + <usize>(clamp(iy + 1, sh) * stride);
  const zero = i32x4.splat(0);
  const top = i64x2.replace_lane(zero, 0, <i64>load<u32>(r0 + <usize>x0) | (<i64>load<u32>(r0 + <usize>x1) << 32));
  const bottom = i64x2.replace_lane(zero, 0, <i64>load<u32>(r1 + <usize>x0) | (<i64>load<u32>(r1 + <usize>x1) << 32));
  const t = i8x16.shuffle(top, zero, 0, 16, 4, 16, 1, 16, 5, 16, 2, 16, 6, 16, 3, 16, 7, 16);
  const b = i8x16.shuffle(bottom, zero, 0, 16, 4, 16, 1, 16, 5, 16, 2, 16, 6, 16, 3, 16, 7, 16);
  const wt = (32 - ax) * (32 - ay) | ((ax * (32 - ay)) << 16);
  const wb = (32 - ax) * ay | ((ax * ay) << 16);
  return i32x4.add(i32x4.dot_i16x8_s(t, i32x4.splat(wt)), i32x4.dot_i16x8_s(b, i32x4.splat(wb)));
}

// @ts-ignore: decorator
@inline
function clamp(v: i32, n: i32): i32 {
  return v < 0 ? 0 : v >= n ? n - 1 : v;
}

/**
 * OpenCV's cvtColor(COLOR_RGBA2GRAY) of `n` pixels at `src` into `dst` (a byte each):
 * (R·9798 + G·19235 + B·3735 + 16384) >> 15, OpenCV 4's fixed point. 16 pixels a step.
 */
export function rgbaToGray(src: usize, dst: usize, n: i32): void {
  const w = i16x8(9798, 19235, 3735, 0, 9798, 19235, 3735, 0);
  const round = i32x4.splat(16384);
  let i = 0;
  for (; i + 16 <= n; i += 16) {
    const p = src + <usize>(i << 2);
    const g0 = gray4(v128.load(p), w, round);
    const g1 = gray4(v128.load(p, 16), w, round);
    const g2 = gray4(v128.load(p, 32), w, round);
    const g3 = gray4(v128.load(p, 48), w, round);
    v128.store(dst + <usize>i, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(g0, g1), i16x8.narrow_i32x4_u(g2, g3)));
  }
  for (; i < n; i++) {
    const p = src + <usize>(i << 2);
    store<u8>(dst + <usize>i, <u8>((<i32>load<u8>(p) * 9798 + <i32>load<u8>(p, 1) * 19235 + <i32>load<u8>(p, 2) * 3735 + 16384) >> 15));
  }
}

/** The gray values of 4 RGBA pixels, as i32 lanes. */
// @ts-ignore: decorator
@inline
function gray4(px: v128, w: v128, round: v128): v128 {
  // [r·wr + g·wg, b·wb + 0] per pixel, two pixels per dot product.
  const lo = i32x4.dot_i16x8_s(i16x8.extend_low_i8x16_u(px), w);
  const hi = i32x4.dot_i16x8_s(i16x8.extend_high_i8x16_u(px), w);
  const sum = i32x4.add(i32x4.shuffle(lo, hi, 0, 2, 4, 6), i32x4.shuffle(lo, hi, 1, 3, 5, 7));
  return i32x4.shr_u(i32x4.add(sum, round), 15);
}

/**
 * OpenCV's pyrDown of the w×h gray image at `src` into `dst` ((w + 1) / 2 × (h + 1) / 2 bytes):
 * the 5×5 kernel [1 4 6 4 1]ᵀ[1 4 6 4 1] / 256, rounded, around source pixel (2x, 2y), the border
 * reflected without repeating the edge (BORDER_REFLECT_101). The sum is exact in integers, so the
 * result is OpenCV's bit for bit. `row` is scratch of (w + 8) × 2 bytes, 16-byte aligned. Needs
 * w ≥ 3 and h ≥ 3.
 *
 * Per output row: the five source rows summed vertically (16 columns a step, 16-bit), the row's
 * ends reflected, then the horizontal taps at every second column (8 outputs a step).
 */
export function pyrDown(src: usize, w: i32, h: i32, dst: usize, row: usize): void {
  const dw = (w + 1) >> 1;
  const dh = (h + 1) >> 1;
  // row[j] holds the vertical sum of column j - 2.
  const v = row + 4;
  const c128 = i16x8.splat(128);
  for (let y = 0; y < dh; y++) {
    const r0 = src + <usize>(reflect(2 * y - 2, h) * w);
    const r1 = src + <usize>(reflect(2 * y - 1, h) * w);
    const r2 = src + <usize>(reflect(2 * y, h) * w);
    const r3 = src + <usize>(reflect(2 * y + 1, h) * w);
    const r4 = src + <usize>(reflect(2 * y + 2, h) * w);
    let i = 0;
    for (; i + 16 <= w; i += 16) {
      const o = <usize>i;
      const a0 = v128.load(r0 + o);
      const a1 = v128.load(r1 + o);
      const a2 = v128.load(r2 + o);
      const a3 = v128.load(r3 + o);
      const a4 = v128.load(r4 + o);
      v128.store(v + (o << 1), column5(i16x8.extend_low_i8x16_u(a0), i16x8.extend_low_i8x16_u(a1), i16x8.extend_low_i8x16_u(a2), i16x8.extend_low_i8x16_u(a3), i16x8.extend_low_i8x16_u(a4)));
      v128.store(v + (o << 1), column5(i16x8.extend_high_i8x16_u(a0), i16x8.extend_high_i8x16_u(a1), i16x8.extend_high_i8x16_u(a2), i16x8.extend_high_i8x16_u(a3), i16x8.extend_high_i8x16_u(a4)), 16);
    }
    for (; i < w; i++) {
      const o = <usize>i;
      store<u16>(v + (o << 1), <u16>(<i32>load<u8>(r0 + o) + <i32>load<u8>(r4 + o) + ((<i32>load<u8>(r1 + o) + <i32>load<u8>(r3 + o)) << 2) + <i32>load<u8>(r2 + o) * 6));
    }
    // Columns -2, -1, w, w + 1, reflected.
    store<u16>(row, load<u16>(v + 4));
    store<u16>(row + 2, load<u16>(v + 2));
    store<u16>(v + (<usize>w << 1), load<u16>(v + (<usize>(w - 2) << 1)));
    store<u16>(v + (<usize>(w + 1) << 1), load<u16>(v + (<usize>(w - 3) << 1)));
    const out = dst + <usize>(y * dw);
    let x = 0;
    // Reads row[2x .. 2x + 19]: within the w + 8 entries while x + 8 <= dw.
    for (; x + 8 <= dw; x += 8) {
      const p = row + (<usize>x << 2);
      const a = v128.load(p);
      const b = v128.load(p, 16);
      const a2 = v128.load(p, 4);
      const b2 = v128.load(p, 20);
      const a4 = v128.load(p, 8);
      const b4 = v128.load(p, 24);
      const e0 = i8x16.shuffle(a, b, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const o0 = i8x16.shuffle(a, b, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
      const e1 = i8x16.shuffle(a2, b2, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const o1 = i8x16.shuffle(a2, b2, 2, 3, 6, 7, 10, 11, 14, 15, 18, 19, 22, 23, 26, 27, 30, 31);
      const e2 = i8x16.shuffle(a4, b4, 0, 1, 4, 5, 8, 9, 12, 13, 16, 17, 20, 21, 24, 25, 28, 29);
      const sum = i16x8.add(i16x8.add(i16x8.add(e0, e2), i16x8.shl(i16x8.add(o0, o1), 2)), i16x8.mul(e1, i16x8.splat(6)));
      const px = i16x8.shr_u(i16x8.add(sum, c128), 8);
      v128.store64_lane(out + <usize>x, i8x16.narrow_i16x8_u(px, px), 0);
    }
    for (; x < dw; x++) {
      const p = row + (<usize>x << 2);
      const s = <i32>load<u16>(p) + <i32>load<u16>(p, 8) + ((<i32>load<u16>(p, 2) + <i32>load<u16>(p, 6)) << 2) + <i32>load<u16>(p, 4) * 6;
      store<u8>(out + <usize>x, <u8>((s + 128) >> 8));
    }
  }
}

/** s0 + 4 s1 + 6 s2 + 4 s3 + s4 per 16-bit lane (at most 4080). */
// @ts-ignore: decorator
@inline
function column5(s0: v128, s1: v128, s2: v128, s3: v128, s4: v128): v128 {
  return i16x8.add(i16x8.add(i16x8.add(s0, s4), i16x8.shl(i16x8.add(s1, s3), 2)), i16x8.mul(s2, i16x8.splat(6)));
}

/** Index `i` reflected into [0, n) without repeating the edge (BORDER_REFLECT_101), for |overshoot| < n. */
// @ts-ignore: decorator
@inline
function reflect(i: i32, n: i32): i32 {
  return i < 0 ? -i : i >= n ? 2 * n - 2 - i : i;
}
