/**
 * The catalog workbook's row limit, applied while reading: before the workbook is loaded whole
 * (exceljs's in-memory model holds every cell of every sheet), a streaming pass counts each
 * sheet's rows with values and stops at the first sheet past MAX_DATA_ROWS — a million-row
 * workbook is refused after reading 10,001 data rows, not after parsing a million (security
 * probe: 1.4 GB resident afterwards). Shared strings, styles and links are not read in this pass,
 * so its memory does not grow with the workbook either.
 */
import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { MAX_DATA_ROWS } from './sheet-reader';

export interface RowLimitVerdict {
  /** The first sheet past the limit (its name, or “第 n 个工作表” when the stream has not named it), or null. */
  over: { sheet: string } | null;
  /** Rows (with values) read in all, header rows included: the pass stops one past the limit. */
  rowsRead: number;
}

/** Counts rows sheet by sheet, stopping at the first sheet with more than `maxDataRows` data rows. Throws when the bytes are not a workbook. */
export async function checkRowLimit(bytes: Buffer, maxDataRows = MAX_DATA_ROWS): Promise<RowLimitVerdict> {
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(Readable.from([bytes]), {
    entries: 'emit',
    worksheets: 'emit',
    sharedStrings: 'ignore',
    styles: 'ignore',
    hyperlinks: 'ignore',
  });
  let rowsRead = 0;
  let index = 0;
  for await (const sheet of reader) {
    index++;
    let rows = 0;
    for await (const row of sheet as AsyncIterable<ExcelJS.Row>) {
      if (!row.hasValues) continue;
      rows++;
      rowsRead++;
      // The header row plus maxDataRows data rows are allowed; one more is enough to refuse.
      if (rows > maxDataRows + 1) {
        const name = (sheet as unknown as { name?: string }).name;
        return { over: { sheet: name?.trim() || `第 ${index} 个工作表` }, rowsRead };
      }
    }
  }
  return { over: null, rowsRead };
}
