// The one image check of the main side. Every image the desk accepts — scan pages, window material
// pages, signatures, field-result evidence, 协查 reply scans, vendor-camera frames — passes here
// before a byte of it is stored or handed to a worker. The main process has no image decoder: the
// file's whole structure is read instead, which is linear in its size and allocates nothing
// proportional to the pixel count:
//   PNG  — signature, IHDR first (sane depth/colour type), every chunk's length and CRC, no unknown
//          critical chunk, IDAT present, IEND last and nothing after it;
//   JPEG — SOI, marker segments with in-bounds lengths, one SOF frame (baseline/extended/progressive,
//          8-bit, gray or YCbCr) before the first scan, the entropy-coded data walked to EOI, and
//          nothing after EOI;
// then the declared width × height (≤ IMAGE_LIMITS.maxPixels), each side (≤ maxSide) and the byte
// size. A refusal is BAD_INPUT with a specific Chinese message ending 未保存 and an English reason
// in the log (the dispatcher logs `logDetail`). See docs/SECURITY.md, "Bounded input".
import zlib from 'node:zlib';
import { AppError } from '../../app/app-error';

export type ImageMime = 'image/jpeg' | 'image/png';

export const IMAGE_LIMITS = {
  /** Declared width × height: a decoder downstream (pdf-lib in a worker, the page's canvas) allocates 4 bytes per pixel. */
  maxPixels: 50_000_000,
  /** Either side, in pixels (an A3 scan at 600 dpi is 7016 × 9921). */
  maxSide: 20_000,
  /** Bytes of one image unless the caller sets a smaller limit. */
  maxBytes: 20 * 1024 * 1024,
  /** A signature (drawn on a pad or screen, or a scanned signed paper: an A4 page at 300 dpi is 8.7 MP). */
  signatureMaxPixels: 12_000_000,
} as const;

export interface ImageFacts {
  mime: ImageMime;
  width: number;
  height: number;
  /** JPEG: colour components (1 gray, 3 YCbCr); PNG: colour type. */
  channels: number;
}

/** Why an image is refused: `problem` in Chinese for the user (no trailing punctuation), `reason` in English for the log. */
export interface ImageProblem {
  problem: string;
  reason: string;
}

export interface CheckedImage extends ImageFacts {
  bytes: Buffer;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

const bad = (problem: string, reason: string): ImageProblem => ({ problem, reason });

/** JPEG or PNG by its first bytes, or null. Says nothing about whether the file is whole: see inspectImage. */
export function sniffImageMime(bytes: Uint8Array): ImageMime | null {
  const b = asBuffer(bytes);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_MAGIC)) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return null;
}

/** The image's facts from its whole structure, or why it is not a whole JPEG/PNG. Limits are not applied here. */
export function inspectImage(bytes: Uint8Array): ImageFacts | ImageProblem {
  const b = asBuffer(bytes);
  const mime = sniffImageMime(b);
  if (mime === 'image/png') return inspectPng(b);
  if (mime === 'image/jpeg') return inspectJpeg(b);
  return bad('不是 JPEG 或 PNG 图像（文件头不符）', `not a JPEG or PNG: first bytes ${b.subarray(0, 8).toString('hex') || '(none)'}`);
}

// --- PNG ---------------------------------------------------------------------------------------

/** Allowed bit depths per colour type (PNG spec, table 11.1). */
const PNG_DEPTHS: Record<number, number[]> = { 0: [1, 2, 4, 8, 16], 2: [8, 16], 3: [1, 2, 4, 8], 4: [8, 16], 6: [8, 16] };
const PNG_CRITICAL = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND']);

function inspectPng(b: Buffer): ImageFacts | ImageProblem {
  let pos = 8;
  let facts: ImageFacts | null = null;
  let sawPlte = false;
  let sawIdat = false;
  let n = 0;
  while (true) {
    if (pos === b.length) return bad('PNG 图像不完整（缺少结束块），可能传输中断', `png: no IEND chunk (${b.length} bytes, ${n} chunks)`);
    if (pos + 12 > b.length) return bad('PNG 图像不完整，可能传输中断', `png: chunk header cut at offset ${pos} of ${b.length}`);
    const len = b.readUInt32BE(pos);
    const type = b.toString('latin1', pos + 4, pos + 8);
    if (len > 0x7fffffff || pos + 12 + len > b.length) return bad('PNG 图像不完整，可能传输中断', `png: chunk ${JSON.stringify(type)} at ${pos} declares ${len} bytes, only ${b.length - pos - 12} left`);
    if (!/^[A-Za-z]{4}$/.test(type)) return bad('PNG 图像结构不正确', `png: invalid chunk type ${JSON.stringify(type)} at offset ${pos}`);
    const stored = b.readUInt32BE(pos + 8 + len);
    if (zlib.crc32(b.subarray(pos + 4, pos + 8 + len)) !== stored) return bad('PNG 图像已损坏（数据校验不符）', `png: CRC mismatch in chunk ${type} at offset ${pos}`);
    if (n === 0) {
      if (type !== 'IHDR' || len !== 13) return bad('PNG 图像缺少文件头（IHDR）', `png: first chunk is ${type} (${len} bytes), not a 13-byte IHDR`);
      const width = b.readUInt32BE(pos + 8);
      const height = b.readUInt32BE(pos + 12);
      const depth = b[pos + 16]!;
      const colorType = b[pos + 17]!;
      if (!PNG_DEPTHS[colorType]?.includes(depth)) return bad('PNG 图像文件头不正确（位深或色彩类型无效）', `png: colour type ${colorType} with bit depth ${depth}`);
      if (b[pos + 18] !== 0 || b[pos + 19] !== 0 || b[pos + 20]! > 1) return bad('PNG 图像文件头不正确', `png: compression ${b[pos + 18]}, filter ${b[pos + 19]}, interlace ${b[pos + 20]}`);
      facts = { mime: 'image/png', width, height, channels: colorType };
    } else if (type === 'IHDR') {
      return bad('PNG 图像结构不正确（文件头重复）', `png: second IHDR at offset ${pos}`);
    } else if (type === 'PLTE') {
      sawPlte = true;
    } else if (type === 'IDAT') {
      sawIdat = true;
    } else if (type === 'IEND') {
      const after = b.length - (pos + 12);
      if (after > 0) return bad(`PNG 图像结束块之后还有 ${after} 字节多余数据`, `png: ${after} bytes after IEND at offset ${pos + 12}`);
      if (!sawIdat) return bad('PNG 图像没有图像数据（IDAT）', 'png: IEND without any IDAT');
      if (facts!.channels === 3 && !sawPlte) return bad('PNG 图像缺少调色板（PLTE）', 'png: colour type 3 without PLTE');
      return facts!;
    } else if (!PNG_CRITICAL.has(type) && type.charCodeAt(0) < 0x61) {
      return bad('PNG 图像含有无法识别的关键数据块', `png: unknown critical chunk ${type} at offset ${pos}`);
    }
    pos += 12 + len;
    n++;
  }
}

// --- JPEG --------------------------------------------------------------------------------------

// SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
const isRst = (m: number) => m >= 0xd0 && m <= 0xd7;

function inspectJpeg(b: Buffer): ImageFacts | ImageProblem {
  const cut = (at: number) => bad('JPEG 图像不完整，可能传输中断', `jpeg: data ends at ${b.length} inside the segment at ${at}`);
  let pos = 2;
  let facts: ImageFacts | null = null;
  let scans = 0;
  while (true) {
    if (pos + 2 > b.length) return bad('JPEG 图像不完整（缺少结束标记），可能传输中断', `jpeg: no EOI (${b.length} bytes, ${scans} scans)`);
    if (b[pos] !== 0xff) return bad('JPEG 图像结构不正确', `jpeg: expected a marker at offset ${pos}, found 0x${b[pos]!.toString(16)}`);
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xd9) {
      if (!facts) return bad('JPEG 图像缺少帧头（SOF）', 'jpeg: EOI before any SOF');
      if (scans === 0) return bad('JPEG 图像没有图像数据', 'jpeg: EOI before any SOS');
      const after = b.length - (pos + 2);
      if (after > 0) return bad(`JPEG 图像结束标记之后还有 ${after} 字节多余数据`, `jpeg: ${after} bytes after EOI at offset ${pos + 2}`);
      return facts;
    }
    if (marker === 0xd8) return bad('JPEG 图像结构不正确（重复的起始标记）', `jpeg: SOI again at offset ${pos}`);
    if (marker === 0x01 || isRst(marker)) {
      pos += 2; // markers without a length
      continue;
    }
    if (pos + 4 > b.length) return cut(pos);
    const len = b.readUInt16BE(pos + 2);
    if (len < 2) return bad('JPEG 图像结构不正确', `jpeg: segment 0x${marker.toString(16)} at ${pos} has length ${len}`);
    if (pos + 2 + len > b.length) return cut(pos);
    if (isSof(marker)) {
      if (facts) return bad('JPEG 图像结构不正确（帧头重复）', `jpeg: second SOF at offset ${pos}`);
      if (len < 8) return bad('JPEG 图像帧头不正确', `jpeg: SOF length ${len}`);
      if (marker !== 0xc0 && marker !== 0xc1 && marker !== 0xc2) return bad('不支持该 JPEG 编码方式（仅支持基线和渐进式 JPEG）', `jpeg: SOF marker 0x${marker.toString(16)}`);
      if (b[pos + 4] !== 8) return bad('不支持 12 位等高精度 JPEG，请以 8 位保存', `jpeg: precision ${b[pos + 4]}`);
      const channels = b[pos + 9]!;
      if (channels !== 1 && channels !== 3) return bad('不支持 CMYK 等特殊色彩的 JPEG，请以彩色或灰度保存', `jpeg: ${channels} components`);
      if (len !== 8 + 3 * channels) return bad('JPEG 图像帧头不正确', `jpeg: SOF length ${len} for ${channels} components`);
      facts = { mime: 'image/jpeg', height: b.readUInt16BE(pos + 5), width: b.readUInt16BE(pos + 7), channels };
    }
    pos += 2 + len;
    if (marker === 0xda) {
      if (!facts) return bad('JPEG 图像缺少帧头（SOF）', `jpeg: SOS at offset ${pos - 2 - len} before any SOF`);
      scans++;
      // Entropy-coded data: FF is followed by 00 (a stuffed byte), RSTn, fill bytes, or the next marker.
      while (true) {
        const ff = b.indexOf(0xff, pos);
        if (ff < 0 || ff + 1 >= b.length) return bad('JPEG 图像不完整（缺少结束标记），可能传输中断', `jpeg: entropy-coded data runs to the end (${b.length} bytes), no EOI`);
        const next = b[ff + 1]!;
        if (next === 0x00 || isRst(next)) {
          pos = ff + 2;
          continue;
        }
        if (next === 0xff) {
          pos = ff + 1;
          continue;
        }
        pos = ff;
        break;
      }
    }
  }
}

// --- The check at the boundary -----------------------------------------------------------------

export interface ImageCheckOptions {
  /** Bytes; at most IMAGE_LIMITS.maxBytes. */
  maxBytes?: number;
  /** Declared width × height; at most IMAGE_LIMITS.maxPixels. */
  maxPixels?: number;
  /** What the caller says the image is (a form's mime): refused when the content is the other kind. */
  declaredMime?: ImageMime;
  /** Only these kinds (e.g. the vendor camera: JPEG only). */
  accept?: readonly ImageMime[];
}

const MB = 1024 * 1024;
const label = (m: ImageMime) => (m === 'image/jpeg' ? 'JPEG' : 'PNG');

/**
 * The facts of an image that passes every rule, or its refusal: a Chinese sentence naming `what`
 * (“签名图像：…”, “第2页：…”) and ending 未保存, and an English reason for the log.
 */
export function judgeImage(bytes: Uint8Array, what: string, opts: ImageCheckOptions = {}): ImageFacts | (ImageProblem & { message: string; facts?: Partial<ImageFacts> }) {
  const maxBytes = Math.min(opts.maxBytes ?? IMAGE_LIMITS.maxBytes, IMAGE_LIMITS.maxBytes);
  const refuse = (problem: string, reason: string, facts?: Partial<ImageFacts>) => ({ problem, reason, message: `${what}：${problem}，未保存。`, ...(facts ? { facts } : {}) });
  if (bytes.length === 0) return refuse('内容为空', 'empty');
  if (bytes.length > maxBytes) return refuse(`超过 ${Math.round(maxBytes / MB)} MB 上限（${(bytes.length / MB).toFixed(1)} MB），请降低分辨率或压缩质量后重试`, `${bytes.length} bytes > ${maxBytes}`);
  const facts = inspectImage(bytes);
  if ('problem' in facts) return refuse(facts.problem, facts.reason);
  const { mime, width, height } = facts;
  if (opts.accept && !opts.accept.includes(mime)) return refuse(`须为 ${opts.accept.map(label).join(' 或 ')} 图像，收到的是 ${label(mime)}`, `${mime} not accepted`, facts);
  if (opts.declaredMime && opts.declaredMime !== mime) return refuse(`声明为 ${label(opts.declaredMime)}，内容却是 ${label(mime)}`, `declared ${opts.declaredMime}, content is ${mime}`, facts);
  if (width === 0 || height === 0) return refuse(`尺寸为 0（${width}×${height}），图像已损坏`, `zero dimension ${width}x${height}`, facts);
  const maxPixels = Math.min(opts.maxPixels ?? IMAGE_LIMITS.maxPixels, IMAGE_LIMITS.maxPixels);
  if (width * height > maxPixels) {
    return refuse(`尺寸过大（${width}×${height}），超过 ${maxPixels / 10_000} 万像素上限`, `declared ${width}x${height} = ${width * height} pixels > ${maxPixels}`, facts);
  }
  if (Math.max(width, height) > IMAGE_LIMITS.maxSide) {
    return refuse(`尺寸过大（${width}×${height}），边长超过 ${IMAGE_LIMITS.maxSide} 像素上限`, `declared ${width}x${height}: a side > ${IMAGE_LIMITS.maxSide}`, facts);
  }
  return facts;
}

/** judgeImage, throwing BAD_INPUT (the message for the user, the reason and size in the log). */
export function checkImageBytes(bytes: Buffer, what: string, opts: ImageCheckOptions = {}): CheckedImage {
  const v = judgeImage(bytes, what, opts);
  if ('problem' in v) throw new AppError('BAD_INPUT', v.message, { image: what, refused: v.reason, bytes: bytes.length, ...v.facts });
  return { ...v, bytes };
}

/** Decodes base64 then checkImageBytes. */
export function checkImageBase64(base64: string, what: string, opts: ImageCheckOptions = {}): CheckedImage {
  return checkImageBytes(Buffer.from(base64, 'base64'), what, opts);
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
