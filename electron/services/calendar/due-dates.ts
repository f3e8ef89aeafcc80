/**
 * Every due date the desk sets, counted in working days on the hall calendar: one place, so the
 * withdrawal deadline, 协查, verification and the case's own time limit cannot drift apart.
 * Each reads the calendar as it stands when the date is set; a stored date is not recomputed
 * when a supervisor corrects a day later (docs/calendar.md).
 */
import type { Db } from '../../store/open-store';
import { addWorkingDays, workingDaysLeft } from '../../../shared/rules/working-days';
import type { HallCalendar } from '../../../shared/rules/hall-calendar';
import { loadHallCalendar } from './calendar-store';

/** The end of the `days`-th working day after `from` (0 = the end of that same day). */
export function dueAfterWorkingDays(db: Db, from: Date, days: number): Date {
  return addWorkingDays(from, days, loadHallCalendar(db));
}

/**
 * A case is due by the latest of its items' promised time limits (承诺时限, working days), counted
 * from its acceptance: a bundle's items are decided together, so the case as a whole is late when
 * its slowest item's limit has passed.
 */
export function caseDueAt(db: Db, caseId: number, acceptedAt: Date, cal: HallCalendar = loadHallCalendar(db)): Date {
  const days = db
    .prepare('SELECT COALESCE(MAX(si.time_limit_days), 0) FROM case_items ci JOIN service_items si ON si.id = ci.service_item_id WHERE ci.case_id = ?')
    .pluck()
    .get(caseId) as number;
  return addWorkingDays(acceptedAt, days, cal);
}

/** The case statuses in which the case's own time limit runs (accepted and not yet decided or ended). */
export const CASE_CLOCK_STATUSES = ['accepted', 'verifying'] as const;

/** The case list's time-limit columns: due date, late, working days left (only while the clock runs). */
export function caseClock(status: string, dueAt: string | null, now: Date, cal: HallCalendar): { dueAt: string | null; late: boolean; workingDaysLeft: number | null } {
  const running = dueAt !== null && (CASE_CLOCK_STATUSES as readonly string[]).includes(status);
  if (!running) return { dueAt, late: false, workingDaysLeft: null };
  const late = Date.parse(dueAt) < now.getTime();
  return { dueAt, late, workingDaysLeft: late ? null : workingDaysLeft(now, dueAt, cal) };
}
