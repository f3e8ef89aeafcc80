import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import ExcelJS from 'exceljs';
import { describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { ROOT } from '../helpers/temp';
import { readCatalogVersion } from '../../electron/services/catalog-io/catalog-version-rows';
import { parseCatalogXlsx } from '../../electron/services/catalog-io/parse-catalog-xlsx';
import type { CatalogCertificate } from '../../electron/services/catalog-io/catalog-model';

/** A fixed clock after the demo version's effective date (2026-01-01). */
const NOW = () => new Date('2026-11-22T09:00:00+08:00');

async function supervisorDesk(): Promise<{ desk: TestDesk; token: string }> {
  const desk = await testDesk({ now: NOW });
  return { desk, token: (await desk.signIn('admin')).token };
}

function counts(desk: TestDesk): { versions: number; audit: number } {
  const db = openTestStore(desk.app.dbFile, { readonly: true });
  try {
    const one = (sql: string) => (db.prepare(sql).get() as { n: number }).n;
    return { versions: one('SELECT COUNT(*) AS n FROM catalog_versions'), audit: one('SELECT COUNT(*) AS n FROM audit_log') };
  } finally {
    db.close();
  }
}

async function exported(desk: TestDesk, token: string): Promise<{ fileName: string; base64: string }> {
  return desk.call('catalog.exportXlsx', {}, token);
}

async function workbookOf(base64: string): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(base64, 'base64') as unknown as ExcelJS.Buffer);
  return wb;
}

async function base64Of(wb: ExcelJS.Workbook): Promise<string> {
  return Buffer.from(await wb.xlsx.writeBuffer()).toString('base64');
}

/** The cell under a header, in the row whose first column holds `code`. */
function cellOf(ws: ExcelJS.Worksheet, code: string, header: string): ExcelJS.Cell {
  let col = 0;
  ws.getRow(1).eachCell((c, i) => {
    if (c.value === header) col = i;
  });
  let row = 0;
  ws.eachRow((r, i) => {
    if (r.getCell(1).value === code) row = i;
  });
  if (!col || !row) throw new Error(`no cell ${code} / ${header}`);
  return ws.getCell(row, col);
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => e.error.code,
  );

describe('catalog export and import as .xlsx', () => {
  it('exports the catalog in force in the published layout and imports it back as a new current version', async () => {
    const { desk, token } = await supervisorDesk();
    const file = await exported(desk, token);
    expect(file.fileName).toBe('房县证明事项清单（演示）2026年版.xlsx');

    // The layout: four sheets, bold frozen header, a drop-down for 处理方式.
    const wb = await workbookOf(file.base64);
    expect(wb.worksheets.map((w) => w.name)).toEqual(['证明事项清单', '政务服务事项', '一件事', '适用情形', '版本说明']);
    const certs = wb.getWorksheet('证明事项清单')!;
    expect(certs.getCell('A1').value).toBe('证明编码');
    expect(certs.getCell('E1').value).toBe('处理方式');
    expect(certs.getCell('A1').font?.bold).toBe(true);
    expect(certs.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(certs.getCell('E2').dataValidation).toMatchObject({ type: 'list', formulae: ['"直接取消,告知承诺,数据共享,部门核验/代办,保留"'] });
    expect(certs.getColumn(1).width).toBeGreaterThan(10);
    expect(wb.getWorksheet('版本说明')!.getCell('B2').value).toBe('2026-01-01');

    const before = counts(desk);
    const result = await desk.call(
      'catalog.importXlsx',
      { fileName: file.fileName, base64: file.base64, label: '房县证明事项清单 2026年11月调整', effectiveFrom: '2026-11-01' },
      token,
    );
    expect(result).toMatchObject({ ok: true, label: '房县证明事项清单 2026年11月调整', effectiveFrom: '2026-11-01', counts: { certificates: 33, serviceItems: 16, bundles: 2 } });
    if (!result.ok) throw new Error('import refused');
    expect(counts(desk)).toEqual({ versions: before.versions + 1, audit: before.audit + 1 });

    const versions = await desk.call('catalog.versions', {}, token);
    expect(versions.map((v) => [v.id, v.current, v.effectiveFrom])).toEqual([
      [result.versionId, true, '2026-11-01'],
      [1, false, '2026-01-01'],
    ]);
    expect(versions[0]).toMatchObject({ source: `xlsx:${file.fileName}`, counts: { certificates: 33, serviceItems: 16, bundles: 2 } });

    // The lists answer from the new version, and its rows equal the old ones, field by field.
    const db = openTestStore(desk.app.dbFile, { readonly: true });
    try {
      const listed = await desk.call('catalog.listCertificateItems', {}, token);
      expect(listed).toHaveLength(33);
      const versionsOfListed = db
        .prepare(`SELECT DISTINCT catalog_version_id AS v FROM certificate_items WHERE id IN (${listed.map(() => '?').join(',')})`)
        .all(...listed.map((c) => c.id)) as { v: number }[];
      expect(versionsOfListed).toEqual([{ v: result.versionId }]);
      const items = await desk.call('catalog.listServiceItems', { query: '出生登记' }, token);
      expect(items[0]!.bundles).toEqual(['出生“一件事”']);

      const { version: _old, ...demo } = readCatalogVersion(db, 1);
      const { version, ...imported } = readCatalogVersion(db, result.versionId);
      expect(imported).toEqual(demo);
      expect(version).toMatchObject({ label: '房县证明事项清单 2026年11月调整', effectiveFrom: '2026-11-01' });

      const audit = db.prepare(`SELECT detail FROM audit_log WHERE action = 'catalog.import'`).get() as { detail: string };
      expect(JSON.parse(audit.detail)).toMatchObject({ fileName: file.fileName, effectiveFrom: '2026-11-01', sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    } finally {
      db.close();
    }
  });

  it('check reads the 版本说明 sheet to prefill the import form, without writing', async () => {
    const { desk, token } = await supervisorDesk();
    const file = await exported(desk, token);
    const before = counts(desk);
    const checked = await desk.call('catalog.checkXlsx', file, token);
    expect(checked).toEqual({
      ok: true,
      label: '房县证明事项清单（演示）2026年版',
      effectiveFrom: '2026-01-01',
      note: '',
      counts: { certificates: 33, serviceItems: 16, bundles: 2 },
      currentEffectiveFrom: '2026-01-01',
    });
    expect(counts(desk)).toEqual(before);
  });

  it('refuses a workbook with mistakes, naming each (sheet, row, column), and writes nothing', async () => {
    const { desk, token } = await supervisorDesk();
    const wb = await workbookOf((await exported(desk, token)).base64);
    const certs = wb.getWorksheet('证明事项清单')!;
    cellOf(certs, 'ZM-420325-0001', '处理方式').value = '告知'; // row 2: not a method
    cellOf(certs, 'ZM-420325-0013', '承诺内容').value = null; // row 14: 告知承诺 without its commitment text
    cellOf(certs, 'ZM-420325-0014', '抽查比例').value = '120%'; // row 15
    const copied = certs.getRow(19).values as ExcelJS.CellValue[]; // ZM-420325-0018, once more at the end
    certs.addRow(copied.slice(1)); // row 35
    const items = wb.getWorksheet('政务服务事项')!;
    const needs = cellOf(items, '11420325MB1A27343B2000417001000', '所需证明'); // row 2
    needs.value = `${String(needs.value)}、ZM-420325-9999`;
    const base64 = await base64Of(wb);

    const before = counts(desk);
    const result = await desk.call('catalog.importXlsx', { fileName: '有错误的清单.xlsx', base64, effectiveFrom: '2026-11-01' }, token);
    expect(result).toEqual({
      ok: false,
      errors: [
        { sheet: '证明事项清单', row: 2, column: '处理方式', message: '处理方式“告知”不是有效选项，应为：直接取消、告知承诺、数据共享、部门核验/代办、保留' },
        { sheet: '证明事项清单', row: 14, column: '承诺内容', message: '处理方式为“告知承诺”时，“承诺内容”不能为空' },
        { sheet: '证明事项清单', row: 15, column: '抽查比例', message: '抽查比例“120%”不在0%到100%之间' },
        { sheet: '证明事项清单', row: 35, column: '证明编码', message: '证明编码“ZM-420325-0018”与第19行重复' },
        { sheet: '政务服务事项', row: 2, column: '所需证明', message: '所需证明“ZM-420325-9999”不在“证明事项清单”中' },
      ],
    });
    expect(counts(desk)).toEqual(before);
    expect((await desk.call('catalog.versions', {}, token)).map((v) => v.id)).toEqual([1]);
  });

  it('names missing sheets and columns, bad codes, numbers and bundle references', async () => {
    const { desk, token } = await supervisorDesk();
    const wb = await workbookOf((await exported(desk, token)).base64);
    wb.removeWorksheet(wb.getWorksheet('版本说明')!.id); // optional: no problem
    const certs = wb.getWorksheet('证明事项清单')!;
    certs.getCell('D1').value = '依据'; // 设定依据 header renamed
    cellOf(certs, 'ZM-420325-0028', '核验时限（工作日）').value = '三天';
    const items = wb.getWorksheet('政务服务事项')!;
    cellOf(items, '11420325MB0J29476A0500017001000', '实施编码').value = '高龄津贴';
    const bundles = wb.getWorksheet('一件事')!;
    bundles.getCell('C3').value = '11420325MB1C50836R0100033001000、11420325MB1C50836R0100099001000';

    const result = await desk.call('catalog.importXlsx', { fileName: 'x.xlsx', base64: await base64Of(wb) }, token);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([
      { sheet: '证明事项清单', row: 1, column: '设定依据', message: '缺少列“设定依据”（表头应在第1行）' },
      { sheet: '证明事项清单', row: 29, column: '核验时限（工作日）', message: '核验时限（工作日）“三天”不是有效的天数，应为0到365之间的整数' },
      {
        sheet: '政务服务事项',
        row: 15,
        column: '实施编码',
        message: '实施编码“高龄津贴”格式不正确，应为31位：实施部门统一社会信用代码（18位）加13位数字（事项类型2位、主项5位、子项3位、业务项3位）',
      },
      { sheet: '一件事', row: 3, column: '包含事项', message: '包含事项“11420325MB1C50836R0100099001000”不在“政务服务事项”中' },
    ]);

    const noSheet = new ExcelJS.Workbook();
    noSheet.addWorksheet('Sheet1').addRow(['证明编码']);
    const refused = await desk.call('catalog.importXlsx', { fileName: 'y.xlsx', base64: await base64Of(noSheet) }, token);
    expect(refused.ok === false && refused.errors.map((e) => e.message)).toEqual([
      '缺少工作表“证明事项清单”',
      '缺少工作表“政务服务事项”',
      '缺少工作表“一件事”',
    ]);

    const notXlsx = await desk.call('catalog.importXlsx', { fileName: 'z.xlsx', base64: Buffer.from('证明编码,证明名称\n').toString('base64') }, token);
    expect(notXlsx.ok === false && notXlsx.errors[0]!.message).toContain('不是有效的 .xlsx 工作簿');
  });

  it('refuses an effective date earlier than the version in force, from the form or from the file', async () => {
    const { desk, token } = await supervisorDesk();
    const file = await exported(desk, token);
    const before = counts(desk);
    const fromForm = await desk.call('catalog.importXlsx', { ...file, effectiveFrom: '2025-12-31' }, token);
    expect(fromForm).toEqual({
      ok: false,
      errors: [
        {
          sheet: '导入设置',
          row: 0,
          column: '生效日期',
          message: '生效日期 2025-12-31 早于现行版本“房县证明事项清单（演示）2026年版”的生效日期 2026-01-01；新版本只能自 2026-01-01 或之后生效',
        },
      ],
    });

    const wb = await workbookOf(file.base64);
    wb.getWorksheet('版本说明')!.getCell('B2').value = new Date(Date.UTC(2025, 5, 30)); // a real Excel date cell
    const fromFile = await desk.call('catalog.importXlsx', { fileName: file.fileName, base64: await base64Of(wb) }, token);
    expect(fromFile.ok === false && fromFile.errors[0]).toMatchObject({ sheet: '版本说明', row: 2, column: '生效日期' });
    expect(counts(desk)).toEqual(before);

    // The same day as the version in force is allowed, and the newer version wins the tie.
    const sameDay = await desk.call('catalog.importXlsx', { ...file, effectiveFrom: '2026-01-01' }, token);
    expect(sameDay.ok).toBe(true);
    expect((await desk.call('catalog.versions', {}, token)).find((v) => v.current)?.id).toBe(sameDay.ok && sameDay.versionId);
  });

  it('lets only a supervisor import; everyone may export and see the versions', async () => {
    const { desk, token } = await supervisorDesk();
    const file = await exported(desk, token);
    const clerk = await desk.signIn('zhangmin');
    expect(await codeOf(desk.call('catalog.importXlsx', { ...file, effectiveFrom: '2026-11-01' }, clerk.token))).toBe('FORBIDDEN');
    expect(await codeOf(desk.call('catalog.checkXlsx', file, clerk.token))).toBe('FORBIDDEN');
    expect((await exported(desk, clerk.token)).base64.length).toBeGreaterThan(1000);
    expect(await desk.call('catalog.versions', {}, clerk.token)).toHaveLength(1);
  });

  it('finds names by pinyin initials, and keeps the plain search', async () => {
    const { desk, token } = await supervisorDesk();
    const byInitials = await desk.call('catalog.listCertificateItems', { query: 'csyxzm' }, token);
    expect(byInitials.map((c) => c.name)).toEqual(['出生医学证明']);
    expect((await desk.call('catalog.listCertificateItems', { query: 'WFZM' }, token)).map((c) => c.name)).toEqual(['无房证明']);
    expect((await desk.call('catalog.listServiceItems', { query: 'csyxzm' }, token)).map((s) => s.name)).toEqual(['出生医学证明办理']);
    expect((await desk.call('catalog.listCertificateItems', { query: '医学' }, token)).map((c) => c.name)).toEqual(['出生医学证明']);
    expect((await desk.call('catalog.listCertificateItems', { query: '0012' }, token)).map((c) => c.name)).toEqual(['无犯罪记录证明']);
  });
});

describe('reading a county workbook', () => {
  /** A minimal workbook: one certificate per row given, one item needing them all. */
  async function workbook(certRows: Record<string, ExcelJS.CellValue>[], version?: Record<string, ExcelJS.CellValue>): Promise<Buffer> {
    const wb = new ExcelJS.Workbook();
    const headers = ['证明编码', '证明名称', '开具单位', '设定依据', '处理方式', '告知内容', '承诺内容', '核查方式', '核查时限（工作日）', '抽查比例', '共享来源', '共享数据项', '核验部门', '核验时限(工作日)', '取消依据', '取消理由', '保留理由'];
    const certs = wb.addWorksheet('证明事项清单');
    certs.addRow(['序号', ...headers]);
    certRows.forEach((r, i) => certs.addRow([i + 1, ...headers.map((h) => r[h] ?? null)]));
    const items = wb.addWorksheet('政务服务事项');
    items.addRow(['实施编码', '事项名称', '实施部门', '事项类型', '承诺时限（工作日）', '所需证明', '其他材料', '咨询电话']);
    items.addRow(['11420325mb1a27343b2000417001000', '出生登记', '县卫生健康局', '公共服务', '即办', certRows.map((r) => r['证明编码']).join(' ; '), '申请表、身份证原件', '0719-3222222']);
    wb.addWorksheet('一件事').addRow(['联办编码', '联办名称', '包含事项']);
    if (version) {
      const v = wb.addWorksheet('版本说明');
      v.addRow(['版本名称', '生效日期', '说明']);
      v.addRow([version['版本名称'] ?? null, version['生效日期'] ?? null, version['说明'] ?? null]);
    }
    return Buffer.from(await wb.xlsx.writeBuffer());
  }
  const base = { 证明名称: '某证明', 开具单位: '某单位', 设定依据: '某条例' };
  /** A notice stating every part 国办发〔2020〕42号 requires (shared/rules/commitment-notice.ts). */
  const NOTICE = '申请人应当符合办理条件，负有证明义务，证明内容为实际居住地址。承诺书须由申请人本人签字。行政机关有权核查，申请人应当配合。承诺不实的，撤销决定并记入信用记录。';

  it('accepts 部门核验 and 代办 as department verification, plain and formatted percentages, extra columns and text dates', async () => {
    const bytes = await workbook(
      [
        { ...base, 证明编码: 'A-1', 处理方式: '部门核验', 核验部门: '县公安局', '核验时限(工作日)': 3 },
        { ...base, 证明编码: 'A-2', 处理方式: '代办', 核验部门: '县妇幼保健院', '核验时限(工作日)': '2' },
        { ...base, 证明编码: 'A-3', 处理方式: '部门核验／代办', 核验部门: '县民政局', '核验时限(工作日)': 10 },
        { ...base, 证明编码: 'A-4', 处理方式: '告知承诺', 告知内容: NOTICE, 承诺内容: '承诺', 核查方式: '实地调查', '核查时限（工作日）': 20, 抽查比例: 20 },
        { ...base, 证明编码: 'A-5', 处理方式: '告知承诺', 告知内容: NOTICE, 承诺内容: '承诺', 核查方式: '免于核查' },
      ],
      { 版本名称: '测试版', 生效日期: '2026年12月1日', 说明: '第一次调整' },
    );
    const parsed = await parseCatalogXlsx(bytes);
    if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
    const detail = (code: string) => parsed.catalog.certificates.find((c: CatalogCertificate) => c.code === code)!;
    expect(detail('A-1')).toMatchObject({ method: 'dept_verification', methodDetail: { verifyingDepartment: '县公安局', timeLimitDays: 3, mode: '部门协查' } });
    expect(detail('A-2').methodDetail).toMatchObject({ mode: '帮办代办', timeLimitDays: 2 });
    expect(detail('A-3').methodDetail).toMatchObject({ mode: '部门协查' });
    expect(detail('A-4').methodDetail).toEqual({
      templateVersion: 'v1',
      noticeText: NOTICE,
      commitmentText: '承诺',
      verification: { method: '实地调查', timeLimitDays: 20, samplingRatio: 0.2 },
    });
    expect(detail('A-5').methodDetail).toMatchObject({ verification: { method: '免于核查', timeLimitDays: 0, samplingRatio: 0 } });
    expect(parsed.catalog.serviceItems[0]).toMatchObject({
      code: '11420325MB1A27343B2000417001000',
      timeLimitDays: 0,
      certificates: ['A-1', 'A-2', 'A-3', 'A-4', 'A-5'],
      materials: ['申请表', '身份证原件'],
      guide: { phone: '0719-3222222', basis: '', conditions: '', location: '' },
    });
    expect(parsed.catalog.version).toEqual({ label: '测试版', effectiveFrom: '2026-12-01', note: '第一次调整', row: 2 });
  });

  it('checks the cells each method needs, and the 免于核查 plan', async () => {
    const parsed = await parseCatalogXlsx(
      await workbook(
        [
          { ...base, 证明编码: 'B-1', 处理方式: '数据共享', 共享来源: '省平台' },
          { ...base, 证明编码: 'B-2', 处理方式: '直接取消' },
          { ...base, 证明编码: 'B-3', 处理方式: '告知承诺', 告知内容: NOTICE, 承诺内容: '承诺', 核查方式: '免于核查', 抽查比例: '10%' },
          { ...base, 证明编码: 'B-4', 处理方式: '告知承诺', 告知内容: NOTICE, 承诺内容: '承诺', 核查方式: '电话核查', '核查时限（工作日）': 5, 抽查比例: 'abc' },
          { 证明编码: 'B-5', 处理方式: '保留', 保留理由: '须查验原件' },
        ],
        { 版本名称: '测试版', 生效日期: '2026-02-30' },
      ),
    );
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.errors.map((e) => `${e.sheet}!${e.row} ${e.column}: ${e.message}`)).toEqual([
      '证明事项清单!2 共享数据项: 处理方式为“数据共享”时，“共享数据项”不能为空',
      '证明事项清单!3 取消依据: 处理方式为“直接取消”时，“取消依据”不能为空',
      '证明事项清单!3 取消理由: 处理方式为“直接取消”时，“取消理由”不能为空',
      '证明事项清单!4 抽查比例: 核查方式为“免于核查”时，“抽查比例”应为空或0%',
      '证明事项清单!5 核查方式: 核查方式“电话核查”不是有效选项，应为：书面核查、网络核验、实地调查、公示核查、免于核查',
      '证明事项清单!5 抽查比例: 抽查比例“abc”不是有效的百分比，应如“20%”',
      '证明事项清单!6 证明名称: “证明名称”不能为空',
      '证明事项清单!6 开具单位: “开具单位”不能为空',
      '证明事项清单!6 设定依据: “设定依据”不能为空',
      '版本说明!2 生效日期: 生效日期“2026-02-30”不是有效日期，应为 yyyy-mm-dd，例如 2026-12-01',
    ]);
  });

  it('the shipped example (docs/examples/catalog-example.xlsx) is a clean catalog', async () => {
    const parsed = await parseCatalogXlsx(fs.readFileSync(path.join(ROOT, 'docs', 'examples', 'catalog-example.xlsx')));
    expect(parsed.ok && { certificates: parsed.catalog.certificates.length, items: parsed.catalog.serviceItems.length, bundles: parsed.catalog.bundles.length }).toEqual({
      certificates: 33,
      items: 16,
      bundles: 2,
    });
  });

  it('reports a long code Excel turned into a number', async () => {
    const wb = await workbook([{ ...base, 证明编码: 'C-1', 处理方式: '保留', 保留理由: '原件' }]);
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(wb as unknown as ExcelJS.Buffer);
    book.getWorksheet('政务服务事项')!.getCell('A2').value = 1.1420325123456789e30;
    const parsed = await parseCatalogXlsx(Buffer.from(await book.xlsx.writeBuffer()));
    expect(parsed.ok === false && parsed.errors).toEqual([
      { sheet: '政务服务事项', row: 2, column: '实施编码', message: '实施编码被 Excel 当作数字保存，末尾数字已丢失；请把该列设为“文本”格式后重新填写' },
    ]);
  });
});
