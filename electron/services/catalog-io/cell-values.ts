/**
 * Reading exceljs cells the way a person typed them: text from rich text,
 * formulas and hyperlinks; whole days; percentages; dates. Each reader gives
 * a value or a Chinese problem naming what it found.
 */
import type { Cell, CellValue } from 'exceljs';
import { isCalendarDate } from '../../../shared/ipc/methods/catalog-io';

export type Read<T> = { value: T } | { problem: string };

function pad(n: number, width = 2): string {
  return String(n).padStart(width, '0');
}

/** Excel dates carry no time zone; exceljs hands them over as UTC. */
export function utcDateText(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
}

/** The value behind a formula, or the value itself. */
function plainValue(value: CellValue): CellValue {
  if (value !== null && typeof value === 'object' && !(value instanceof Date) && 'result' in value) {
    return (value.result ?? null) as CellValue;
  }
  return value;
}

function valueText(value: CellValue): string {
  const v = plainValue(value);
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v instanceof Date) return utcDateText(v);
  if ('richText' in v) return v.richText.map((r) => r.text).join('');
  if ('text' in v && typeof v.text === 'string') return v.text;
  if ('error' in v) return String(v.error);
  return '';
}

/** A cell's text, trimmed, with Windows line breaks made plain. */
export function cellText(cell: Cell): string {
  return valueText(cell.value).replace(/\r\n?/g, '\n').trim();
}

/** A long code typed into a number-formatted cell has already lost digits. */
export function isMangledNumber(cell: Cell): boolean {
  const v = plainValue(cell.value);
  return typeof v === 'number' && !Number.isSafeInteger(v);
}

/** Whole working days, 0 to 365; "即办" counts as 0. */
export function readDays(cell: Cell, header: string): Read<number> {
  const v = plainValue(cell.value);
  const text = cellText(cell);
  const n = typeof v === 'number' ? v : text === '即办' ? 0 : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > 365) {
    return { problem: `${header}“${text}”不是有效的天数，应为0到365之间的整数` };
  }
  return { value: n };
}

/**
 * A percentage as a fraction (0.2 for 20%). A cell formatted as a percentage
 * holds the fraction; otherwise a plain number is read as percent (20 = 20%),
 * and text may carry a percent sign.
 */
export function readPercent(cell: Cell, header: string): Read<number> {
  const v = plainValue(cell.value);
  const text = cellText(cell);
  let fraction = NaN;
  if (typeof v === 'number') {
    fraction = (cell.numFmt ?? '').includes('%') ? v : v / 100;
  } else {
    const m = /^(\d+(?:\.\d+)?)\s*[%％]?$/.exec(text);
    if (m) fraction = Number(m[1]) / 100;
  }
  if (Number.isNaN(fraction)) return { problem: `${header}“${text}”不是有效的百分比，应如“20%”` };
  const shown = typeof v === 'number' && (cell.numFmt ?? '').includes('%') ? `${Math.round(v * 10000) / 100}%` : text;
  if (fraction < 0 || fraction > 1) return { problem: `${header}“${shown}”不在0%到100%之间` };
  return { value: Math.round(fraction * 10000) / 10000 };
}

/** A date cell or text like 2026-12-01, 2026/12/1 or 2026年12月1日, as YYYY-MM-DD. */
export function readDate(cell: Cell, header: string): Read<string> {
  const v = plainValue(cell.value);
  const text = cellText(cell);
  let iso = '';
  if (v instanceof Date) iso = utcDateText(v);
  else {
    const m = /^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$/.exec(text);
    if (m) iso = `${m[1]}-${pad(Number(m[2]))}-${pad(Number(m[3]))}`;
  }
  if (!isCalendarDate(iso)) return { problem: `${header}“${text}”不是有效日期，应为 yyyy-mm-dd，例如 2026-12-01` };
  return { value: iso };
}
