import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import { makeCalendar, type CalendarDay, type DayKind, type HallCalendar } from '../../../shared/rules/hall-calendar';
import type { CalendarYearView } from '../../../shared/ipc/methods/calendar';

/** The whole calendar as the working-day arithmetic reads it (a few dozen rows a year). */
export function loadHallCalendar(db: Db): HallCalendar {
  const days = db.prepare('SELECT day AS date, kind FROM calendar_days').all() as { date: string; kind: DayKind }[];
  const years = db.prepare('SELECT year FROM calendar_years').pluck().all() as number[];
  return makeCalendar(days, years);
}

export function yearLoaded(db: Db, year: number): boolean {
  return db.prepare('SELECT 1 FROM calendar_years WHERE year = ?').get(year) !== undefined;
}

export function yearView(db: Db, year: number): CalendarYearView {
  const y = db
    .prepare('SELECT y.source, y.loaded_at, u.display_name AS by_name FROM calendar_years y LEFT JOIN users u ON u.id = y.loaded_by WHERE y.year = ?')
    .get(year) as { source: string; loaded_at: string; by_name: string | null } | undefined;
  const days = db
    .prepare('SELECT d.day, d.kind, d.name, d.note, d.updated_at, u.display_name AS by_name FROM calendar_days d LEFT JOIN users u ON u.id = d.updated_by WHERE d.year = ? ORDER BY d.day')
    .all(year) as { day: string; kind: DayKind; name: string; note: string | null; updated_at: string; by_name: string | null }[];
  return {
    year,
    loaded: y ? { source: y.source, loadedAt: y.loaded_at, loadedBy: y.by_name } : null,
    days: days.map((d) => ({ date: d.day, kind: d.kind, name: d.name, note: d.note, updatedAt: d.updated_at, updatedBy: d.by_name })),
  };
}

/** Replaces a year's list in the caller's transaction (a day's correction reason kept when given); returns the counts before and after for the audit entry. */
export function replaceYear(w: WriteContext, year: number, source: string, days: readonly (CalendarDay & { note?: string | null })[]) {
  const before = countsOf(w.db, year);
  const at = w.at.toISOString();
  w.db.prepare('DELETE FROM calendar_days WHERE year = ?').run(year);
  w.db
    .prepare(
      `INSERT INTO calendar_years (year, source, loaded_at, loaded_by) VALUES (?, ?, ?, ?)
       ON CONFLICT (year) DO UPDATE SET source = excluded.source, loaded_at = excluded.loaded_at, loaded_by = excluded.loaded_by`,
    )
    .run(year, source, at, w.actor.userId);
  const ins = w.db.prepare('INSERT INTO calendar_days (day, year, kind, name, note, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)');
  for (const d of days) ins.run(d.date, year, d.kind, d.name, d.note ?? null, at, w.actor.userId);
  return { before, after: countsOf(w.db, year) };
}

export function countsOf(db: Db, year: number): { holidays: number; workdays: number } {
  const r = db
    .prepare(`SELECT COUNT(*) FILTER (WHERE kind = 'holiday') AS holidays, COUNT(*) FILTER (WHERE kind = 'workday') AS workdays FROM calendar_days WHERE year = ?`)
    .get(year) as { holidays: number; workdays: number };
  return { holidays: r.holidays, workdays: r.workdays };
}

export function dayRow(db: Db, date: string): { kind: DayKind; name: string } | undefined {
  return db.prepare('SELECT kind, name FROM calendar_days WHERE day = ?').get(date) as { kind: DayKind; name: string } | undefined;
}

/** A year's listed days as the hall shares them (hub/hall-catalog.ts). */
export function yearDays(db: Db, year: number): (CalendarDay & { note: string | null })[] {
  return db.prepare('SELECT day AS date, kind, name, note FROM calendar_days WHERE year = ? ORDER BY day').all(year) as (CalendarDay & { note: string | null })[];
}
