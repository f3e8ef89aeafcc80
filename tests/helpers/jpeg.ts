// A small baseline JPEG encoder (JFIF, 8-bit, Huffman tables of ITU T.81 Annex K, YCbCr 4:4:4
// or grayscale), so tests can store and export real JPEGs that Chromium and PDF readers decode.

const ZIGZAG = [
  0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5, 12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28, 35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30,
  37, 44, 51, 58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
];
const LUMA_Q = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80, 62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55,
  64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98, 112, 100, 103, 99,
];
const CHROMA_Q = [
  17, 18, 24, 47, 99, 99, 99, 99, 18, 21, 26, 66, 99, 99, 99, 99, 24, 26, 56, 99, 99, 99, 99, 99, 47, 66, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
  99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99, 99,
];
// Annex K.3 tables: counts of codes per length 1..16, then the symbols.
const DC_LUMA = { counts: [0, 1, 5, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const DC_CHROMA = { counts: [0, 3, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0], symbols: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11] };
const AC_LUMA = {
  counts: [0, 2, 1, 3, 3, 2, 4, 3, 5, 5, 4, 4, 0, 0, 1, 0x7d],
  symbols: hex(
    '01020300041105122131410613516107227114328191a1082342b1c11552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a636465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9fa',
  ),
};
const AC_CHROMA = {
  counts: [0, 2, 1, 2, 4, 4, 3, 4, 7, 5, 4, 4, 0, 1, 2, 0x77],
  symbols: hex(
    '000102031104052131061241510761711322328108144291a1b1c109233352f0156272d10a162434e125f11718191a262728292a35363738393a434445464748494a535455565758595a636465666768696a737475767778797a82838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae2e3e4e5e6e7e8e9eaf2f3f4f5f6f7f8f9fa',
  ),
};

function hex(s: string): number[] {
  return Array.from({ length: s.length / 2 }, (_, i) => parseInt(s.slice(i * 2, i * 2 + 2), 16));
}

type Table = { counts: number[]; symbols: number[] };
type Codes = Map<number, { code: number; len: number }>;

function buildCodes(t: Table): Codes {
  const codes: Codes = new Map();
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    for (let i = 0; i < t.counts[len - 1]!; i++) codes.set(t.symbols[k++]!, { code: code++, len });
    code <<= 1;
  }
  return codes;
}

class BitWriter {
  bytes: number[] = [];
  private acc = 0;
  private n = 0;
  write(code: number, len: number): void {
    for (let i = len - 1; i >= 0; i--) {
      this.acc = (this.acc << 1) | ((code >> i) & 1);
      if (++this.n === 8) {
        this.bytes.push(this.acc);
        if (this.acc === 0xff) this.bytes.push(0); // byte stuffing
        this.acc = 0;
        this.n = 0;
      }
    }
  }
  flush(): void {
    while (this.n !== 0) this.write(1, 1);
  }
}

const COS = Array.from({ length: 64 }, (_, i) => Math.cos(((2 * (i % 8) + 1) * Math.floor(i / 8) * Math.PI) / 16));
const C = (u: number) => (u === 0 ? Math.SQRT1_2 : 1);

function fdct(block: Float64Array): Float64Array {
  const tmp = new Float64Array(64);
  const out = new Float64Array(64);
  for (let y = 0; y < 8; y++)
    for (let u = 0; u < 8; u++) {
      let s = 0;
      for (let x = 0; x < 8; x++) s += block[y * 8 + x]! * COS[u * 8 + x]!;
      tmp[y * 8 + u] = (s * C(u)) / 2;
    }
  for (let u = 0; u < 8; u++)
    for (let v = 0; v < 8; v++) {
      let s = 0;
      for (let y = 0; y < 8; y++) s += tmp[y * 8 + u]! * COS[v * 8 + y]!;
      out[v * 8 + u] = (s * C(v)) / 2;
    }
  return out;
}

function category(v: number): number {
  let a = Math.abs(v);
  let n = 0;
  while (a) {
    n++;
    a >>= 1;
  }
  return n;
}

function scaledQ(base: number[], quality: number): number[] {
  const s = quality < 50 ? 5000 / quality : 200 - quality * 2;
  return base.map((q) => Math.min(255, Math.max(1, Math.floor((q * s + 50) / 100))));
}

function segment(marker: number, body: number[]): number[] {
  return [0xff, marker, (body.length + 2) >> 8, (body.length + 2) & 0xff, ...body];
}

export interface JpegOptions {
  width: number;
  height: number;
  /** RGB 0..255 of a pixel. */
  pixel: (x: number, y: number) => [number, number, number];
  quality?: number;
  gray?: boolean;
}

/** Encodes a baseline JPEG. */
export function encodeJpeg(o: JpegOptions): Buffer {
  const quality = o.quality ?? 85;
  const nComp = o.gray ? 1 : 3;
  const qt = [scaledQ(LUMA_Q, quality), scaledQ(CHROMA_Q, quality)];
  const dc = [buildCodes(DC_LUMA), buildCodes(DC_CHROMA)];
  const ac = [buildCodes(AC_LUMA), buildCodes(AC_CHROMA)];
  const head: number[] = [0xff, 0xd8];
  head.push(...segment(0xe0, [0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 0, 0, 1, 0, 1, 0, 0]));
  head.push(...segment(0xdb, [0, ...ZIGZAG.map((z) => qt[0]![z]!), ...(nComp === 3 ? [1, ...ZIGZAG.map((z) => qt[1]![z]!)] : [])]));
  const comps = nComp === 3 ? [1, 0x11, 0, 2, 0x11, 1, 3, 0x11, 1] : [1, 0x11, 0];
  head.push(...segment(0xc0, [8, o.height >> 8, o.height & 0xff, o.width >> 8, o.width & 0xff, nComp, ...comps]));
  const dht = (cls: number, id: number, t: Table) => [(cls << 4) | id, ...t.counts, ...t.symbols];
  head.push(...segment(0xc4, [...dht(0, 0, DC_LUMA), ...dht(1, 0, AC_LUMA), ...(nComp === 3 ? [...dht(0, 1, DC_CHROMA), ...dht(1, 1, AC_CHROMA)] : [])]));
  head.push(...segment(0xda, nComp === 3 ? [3, 1, 0x00, 2, 0x11, 3, 0x11, 0, 63, 0] : [1, 1, 0x00, 0, 63, 0]));

  const bits = new BitWriter();
  const prevDc = [0, 0, 0];
  const blocks = [new Float64Array(64), new Float64Array(64), new Float64Array(64)];
  for (let by = 0; by < o.height; by += 8) {
    for (let bx = 0; bx < o.width; bx += 8) {
      for (let i = 0; i < 64; i++) {
        const x = Math.min(bx + (i % 8), o.width - 1);
        const y = Math.min(by + Math.floor(i / 8), o.height - 1);
        const [r, g, b] = o.pixel(x, y);
        blocks[0]![i] = 0.299 * r + 0.587 * g + 0.114 * b - 128;
        blocks[1]![i] = -0.168736 * r - 0.331264 * g + 0.5 * b;
        blocks[2]![i] = 0.5 * r - 0.418688 * g - 0.081312 * b;
      }
      for (let c = 0; c < nComp; c++) {
        const t = c === 0 ? 0 : 1;
        const coef = fdct(blocks[c]!);
        const q = ZIGZAG.map((z) => Math.round(coef[z]! / qt[t]![z]!));
        const diff = q[0]! - prevDc[c]!;
        prevDc[c] = q[0]!;
        const dcat = category(diff);
        const dcCode = dc[t]!.get(dcat)!;
        bits.write(dcCode.code, dcCode.len);
        if (dcat) bits.write(diff < 0 ? diff + (1 << dcat) - 1 : diff, dcat);
        let run = 0;
        for (let k = 1; k < 64; k++) {
          const v = q[k]!;
          if (v === 0) {
            run++;
            continue;
          }
          while (run > 15) {
            const zrl = ac[t]!.get(0xf0)!;
            bits.write(zrl.code, zrl.len);
            run -= 16;
          }
          const cat = category(v);
          const code = ac[t]!.get((run << 4) | cat)!;
          bits.write(code.code, code.len);
          bits.write(v < 0 ? v + (1 << cat) - 1 : v, cat);
          run = 0;
        }
        if (run > 0) {
          const eob = ac[t]!.get(0x00)!;
          bits.write(eob.code, eob.len);
        }
      }
    }
  }
  bits.flush();
  return Buffer.concat([Buffer.from(head), Buffer.from(bits.bytes), Buffer.from([0xff, 0xd9])]);
}

/** The same JPEG with a comment segment after SOI: still valid, different bytes (and SHA-256). */
export function withComment(jpeg: Buffer, text: string): Buffer {
  const body = Buffer.from(text, 'utf8');
  const seg = Buffer.from([0xff, 0xfe, (body.length + 2) >> 8, (body.length + 2) & 0xff]);
  return Buffer.concat([jpeg.subarray(0, 2), seg, body, jpeg.subarray(2)]);
}

/** A document-like page: white paper, rows of dark "text", a red seal, optional sensor noise (makes the file bigger). */
export function documentJpeg(width: number, height: number, opts: { noise?: number; quality?: number; seed?: number; gray?: boolean } = {}): Buffer {
  let s = (opts.seed ?? 1) >>> 0 || 1;
  const rand = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const noise = opts.noise ?? 0;
  const sealX = width * 0.72;
  const sealY = height * 0.8;
  const sealR = Math.min(width, height) * 0.09;
  return encodeJpeg({
    width,
    height,
    quality: opts.quality ?? 85,
    gray: opts.gray ?? false,
    pixel: (x, y) => {
      let r = 246;
      let g = 244;
      let b = 238;
      const line = Math.floor(y / 24);
      if (y % 24 > 6 && y % 24 < 18 && x > width * 0.08 && x < width * (0.6 + 0.3 * (((line * 7) % 10) / 10)) && (x >> 3) % 5 !== 0) r = g = b = 40;
      const d = Math.hypot(x - sealX, y - sealY);
      if (Math.abs(d - sealR) < 4) [r, g, b] = [200, 30, 40];
      if (noise) {
        const n = (rand() - 0.5) * noise;
        r += n;
        g += n;
        b += n;
      }
      return [Math.max(0, Math.min(255, r)), Math.max(0, Math.min(255, g)), Math.max(0, Math.min(255, b))];
    },
  });
}
