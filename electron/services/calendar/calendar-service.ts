import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { chinaDate } from '../../../shared/rules/china-time';
import { DAY_KIND_LABELS, isCalendarDate, isWeekend, parseCalendarText, weekdayOf, WEEKDAY_LABELS, yearOf, yearsNeeded } from '../../../shared/rules/hall-calendar';
import { countsOf, dayRow, replaceYear, yearLoaded, yearView } from './calendar-store';
import { shareCalendarYear } from '../hub/hall-catalog';

const KIND_WORDS = { ...DAY_KIND_LABELS, normal: '按常规' } as const;

/** 工作日历: the supervisor imports a year's list and corrects single days; every change audited. */
export function createCalendarService(deps: Deps): PartialHandlers {
  const { db } = deps;
  return {
    'calendar.status': () => {
      const today = chinaDate(deps.now());
      const years = (db.prepare('SELECT year, source FROM calendar_years ORDER BY year').all() as { year: number; source: string }[]).map((y) => ({
        ...y,
        ...countsOf(db, y.year),
      }));
      const loaded = new Set(years.map((y) => y.year));
      return { today, years, missing: yearsNeeded(today).filter((y) => !loaded.has(y)) };
    },

    'calendar.year': ({ year }) => yearView(db, year),

    'calendar.import': ({ year, source, text }, ctx) => {
      const parsed = parseCalendarText(text, year);
      if (!parsed.ok) {
        deps.logger.warn('calendar.importRefused', { year, problems: parsed.problems.map((p) => `line ${p.line}`) });
        const shown = parsed.problems.slice(0, 5).map((p) => p.message);
        const more = parsed.problems.length > 5 ? `；另有 ${parsed.problems.length - 5} 处问题` : '';
        throw new AppError('BAD_INPUT', `${year}年节假日安排未导入，请改正后重新导入：${shown.join('；')}${more}。`, { year, lines: parsed.problems.map((p) => p.line) });
      }
      deps.write(ctx.actor, (w) => {
        const counts = replaceYear(w, year, source, parsed.days);
        w.audit({ action: 'calendar.import', entityType: 'calendar', entityId: year, detail: { year, source, before: counts.before, after: counts.after } });
        shareCalendarYear(w, year); // the hall's calendar (docs/hub.md)
      });
      return yearView(db, year);
    },

    'calendar.setDay': ({ date, kind, name, reason }, ctx) => {
      if (!isCalendarDate(date)) throw new AppError('BAD_INPUT', `“${date}”不是有效日期。`, { date }, { date: '日期无效' });
      const year = yearOf(date);
      deps.write(ctx.actor, (w) => {
        if (!yearLoaded(w.db, year)) throw new AppError('INVALID_STATE', `${year}年的节假日安排尚未导入，请先导入全年安排，再更正单日。`, { year });
        if (kind === 'workday' && !isWeekend(date)) {
          throw new AppError('BAD_INPUT', `${date} 是${WEEKDAY_LABELS[weekdayOf(date)]}，本来就是工作日，不能标为“班”（调休上班日是周六或周日）。`, { date }, { kind: '工作日不能标为班' });
        }
        const before = dayRow(w.db, date);
        if ((before?.kind ?? 'normal') === kind && (kind === 'normal' || before?.name === name)) {
          throw new AppError('BAD_INPUT', `${date} 已是“${KIND_WORDS[kind]}”，没有需要更正的内容。`, { date });
        }
        const at = w.at.toISOString();
        if (kind === 'normal') {
          w.db.prepare('DELETE FROM calendar_days WHERE day = ?').run(date);
        } else {
          w.db
            .prepare(
              `INSERT INTO calendar_days (day, year, kind, name, note, updated_at, updated_by) VALUES (?, ?, ?, ?, ?, ?, ?)
               ON CONFLICT (day) DO UPDATE SET kind = excluded.kind, name = excluded.name, note = excluded.note, updated_at = excluded.updated_at, updated_by = excluded.updated_by`,
            )
            .run(date, year, kind, name || before?.name || '', reason, at, w.actor.userId);
        }
        w.audit({
          action: 'calendar.setDay',
          entityType: 'calendar',
          entityId: date,
          detail: { date, from: before ? { kind: before.kind, name: before.name } : 'normal', to: kind === 'normal' ? 'normal' : { kind, name: name || before?.name || '' }, reason },
        });
        shareCalendarYear(w, year);
      });
      return yearView(db, year);
    },
  };
}
