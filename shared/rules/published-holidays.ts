/**
 * The State Council's published holiday schedules (国务院办公厅关于部分节假日安排的通知), in the
 * hall calendar's import format (shared/rules/hall-calendar.ts, docs/calendar.md). Every desk store
 * gets each year listed here once, at start-up, unless a supervisor already imported that year
 * (electron/services/calendar/calendar-seed.ts). A new year is added here when its notice is out,
 * copied from the notice's text, with the notice's number as its source.
 */
export interface PublishedYear {
  year: number;
  /** The notice: its number, title and date, as the calendar screen and the audit entry show it. */
  source: string;
  text: string;
}

export const PUBLISHED_YEARS: readonly PublishedYear[] = [
  {
    year: 2025,
    source: '国办发明电〔2024〕12号《国务院办公厅关于2025年部分节假日安排的通知》',
    text: `# 2025年：国办发明电〔2024〕12号
2025-01-01,休,元旦
2025-01-26,班,春节
2025-01-28~2025-02-04,休,春节
2025-02-08,班,春节
2025-04-04~2025-04-06,休,清明节
2025-04-27,班,劳动节
2025-05-01~2025-05-05,休,劳动节
2025-05-31~2025-06-02,休,端午节
2025-09-28,班,国庆节、中秋节
2025-10-01~2025-10-08,休,国庆节、中秋节
2025-10-11,班,国庆节、中秋节`,
  },
  {
    year: 2026,
    source: '国办发明电〔2025〕7号《国务院办公厅关于2026年部分节假日安排的通知》（2025年11月4日）',
    text: `# 2026年：国办发明电〔2025〕7号
2026-01-01~2026-01-03,休,元旦
2026-01-04,班,元旦
2026-02-14,班,春节
2026-02-15~2026-02-23,休,春节
2026-02-28,班,春节
2026-04-04~2026-04-06,休,清明节
2026-05-01~2026-05-05,休,劳动节
2026-05-09,班,劳动节
2026-06-19~2026-06-21,休,端午节
2026-09-20,班,国庆节
2026-09-25~2026-09-27,休,中秋节
2026-10-01~2026-10-07,休,国庆节
2026-10-10,班,国庆节`,
  },
];
