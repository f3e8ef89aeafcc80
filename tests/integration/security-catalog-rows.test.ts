// Security suite, issue 15 point 8: the catalog import parsed a million-row workbook before checking
// its 10,000-row limit (1.4 GB resident afterwards). Now a streaming pass stops reading at the
// limit (electron/services/catalog-io/row-limit.ts). The workbook is generated here with exceljs's
// streaming writer: 1,000,000 data rows on the 证明事项 sheet, under the 20 MB upload limit.
// Memory is asserted generously (the probe's 1.4 GB against a 300 MB bound, sampled while the
// import runs), and exactly by the rows the pass read.
import { PassThrough } from 'node:stream';
import ExcelJS from 'exceljs';
import { beforeAll, describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { checkRowLimit } from '../../electron/services/catalog-io/row-limit';
import { MAX_CATALOG_XLSX_BYTES } from '../../shared/ipc/methods/catalog-io';

const ROWS = 1_000_000;
let workbook: Buffer;

async function millionRows(): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useSharedStrings: true, useStyles: false });
  const ws = wb.addWorksheet('证明事项');
  ws.addRow(['证明编码', '证明名称', '开具单位', '处理方式']).commit();
  for (let i = 0; i < ROWS; i++) ws.addRow([i, '证明', '县民政局', '告知承诺']).commit();
  ws.commit();
  await wb.commit();
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  workbook = await millionRows();
}, 180_000);

describe('catalog import row limit', () => {
  it('a million-row workbook: the streaming pass reads 10,001 data rows (plus the header) and stops', async () => {
    expect(workbook.length).toBeLessThan(MAX_CATALOG_XLSX_BYTES);
    expect(await checkRowLimit(workbook)).toEqual({ over: { sheet: '证明事项' }, rowsRead: 10_002 });
    // A sheet at the limit passes (the same pass, a small limit).
    expect(await checkRowLimit(workbook, ROWS)).toEqual({ over: null, rowsRead: ROWS + 1 });
  }, 120_000);

  it('is refused through catalog.checkXlsx and catalog.importXlsx at the limit, with memory bounded and nothing imported', async () => {
    const d = await testDesk({ sync: false });
    const admin = (await d.signIn('admin')).token;
    const versions = await d.call('catalog.versions', {}, admin);
    const base64 = workbook.toString('base64');
    global.gc?.();
    const before = process.memoryUsage().rss;
    let peak = before;
    const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 20);
    const refusal = [{ sheet: '证明事项', row: 0, column: '', message: '工作表“证明事项”超过 10000 行数据，未导入（读到第 10001 行即停止读取）。请检查是否含有大量空行或无关数据' }];
    try {
      expect(await d.call('catalog.checkXlsx', { fileName: '百万行.xlsx', base64 }, admin)).toEqual({ ok: false, errors: refusal });
      expect(await d.call('catalog.importXlsx', { fileName: '百万行.xlsx', base64 }, admin)).toMatchObject({ ok: false, errors: refusal });
    } finally {
      clearInterval(sampler);
    }
    const growthMb = (peak - before) / 1024 / 1024;
    console.log(`catalog row limit: resident memory grew ${growthMb.toFixed(0)} MB at most while refusing a ${ROWS}-row workbook (bound 300 MB; the probe saw 1.4 GB)`);
    expect(growthMb).toBeLessThan(300);
    expect(await d.call('catalog.versions', {}, admin)).toEqual(versions);
  }, 120_000);
});
