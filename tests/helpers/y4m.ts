import fs from 'node:fs';

/** An RGB image in memory. */
export interface Rgb {
  width: number;
  height: number;
  /** RGB triplets, row by row. */
  data: Uint8Array;
}

/**
 * Writes a Y4M file (4:2:0, BT.601 limited range, as ffmpeg's yuv420p) that
 * Chromium plays as its fake camera: `--use-file-for-fake-video-capture`.
 */
export function writeY4m(file: string, img: Rgb, frames = 3): void {
  const { width: w, height: h, data } = img;
  const y = Buffer.alloc(w * h);
  const u = Buffer.alloc((w / 2) * (h / 2));
  const v = Buffer.alloc((w / 2) * (h / 2));
  for (let j = 0; j < h; j++) {
    for (let i = 0; i < w; i++) {
      const o = (j * w + i) * 3;
      const r = data[o]!;
      const g = data[o + 1]!;
      const b = data[o + 2]!;
      y[j * w + i] = Math.round(16 + 0.257 * r + 0.504 * g + 0.098 * b);
      if (j % 2 === 0 && i % 2 === 0) {
        const k = (j / 2) * (w / 2) + i / 2;
        u[k] = Math.round(128 - 0.148 * r - 0.291 * g + 0.439 * b);
        v[k] = Math.round(128 + 0.439 * r - 0.368 * g - 0.071 * b);
      }
    }
  }
  const header = Buffer.from(`YUV4MPEG2 W${w} H${h} F5:1 Ip A1:1 C420mpeg2\n`);
  const frame = Buffer.concat([Buffer.from('FRAME\n'), y, u, v]);
  fs.writeFileSync(file, Buffer.concat([header, ...Array.from({ length: frames }, () => frame)]));
}

/** A white page with lines of "text" and a red seal on a dark desk, axis-aligned, at a known place. */
export function documentScene(width = 1280, height = 960): { img: Rgb; page: { x: number; y: number; w: number; h: number } } {
  const data = new Uint8Array(width * height * 3);
  const page = { x: Math.round(width * 0.22), y: Math.round(height * 0.1), w: Math.round(width * 0.56), h: Math.round(height * 0.8) };
  for (let j = 0; j < height; j++) {
    for (let i = 0; i < width; i++) {
      const o = (j * width + i) * 3;
      const inPage = i >= page.x && i < page.x + page.w && j >= page.y && j < page.y + page.h;
      let c: [number, number, number] = [70 + ((i * 7 + j * 3) % 11), 52, 38]; // wood-brown desk
      if (inPage) {
        c = [246, 246, 242];
        const row = Math.floor((j - page.y - 40) / 22);
        const inLine = j > page.y + 40 && (j - page.y - 40) % 22 < 8 && row < 24 && i > page.x + 30 && i < page.x + page.w - 30 - (row % 3) * 40;
        if (inLine) c = [40, 40, 45];
        const cx = page.x + page.w * 0.72;
        const cy = page.y + page.h * 0.78;
        const d = Math.hypot(i - cx, j - cy);
        if (d < 48 && d > 40) c = [200, 30, 30];
      }
      data[o] = c[0];
      data[o + 1] = c[1];
      data[o + 2] = c[2];
    }
  }
  return { img: { width, height, data }, page };
}
