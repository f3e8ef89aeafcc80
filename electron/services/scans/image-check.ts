// Checks an uploaded page image without decoding it: the magic bytes, the header's own size
// (JPEG SOFn, PNG IHDR), that the file is complete (JPEG EOI, PNG IEND), and that the size is
// one a document camera or a scanner can produce. The main process has no image library;
// these checks are enough to refuse a damaged, truncated or mislabelled file at the boundary.
import { AppError } from '../../app/app-error';
import { SCAN_LIMITS } from '../../../shared/ipc/methods/scans';

export type ImageMime = 'image/jpeg' | 'image/png';

export interface ImageProbe {
  mime: ImageMime;
  width: number;
  height: number;
  /** JPEG: colour components (1 gray, 3 YCbCr); PNG: colour type. */
  channels: number;
}

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const PNG_IEND = Buffer.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);

export function sniffMime(bytes: Uint8Array): ImageMime | null {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(PNG_MAGIC)) return 'image/png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'image/jpeg';
  return null;
}

/** The problem with an image, in Chinese, or its header facts. */
export function probeImage(bytes: Uint8Array): ImageProbe | { problem: string } {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const mime = sniffMime(b);
  if (mime === 'image/png') return probePng(b);
  if (mime === 'image/jpeg') return probeJpeg(b);
  return { problem: '不是 JPEG 或 PNG 图像（文件头不符）' };
}

function probePng(b: Buffer): ImageProbe | { problem: string } {
  if (b.length < 8 + 25 + 12) return { problem: 'PNG 图像不完整' };
  if (b.readUInt32BE(8) !== 13 || b.toString('latin1', 12, 16) !== 'IHDR') return { problem: 'PNG 图像缺少文件头（IHDR）' };
  const width = b.readUInt32BE(16);
  const height = b.readUInt32BE(20);
  const colorType = b[25]!;
  if (!b.subarray(b.length - 12).equals(PNG_IEND)) return { problem: 'PNG 图像不完整（缺少结束块），可能传输中断' };
  return { mime: 'image/png', width, height, channels: colorType };
}

// SOFn markers carry the frame size; C4 (DHT), C8 (JPG) and CC (DAC) share the range but are not frames.
const isSof = (m: number) => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

function probeJpeg(b: Buffer): ImageProbe | { problem: string } {
  let pos = 2;
  while (pos + 4 <= b.length) {
    if (b[pos] !== 0xff) return { problem: 'JPEG 图像结构不正确' };
    const marker = b[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      pos += 2; // markers without a length
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) return { problem: 'JPEG 图像缺少帧头（SOF）' };
    const len = b.readUInt16BE(pos + 2);
    if (len < 2 || pos + 2 + len > b.length) return { problem: 'JPEG 图像不完整' };
    if (isSof(marker)) {
      if (len < 8) return { problem: 'JPEG 图像帧头不正确' };
      const height = b.readUInt16BE(pos + 5);
      const width = b.readUInt16BE(pos + 7);
      const channels = b[pos + 9]!;
      if (marker !== 0xc0 && marker !== 0xc1 && marker !== 0xc2) return { problem: '不支持该 JPEG 编码方式（仅支持基线和渐进式 JPEG）' };
      if (b[pos + 4] !== 8) return { problem: '不支持 12 位等高精度 JPEG，请以 8 位保存' };
      if (channels !== 1 && channels !== 3) return { problem: '不支持 CMYK 等特殊色彩的 JPEG，请以彩色或灰度保存' };
      if (!hasEoi(b)) return { problem: 'JPEG 图像不完整（缺少结束标记），可能传输中断' };
      return { mime: 'image/jpeg', width, height, channels };
    }
    pos += 2 + len;
  }
  return { problem: 'JPEG 图像不完整' };
}

/** EOI (FF D9) near the end; inside entropy-coded data FF is always followed by 00 or RSTn, so it cannot be mistaken. */
function hasEoi(b: Buffer): boolean {
  const from = Math.max(2, b.length - 1024);
  for (let i = b.length - 2; i >= from; i--) if (b[i] === 0xff && b[i + 1] === 0xd9) return true;
  return false;
}

export interface CheckedImage {
  bytes: Buffer;
  mime: ImageMime;
  width: number;
  height: number;
}

const MAX_ASPECT = 12;
const MAX_PIXELS = 120_000_000;

/**
 * Decodes and checks one uploaded image; throws BAD_INPUT with a specific Chinese message.
 * `what` names it in the message (“页面图像”, “原始画面”, “缩略图”).
 */
export function checkImage(
  input: { mime: ImageMime; base64: string },
  what: string,
  opts: { declared?: { width: number; height: number }; maxBytes: number; maxSide: number; minSide: number },
): CheckedImage {
  const bytes = Buffer.from(input.base64, 'base64');
  if (bytes.length === 0) throw new AppError('BAD_INPUT', `${what}内容为空。`);
  if (bytes.length > opts.maxBytes) throw new AppError('BAD_INPUT', `${what}超过 ${Math.round(opts.maxBytes / 1024 / 1024)} MB，请降低分辨率或压缩质量后重试。`);
  const probe = probeImage(bytes);
  if ('problem' in probe) throw new AppError('BAD_INPUT', `${what}${probe.problem}。`, { what, size: bytes.length });
  if (probe.mime !== input.mime) {
    const label = (m: ImageMime) => (m === 'image/jpeg' ? 'JPEG' : 'PNG');
    throw new AppError('BAD_INPUT', `${what}声明为 ${label(input.mime)}，内容却是 ${label(probe.mime)}，已拒绝。`, { what });
  }
  const { width, height } = probe;
  if (width === 0 || height === 0) throw new AppError('BAD_INPUT', `${what}的尺寸为 0，图像已损坏。`, { what });
  if (Math.min(width, height) < opts.minSide) throw new AppError('BAD_INPUT', `${what}太小（${width}×${height} 像素），无法辨认，请重新拍摄。`, { what, width, height });
  if (Math.max(width, height) > opts.maxSide || width * height > MAX_PIXELS) {
    throw new AppError('BAD_INPUT', `${what}尺寸过大（${width}×${height} 像素），请降低分辨率后重试。`, { what, width, height });
  }
  if (Math.max(width, height) / Math.min(width, height) > MAX_ASPECT) {
    throw new AppError('BAD_INPUT', `${what}的长宽比异常（${width}×${height} 像素），不像是文档页面，请检查裁切。`, { what, width, height });
  }
  if (opts.declared && (opts.declared.width !== width || opts.declared.height !== height)) {
    throw new AppError('BAD_INPUT', `${what}的尺寸与声明不符（声明 ${opts.declared.width}×${opts.declared.height}，实际 ${width}×${height} 像素）。`, {
      what,
      declared: opts.declared,
      width,
      height,
    });
  }
  return { bytes, mime: probe.mime, width, height };
}

export const PAGE_CHECK = { maxBytes: SCAN_LIMITS.maxPageBytes, maxSide: SCAN_LIMITS.maxSide, minSide: SCAN_LIMITS.minSide };
export const THUMB_CHECK = { maxBytes: SCAN_LIMITS.maxThumbBytes, maxSide: SCAN_LIMITS.maxThumbSide, minSide: 16 };
