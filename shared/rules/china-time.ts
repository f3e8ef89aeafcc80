/**
 * China Standard Time (UTC+8, no daylight saving): every date and time the desk shows, prints or
 * sends to a target is in it, whatever the machine's own time zone (a desk set to UTC, a test
 * runner, a laptop that travelled). The store keeps ISO instants in UTC.
 */
export const CHINA_OFFSET_MS = 8 * 3600_000;

/** The instant moved by +8 h, so that its UTC fields read China time; throws on an invalid time. */
function inChina(at: Date | string): Date {
  const t = typeof at === 'string' ? new Date(at) : at;
  if (Number.isNaN(t.getTime())) throw new RangeError(`not a time: ${String(at)}`);
  return new Date(t.getTime() + CHINA_OFFSET_MS);
}

/** "2026-11-22": the China-time calendar date of an instant. */
export function chinaDate(at: Date | string): string {
  return inChina(at).toISOString().slice(0, 10);
}

/** "2026-11-22 10:05": date and time to the minute, China time. */
export function chinaDateTime(at: Date | string): string {
  const s = inChina(at).toISOString();
  return `${s.slice(0, 10)} ${s.slice(11, 16)}`;
}

/** "10:05:09": the time of day to the second, China time. */
export function chinaClock(at: Date | string): string {
  return inChina(at).toISOString().slice(11, 19);
}

/** The instant a China-time calendar date (YYYY-MM-DD) begins, as an ISO string (a catalog version stores it as `effective_from`, so `effective_from <= now` picks the version in force). */
export function chinaDayStartIso(date: string): string {
  return new Date(`${date}T00:00:00+08:00`).toISOString();
}

/** The hour of day (0–23) of an instant, China time. */
export function chinaHour(at: Date | string): number {
  return inChina(at).getUTCHours();
}

/**
 * The greeting for the time of day in the hall (China time, whatever the machine's zone):
 * 05:00–08:59 早上好, 09:00–11:59 上午好, 12:00–13:59 中午好, 14:00–17:59 下午好, otherwise 晚上好.
 */
export function chinaGreeting(at: Date | string): string {
  const h = chinaHour(at);
  if (h >= 5 && h < 9) return '早上好';
  if (h >= 9 && h < 12) return '上午好';
  if (h >= 12 && h < 14) return '中午好';
  if (h >= 14 && h < 18) return '下午好';
  return '晚上好';
}
