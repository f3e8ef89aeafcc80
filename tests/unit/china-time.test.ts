import { describe, expect, it } from 'vitest';
import { chinaClock, chinaDate, chinaDateTime, chinaDayStartIso, chinaGreeting, chinaHour } from '../../shared/rules/china-time';
import { deskToday, shortTime } from '../../renderer/src/lib/time';

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

  it('greets by the hour in China, not by the time zone of the machine', () => {
    // 23:30 UTC on 12-06 is 07:30 on 12-07 in China: morning there, and the date is the 7th.
    expect(chinaHour('2026-12-06T23:30:00.000Z')).toBe(7);
    expect(chinaGreeting('2026-12-06T23:30:00.000Z')).toBe('早上好');
    expect(deskToday(new Date('2026-12-06T23:30:00.000Z'))).toBe('2026年12月7日星期一');
    // 02:00 UTC is 10:00 in China; 04:59 UTC is 12:59; 06:00 UTC is 14:00; 09:59 UTC is 17:59.
    expect(chinaGreeting('2026-12-07T02:00:00.000Z')).toBe('上午好');
    expect(chinaGreeting('2026-12-07T04:59:00.000Z')).toBe('中午好');
    expect(chinaGreeting('2026-12-07T06:00:00.000Z')).toBe('下午好');
    expect(chinaGreeting('2026-12-07T09:59:59.000Z')).toBe('下午好');
    // 10:00 UTC is 18:00 in China (evening), 20:59 UTC is 04:59 the next day (still night), 21:00 UTC is 05:00.
    expect(chinaGreeting('2026-12-07T10:00:00.000Z')).toBe('晚上好');
    expect(chinaGreeting('2026-12-07T20:59:00.000Z')).toBe('晚上好');
    expect(chinaGreeting('2026-12-07T21:00:00.000Z')).toBe('早上好');
    expect(() => chinaGreeting('not a time')).toThrow(RangeError);
  });
});
