import { describe, expect, it } from 'vitest';
import { isWorkingDay, makeCalendar, missingYears, parseCalendarText, yearsNeeded, type CalendarDay, type HallCalendar } from '../../shared/rules/hall-calendar';
import { addWorkingDays, workingDaysLeft } from '../../shared/rules/working-days';
import { PUBLISHED_YEARS } from '../../shared/rules/published-holidays';

/** The shipped schedules, read through the import parser as the desk reads them. */
function published(years: number[]): { cal: HallCalendar; days: CalendarDay[] } {
  const days: CalendarDay[] = [];
  for (const y of years) {
    const p = PUBLISHED_YEARS.find((x) => x.year === y)!;
    const parsed = parseCalendarText(p.text, y);
    if (!parsed.ok) throw new Error(parsed.problems.map((x) => x.message).join('\n'));
    days.push(...parsed.days);
  }
  return { cal: makeCalendar(days, years), days };
}

const { cal, days } = published([2025, 2026]);
/** The end of a China-time day as the store keeps it (23:59:59 +08:00 in UTC). */
const endOf = (date: string) => `${new Date(`${date}T23:59:59+08:00`).toISOString()}`;
const after = (chinaTime: string, n: number, c: HallCalendar = cal) => addWorkingDays(new Date(chinaTime), n, c).toISOString();

describe('hall calendar: the published 2025 schedule (国办发明电〔2024〕12号)', () => {
  it('one working day after 2025-09-30 is 2025-10-09 (国庆中秋 10月1日–8日 off)', () => {
    expect(after('2025-09-30T10:00:00+08:00', 1)).toBe('2025-10-09T15:59:59.000Z');
    // Three working days (the commitment withdrawal period): 10-09, 10-10 and the make-up Saturday 10-11.
    expect(after('2025-09-30T10:00:00+08:00', 3)).toBe('2025-10-11T15:59:59.000Z');
  });

  it('the make-up days 2025-09-28 (Sunday) and 2025-10-11 (Saturday) are working days; 2025-10-08 (Wednesday) is not', () => {
    expect(isWorkingDay(cal, '2025-09-28')).toBe(true);
    expect(isWorkingDay(cal, '2025-10-11')).toBe(true);
    expect(isWorkingDay(cal, '2025-10-08')).toBe(false);
    expect(isWorkingDay(cal, '2025-10-01')).toBe(false);
    expect(isWorkingDay(cal, '2025-10-09')).toBe(true);
    expect(isWorkingDay(cal, '2025-10-12')).toBe(false); // an ordinary Sunday
    expect(isWorkingDay(cal, '2025-01-26')).toBe(true);
    expect(isWorkingDay(cal, '2025-02-08')).toBe(true);
    expect(isWorkingDay(cal, '2025-04-27')).toBe(true);
    expect(isWorkingDay(cal, '2025-06-02')).toBe(false); // 端午, a Monday
  });

  it('a Friday before a make-up Sunday: the next working day is that Sunday', () => {
    expect(after('2025-09-26T09:00:00+08:00', 1)).toBe(endOf('2025-09-28'));
  });

  it('counts China days whatever the instant in UTC', () => {
    // 2025-09-29 23:30 in China (Monday): the next working day is Tuesday 09-30.
    expect(after('2025-09-29T15:30:00Z', 1)).toBe(endOf('2025-09-30'));
    // 2025-09-30 00:30 in China, still 09-29 in UTC: counts from 09-30.
    expect(after('2025-09-29T16:30:00Z', 1)).toBe(endOf('2025-10-09'));
    // 0 working days (即办): the end of the same China day.
    expect(after('2025-10-03T11:00:00+08:00', 0)).toBe(endOf('2025-10-03'));
  });

  it('holds 28 holidays and 5 make-up days', () => {
    const y = days.filter((d) => d.date.startsWith('2025'));
    expect(y.filter((d) => d.kind === 'holiday')).toHaveLength(28);
    expect(y.filter((d) => d.kind === 'workday').map((d) => d.date)).toEqual(['2025-01-26', '2025-02-08', '2025-04-27', '2025-09-28', '2025-10-11']);
  });
});

describe('hall calendar: the published 2026 schedule (国办发明电〔2025〕7号)', () => {
  it('春节 2月15日–23日 off, 2月14日 and 2月28日 worked', () => {
    expect(after('2026-02-13T10:00:00+08:00', 1)).toBe(endOf('2026-02-14'));
    expect(after('2026-02-13T10:00:00+08:00', 2)).toBe(endOf('2026-02-24'));
    expect(isWorkingDay(cal, '2026-02-28')).toBe(true);
    expect(isWorkingDay(cal, '2026-02-23')).toBe(false);
  });

  it('国庆 10月1日–7日 off and 中秋 9月25日–27日 off; 9月20日 and 10月10日 worked', () => {
    expect(after('2026-09-30T10:00:00+08:00', 1)).toBe(endOf('2026-10-08'));
    expect(after('2026-09-30T10:00:00+08:00', 3)).toBe(endOf('2026-10-10'));
    expect(after('2026-09-24T10:00:00+08:00', 1)).toBe(endOf('2026-09-28'));
    expect(isWorkingDay(cal, '2026-09-20')).toBe(true);
    expect(isWorkingDay(cal, '2026-10-07')).toBe(false);
  });

  it('元旦, 劳动节 and 端午', () => {
    expect(isWorkingDay(cal, '2026-01-04')).toBe(true); // Sunday, worked
    expect(isWorkingDay(cal, '2026-05-09')).toBe(true); // Saturday, worked
    expect(isWorkingDay(cal, '2026-05-05')).toBe(false);
    expect(isWorkingDay(cal, '2026-06-19')).toBe(false);
  });

  it('holds 33 holidays and 6 make-up days', () => {
    const y = days.filter((d) => d.date.startsWith('2026'));
    expect(y.filter((d) => d.kind === 'holiday')).toHaveLength(33);
    expect(y.filter((d) => d.kind === 'workday').map((d) => d.date)).toEqual(['2026-01-04', '2026-02-14', '2026-02-28', '2026-05-09', '2026-09-20', '2026-10-10']);
  });
});

describe('hall calendar: across years, missing years, corrections', () => {
  it('crosses from 2025 into 2026: one working day after 2025-12-31 is Sunday 2026-01-04', () => {
    expect(after('2025-12-31T10:00:00+08:00', 1)).toBe(endOf('2026-01-04'));
    expect(after('2025-12-31T10:00:00+08:00', 2)).toBe(endOf('2026-01-05'));
  });

  it('a year with no schedule counts weekends only, and is reported missing', () => {
    // 2026-12-31 is a Thursday; 2027 is not loaded, so Friday 2027-01-01 counts as a working day.
    expect(after('2026-12-31T10:00:00+08:00', 1)).toBe(endOf('2027-01-01'));
    expect(after('2026-12-31T10:00:00+08:00', 2)).toBe(endOf('2027-01-04'));
    expect(missingYears(cal, '2026-12-31', '2027-01-04')).toEqual([2027]);
    expect(missingYears(cal, '2025-03-01', '2026-12-31')).toEqual([]);
    // Weekends only: the 2025 holidays are ordinary weekdays.
    expect(after('2025-09-30T10:00:00+08:00', 1, makeCalendar([], []))).toBe(endOf('2025-10-01'));
  });

  it('the years a desk needs loaded: today’s, and the next within 60 days of the year’s end', () => {
    expect(yearsNeeded('2026-06-01')).toEqual([2026]);
    expect(yearsNeeded('2026-10-31')).toEqual([2026]);
    expect(yearsNeeded('2026-11-02')).toEqual([2026, 2027]);
    expect(yearsNeeded('2026-12-06')).toEqual([2026, 2027]);
  });

  it('a day corrected by the supervisor counts as corrected', () => {
    // A county adds a local holiday on Thursday 2025-10-09: one working day after 09-30 becomes 10-10.
    const corrected = makeCalendar([...days, { date: '2025-10-09', kind: 'holiday' as const }], [2025, 2026]);
    expect(after('2025-09-30T10:00:00+08:00', 1, corrected)).toBe(endOf('2025-10-10'));
    // Back to ordinary: 10-11 (make-up Saturday) removed, so three working days end on Monday 10-13.
    const noMakeUp = makeCalendar(days.filter((d) => d.date !== '2025-10-11'), [2025, 2026]);
    expect(after('2025-09-30T10:00:00+08:00', 3, noMakeUp)).toBe(endOf('2025-10-13'));
  });

  it('working days left until a due date, from the day after today', () => {
    const due = endOf('2025-10-10');
    expect(workingDaysLeft(new Date('2025-09-30T10:00:00+08:00'), due, cal)).toBe(2); // 10-09, 10-10
    expect(workingDaysLeft(new Date('2025-10-09T10:00:00+08:00'), due, cal)).toBe(1);
    expect(workingDaysLeft(new Date('2025-10-10T10:00:00+08:00'), due, cal)).toBe(0); // due today
  });
});

describe('hall calendar: the import format', () => {
  it('reads ranges, both separators and comments', () => {
    const r = parseCalendarText('# 测试\n\n2027-02-06～2027-02-07 休 春节\r\n2027-02-20，班，春节\n2027-05-01至2027-05-02\t休', 2027);
    expect(r).toEqual({
      ok: true,
      days: [
        { date: '2027-02-06', kind: 'holiday', name: '春节' },
        { date: '2027-02-07', kind: 'holiday', name: '春节' },
        { date: '2027-02-20', kind: 'workday', name: '春节' },
        { date: '2027-05-01', kind: 'holiday', name: '' },
        { date: '2027-05-02', kind: 'holiday', name: '' },
      ],
    });
  });

  it('refuses each bad line by its number, in Chinese, and returns no days', () => {
    const text = ['2025-10-01,休,国庆节', '2025-02-30,休', '2025-10-02,放', '2024-12-31,休', '2025-10-01,休', '2025-09-29,班', '2025-10-08~2025-10-03,休', '国庆'].join('\n');
    const r = parseCalendarText(text, 2025);
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.problems.map((p) => p.line)).toEqual([2, 3, 4, 5, 6, 7, 8]);
    expect(r.problems[0]!.message).toBe('第2行：“2025-02-30”不是有效日期（格式 YYYY-MM-DD，如 2025-10-01）');
    expect(r.problems[1]!.message).toBe('第3行：“放”应为“休”（放假）或“班”（调休上班）');
    expect(r.problems[2]!.message).toBe('第4行：2024-12-31 不在 2025 年内（每次导入一年）');
    expect(r.problems[3]!.message).toBe('第5行：2025-10-01 已在第1行列出');
    expect(r.problems[4]!.message).toBe('第6行：2025-09-29 是周一，本来就是工作日，不能标为“班”（调休上班日是周六或周日）');
    expect(r.problems[5]!.message).toBe('第7行：结束日期 2025-10-03 早于开始日期 2025-10-08');
    expect(r.problems[6]!.message).toBe('第8行：应为“日期,休或班,名称”，例如“2025-10-01,休,国庆节”');
  });

  it('refuses a file with no date at all', () => {
    expect(parseCalendarText('# 只有注释\n\n', 2025)).toEqual({ ok: false, problems: [{ line: 0, message: '文件中没有 2025 年的任何日期' }] });
  });
});
