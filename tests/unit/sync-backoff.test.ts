import { describe, expect, it } from 'vitest';
import { backoffMs, RETRY_AFTER_CEILING_MS } from '../../electron/services/sync/backoff';

const o = { baseMs: 1000, maxMs: 60_000 };

describe('sync back-off', () => {
  it('doubles per attempt within [50 %, 100 %] of base · 2^(n-1)', () => {
    for (let n = 1; n <= 6; n++) {
      const full = 1000 * 2 ** (n - 1);
      expect(backoffMs(n, o, null, () => 0)).toBe(full / 2);
      expect(backoffMs(n, o, null, () => 0.999999)).toBeCloseTo(full, -1);
    }
  });
  it('is capped at maxMs however many attempts', () => {
    for (const n of [7, 20, 1000]) {
      expect(backoffMs(n, o, null, () => 0.999999)).toBeLessThanOrEqual(60_000);
      expect(backoffMs(n, o, null, () => 0)).toBe(30_000);
    }
  });
  it('spreads entries that failed together (jitter)', () => {
    const seen = new Set(Array.from({ length: 50 }, () => backoffMs(5, o)));
    expect(seen.size).toBeGreaterThan(10);
  });
  it("honours a longer Retry-After, even beyond the cap, up to an hour", () => {
    expect(backoffMs(1, o, 5_000, () => 0)).toBe(5_000);
    expect(backoffMs(1, o, 120_000, () => 0)).toBe(120_000);
    expect(backoffMs(1, o, 10 * RETRY_AFTER_CEILING_MS, () => 0)).toBe(RETRY_AFTER_CEILING_MS);
    expect(backoffMs(6, o, 100, () => 0.5)).toBeGreaterThan(100); // a shorter one does not shorten our back-off
  });
});
