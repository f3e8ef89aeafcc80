// The catalog import's row-limit pass (electron/services/catalog-io/row-limit.ts) on ordinary
// workbooks. It used exceljs's streaming WorkbookReader, which now and then parsed a worksheet
// before xl/workbook.xml and threw on a valid file (exceljs issue #3064: about 1 read in 300 of the
// three-sheet workbook below; the catalog-xlsx e2e failed on it in CI). The million-row refusal is
// in tests/integration/security-catalog-rows.test.ts.
import ExcelJS from 'exceljs';
import JSZip from 'jszip';
import { describe, expect, it } from 'vitest';
import { checkRowLimit } from '../../electron/services/catalog-io/row-limit';

async function threeSheets(): Promise<Buffer> {
  const wb = new ExcelJS.Workbook();
  const certs = wb.addWorksheet('证明事项');
  certs.addRow(['证明编码', '证明名称']);
  for (let i = 0; i < 30; i++) certs.addRow([`ZM-${i}`, '居民户籍证明（含曾用名、迁移记录）']);
  const items = wb.addWorksheet('服务事项');
  items.addRow(['事项编码']);
  items.addRow([]); // an empty row: not counted
  items.addRow(['SX-1']);
  items.getCell('A10').value = { formula: '1+1', result: 2 }; // a formula row counts
  const bundles = wb.addWorksheet('一件事');
  bundles.addRow(['名称']);
  return Buffer.from(await wb.xlsx.writeBuffer());
}

describe('catalog row limit pass', () => {
  it('reads a valid three-sheet workbook 300 times in a row without a failure, counting rows with values', async () => {
    const bytes = await threeSheets();
    const names = Object.keys((await JSZip.loadAsync(bytes)).files);
    // exceljs stores the workbook part after the worksheets: the order that raced.
    expect(names.indexOf('xl/workbook.xml')).toBeGreaterThan(names.indexOf('xl/worksheets/sheet1.xml'));
    for (let i = 0; i < 300; i++) {
      // 31 + 3 + 1 rows with values (the header rows included, the empty row not).
      expect(await checkRowLimit(bytes)).toEqual({ over: null, rowsRead: 35 });
    }
  });

  it('names the first sheet past the limit, by its name in the workbook (not its part name)', async () => {
    const bytes = await threeSheets();
    expect(await checkRowLimit(bytes, 29)).toEqual({ over: { sheet: '证明事项' }, rowsRead: 31 });
    expect(await checkRowLimit(bytes, 30)).toEqual({ over: null, rowsRead: 35 });
    expect(await checkRowLimit(bytes, 1)).toEqual({ over: { sheet: '证明事项' }, rowsRead: 3 });
  });

  it('throws on bytes that are not a workbook: not a zip, or a zip without xl/workbook.xml', async () => {
    await expect(checkRowLimit(Buffer.from('<html>这不是工作簿</html>'))).rejects.toThrow();
    const zip = new JSZip();
    zip.file('word/document.xml', '<w:document/>');
    await expect(checkRowLimit(await zip.generateAsync({ type: 'nodebuffer' }))).rejects.toThrow(/workbook\.xml missing/);
  });
});
