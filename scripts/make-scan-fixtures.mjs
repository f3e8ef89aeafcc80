// Makes the document-camera test scenes in tests/fixtures/scan/ (see docs/scanning.md).
//
//   node scripts/make-scan-fixtures.mjs              scenes (.jpg) + truth.json, then the .y4m files
//   node scripts/make-scan-fixtures.mjs --y4m        only the missing .y4m files, from the committed scenes
//   node scripts/make-scan-fixtures.mjs --only=NAME  one scene
//
// Each scene is drawn, not photographed: a flat document (white paper, lines of CJK-like text as
// strokes, rules, a red seal, a photo box) is placed on a desk texture through a real pinhole
// camera (tilt, rotation, 5 MP sensor), so the true corners are known exactly. Then come a cast
// shadow, uneven light, lens blur, sensor noise and JPEG. The scenes and truth.json are committed;
// the .y4m files for Chromium's fake camera (about 38 MB each) go to generated/, which git ignores.
// Deterministic: a seeded PRNG; ffmpeg (Debian package) encodes JPEG and y4m.
//
// Coordinates: pixel centres at integers, so a page spanning doc pixels 0..W-1 has its outer edge
// at -0.5 and W-0.5; the truth corners are those outer edges as seen in the scene.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FIXTURE_DIR = path.join(root, 'tests/fixtures/scan');
export const GENERATED_DIR = path.join(FIXTURE_DIR, 'generated');
const MAX_BYTES = 1_500_000;
/** Barrel distortion k (relative to the half-diagonal): 1.5 % at the frame's corners, a usual document-camera lens. */
const LENS_DISTORTION = 0.015;

// ------------------------------------------------------------------------------------------------
// y4m for Chromium's fake camera (also used by the browser tests, on demand)

function ffmpeg(args, input) {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { input, maxBuffer: 1 << 30 });
  if (r.error) throw new Error(`ffmpeg not found (apt-get install -y ffmpeg): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ffmpeg ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return r.stdout;
}

/**
 * Makes tests/fixtures/scan/generated/<name>.y4m from the committed scene unless it exists and is
 * newer. Returns the absolute path (for --use-file-for-fake-video-capture).
 */
export function ensureY4m(name, { force = false } = {}) {
  const truth = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'truth.json'), 'utf8'));
  const fx = truth.fixtures.find((f) => f.name === name);
  if (!fx) throw new Error(`no scan fixture named ${name}`);
  const scene = path.join(FIXTURE_DIR, fx.file);
  const out = path.join(GENERATED_DIR, `${name}.y4m`);
  if (!force && existsSync(out) && statSync(out).mtimeMs >= statSync(scene).mtimeMs) return out;
  mkdirSync(GENERATED_DIR, { recursive: true });
  const tmp = `${out}.tmp-${process.pid}.y4m`;
  // yuv420p (limited range), not yuvj420p: Chromium reads this back within ±2 per channel.
  ffmpeg(['-loop', '1', '-i', scene, '-frames:v', '5', '-r', '5', '-pix_fmt', 'yuv420p', '-f', 'yuv4mpegpipe', tmp]);
  renameSync(tmp, out);
  return out;
}

export function ensureAllY4m(opts) {
  const truth = JSON.parse(readFileSync(path.join(FIXTURE_DIR, 'truth.json'), 'utf8'));
  return truth.fixtures.map((f) => ensureY4m(f.name, opts));
}

// ------------------------------------------------------------------------------------------------
// OpenCV in Node

async function loadCv() {
  const before = { u: process.listeners('uncaughtException'), r: process.listeners('unhandledRejection') };
  const cv = createRequire(import.meta.url)('@techstark/opencv-js');
  // Never `await cv` itself: it is a thenable that resolves to itself.
  await new Promise((resolve) => {
    if (cv.Mat) resolve();
    else cv.onRuntimeInitialized = resolve;
  });
  // Emscripten's handlers turn any later error into an abort: take them off again.
  for (const l of process.listeners('uncaughtException')) if (!before.u.includes(l)) process.off('uncaughtException', l);
  for (const l of process.listeners('unhandledRejection')) if (!before.r.includes(l)) process.off('unhandledRejection', l);
  // Wrapped: returning the thenable itself from an async function would never settle.
  return { cv };
}

// ------------------------------------------------------------------------------------------------
// Randomness and noise

function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(rnd) {
  let u = 0;
  while (u === 0) u = rnd();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rnd());
}

/** Smooth value noise in [0, 1] at any real coordinate (hashed lattice). */
function makeNoise(seed) {
  const hash = (x, y) => {
    let h = Math.imul(x, 374761393) + Math.imul(y, 668265263) + Math.imul(seed, 2147483647);
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
  };
  const smooth = (t) => t * t * (3 - 2 * t);
  const noise = (x, y) => {
    const x0 = Math.floor(x);
    const y0 = Math.floor(y);
    const fx = smooth(x - x0);
    const fy = smooth(y - y0);
    const a = hash(x0, y0) + (hash(x0 + 1, y0) - hash(x0, y0)) * fx;
    const b = hash(x0, y0 + 1) + (hash(x0 + 1, y0 + 1) - hash(x0, y0 + 1)) * fx;
    return a + (b - a) * fy;
  };
  const fbm = (x, y, octaves = 4) => {
    let sum = 0;
    let amp = 0.5;
    let norm = 0;
    for (let o = 0; o < octaves; o++) {
      sum += amp * noise(x, y);
      norm += amp;
      x *= 2.03;
      y *= 2.03;
      amp *= 0.5;
    }
    return sum / norm;
  };
  return { noise, fbm };
}

// ------------------------------------------------------------------------------------------------
// Desk textures: computed at a quarter of the size in JS, scaled up with OpenCV.

function textureMat(cv, W, H, pixel) {
  const w = Math.ceil(W / 4);
  const h = Math.ceil(H / 4);
  const small = new cv.Mat(h, w, cv.CV_8UC3);
  const d = small.data;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const [r, g, b] = pixel(x * 4, y * 4);
      const i = (y * w + x) * 3;
      d[i] = r;
      d[i + 1] = g;
      d[i + 2] = b;
    }
  }
  const big = new cv.Mat();
  cv.resize(small, big, new cv.Size(W, H), 0, 0, cv.INTER_CUBIC);
  small.delete();
  return big;
}

const mix = (a, b, t) => a + (b - a) * t;
const clamp255 = (v) => (v < 0 ? 0 : v > 255 ? 255 : v);

function woodDesk(cv, W, H, seed, { dark = [62, 36, 20], light = [132, 84, 48], angle = 0.06, plank = 470 } = {}) {
  const { fbm, noise } = makeNoise(seed);
  const c = Math.cos(angle);
  const s = Math.sin(angle);
  return textureMat(cv, W, H, (x, y) => {
    const u = x * c + y * s; // along the grain
    const v = -x * s + y * c; // across
    const plankIdx = Math.floor(v / plank);
    const vv = v - plankIdx * plank;
    const warp = fbm(u / 900 + plankIdx * 7.3, v / 300, 4);
    const rings = 0.5 + 0.5 * Math.sin(2 * Math.PI * (vv / 38 + 3.2 * warp + plankIdx * 0.37));
    const streak = noise(u / 260 + plankIdx * 13, vv / 3.5);
    let t = 0.25 + 0.45 * rings * rings + 0.3 * streak;
    t *= 0.85 + 0.3 * fbm(u / 1500 + plankIdx, v / 700, 3);
    // Seams between planks: a dark groove a few pixels wide.
    const seam = Math.min(vv, plank - vv);
    const groove = seam < 4 ? 0.45 + 0.12 * seam : 1;
    return [0, 1, 2].map((k) => clamp255(mix(dark[k], light[k], Math.min(1, Math.max(0, t))) * groove));
  });
}

function plainDesk(cv, W, H, seed, base, { grain = 6, cloud = 10, speckle = 0 } = {}) {
  const { fbm, noise } = makeNoise(seed);
  const rnd = mulberry32(seed ^ 0x5eed);
  return textureMat(cv, W, H, (x, y) => {
    const cl = (fbm(x / 600, y / 600, 4) - 0.5) * 2 * cloud;
    const gr = (noise(x / 7, y / 7) - 0.5) * 2 * grain;
    const sp = speckle && rnd() < 0.004 ? -speckle * rnd() : 0;
    return base.map((b) => clamp255(b + cl + gr + sp));
  });
}

// ------------------------------------------------------------------------------------------------
// Drawing the flat documents

const pt = (x, y) => new (globalThis.__cv.Point)(Math.round(x), Math.round(y));
const col = (c) => new (globalThis.__cv.Scalar)(c[0], c[1], c[2], 255);

/** Strokes of one CJK-like character in a unit cell: [x0, y0, x1, y1] in 0..1. */
function glyphStrokes(rnd) {
  const strokes = [];
  const n = 3 + Math.floor(rnd() * 4);
  for (let i = 0; i < n; i++) {
    const kind = rnd();
    if (kind < 0.4) {
      const y = 0.12 + rnd() * 0.76;
      const x0 = 0.08 + rnd() * 0.3;
      strokes.push([x0, y, x0 + 0.35 + rnd() * (0.9 - x0 - 0.35), y + (rnd() - 0.5) * 0.06]);
    } else if (kind < 0.75) {
      const x = 0.12 + rnd() * 0.76;
      const y0 = 0.06 + rnd() * 0.3;
      strokes.push([x, y0, x + (rnd() - 0.5) * 0.05, y0 + 0.35 + rnd() * (0.9 - y0 - 0.35)]);
    } else if (kind < 0.9) {
      const x = 0.3 + rnd() * 0.4;
      const y = 0.1 + rnd() * 0.3;
      strokes.push([x, y, x + (rnd() < 0.5 ? -1 : 1) * (0.2 + rnd() * 0.25), y + 0.3 + rnd() * 0.4]);
    } else {
      const x = 0.2 + rnd() * 0.6;
      const y = 0.15 + rnd() * 0.6;
      strokes.push([x, y, x + 0.08, y + 0.1]);
    }
  }
  return strokes;
}

/** One character at (x, y) (top-left), cell size s, optionally rotated by `rot` around its centre. */
function glyph(cv, m, x, y, s, color, rnd, { thick, rot = 0 } = {}) {
  const t = thick ?? Math.max(1, Math.round(s / 11));
  const c = Math.cos(rot);
  const sn = Math.sin(rot);
  const map = (u, v) => {
    const dx = (u - 0.5) * s;
    const dy = (v - 0.5) * s;
    return pt(x + s / 2 + dx * c - dy * sn, y + s / 2 + dx * sn + dy * c);
  };
  for (const [x0, y0, x1, y1] of glyphStrokes(rnd)) cv.line(m, map(x0, y0), map(x1, y1), col(color), t, cv.LINE_AA);
}

function textLine(cv, m, x, y, s, count, color, rnd, opts) {
  for (let i = 0; i < count; i++) {
    if (opts?.spaces && rnd() < opts.spaces) continue;
    glyph(cv, m, x + i * s * 1.08, y, s, color, rnd, opts);
  }
}

function latin(cv, m, text, x, y, height, color, thick = 2) {
  const scale = height / 22; // FONT_HERSHEY_SIMPLEX is about 22 px tall at scale 1
  cv.putText(m, text, pt(x, y), cv.FONT_HERSHEY_SIMPLEX, scale, col(color), thick, cv.LINE_AA);
}

/** A red seal multiplied onto the page (ink over text, as a stamp is). Returns nothing. */
function stampSeal(cv, page, cx, cy, r, rnd, color = [214, 36, 42]) {
  const layer = new cv.Mat(page.rows, page.cols, cv.CV_8UC3, new cv.Scalar(255, 255, 255));
  const ring = Math.max(3, Math.round(r * 0.07));
  cv.circle(layer, pt(cx, cy), Math.round(r - ring / 2), col(color), ring, cv.LINE_AA);
  // Five-pointed star.
  const star = [];
  for (let k = 0; k < 10; k++) {
    const a = -Math.PI / 2 + (k * Math.PI) / 5;
    const rr = k % 2 ? r * 0.12 : r * 0.3;
    star.push(Math.round(cx + rr * Math.cos(a)), Math.round(cy + rr * Math.sin(a)));
  }
  const poly = cv.matFromArray(10, 1, cv.CV_32SC2, star);
  const polys = new cv.MatVector();
  polys.push_back(poly);
  cv.fillPoly(layer, polys, col(color), cv.LINE_AA);
  polys.delete();
  poly.delete();
  // The name around the upper arc, glyphs turned to face the centre.
  const n = 12;
  for (let k = 0; k < n; k++) {
    const a = Math.PI * (1.1 + (0.8 * k) / (n - 1));
    const gs = r * 0.22;
    const gx = cx + r * 0.68 * Math.cos(a) - gs / 2;
    const gy = cy + r * 0.68 * Math.sin(a) - gs / 2;
    glyph(cv, layer, gx, gy, gs, color, rnd, { rot: a + Math.PI / 2, thick: Math.max(2, Math.round(gs / 8)) });
  }
  textLine(cv, layer, cx - r * 0.45, cy + r * 0.42, r * 0.16, 5, color, rnd);
  // Stamps are uneven: lighten random blotches of the layer.
  const d = layer.data;
  const { fbm } = makeNoise(Math.floor(rnd() * 1e9));
  for (let y = Math.max(0, Math.round(cy - r)); y < Math.min(page.rows, Math.round(cy + r)); y++) {
    for (let x = Math.max(0, Math.round(cx - r)); x < Math.min(page.cols, Math.round(cx + r)); x++) {
      const i = (y * page.cols + x) * 3;
      const fade = Math.max(0, fbm(x / 25, y / 25, 3) - 0.62) * 2.2;
      for (let k = 0; k < 3; k++) d[i + k] = d[i + k] + (255 - d[i + k]) * Math.min(0.8, fade);
    }
  }
  cv.multiply(page, layer, page, 1 / 255);
  layer.delete();
}

function paper(cv, w, h, tint = [250, 249, 245], seed = 1) {
  const m = new cv.Mat(h, w, cv.CV_8UC3, new cv.Scalar(...tint));
  // Paper fibre: faint low-frequency mottling.
  const { fbm } = makeNoise(seed);
  const d = m.data;
  for (let y = 0; y < h; y += 1) {
    for (let x = 0; x < w; x += 1) {
      const v = (fbm(x / 90, y / 90, 3) - 0.5) * 6;
      const i = (y * w + x) * 3;
      d[i] = clamp255(d[i] + v);
      d[i + 1] = clamp255(d[i + 1] + v);
      d[i + 2] = clamp255(d[i + 2] + v);
    }
  }
  return m;
}

/** Business licence (营业执照, 副本), A4 landscape, with a red seal. */
function drawLicence(cv, rnd) {
  const W = 1980;
  const H = 1400;
  const m = paper(cv, W, H, [251, 248, 240], 11);
  const frame = [155, 62, 40];
  const ink = [28, 28, 32];
  // Decorative double frame.
  const o = Math.round(W * 0.035);
  const i = Math.round(W * 0.045);
  cv.rectangle(m, pt(o, o), pt(W - 1 - o, H - 1 - o), col(frame), 9, cv.LINE_8);
  cv.rectangle(m, pt(i, i), pt(W - 1 - i, H - 1 - i), col(frame), 3, cv.LINE_8);
  // National emblem and title.
  cv.circle(m, pt(W / 2, 190), 70, col([205, 40, 38]), -1, cv.LINE_AA);
  cv.circle(m, pt(W / 2, 190), 52, col([236, 190, 70]), 6, cv.LINE_AA);
  cv.circle(m, pt(W / 2, 190), 22, col([236, 190, 70]), -1, cv.LINE_AA);
  for (let k = 0; k < 4; k++) glyph(cv, m, W / 2 - 290 + k * 150, 290, 120, ink, rnd, { thick: 11 });
  textLine(cv, m, W / 2 - 60, 420, 34, 4, ink, rnd);
  // Credit code and QR code.
  textLine(cv, m, 170, 520, 30, 8, ink, rnd);
  latin(cv, m, '91110108MA01ABCD2X', 440, 548, 30, ink, 2);
  const qx = 170;
  const qy = 960;
  const cell = 11;
  for (let y = 0; y < 25; y++) {
    for (let x = 0; x < 25; x++) {
      const finder = (a, b) => a >= 0 && a < 7 && b >= 0 && b < 7 && (a === 0 || a === 6 || b === 0 || b === 6 || (a >= 2 && a <= 4 && b >= 2 && b <= 4));
      const inFinderBox = (a, b) => a >= 0 && a < 8 && b >= 0 && b < 8;
      let on;
      if (inFinderBox(x, y)) on = finder(x, y);
      else if (inFinderBox(x - 17, y)) on = finder(x - 18, y);
      else if (inFinderBox(x, y - 17)) on = finder(x, y - 18);
      else on = rnd() < 0.5;
      if (on) cv.rectangle(m, pt(qx + x * cell, qy + y * cell), pt(qx + (x + 1) * cell - 1, qy + (y + 1) * cell - 1), col(ink), -1, cv.LINE_8);
    }
  }
  // Fields: label, colon, value, in two columns.
  const rows = [
    [620, 7, 9],
    [690, 4, 12],
    [760, 5, 6],
    [830, 4, 14],
    [900, 4, 11],
  ];
  for (const [y, l, v] of rows) {
    textLine(cv, m, 170, y, 30, l, ink, rnd);
    textLine(cv, m, 170 + 30 * 1.08 * 5 + 20, y, 30, v, ink, rnd);
    textLine(cv, m, 1060, y, 30, 4, ink, rnd);
    textLine(cv, m, 1060 + 30 * 1.08 * 5 + 20, y, 30, Math.min(v, 12), ink, rnd);
  }
  // Business scope: a paragraph.
  for (let k = 0; k < 4; k++) textLine(cv, m, 1060, 980 + k * 46, 28, k === 3 ? 14 : 24, ink, rnd);
  // Registration authority and date, with the red seal over them.
  textLine(cv, m, 1380, 1170, 30, 5, ink, rnd);
  latin(cv, m, '2024 05 18', 1400, 1250, 30, ink, 2);
  const seal = { cx: 1560, cy: 1130, r: 165 };
  stampSeal(cv, m, seal.cx, seal.cy, seal.r, rnd);
  return {
    mat: m,
    mm: [297, 210],
    seal: { cx: seal.cx / W, cy: seal.cy / H, r: seal.r / W },
    // Straightness probes: the inner frame line, in page fractions (pixel centres / size).
    probes: [
      { kind: 'line', orient: 'h', pos: (i + 0.5) / H, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'h', pos: (H - 1 - i + 0.5) / H, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'v', pos: (i + 0.5) / W, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'v', pos: (W - 1 - i + 0.5) / W, from: 0.15, to: 0.85 },
    ],
  };
}

/** Resident ID card, portrait side (人像面), ID-1 size with rounded corners. */
function drawIdCard(cv, rnd) {
  const W = 856;
  const H = 540;
  const m = paper(cv, W, H, [236, 240, 245], 23);
  // Guilloche: fine wavy lines in pale blue and pink.
  for (let k = 0; k < 26; k++) {
    const pts = [];
    const amp = 8 + 6 * Math.sin(k);
    for (let x = 0; x <= W; x += 8) pts.push(Math.round(x), Math.round(20 + k * 20 + amp * Math.sin(x / (40 + k) + k)));
    const poly = cv.matFromArray(pts.length / 2, 1, cv.CV_32SC2, pts);
    const v = new cv.MatVector();
    v.push_back(poly);
    cv.polylines(m, v, false, col(k % 2 ? [214, 224, 240] : [240, 222, 228]), 1, cv.LINE_AA);
    v.delete();
    poly.delete();
  }
  const label = [70, 110, 165];
  const ink = [24, 24, 28];
  // Photo (right): light blue-grey background, dark head and shoulders.
  const ph = { x0: 560, y0: 60, x1: 800, y1: 360 };
  cv.rectangle(m, pt(ph.x0, ph.y0), pt(ph.x1 - 1, ph.y1 - 1), col([186, 202, 222]), -1, cv.LINE_8);
  cv.ellipse(m, pt(680, 190), new cv.Size(62, 80), 0, 0, 360, col([70, 62, 64]), -1, cv.LINE_AA);
  cv.ellipse(m, pt(680, 205), new cv.Size(50, 64), 0, 0, 360, col([206, 170, 150]), -1, cv.LINE_AA);
  cv.ellipse(m, pt(680, 380), new cv.Size(115, 95), 0, 180, 360, col([40, 44, 60]), -1, cv.LINE_AA);
  cv.rectangle(m, pt(ph.x0, ph.y1), pt(ph.x1 - 1, 380), col([236, 240, 245]), -1, cv.LINE_8); // clip the shoulders
  // Fields.
  const rows = [
    [70, 2, 3],
    [130, 2, 1],
    [190, 2, 6],
    [250, 2, 11],
    [300, 0, 11],
    [350, 0, 6],
  ];
  for (const [y, l, v] of rows) {
    if (l) textLine(cv, m, 60, y, 26, l, label, rnd);
    textLine(cv, m, 60 + 26 * 1.08 * 3 + 10, y, 30, v, ink, rnd);
  }
  textLine(cv, m, 60, 445, 26, 6, label, rnd);
  latin(cv, m, '110101199003074578', 290, 478, 38, ink, 3);
  // Rounded corners: 3.18 mm of 85.6 mm.
  const r = Math.round((3.18 / 85.6) * W);
  const alpha = new cv.Mat(H, W, cv.CV_8UC1, new cv.Scalar(0));
  cv.rectangle(alpha, pt(r, 0), pt(W - 1 - r, H - 1), new cv.Scalar(255), -1, cv.LINE_8);
  cv.rectangle(alpha, pt(0, r), pt(W - 1, H - 1 - r), new cv.Scalar(255), -1, cv.LINE_8);
  for (const [x, y] of [
    [r, r],
    [W - 1 - r, r],
    [W - 1 - r, H - 1 - r],
    [r, H - 1 - r],
  ])
    cv.circle(alpha, pt(x, y), r, new cv.Scalar(255), -1, cv.LINE_AA);
  return {
    mat: m,
    alpha,
    mm: [85.6, 54],
    probes: [
      { kind: 'edge', orient: 'v', pos: ph.x0 / W, from: 0.2, to: 0.6 },
      { kind: 'edge', orient: 'v', pos: ph.x1 / W, from: 0.2, to: 0.6 },
      { kind: 'edge', orient: 'h', pos: ph.y0 / H, from: 0.67, to: 0.92 },
    ],
  };
}

/** A dense A4 text page: title, rule, many lines of small text, a table. */
function drawDenseText(cv, rnd) {
  const W = 1654;
  const H = 2339;
  const m = paper(cv, W, H, [250, 250, 248], 31);
  const ink = [22, 22, 26];
  const left = 170;
  const right = W - 170;
  textLine(cv, m, W / 2 - 8 * 52, 150, 48, 15, ink, rnd, { thick: 5 });
  const ruleY = 240;
  cv.line(m, pt(left, ruleY), pt(right, ruleY), col(ink), 3, cv.LINE_8);
  const s = 27;
  const perLine = Math.floor((right - left) / (s * 1.08));
  let y = 290;
  while (y < 1500) {
    const lines = 3 + Math.floor(rnd() * 5);
    for (let l = 0; l < lines && y < 1500; l++) {
      const indent = l === 0 ? 2 : 0;
      const count = l === lines - 1 ? Math.floor(perLine * (0.3 + 0.6 * rnd())) : perLine - indent;
      textLine(cv, m, left + indent * s * 1.08, y, s, count, ink, rnd);
      y += s * 1.65;
    }
    y += s * 0.5;
  }
  // Table: 6 rows, 4 columns.
  const t0 = 1600;
  const rowH = 80;
  const rows = 6;
  const cols = [left, left + 260, left + 700, left + 1000, right];
  for (let r = 0; r <= rows; r++) cv.line(m, pt(left, t0 + r * rowH), pt(right, t0 + r * rowH), col(ink), 2, cv.LINE_8);
  for (const x of cols) cv.line(m, pt(x, t0), pt(x, t0 + rows * rowH), col(ink), 2, cv.LINE_8);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols.length - 1; c++) {
      const n = Math.max(1, Math.floor(((cols[c + 1] - cols[c] - 40) / (s * 1.08)) * (0.4 + 0.5 * rnd())));
      textLine(cv, m, cols[c] + 20, t0 + r * rowH + 26, s, n, ink, rnd);
    }
  }
  latin(cv, m, '- 1 -', W / 2 - 40, H - 110, 30, ink, 2);
  const tb = t0 + rows * rowH;
  return {
    mat: m,
    mm: [210, 297],
    probes: [
      { kind: 'line', orient: 'h', pos: (ruleY + 0.5) / H, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'h', pos: (t0 + 0.5) / H, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'h', pos: (tb + 0.5) / H, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'v', pos: (left + 0.5) / W, from: (t0 + 10) / H, to: (tb - 10) / H },
      { kind: 'line', orient: 'v', pos: (right + 0.5) / W, from: (t0 + 10) / H, to: (tb - 10) / H },
    ],
  };
}

/** A light application form (申请表): thin grey rules, little ink. */
function drawLightForm(cv, rnd) {
  const W = 1654;
  const H = 2339;
  const m = paper(cv, W, H, [246, 246, 244], 41);
  const ink = [60, 60, 66];
  const rule = [110, 110, 116];
  const blue = [40, 70, 160];
  textLine(cv, m, W / 2 - 5 * 50, 170, 46, 9, ink, rnd, { thick: 4 });
  const left = 180;
  const right = W - 180;
  const top = 320;
  const rowH = 120;
  const rows = 12;
  for (let r = 0; r <= rows; r++) cv.line(m, pt(left, top + r * rowH), pt(right, top + r * rowH), col(rule), 2, cv.LINE_8);
  const mid = left + 360;
  for (const x of [left, mid, right]) cv.line(m, pt(x, top), pt(x, top + rows * rowH), col(rule), 2, cv.LINE_8);
  for (let r = 0; r < rows; r++) {
    textLine(cv, m, left + 30, top + r * rowH + 44, 30, 2 + Math.floor(rnd() * 4), ink, rnd);
    if (rnd() < 0.6) textLine(cv, m, mid + 40, top + r * rowH + 40, 34, 3 + Math.floor(rnd() * 8), blue, rnd, { thick: 3 });
  }
  const bottom = top + rows * rowH;
  textLine(cv, m, right - 420, bottom + 120, 30, 8, ink, rnd);
  return {
    mat: m,
    mm: [210, 297],
    probes: [
      { kind: 'line', orient: 'h', pos: (top + 0.5) / H, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'h', pos: (bottom + 0.5) / H, from: 0.15, to: 0.85 },
      { kind: 'line', orient: 'v', pos: (left + 0.5) / W, from: (top + 20) / H, to: (bottom - 20) / H },
      { kind: 'line', orient: 'v', pos: (right + 0.5) / W, from: (top + 20) / H, to: (bottom - 20) / H },
    ],
  };
}

function drawBlank(cv) {
  return { mat: paper(cv, 1654, 2339, [249, 249, 246], 51), mm: [210, 297], probes: [] };
}

// ------------------------------------------------------------------------------------------------
// Camera

/**
 * Projects a page of `mm` (w, h) lying on the desk through a pinhole camera with focal length f
 * (px) and principal point at the image centre. The page is turned by `rotDeg` in its plane and
 * the plane tilted by `tiltDeg` about an axis at `tiltAxisDeg`; `pxPerMm` sets the distance and
 * `offset` (px) shifts the page from the centre. Returns the corners tl, tr, br, bl.
 */
function projectPage({ mm, W, H, f, pxPerMm, rotDeg, tiltDeg, tiltAxisDeg, offset }) {
  const rad = Math.PI / 180;
  const [pw, ph] = mm;
  const rz = rotDeg * rad;
  const Rz = [
    [Math.cos(rz), -Math.sin(rz), 0],
    [Math.sin(rz), Math.cos(rz), 0],
    [0, 0, 1],
  ];
  // Rodrigues rotation about the in-plane axis (ax, ay, 0).
  const a = tiltAxisDeg * rad;
  const t = tiltDeg * rad;
  const [kx, ky] = [Math.cos(a), Math.sin(a)];
  const K = [
    [0, 0, ky],
    [0, 0, -kx],
    [-ky, kx, 0],
  ];
  const I = [
    [1, 0, 0],
    [0, 1, 0],
    [0, 0, 1],
  ];
  const mul = (A, B) => A.map((row) => B[0].map((_, j) => row.reduce((s, v, k) => s + v * B[k][j], 0)));
  const K2 = mul(K, K);
  const Rt = I.map((row, i) => row.map((v, j) => v + Math.sin(t) * K[i][j] + (1 - Math.cos(t)) * K2[i][j]));
  const R = mul(Rt, Rz);
  const D = f / pxPerMm;
  const T = [(offset[0] * D) / f, (offset[1] * D) / f, D];
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  return [
    [-pw / 2, -ph / 2],
    [pw / 2, -ph / 2],
    [pw / 2, ph / 2],
    [-pw / 2, ph / 2],
  ].map(([X, Y]) => {
    const x = R[0][0] * X + R[0][1] * Y + T[0];
    const y = R[1][0] * X + R[1][1] * Y + T[1];
    const z = R[2][0] * X + R[2][1] * Y + T[2];
    return { x: (f * x) / z + cx, y: (f * y) / z + cy };
  });
}

/** Where the lens (see `photograph`) shows a point that a perfect lens shows at p. */
function distortPoint(p, W, H, k) {
  const cx = (W - 1) / 2;
  const cy = (H - 1) / 2;
  const R2 = cx * cx + cy * cy;
  let d = { ...p };
  for (let i = 0; i < 50; i++) {
    const f = 1 + (k * ((d.x - cx) ** 2 + (d.y - cy) ** 2)) / R2;
    d = { x: cx + (p.x - cx) / f, y: cy + (p.y - cy) / f };
  }
  return d;
}

// ------------------------------------------------------------------------------------------------
// Scene composition

/**
 * Puts the document into the scene and photographs it: returns an RGBA Buffer.
 * light(x, y) → [r, g, b] multipliers; shadow = { dx, dy, blur, strength } of the cast shadow.
 */
function photograph(cv, { W, H, desk, doc, corners, light, shadow, blur, noise, seed, extras, distortion }) {
  const rnd = mulberry32(seed);
  const size = W * H;
  const bg = desk; // CV_8UC3, W×H
  let sceneDoc = null;
  let alphaF = null;
  if (doc) {
    const dw = doc.mat.cols;
    const dh = doc.mat.rows;
    // Anti-alias the document if the camera sees it smaller than it was drawn.
    const seen = Math.max(Math.hypot(corners[1].x - corners[0].x, corners[1].y - corners[0].y), Math.hypot(corners[2].x - corners[3].x, corners[2].y - corners[3].y));
    const shrink = dw / seen;
    const src = doc.mat.clone();
    if (shrink > 1.15) cv.GaussianBlur(src, src, new cv.Size(0, 0), 0.45 * shrink);
    const from = cv.matFromArray(4, 1, cv.CV_32FC2, [-0.5, -0.5, dw - 0.5, -0.5, dw - 0.5, dh - 0.5, -0.5, dh - 0.5]);
    const to = cv.matFromArray(4, 1, cv.CV_32FC2, corners.flatMap((p) => [p.x, p.y]));
    const Hm = cv.getPerspectiveTransform(from, to);
    sceneDoc = new cv.Mat();
    cv.warpPerspective(src, sceneDoc, Hm, new cv.Size(W, H), cv.INTER_LINEAR, cv.BORDER_REPLICATE, new cv.Scalar());
    const alpha = doc.alpha ? doc.alpha.clone() : new cv.Mat(dh, dw, cv.CV_8UC1, new cv.Scalar(255));
    const sceneAlpha = new cv.Mat();
    // Supersampled alpha for an exact edge: warp at 4× and average down.
    const S = 4;
    const up = cv.matFromArray(3, 3, cv.CV_64FC1, [S, 0, (S - 1) / 2, 0, S, (S - 1) / 2, 0, 0, 1]);
    const Hs = new cv.Mat();
    cv.gemm(up, Hm, 1, new cv.Mat(), 0, Hs);
    const big = new cv.Mat();
    cv.warpPerspective(alpha, big, Hs, new cv.Size(W * S, H * S), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0));
    cv.resize(big, sceneAlpha, new cv.Size(W, H), 0, 0, cv.INTER_AREA);
    big.delete();
    Hs.delete();
    up.delete();
    alphaF = new Float32Array(size);
    const ad = sceneAlpha.data;
    for (let i = 0; i < size; i++) alphaF[i] = ad[i] / 255;
    // Cast shadow on the desk: the page outline, shifted and blurred.
    if (shadow) {
      const sh = new cv.Mat();
      const M = cv.matFromArray(2, 3, cv.CV_64FC1, [1, 0, shadow.dx, 0, 1, shadow.dy]);
      cv.warpAffine(sceneAlpha, sh, M, new cv.Size(W, H), cv.INTER_LINEAR, cv.BORDER_CONSTANT, new cv.Scalar(0));
      cv.GaussianBlur(sh, sh, new cv.Size(0, 0), shadow.blur);
      const sd = sh.data;
      const b = bg.data;
      for (let i = 0; i < size; i++) {
        const k = 1 - (shadow.strength * sd[i]) / 255;
        b[3 * i] *= k;
        b[3 * i + 1] *= k;
        b[3 * i + 2] *= k;
      }
      sh.delete();
      M.delete();
    }
    src.delete();
    from.delete();
    to.delete();
    Hm.delete();
    alpha.delete();
    sceneAlpha.delete();
  }
  if (extras) extras(bg);
  // Composite, then light.
  const out = new cv.Mat(H, W, cv.CV_8UC3);
  const o = out.data;
  const b = bg.data;
  const dd = sceneDoc ? sceneDoc.data : null;
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const i = y * W + x;
      const a = alphaF ? alphaF[i] : 0;
      const L = light(x, y);
      for (let k = 0; k < 3; k++) {
        const v = dd ? dd[3 * i + k] * a + b[3 * i + k] * (1 - a) : b[3 * i + k];
        o[3 * i + k] = clamp255(v * L[k]);
      }
    }
  }
  if (sceneDoc) sceneDoc.delete();
  if (distortion) {
    // Barrel distortion of the lens: the scene pixel at p_d shows what a perfect lens shows at
    // p_u = c + (p_d - c)(1 + k r²), r relative to the half-diagonal.
    const mapX = new cv.Mat(H, W, cv.CV_32FC1);
    const mapY = new cv.Mat(H, W, cv.CV_32FC1);
    const mx = mapX.data32F;
    const my = mapY.data32F;
    const cx = (W - 1) / 2;
    const cy = (H - 1) / 2;
    const R2 = cx * cx + cy * cy;
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const f = 1 + (distortion * ((x - cx) ** 2 + (y - cy) ** 2)) / R2;
        mx[y * W + x] = cx + (x - cx) * f;
        my[y * W + x] = cy + (y - cy) * f;
      }
    }
    const bent = new cv.Mat();
    cv.remap(out, bent, mapX, mapY, cv.INTER_LINEAR, cv.BORDER_REFLECT, new cv.Scalar());
    bent.copyTo(out);
    bent.delete();
    mapX.delete();
    mapY.delete();
  }
  cv.GaussianBlur(out, out, new cv.Size(0, 0), blur);
  // Sensor noise: luminance plus a little chroma, then RGBA.
  const rgba = Buffer.alloc(size * 4);
  for (let i = 0; i < size; i++) {
    const l = gaussian(rnd) * noise;
    for (let k = 0; k < 3; k++) rgba[4 * i + k] = clamp255(Math.round(o[3 * i + k] + l + gaussian(rnd) * noise * 0.4));
    rgba[4 * i + 3] = 255;
  }
  out.delete();
  return rgba;
}

/** Lighting: a tilted plane, a soft hot spot, optional soft shadow band and vignetting. */
function lighting(W, H, { base = 1, gx = 0, gy = 0, spot = null, band = null, vignette = 0.12, tint = [1, 1, 1] }) {
  return (x, y) => {
    const u = x / W - 0.5;
    const v = y / H - 0.5;
    let l = base + gx * u + gy * v;
    if (spot) l += spot.gain * Math.exp(-((x / W - spot.x) ** 2 + (y / H - spot.y) ** 2) / (2 * spot.size ** 2));
    if (band) {
      // Distance from the line through (band.x, band.y) at band.angle, soft-edged.
      const a = (band.angle * Math.PI) / 180;
      const d = (x / W - band.x) * -Math.sin(a) + (y / H - band.y) * Math.cos(a);
      const inside = 1 / (1 + Math.exp((Math.abs(d) - band.width) / band.soft));
      l *= 1 - band.depth * inside;
    }
    l *= 1 - vignette * (u * u + v * v) * 2;
    return [l * tint[0], l * tint[1], l * tint[2]];
  };
}

// ------------------------------------------------------------------------------------------------
// The scenes

const SCENES = [
  {
    name: 'licence-wood',
    title: 'Business licence (副本) with a red seal on a dark wooden desk, strong tilt',
    W: 2592,
    H: 1944,
    seed: 101,
    draw: drawLicence,
    pose: { pxPerMm: 6.0, rotDeg: 9, tiltDeg: 20, tiltAxisDeg: 70, offset: [40, -20] },
    desk: (cv, W, H) => woodDesk(cv, W, H, 7),
    shadow: { dx: 14, dy: 18, blur: 14, strength: 0.45 },
    light: (W, H) => lighting(W, H, { base: 0.95, gx: -0.12, gy: 0.08, spot: { x: 0.35, y: 0.3, size: 0.3, gain: 0.08 }, tint: [1, 0.98, 0.93] }),
    blur: 1.0,
    noise: 2.2,
  },
  {
    name: 'id-card-dark',
    title: 'ID card (人像面), small in the frame, on a dark camera mat',
    W: 2560,
    H: 1920,
    seed: 202,
    draw: drawIdCard,
    pose: { pxPerMm: 6.4, rotDeg: -17, tiltDeg: 8, tiltAxisDeg: 20, offset: [-380, 260] },
    desk: (cv, W, H) => plainDesk(cv, W, H, 9, [38, 40, 45], { grain: 5, cloud: 7, speckle: 25 }),
    shadow: { dx: 6, dy: 8, blur: 6, strength: 0.5 },
    light: (W, H) => lighting(W, H, { base: 1.0, gx: 0.06, gy: -0.05, tint: [1, 1, 0.97] }),
    blur: 0.9,
    noise: 2.4,
  },
  {
    name: 'dense-text-uneven',
    title: 'Dense A4 text page under uneven lighting (lamp gradient, shadow band), grey office desk',
    W: 2592,
    H: 1944,
    seed: 303,
    draw: drawDenseText,
    pose: { pxPerMm: 5.3, rotDeg: -7, tiltDeg: 14, tiltAxisDeg: 0, offset: [60, 10] },
    desk: (cv, W, H) => plainDesk(cv, W, H, 13, [112, 116, 122], { grain: 7, cloud: 12 }),
    shadow: { dx: -10, dy: 12, blur: 12, strength: 0.35 },
    light: (W, H) =>
      lighting(W, H, {
        base: 0.86,
        gx: 0.32,
        gy: 0.14,
        spot: { x: 0.78, y: 0.25, size: 0.22, gain: 0.12 },
        band: { x: 0.3, y: 0.5, angle: 62, width: 0.05, soft: 0.03, depth: 0.3 },
        tint: [1, 0.97, 0.9],
      }),
    blur: 1.1,
    noise: 2.4,
  },
  {
    name: 'light-on-light',
    title: 'Light application form on a light desk (low contrast, no cast shadow)',
    W: 2592,
    H: 1944,
    seed: 404,
    draw: drawLightForm,
    pose: { pxPerMm: 5.15, rotDeg: 5, tiltDeg: 10, tiltAxisDeg: 110, offset: [-30, 20] },
    desk: (cv, W, H) => plainDesk(cv, W, H, 17, [224, 220, 210], { grain: 4, cloud: 6 }),
    shadow: null,
    light: (W, H) => lighting(W, H, { base: 0.95, gx: 0.06, gy: -0.08, vignette: 0.1 }),
    blur: 1.0,
    noise: 2.0,
  },
  {
    name: 'blank-sheet',
    title: 'Blank A4 sheet on a lighter wooden desk',
    W: 2592,
    H: 1944,
    seed: 505,
    draw: drawBlank,
    pose: { pxPerMm: 5.0, rotDeg: 22, tiltDeg: 7, tiltAxisDeg: 45, offset: [0, 0] },
    desk: (cv, W, H) => woodDesk(cv, W, H, 19, { dark: [96, 62, 34], light: [170, 122, 78], angle: -0.1, plank: 520 }),
    shadow: { dx: 10, dy: 12, blur: 12, strength: 0.35 },
    light: (W, H) => lighting(W, H, { base: 0.96, gx: 0.1, gy: 0.05 }),
    blur: 1.0,
    noise: 2.2,
  },
  {
    name: 'empty-desk',
    title: 'No document: wooden desk with a pen and a round coaster',
    W: 2592,
    H: 1944,
    seed: 606,
    draw: null,
    desk: (cv, W, H) => woodDesk(cv, W, H, 23),
    extras: (cv) => (bg) => {
      // A round coaster (cork) and a pen: objects, not pages.
      cv.circle(bg, pt(1750, 640), 260, col([168, 128, 86]), -1, cv.LINE_AA);
      cv.circle(bg, pt(1750, 640), 260, col([120, 86, 52]), 6, cv.LINE_AA);
      cv.line(bg, pt(520, 1320), pt(1260, 1520), col([20, 30, 80]), 26, cv.LINE_AA);
      cv.line(bg, pt(1260, 1520), pt(1330, 1539), col([200, 200, 205]), 16, cv.LINE_AA);
    },
    light: (W, H) => lighting(W, H, { base: 0.95, gx: -0.1, gy: 0.06 }),
    blur: 1.0,
    noise: 2.2,
  },
];

function encodeJpeg(rgba, W, H, file) {
  // The best quality that fits the size budget (mjpeg qscale 2 is about JPEG quality 95).
  for (const q of [2, 3, 4, 5, 6]) {
    const bytes = ffmpeg(['-f', 'rawvideo', '-pix_fmt', 'rgba', '-s', `${W}x${H}`, '-i', '-', '-frames:v', '1', '-q:v', String(q), '-pix_fmt', 'yuvj420p', '-f', 'mjpeg', '-'], rgba);
    if (bytes.length <= MAX_BYTES || q === 6) {
      const tmp = `${file}.tmp-${process.pid}`;
      writeFileSync(tmp, bytes);
      renameSync(tmp, file);
      return { q, bytes: bytes.length };
    }
  }
  throw new Error('unreachable');
}

async function makeScenes(only) {
  const { cv } = await loadCv();
  globalThis.__cv = cv;
  mkdirSync(FIXTURE_DIR, { recursive: true });
  const truthFile = path.join(FIXTURE_DIR, 'truth.json');
  const previous = existsSync(truthFile) ? JSON.parse(readFileSync(truthFile, 'utf8')).fixtures : [];
  const fixtures = [];
  for (const sc of SCENES) {
    if (only && sc.name !== only) {
      const prev = previous.find((p) => p.name === sc.name);
      if (prev) fixtures.push(prev);
      continue;
    }
    const t0 = Date.now();
    const rnd = mulberry32(sc.seed);
    const doc = sc.draw ? sc.draw(cv, rnd) : null;
    const f = 0.8 * sc.W; // about 64° horizontal field of view
    const corners = doc ? projectPage({ mm: doc.mm, W: sc.W, H: sc.H, f, ...sc.pose }) : null;
    if (corners && corners.some((p) => p.x < 30 || p.y < 30 || p.x > sc.W - 31 || p.y > sc.H - 31)) throw new Error(`${sc.name}: page leaves the frame`);
    const desk = sc.desk(cv, sc.W, sc.H);
    const rgba = photograph(cv, {
      W: sc.W,
      H: sc.H,
      desk,
      doc,
      corners,
      light: sc.light(sc.W, sc.H),
      shadow: sc.shadow,
      blur: sc.blur,
      noise: sc.noise,
      seed: sc.seed * 7 + 1,
      extras: sc.extras ? sc.extras(cv) : null,
      distortion: LENS_DISTORTION,
    });
    // The truth: the page corners as the (slightly barrel-distorting) lens shows them. The page
    // edges between them bow by a pixel or two, as in a real photograph.
    const seen = corners ? corners.map((p) => distortPoint(p, sc.W, sc.H, LENS_DISTORTION)) : null;
    desk.delete();
    const file = `${sc.name}.jpg`;
    const { q, bytes } = encodeJpeg(rgba, sc.W, sc.H, path.join(FIXTURE_DIR, file));
    const round = (v) => Math.round(v * 1000) / 1000;
    fixtures.push({
      name: sc.name,
      file,
      title: sc.title,
      width: sc.W,
      height: sc.H,
      document: !!doc,
      corners: seen ? seen.map((p) => [round(p.x), round(p.y)]) : null,
      page: doc ? { mm: doc.mm, aspect: round(doc.mm[0] / doc.mm[1]), drawnPx: [doc.mat.cols, doc.mat.rows] } : null,
      seal: doc?.seal ?? null,
      probes: doc?.probes ?? [],
      blank: sc.draw === drawBlank,
      camera: { focalPx: f, principalPoint: 'image centre', radialDistortion: LENS_DISTORTION, ...(sc.pose ?? {}) },
      jpeg: { qscale: q, bytes },
    });
    if (doc) {
      doc.mat.delete();
      doc.alpha?.delete();
    }
    console.log(`${sc.name}: ${sc.W}×${sc.H}, ${(bytes / 1e6).toFixed(2)} MB (q ${q}), ${Date.now() - t0} ms`);
  }
  const truth = {
    about:
      'Synthetic document-camera scenes made by scripts/make-scan-fixtures.mjs. corners: the page outline [tl, tr, br, bl] in scene pixels (pixel centres at integers), as seen through the slightly barrel-distorting lens (camera.radialDistortion), so the page edges between them bow by a pixel or two. probes: printed lines/edges on the flat page, in fractions of the page (pos across, from..to along), used to check that the warped page is straight. seal: centre and radius as fractions of the page width/height/width.',
    fixtures,
  };
  writeFileSync(truthFile, `${JSON.stringify(truth, null, 2)}\n`);
  const ignore = path.join(GENERATED_DIR, '.gitignore');
  mkdirSync(GENERATED_DIR, { recursive: true });
  if (!existsSync(ignore)) writeFileSync(ignore, '*\n!.gitignore\n');
}

const isMain = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (isMain) {
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice(7);
  if (!process.argv.includes('--y4m')) await makeScenes(only);
  const t0 = Date.now();
  const files = ensureAllY4m({ force: !process.argv.includes('--y4m') });
  console.log(`y4m: ${files.length} files in ${path.relative(root, GENERATED_DIR)} (${Date.now() - t0} ms)`);
}
