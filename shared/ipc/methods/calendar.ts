/**
 * The hall calendar (工作日历): statutory holidays and make-up working days per year, which every
 * due date counts on (shared/rules/working-days.ts). Supervisors import a year's list and correct
 * single days; everyone signed in may read it and its warnings.
 */
import { z } from 'zod';
import { method } from '../method';
import { DAY_KINDS } from '../../rules/hall-calendar';

const Year = z.number().int().min(2000, '年份应在 2000–2100 之间').max(2100, '年份应在 2000–2100 之间');
const DateText = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

export const CalendarDayView = z.object({
  date: z.string(),
  kind: z.enum(DAY_KINDS),
  name: z.string(),
  /** The supervisor's reason when this one day was corrected after the list was loaded. */
  note: z.string().nullable(),
  updatedAt: z.string(),
  updatedBy: z.string().nullable(),
});

export const CalendarYearView = z.object({
  year: z.number().int(),
  loaded: z.object({ source: z.string(), loadedAt: z.string(), loadedBy: z.string().nullable() }).nullable(),
  days: z.array(CalendarDayView),
});
export type CalendarYearView = z.infer<typeof CalendarYearView>;

export const CalendarStatus = z.object({
  today: z.string(),
  /** Years loaded, ascending. */
  years: z.array(z.object({ year: z.number().int(), source: z.string(), holidays: z.number().int(), workdays: z.number().int() })),
  /** Years a due date counted today may reach (today's, and the next near the year's end) with no schedule loaded. */
  missing: z.array(z.number().int()),
});

export const calendarMethods = {
  'calendar.status': method({ access: 'session', passive: true, input: z.object({}).strict(), output: CalendarStatus }),
  'calendar.year': method({ access: 'session', input: z.object({ year: Year }).strict(), output: CalendarYearView }),
  /** Replaces the year's list with the text's (docs/calendar.md), all of it or nothing. */
  'calendar.import': method({
    access: ['supervisor'],
    input: z
      .object({
        year: Year,
        source: z.string().trim().min(1, '请填写依据（通知文号）').max(200, '依据不超过 200 字'),
        text: z.string().max(200_000, '文件过大，不是一年的节假日安排'),
      })
      .strict(),
    output: CalendarYearView,
  }),
  /** One day: 休 (holiday), 班 (make-up working day) or back to the ordinary week (normal). */
  'calendar.setDay': method({
    access: ['supervisor'],
    input: z
      .object({
        date: DateText,
        kind: z.enum([...DAY_KINDS, 'normal']),
        name: z.string().trim().max(30).default(''),
        reason: z.string().trim().min(1, '请填写更正原因').max(200, '更正原因不超过 200 字'),
      })
      .strict(),
    output: CalendarYearView,
  }),
};
