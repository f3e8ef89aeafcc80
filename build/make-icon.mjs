#!/usr/bin/env node
/**
 * Draws build/icon.png (512x512 RGBA) with Node built-ins only: a rounded
 * square in government blue, a white document with a folded corner and text
 * lines, and a red seal (ring + five-pointed star) on it.
 *
 * Shapes are tested per sub-sample (4x4 per pixel) for anti-aliased edges;
 * the PNG is written by hand (chunks + CRC-32, zlib deflate for IDAT).
 *
 *   node build/make-icon.mjs [out.png]
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const SIZE = 512;
const SS = 4; // sub-samples per axis

const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];
const BLUE = hex('#1f4e9c');
const BLUE_LIGHT = hex('#2b63bd');
const WHITE = hex('#ffffff');
const FOLD = hex('#c9d6ec');
const LINE = hex('#b7c7e3');
const TITLE = hex('#1f4e9c');
const RED = hex('#d42a2a');

// ---- geometry -------------------------------------------------------------

function inRoundedRect(x, y, x0, y0, x1, y1, r) {
  if (x < x0 || x > x1 || y < y0 || y > y1) return false;
  const cx = Math.min(Math.max(x, x0 + r), x1 - r);
  const cy = Math.min(Math.max(y, y0 + r), y1 - r);
  return (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
}

/** Even-odd point-in-polygon. */
function inPolygon(x, y, pts) {
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [xi, yi] = pts[i];
    const [xj, yj] = pts[j];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/** Horizontal bar with round ends. */
function inCapsule(x, y, x0, x1, cy, h) {
  return inRoundedRect(x, y, x0, cy - h / 2, x1, cy + h / 2, h / 2);
}

function starPoints(cx, cy, rOuter, rInner) {
  const pts = [];
  for (let i = 0; i < 10; i++) {
    const r = i % 2 === 0 ? rOuter : rInner;
    const a = -Math.PI / 2 + (i * Math.PI) / 5;
    pts.push([cx + r * Math.cos(a), cy + r * Math.sin(a)]);
  }
  return pts;
}

// Background tile
const BG = { x0: 24, y0: 24, x1: 488, y1: 488, r: 104 };
// Document with a folded top-right corner
const DOC = { x0: 132, y0: 84, x1: 380, y1: 428, fold: 64, r: 14 };
const docPoly = [
  [DOC.x0, DOC.y0],
  [DOC.x1 - DOC.fold, DOC.y0],
  [DOC.x1, DOC.y0 + DOC.fold],
  [DOC.x1, DOC.y1],
  [DOC.x0, DOC.y1],
];
const foldPoly = [
  [DOC.x1 - DOC.fold, DOC.y0],
  [DOC.x1 - DOC.fold + 6, DOC.y0 + DOC.fold - 6],
  [DOC.x1, DOC.y0 + DOC.fold],
];
// Seal
const SEAL = { cx: 298, cy: 338, rOuter: 66, rInner: 54 };
const star = starPoints(SEAL.cx, SEAL.cy, 32, 13);

function inDoc(x, y) {
  if (!inPolygon(x, y, docPoly)) return false;
  // round the three square corners a little
  const r = DOC.r;
  const corners = [
    [DOC.x0 + r, DOC.y0 + r, x < DOC.x0 + r && y < DOC.y0 + r],
    [DOC.x0 + r, DOC.y1 - r, x < DOC.x0 + r && y > DOC.y1 - r],
    [DOC.x1 - r, DOC.y1 - r, x > DOC.x1 - r && y > DOC.y1 - r],
  ];
  for (const [cx, cy, zone] of corners) if (zone && (x - cx) ** 2 + (y - cy) ** 2 > r * r) return false;
  return true;
}

/** Colour of one sub-sample, or null for transparent. */
function sample(x, y) {
  if (!inRoundedRect(x, y, BG.x0, BG.y0, BG.x1, BG.y1, BG.r)) return null;

  // a soft vertical gradient on the tile
  const t = (y - BG.y0) / (BG.y1 - BG.y0);
  let c = BLUE_LIGHT.map((v, i) => Math.round(v + (BLUE[i] - v) * t));

  // drop shadow of the document
  if (inDoc(x - 8, y - 10)) c = c.map((v) => Math.round(v * 0.72));

  if (inDoc(x, y)) {
    c = WHITE;
    if (inPolygon(x, y, foldPoly)) c = FOLD;
    const lx0 = DOC.x0 + 34;
    if (inCapsule(x, y, lx0, lx0 + 120, 138, 18)) c = TITLE;
    if (inCapsule(x, y, lx0, DOC.x1 - 34, 184, 12)) c = LINE;
    if (inCapsule(x, y, lx0, DOC.x1 - 34, 218, 12)) c = LINE;
    if (inCapsule(x, y, lx0, DOC.x1 - 62, 252, 12)) c = LINE;
    if (inCapsule(x, y, lx0, lx0 + 62, 286, 12)) c = LINE;
  }

  const d2 = (x - SEAL.cx) ** 2 + (y - SEAL.cy) ** 2;
  if (d2 <= SEAL.rOuter ** 2 && d2 >= SEAL.rInner ** 2) c = RED;
  if (inPolygon(x, y, star)) c = RED;
  return c;
}

// ---- raster ---------------------------------------------------------------

function render() {
  const rowBytes = SIZE * 4 + 1;
  const raw = Buffer.alloc(rowBytes * SIZE);
  const n = SS * SS;
  for (let py = 0; py < SIZE; py++) {
    raw[py * rowBytes] = 0; // filter: none
    for (let px = 0; px < SIZE; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (let sy = 0; sy < SS; sy++) {
        for (let sx = 0; sx < SS; sx++) {
          const c = sample(px + (sx + 0.5) / SS, py + (sy + 0.5) / SS);
          if (!c) continue;
          r += c[0];
          g += c[1];
          b += c[2];
          a += 1;
        }
      }
      const o = py * rowBytes + 1 + px * 4;
      if (a > 0) {
        raw[o] = Math.round(r / a);
        raw[o + 1] = Math.round(g / a);
        raw[o + 2] = Math.round(b / a);
        raw[o + 3] = Math.round((255 * a) / n);
      }
    }
  }
  return raw;
}

// ---- PNG ------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const typeAndData = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));
  return Buffer.concat([len, typeAndData, crc]);
}

function encodePng(raw) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(SIZE, 0);
  ihdr.writeUInt32BE(SIZE, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // colour type: RGBA
  ihdr[10] = 0; // compression
  ihdr[11] = 0; // filter
  ihdr[12] = 0; // interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const here = path.dirname(fileURLToPath(import.meta.url));
const out = path.resolve(process.argv[2] ?? path.join(here, 'icon.png'));
const png = encodePng(render());
fs.writeFileSync(out, png);
console.log(`wrote ${out} (${SIZE}x${SIZE}, ${png.length} bytes)`);
