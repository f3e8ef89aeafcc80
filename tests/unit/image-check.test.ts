// The one image check (electron/services/images/image-check.ts) on real images from the test
// encoders and on malformed ones written by hand from their bytes.
import { deflateSync } from 'node:zlib';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { inspectImage, judgeImage } from '../../electron/services/images/image-check';
import { claimsHugePng, signaturePng } from '../helpers/png';
import { documentJpeg } from '../helpers/jpeg';

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])));
  return Buffer.concat([len, Buffer.from(type, 'latin1'), data, crc]);
}
const MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
function ihdr(width: number, height: number, depth = 8, colorType = 6): Buffer {
  const d = Buffer.alloc(13);
  d.writeUInt32BE(width, 0);
  d.writeUInt32BE(height, 4);
  d[8] = depth;
  d[9] = colorType;
  return chunk('IHDR', d);
}
const problemOf = (b: Buffer) => {
  const r = inspectImage(b);
  return 'problem' in r ? r.problem : null;
};

describe('PNG structure', () => {
  const png = signaturePng(240, 90);
  it('a real PNG passes with its size', () => {
    expect(inspectImage(png)).toEqual({ mime: 'image/png', width: 240, height: 90, channels: 6 });
  });
  it('the 74-byte PNG is structurally whole; the limits refuse its 60000 × 60000', () => {
    const huge = claimsHugePng();
    expect(huge.length).toBe(74);
    expect(inspectImage(huge)).toEqual({ mime: 'image/png', width: 60000, height: 60000, channels: 6 });
    const v = judgeImage(huge, '签名图像');
    expect('problem' in v && v.message).toBe('签名图像：尺寸过大（60000×60000），超过 5000 万像素上限，未保存。');
  });
  it('50 MP passes, one row more does not; a side over 20,000 does not', () => {
    const at = (w: number, h: number) => Buffer.concat([MAGIC, ihdr(w, h), chunk('IDAT', deflateSync(Buffer.alloc(1))), chunk('IEND', Buffer.alloc(0))]);
    expect('problem' in judgeImage(at(10_000, 5_000), 'x')).toBe(false);
    expect('problem' in judgeImage(at(10_000, 5_001), 'x')).toBe(true);
    const long = judgeImage(at(20_001, 10), '签名图像');
    expect('problem' in long && long.message).toBe('签名图像：尺寸过大（20001×10），边长超过 20000 像素上限，未保存。');
  });
  it('truncated anywhere, a flipped byte, IHDR not first, no IEND, bytes after IEND: each refused', () => {
    for (const cut of [9, 20, 33, 40, png.length - 13, png.length - 1]) expect(problemOf(png.subarray(0, cut)), `cut at ${cut}`).toMatch(/不完整/);
    const flipped = Buffer.from(png);
    flipped[60] = flipped[60]! ^ 0x01; // inside IDAT
    expect(problemOf(flipped)).toBe('PNG 图像已损坏（数据校验不符）');
    const idatFirst = Buffer.concat([MAGIC, chunk('IDAT', deflateSync(Buffer.alloc(1))), ihdr(10, 10), chunk('IEND', Buffer.alloc(0))]);
    expect(problemOf(idatFirst)).toBe('PNG 图像缺少文件头（IHDR）');
    expect(problemOf(png.subarray(0, png.length - 12))).toBe('PNG 图像不完整（缺少结束块），可能传输中断');
    expect(problemOf(Buffer.concat([png, Buffer.from('<html></html>')]))).toBe('PNG 图像结束块之后还有 13 字节多余数据');
    const noIdat = Buffer.concat([MAGIC, ihdr(10, 10), chunk('IEND', Buffer.alloc(0))]);
    expect(problemOf(noIdat)).toBe('PNG 图像没有图像数据（IDAT）');
    const badDepth = Buffer.concat([MAGIC, ihdr(10, 10, 3, 6), chunk('IDAT', deflateSync(Buffer.alloc(1))), chunk('IEND', Buffer.alloc(0))]);
    expect(problemOf(badDepth)).toBe('PNG 图像文件头不正确（位深或色彩类型无效）');
  });
});

describe('JPEG structure', () => {
  const jpeg = documentJpeg(320, 240, { seed: 4 });
  it('a real JPEG passes with its size', () => {
    expect(inspectImage(jpeg)).toEqual({ mime: 'image/jpeg', width: 320, height: 240, channels: 3 });
    expect(inspectImage(documentJpeg(64, 80, { gray: true }))).toEqual({ mime: 'image/jpeg', width: 64, height: 80, channels: 1 });
  });
  it('JPEG bytes followed by HTML are refused, naming the extra bytes', () => {
    const html = Buffer.from('<html><script>alert(1)</script></html>');
    expect(problemOf(Buffer.concat([jpeg, html]))).toBe(`JPEG 图像结束标记之后还有 ${html.length} 字节多余数据`);
  });
  it('cut anywhere (header, frame, scan data, just before EOI) is refused', () => {
    for (const cut of [3, 10, 30, 200, jpeg.length >> 1, jpeg.length - 2, jpeg.length - 1]) expect(problemOf(jpeg.subarray(0, cut)), `cut at ${cut}`).toMatch(/不完整|结构不正确/);
  });
  it('no frame header before the scan, and a frame claiming 0 rows, are refused', () => {
    const sof = jpeg.indexOf(Buffer.from([0xff, 0xc0]));
    const len = jpeg.readUInt16BE(sof + 2);
    const withoutSof = Buffer.concat([jpeg.subarray(0, sof), jpeg.subarray(sof + 2 + len)]);
    expect(problemOf(withoutSof)).toBe('JPEG 图像缺少帧头（SOF）');
    const zero = Buffer.from(jpeg);
    zero.writeUInt16BE(0, sof + 5);
    const v = judgeImage(zero, '第1页');
    expect('problem' in v && v.message).toBe('第1页：尺寸为 0（320×0），图像已损坏，未保存。');
  });
  it('a mislabelled or unknown file is refused with what it is', () => {
    const v = judgeImage(jpeg, '第2页', { declaredMime: 'image/png' });
    expect('problem' in v && v.message).toBe('第2页：声明为 PNG，内容却是 JPEG，未保存。');
    const html = judgeImage(Buffer.from('<html></html>'), '照片');
    expect('problem' in html && html.message).toBe('照片：不是 JPEG 或 PNG 图像（文件头不符），未保存。');
  });
});

describe('per-use limits', () => {
  it('a signature is held to 12 MP (a scanned A4 page at 300 dpi fits)', () => {
    const png = claimsHugePng();
    png.writeUInt32BE(4000, 16);
    png.writeUInt32BE(3001, 20);
    png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
    const v = judgeImage(png, '签名图像', { maxPixels: 12_000_000 });
    expect('problem' in v && v.message).toBe('签名图像：尺寸过大（4000×3001），超过 1200 万像素上限，未保存。');
    png.writeUInt32BE(3000, 20);
    png.writeUInt32BE(zlib.crc32(png.subarray(12, 29)), 29);
    expect(judgeImage(png, '签名图像', { maxPixels: 12_000_000 })).toMatchObject({ width: 4000, height: 3000 });
  });
});
