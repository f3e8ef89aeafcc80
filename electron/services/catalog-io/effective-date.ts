/**
 * Effective dates are calendar days in China time (UTC+8, no daylight
 * saving); the store keeps the instant the day starts, as an ISO timestamp,
 * so `effective_from <= now` picks the version in force.
 */
const CHINA_OFFSET_MS = 8 * 3600_000;

/** The China-time calendar date (YYYY-MM-DD) of an instant. */
export function chinaDate(at: Date | string): string {
  return new Date(new Date(at).getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10);
}

/** The instant a China-time calendar date (YYYY-MM-DD) begins, as stored. */
export function chinaDayStartIso(date: string): string {
  return new Date(`${date}T00:00:00+08:00`).toISOString();
}
