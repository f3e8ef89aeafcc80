/**
 * Reads one sheet of the layout: finds the columns by their header in row 1,
 * then hands out the data rows with helpers that record every problem under
 * the sheet, the Excel row number and the column header.
 */
import type { Cell, Row, Worksheet } from 'exceljs';
import type { CatalogFileProblem } from '../../../shared/ipc/methods/catalog-io';
import { cellText } from './cell-values';
import { normalizeHeader, type Columns } from './xlsx-layout';

/** Rows beyond this are refused rather than read (a county's list has a few hundred). */
export const MAX_DATA_ROWS = 10_000;
const DEFAULT_MAX_CHARS = 2_000;

/** The refusal of a sheet past MAX_DATA_ROWS (row-limit.ts stops reading there). */
export const tooManyRows = (sheet: string) => `工作表“${sheet}”超过 ${MAX_DATA_ROWS} 行数据，未导入（读到第 ${MAX_DATA_ROWS + 1} 行即停止读取）。请检查是否含有大量空行或无关数据`;

export class ProblemList {
  readonly items: CatalogFileProblem[] = [];
  add(sheet: string, row: number, column: string, message: string): void {
    this.items.push({ sheet, row, column, message });
  }
  get count(): number {
    return this.items.length;
  }
}

export interface SheetRow<K extends string> {
  /** The Excel row number. */
  number: number;
  cell(key: K): Cell | null;
  /** Trimmed text, '' when empty or the column is absent; over-long text is reported. */
  text(key: K): string;
  /** Text that must be filled; `when` names the condition, e.g. 处理方式为“告知承诺”时. */
  required(key: K, when?: string): string;
  problem(key: K, message: string): void;
}

export interface ReadSheet<K extends string> {
  rows: SheetRow<K>[];
  /** Every required column was found. */
  complete: boolean;
}

function headerColumns(ws: Worksheet, sheet: string, problems: ProblemList): Map<string, number> {
  const found = new Map<string, number>();
  ws.getRow(1).eachCell({ includeEmpty: false }, (cell, col) => {
    const header = normalizeHeader(cellText(cell));
    if (!header) return;
    if (found.has(header)) problems.add(sheet, 1, header, `列“${header}”出现了两次，请删除多余的一列`);
    else found.set(header, col);
  });
  return found;
}

export function readSheet<C extends Columns>(ws: Worksheet, sheet: string, columns: C, problems: ProblemList): ReadSheet<keyof C & string> {
  type K = keyof C & string;
  const headers = headerColumns(ws, sheet, problems);
  const index = new Map<K, number>();
  let complete = true;
  for (const [key, def] of Object.entries(columns) as [K, C[K]][]) {
    const col = headers.get(normalizeHeader(def.header));
    if (col !== undefined) index.set(key, col);
    else if (!def.optional) {
      complete = false;
      problems.add(sheet, 1, def.header, `缺少列“${def.header}”（表头应在第1行）`);
    }
  }
  if (ws.actualRowCount - 1 > MAX_DATA_ROWS) {
    problems.add(sheet, 0, '', tooManyRows(sheet));
    return { rows: [], complete: false };
  }

  const rows: SheetRow<K>[] = [];
  ws.eachRow({ includeEmpty: false }, (row: Row, number) => {
    if (number === 1) return;
    const cellOf = (key: K): Cell | null => {
      const col = index.get(key);
      return col === undefined ? null : row.getCell(col);
    };
    // A row whose layout columns are all blank is spacing, not a record.
    if ([...index.keys()].every((k) => cellText(cellOf(k)!) === '')) return;
    const problem = (key: K, message: string) => problems.add(sheet, number, columns[key]!.header, message);
    const tooLongReported = new Set<K>();
    const text = (key: K): string => {
      const cell = cellOf(key);
      if (!cell) return '';
      const value = cellText(cell);
      const max = columns[key]!.max ?? DEFAULT_MAX_CHARS;
      if (value.length > max && !tooLongReported.has(key)) {
        tooLongReported.add(key);
        problem(key, `“${columns[key]!.header}”超过 ${max} 字（实际 ${value.length} 字）`);
      }
      return value;
    };
    rows.push({
      number,
      cell: cellOf,
      text,
      required(key, when) {
        const value = text(key);
        if (value === '' && index.has(key)) {
          problem(key, when ? `${when}，“${columns[key]!.header}”不能为空` : `“${columns[key]!.header}”不能为空`);
        }
        return value;
      },
      problem,
    });
  });
  return { rows, complete };
}
