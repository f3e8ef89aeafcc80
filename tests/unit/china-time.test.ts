import { describe, expect, it } from 'vitest';
import { chinaClock, chinaDate, chinaDateTime, chinaDayStartIso } from '../../shared/rules/china-time';
import { shortTime } from '../../renderer/src/lib/time';

describe('China time', () => {
  it('reads every instant in UTC+8, across the UTC and China midnights', () => {
    // 15:59:59 UTC is 23:59:59 in China; 16:00 UTC is the next China day.
    expect(chinaDate('2026-11-22T15:59:59.000Z')).toBe('2026-11-22');
    expect(chinaDate('2026-11-22T16:00:00.000Z')).toBe('2026-11-23');
    expect(chinaDateTime('2026-11-22T16:05:00.000Z')).toBe('2026-11-23 00:05');
    expect(chinaDateTime(new Date('2026-12-31T23:30:00+08:00'))).toBe('2026-12-31 23:30');
    expect(chinaClock('2026-11-22T02:05:09.000Z')).toBe('10:05:09');
    expect(chinaDayStartIso('2026-11-23')).toBe('2026-11-22T16:00:00.000Z');
    expect(() => chinaDate('not a time')).toThrow(RangeError);
  });

  it('shortTime gives the clock for today (China time) and the date before it otherwise', () => {
    const now = Date.parse('2026-11-22T15:00:00.000Z'); // 23:00 in China
    expect(shortTime('2026-11-22T01:02:03.000Z', now)).toBe('09:02:03');
    // 16:30 UTC the day before is 00:30 on the 22nd in China: still today.
    expect(shortTime('2026-11-21T16:30:00.000Z', now)).toBe('00:30:00');
    expect(shortTime('2026-11-21T15:30:00.000Z', now)).toBe('11-21 23:30:00');
    expect(shortTime(null, now)).toBe('—');
  });
});
