import { createHash, randomBytes } from 'node:crypto';

/**
 * The sampling draw for a verification task (抽查). Each task gets a fresh
 * random 128-bit seed, recorded with the task; the draw is a uniform number in
 * [0, 1) derived from the seed alone (the first 52 bits of SHA-256 of the seed),
 * so anyone can recompute whether a task was sampled from what is on record.
 */
export interface SampleDraw {
  seed: string;
  ratio: number;
  draw: number;
  sampled: boolean;
}

export function drawFromSeed(seed: string): number {
  const h = createHash('sha256').update(`pfd-sampling-v1:${seed}`).digest();
  // 52 bits: exact in a double.
  const hi = h.readUInt32BE(0) >>> 12; // 20 bits
  const lo = h.readUInt32BE(4); // 32 bits
  return (hi * 2 ** 32 + lo) / 2 ** 52;
}

export function sampleWithSeed(seed: string, ratio: number): SampleDraw {
  const r = Math.min(1, Math.max(0, ratio));
  const draw = drawFromSeed(seed);
  return { seed, ratio: r, draw, sampled: draw < r };
}

export function newSampleDraw(ratio: number): SampleDraw {
  return sampleWithSeed(randomBytes(16).toString('hex'), ratio);
}

/**
 * The 双随机 draw over exempt commitments: each commitment in the pool is picked when the draw of
 * `<seed>:<commitment id>` (drawFromSeed, the same published rule) is below the ratio, so the seed
 * and the pool on record reproduce the pick.
 */
export function pickBySeed(seed: string, ratio: number, pool: readonly number[]): number[] {
  return pool.filter((id) => drawFromSeed(`${seed}:${id}`) < ratio);
}

export function newDrawSeed(): string {
  return randomBytes(16).toString('hex');
}
