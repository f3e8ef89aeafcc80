/**
 * Due dates counted in working days (工作日) on the hall calendar (shared/rules/hall-calendar.ts):
 * statutory holidays are skipped, make-up working days (调休上班) count, and a year whose schedule
 * is not loaded counts weekends only (the desk warns about it: CALENDAR_HORIZON_DAYS). Days are
 * China-time dates, so the answer does not depend on the machine's time zone.
 */
import { chinaDate } from './china-time';
import { isWorkingDay, shiftDate, type HallCalendar } from './hall-calendar';

/** The end (23:59:59 China time) of a China-time calendar date. */
export function endOfChinaDay(date: string): Date {
  return new Date(Date.parse(`${date}T23:59:59+08:00`));
}

/**
 * The end of the `days`-th working day after the day of `from` (China time); 0 = the end of that
 * same day (即办). Signing on 2025-09-30 with one working day gives the end of 2025-10-09.
 */
export function addWorkingDays(from: Date, days: number, cal: HallCalendar): Date {
  if (!Number.isInteger(days) || days < 0) throw new RangeError(`working days must be a whole number ≥ 0: ${days}`);
  let date = chinaDate(from);
  let left = days;
  while (left > 0) {
    date = shiftDate(date, 1);
    if (isWorkingDay(cal, date)) left--;
  }
  return endOfChinaDay(date);
}

/**
 * Working days left until a due instant, counted from the day after `now` (China time) to the due
 * date, inclusive: 0 when it is due today, negative never (use `isPast` for late).
 */
export function workingDaysLeft(now: Date, due: Date | string, cal: HallCalendar): number {
  const today = chinaDate(now);
  const dueDate = chinaDate(due);
  let n = 0;
  for (let d = shiftDate(today, 1); d <= dueDate; d = shiftDate(d, 1)) if (isWorkingDay(cal, d)) n++;
  return n;
}
