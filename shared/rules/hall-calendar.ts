/**
 * The hall calendar (办事大厅工作日历): statutory holidays (休) and make-up working days (调休上班, 班)
 * per year, as the State Council publishes them each autumn. A day not listed is a working day
 * Monday to Friday and a rest day on Saturday and Sunday. Dates are China-time calendar dates
 * ("YYYY-MM-DD"); nothing here reads a clock or a machine time zone.
 *
 * The import format (docs/calendar.md) is text, one day or range a line:
 *   2025-10-01~2025-10-08,休,国庆节、中秋节
 *   2025-09-28,班,国庆节、中秋节
 * Separators: comma (ASCII or full width), tab or spaces; a range with "~" or "至"; the name is
 * optional; blank lines and lines starting with "#" are ignored.
 */

export const DAY_KINDS = ['holiday', 'workday'] as const;
export type DayKind = (typeof DAY_KINDS)[number];
/** How the published notices and the import format write them. */
export const DAY_KIND_LABELS: Record<DayKind, string> = { holiday: '休', workday: '班' };

export interface CalendarDay {
  date: string;
  kind: DayKind;
  name: string;
}

/** The listed days of the years whose schedule is loaded; a year not in `years` counts weekends only. */
export interface HallCalendar {
  days: ReadonlyMap<string, DayKind>;
  years: ReadonlySet<number>;
}

export function makeCalendar(days: Iterable<{ date: string; kind: DayKind }>, years: Iterable<number>): HallCalendar {
  const map = new Map<string, DayKind>();
  for (const d of days) map.set(d.date, d.kind);
  return { days: map, years: new Set(years) };
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for an existing calendar date written YYYY-MM-DD. */
export function isCalendarDate(s: string): boolean {
  const m = DATE_RE.exec(s);
  if (!m) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

export const WEEKDAY_LABELS = ['周日', '周一', '周二', '周三', '周四', '周五', '周六'] as const;

export function isWeekend(date: string): boolean {
  const wd = weekdayOf(date);
  return wd === 0 || wd === 6;
}

/** The calendar date `n` days after `date` (n may be negative). */
export function shiftDate(date: string, n: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + n);
  return d.toISOString().slice(0, 10);
}

export function yearOf(date: string): number {
  return Number(date.slice(0, 4));
}

/** A working day: a listed 班 day, or a weekday that is not a listed 休 day. */
export function isWorkingDay(cal: HallCalendar, date: string): boolean {
  const kind = cal.days.get(date);
  if (kind === 'workday') return true;
  if (kind === 'holiday') return false;
  return !isWeekend(date);
}

/** The years from `from` to `to` (dates, inclusive) whose schedule is not loaded, in order. */
export function missingYears(cal: HallCalendar, from: string, to: string): number[] {
  const out: number[] = [];
  for (let y = yearOf(from); y <= yearOf(to); y++) if (!cal.years.has(y)) out.push(y);
  return out;
}

/** How far ahead a due date may reach: the years a desk needs loaded today (today's and, within this many days, the next). */
export const CALENDAR_HORIZON_DAYS = 60;

export function yearsNeeded(today: string): number[] {
  const last = yearOf(shiftDate(today, CALENDAR_HORIZON_DAYS));
  const out: number[] = [];
  for (let y = yearOf(today); y <= last; y++) out.push(y);
  return out;
}

// ---------- the import format ----------

export interface CalendarProblem {
  /** 1-based line of the text; 0 for the file as a whole. */
  line: number;
  message: string;
}

export type ParsedCalendar = { ok: true; days: CalendarDay[] } | { ok: false; problems: CalendarProblem[] };

const KIND_WORDS: Record<string, DayKind> = { 休: 'holiday', 班: 'workday' };
const MAX_LINES = 2000;
const MAX_NAME = 30;
/** A published range never exceeds a few weeks; a longer one is a typing error. */
const MAX_RANGE_DAYS = 31;

/**
 * Parses one year's list. Every problem is named with its line, in Chinese, and nothing is
 * returned unless the whole text is right (the caller writes all of it or nothing).
 */
export function parseCalendarText(text: string, year: number): ParsedCalendar {
  const problems: CalendarProblem[] = [];
  const days: CalendarDay[] = [];
  const seenAt = new Map<string, number>();
  const lines = text.replace(/^\uFEFF/, '').split(/\r\n|\r|\n/);
  if (lines.length > MAX_LINES) return { ok: false, problems: [{ line: 0, message: `文件超过 ${MAX_LINES} 行，不是一年的节假日安排` }] };
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (!s || s.startsWith('#')) return;
    const bad = (message: string) => problems.push({ line, message: `第${line}行：${message}` });
    const parts = s.split(/\s*[,，\t]\s*|\s+/).filter((p) => p !== '');
    const [when, word, ...rest] = parts;
    if (!when || !word) return bad('应为“日期,休或班,名称”，例如“2025-10-01,休,国庆节”');
    const kind = KIND_WORDS[word];
    if (!kind) return bad(`“${word}”应为“休”（放假）或“班”（调休上班）`);
    const name = rest.join(' ');
    if (name.length > MAX_NAME) return bad(`名称超过 ${MAX_NAME} 个字`);
    const [a, b, extra] = when.split(/~|～|至/);
    if (extra !== undefined || a === '' || b === '') return bad(`“${when}”不是日期或日期范围（如 2025-10-01~2025-10-08）`);
    for (const d of [a, b]) {
      if (d !== undefined && !isCalendarDate(d)) return bad(`“${d}”不是有效日期（格式 YYYY-MM-DD，如 ${year}-10-01）`);
    }
    const start = a!;
    const end = b ?? a!;
    if (end < start) return bad(`结束日期 ${end} 早于开始日期 ${start}`);
    if (yearOf(start) !== year || yearOf(end) !== year) return bad(`${yearOf(start) !== year ? start : end} 不在 ${year} 年内（每次导入一年）`);
    const span: string[] = [];
    for (let d = start; d <= end; d = shiftDate(d, 1)) span.push(d);
    if (span.length > MAX_RANGE_DAYS) return bad(`日期范围 ${start}~${end} 超过 ${MAX_RANGE_DAYS} 天`);
    for (const d of span) {
      const earlier = seenAt.get(d);
      if (earlier !== undefined) return bad(`${d} 已在第${earlier}行列出`);
      if (kind === 'workday' && !isWeekend(d)) return bad(`${d} 是${WEEKDAY_LABELS[weekdayOf(d)]}，本来就是工作日，不能标为“班”（调休上班日是周六或周日）`);
    }
    for (const d of span) {
      seenAt.set(d, line);
      days.push({ date: d, kind, name });
    }
  });
  if (problems.length) return { ok: false, problems };
  if (days.length === 0) return { ok: false, problems: [{ line: 0, message: `文件中没有 ${year} 年的任何日期` }] };
  days.sort((x, y) => x.date.localeCompare(y.date));
  return { ok: true, days };
}

/** The list written back in the import format (one line per day), e.g. for an export or the docs. */
export function formatCalendarText(days: readonly CalendarDay[]): string {
  return days.map((d) => [d.date, DAY_KIND_LABELS[d.kind], d.name].filter((x) => x !== '').join(',')).join('\n');
}
