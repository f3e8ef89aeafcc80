import { makeCalendar, parseCalendarText, type CalendarDay, type HallCalendar } from '../../shared/rules/hall-calendar';
import { PUBLISHED_YEARS } from '../../shared/rules/published-holidays';

/** The calendar a fresh desk store holds: every shipped published year (as calendar-seed.ts loads it). */
export function publishedCalendar(): HallCalendar {
  const days: CalendarDay[] = [];
  for (const p of PUBLISHED_YEARS) {
    const parsed = parseCalendarText(p.text, p.year);
    if (!parsed.ok) throw new Error(parsed.problems.map((x) => x.message).join('\n'));
    days.push(...parsed.days);
  }
  return makeCalendar(days, PUBLISHED_YEARS.map((p) => p.year));
}
