/**
 * Due dates counted in working days (工作日): Saturdays and Sundays are
 * skipped; public holidays are not modelled yet (a hall calendar would be).
 * Days are counted in China time (UTC+8) so the answer does not depend on the
 * machine's time zone.
 */
import { CHINA_OFFSET_MS } from './china-time';

export function addWorkingDays(from: Date, days: number): Date {
  const local = new Date(from.getTime() + CHINA_OFFSET_MS);
  let left = days;
  while (left > 0) {
    local.setUTCDate(local.getUTCDate() + 1);
    const wd = local.getUTCDay();
    if (wd !== 0 && wd !== 6) left--;
  }
  // End of that working day, China time.
  local.setUTCHours(23, 59, 59, 0);
  return new Date(local.getTime() - CHINA_OFFSET_MS);
}
