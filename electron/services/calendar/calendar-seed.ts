import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { PUBLISHED_YEARS } from '../../../shared/rules/published-holidays';
import { parseCalendarText } from '../../../shared/rules/hall-calendar';
import { loadHallCalendar, replaceYear } from './calendar-store';
import { caseDueAt, CASE_CLOCK_STATUSES } from './due-dates';
import { backfillDueAt } from '../cases/case-state';

/**
 * At every start: each published schedule (shared/rules/published-holidays.ts) that this store does
 * not have yet is loaded, in one audited write by the system — a new store, demo or production
 * (`--no-demo`), and a store upgraded by migration 0010 alike. A year a supervisor imported is left
 * as it is. Then cases accepted before the calendar existed get their due date, also audited.
 */
export function seedCalendar(deps: Deps): { seeded: number[]; backfilled: number } {
  const { db } = deps;
  const have = new Set(db.prepare('SELECT year FROM calendar_years').pluck().all() as number[]);
  const pending = PUBLISHED_YEARS.filter((p) => !have.has(p.year));
  const seeded: number[] = [];
  if (pending.length) {
    deps.write(SYSTEM_ACTOR, (w) => {
      for (const p of pending) {
        const parsed = parseCalendarText(p.text, p.year);
        // The shipped data is checked by tests/unit/hall-calendar.test.ts; a mistake here is a build error, not a user's.
        if (!parsed.ok) throw new Error(`published holiday schedule ${p.year} does not parse: ${parsed.problems.map((x) => x.message).join('; ')}`);
        if (w.db.prepare('SELECT 1 FROM calendar_years WHERE year = ?').get(p.year)) continue;
        const counts = replaceYear(w, p.year, p.source, parsed.days);
        w.audit({ action: 'calendar.seed', entityType: 'calendar', entityId: p.year, detail: { year: p.year, source: p.source, ...counts.after } });
        seeded.push(p.year);
      }
    });
  }
  const open = db
    .prepare(`SELECT id, accepted_at FROM cases WHERE due_at IS NULL AND accepted_at IS NOT NULL AND status IN (${CASE_CLOCK_STATUSES.map(() => '?').join(',')})`)
    .all(...CASE_CLOCK_STATUSES) as { id: number; accepted_at: string }[];
  if (open.length) {
    deps.write(SYSTEM_ACTOR, (w) => {
      const set = backfillDueAt(w);
      const cal = loadHallCalendar(w.db);
      for (const c of open) set(c.id, caseDueAt(w.db, c.id, new Date(c.accepted_at), cal).toISOString());
      w.audit({ action: 'calendar.caseDueBackfill', entityType: 'calendar', entityId: null, detail: { cases: open.map((c) => c.id) } });
    });
  }
  return { seeded, backfilled: open.length };
}
