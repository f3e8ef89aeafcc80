// AssemblyScript source of the scan pipeline's WebAssembly kernels (SIMD). Compiled by
// scripts/build-wasm.mjs into renderer/src/scan/wasm/scan-kernels.generated.ts (committed, checked
// against this source by tests/unit/scan-wasm.test.ts). Not TypeScript: i32, f32, v128 are
// AssemblyScript's types; the file is outside the TypeScript and lint projects.
//
// Memory: the caller (renderer/src/scan/wasm-warp.ts) owns the layout of the linear memory and
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
