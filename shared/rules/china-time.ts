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
