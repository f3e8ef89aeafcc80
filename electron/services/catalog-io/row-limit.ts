/**
 * The catalog workbook's row limit, applied while reading: before the workbook is loaded whole
 * (exceljs's in-memory model holds every cell of every sheet), one pass counts each sheet's rows
 * with values and stops at the first sheet past MAX_DATA_ROWS — a million-row workbook is refused
 * after reading 10,001 data rows, not after parsing a million (security probe: 1.4 GB resident
 * afterwards).
 *
 * The pass reads the archive through its central directory (JSZip) and each worksheet part as a
 * stream of inflated bytes through a streaming XML parser (saxes), so its memory is the compressed
 * upload plus one chunk, whatever the sheet's size. It no longer uses exceljs's streaming
 * WorkbookReader: that reader takes the archive's entries in stored order and, when
 * `xl/workbook.xml` comes after the worksheets (as exceljs itself writes it), now and then parses a
 * worksheet before the workbook part — "Cannot read properties of undefined (reading 'sheets')",
 * exceljs issue #3064; reproduced here about once in 300 reads of a valid three-sheet workbook,
 * which made the catalog import call a valid file unreadable (the flaky catalog-xlsx e2e).
 */
import { StringDecoder } from 'node:string_decoder';
import JSZip from 'jszip';
import { SaxesParser } from 'saxes';
import { MAX_DATA_ROWS } from './sheet-reader';

export interface RowLimitVerdict {
  /** The first sheet past the limit (its name, or “第 n 个工作表” when the workbook does not name it), or null. */
  over: { sheet: string } | null;
  /** Rows (with values) read in all, header rows included: the pass stops one past the limit. */
  rowsRead: number;
}

interface SheetPart {
  name: string | null;
  path: string;
}

/** Counts rows sheet by sheet, stopping at the first sheet with more than `maxDataRows` data rows. Throws when the bytes are not a workbook. */
export async function checkRowLimit(bytes: Buffer, maxDataRows = MAX_DATA_ROWS): Promise<RowLimitVerdict> {
  const zip = await JSZip.loadAsync(bytes);
  const sheets = await sheetParts(zip);
  let rowsRead = 0;
  for (const [i, sheet] of sheets.entries()) {
    const file = zip.file(sheet.path);
    if (!file) throw new Error(`worksheet part missing: ${sheet.path}`);
    // The header row plus maxDataRows data rows are allowed; one more is enough to refuse.
    const rows = await countRowsWithValues(file, maxDataRows + 2);
    rowsRead += rows;
    if (rows > maxDataRows + 1) return { over: { sheet: sheet.name?.trim() || `第 ${i + 1} 个工作表` }, rowsRead };
  }
  return { over: null, rowsRead };
}

/** The worksheets in workbook order (xl/workbook.xml, resolved through its relationships). */
async function sheetParts(zip: JSZip): Promise<SheetPart[]> {
  const workbookXml = await zip.file('xl/workbook.xml')?.async('string');
  if (workbookXml === undefined) throw new Error('xl/workbook.xml missing: not an xlsx workbook');
  const relsXml = (await zip.file('xl/_rels/workbook.xml.rels')?.async('string')) ?? '';
  const targets = new Map<string, string>();
  parseXml(relsXml, (tag) => {
    if (localName(tag.name) === 'Relationship' && tag.attributes.Id && tag.attributes.Target) targets.set(tag.attributes.Id, tag.attributes.Target);
  });
  const parts: SheetPart[] = [];
  parseXml(workbookXml, (tag) => {
    if (localName(tag.name) !== 'sheet') return;
    const rid = Object.entries(tag.attributes).find(([k]) => localName(k) === 'id' && k !== 'sheetId')?.[1];
    const target = rid ? targets.get(rid) : undefined;
    if (target) parts.push({ name: tag.attributes.name ?? null, path: partPath(target) });
  });
  if (parts.length > 0) return parts;
  // No usable relationships: every worksheet part, in numeric order, unnamed.
  return zip
    .file(/^xl\/worksheets\/sheet\d+\.xml$/)
    .map((f) => f.name)
    .sort((a, b) => Number(/(\d+)\.xml$/.exec(a)![1]) - Number(/(\d+)\.xml$/.exec(b)![1]))
    .map((path) => ({ name: null, path }));
}

/** A relationship target as a path inside the archive (relative to xl/, or absolute from the root). */
function partPath(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const parts: string[] = ['xl'];
  for (const seg of target.split('/')) {
    if (seg === '..') parts.pop();
    else if (seg !== '.' && seg !== '') parts.push(seg);
  }
  return parts.join('/');
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon < 0 ? name : name.slice(colon + 1);
}

type OpenTag = { name: string; attributes: Record<string, string> };

/** Parses a small XML part whole (workbook.xml and its relationships are a few KB). */
function parseXml(xml: string, onOpen: (tag: OpenTag) => void): void {
  const parser = new SaxesParser();
  parser.on('opentag', (tag) => onOpen(tag as OpenTag));
  parser.write(xml).close();
}

/**
 * Rows of one worksheet part that hold a value (a cell with <v>, an inline string <is> or a
 * formula <f>), counted from its inflated stream; reading stops once `stopAt` such rows are seen.
 */
function countRowsWithValues(file: JSZip.JSZipObject, stopAt: number): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const parser = new SaxesParser();
    let rows = 0;
    let inRow = false;
    let rowHasValue = false;
    let done = false;
    parser.on('opentag', (tag) => {
      const name = localName(tag.name);
      if (name === 'row') {
        inRow = true;
        rowHasValue = false;
      } else if (inRow && (name === 'v' || name === 'is' || name === 'f')) rowHasValue = true;
    });
    parser.on('closetag', (tag) => {
      if (localName(tag.name) !== 'row') return;
      inRow = false;
      // Rows past stopAt in the same chunk are not counted: the pass reports where it stopped.
      if (rowHasValue && rows < stopAt) rows++;
    });
    parser.on('error', (e) => finish(e));
    const stream = file.nodeStream('nodebuffer');
    // A chunk may end inside a multi-byte character (sheet names and cells are Chinese).
    const decoder = new StringDecoder('utf8');
    function finish(error?: Error): void {
      if (done) return;
      done = true;
      stream.removeAllListeners('data');
      if (error) reject(error);
      else resolve(rows);
    }
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      try {
        parser.write(decoder.write(chunk));
      } catch (e) {
        finish(e as Error);
        return;
      }
      if (rows >= stopAt) {
        stream.pause();
        finish();
      }
    });
    stream.on('error', (e: Error) => finish(e));
    stream.on('end', () => {
      if (done) return;
      try {
        parser.write(decoder.end());
        parser.close();
      } catch (e) {
        finish(e as Error);
        return;
      }
      finish();
    });
  });
}
