import path from 'node:path';
import ExcelJS from 'exceljs';
import { expect, test, type Page } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';

const PASSWORD = 'Desk@2026';

let hosts: RunningHost[] = [];
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

async function signIn(page: Page, username: string) {
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill(PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
}

/** Today in China time: a version effective today is in force at once. */
const chinaToday = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

/** A notice stating every part 国办发〔2020〕42号 requires (checked at import). */
const NOTICE =
  '申请人应当在本县实际居住，负有证明居住情况的义务，证明内容为现居住地址。申请人可自愿以书面承诺代替证明，承诺书须由本人签字。行政机关有权书面核查，申请人应当配合。承诺不实的，撤销相关决定并记入信用记录。';

/** A small county catalog: two certificates, two items, one bundle; `method` is the first certificate's 处理方式. */
async function writeCatalogFile(file: string, method: string): Promise<void> {
  const wb = new ExcelJS.Workbook();
  const certs = wb.addWorksheet('证明事项清单');
  certs.addRow(['证明编码', '证明名称', '开具单位', '设定依据', '处理方式', '窗口做法', '告知内容', '承诺内容', '核查方式', '核查时限（工作日）', '抽查比例', '共享来源', '共享数据项', '查询方式', '核验部门', '核验时限（工作日）', '核验方式', '取消依据', '取消理由', '保留理由']);
  const row = (values: Record<number, string | number>) => Array.from({ length: 20 }, (_, i) => values[i] ?? null);
  certs.addRow(row({ 0: 'ZS-001', 1: '居住证明', 2: '村（居）民委员会', 3: '《居住证暂行条例》第二条', 4: method, 5: '签署承诺书即可', 6: NOTICE, 7: '承诺内容……', 8: '书面核查', 9: 15, 10: '20%' }));
  certs.addRow(row({ 0: 'ZS-002', 1: '婚姻状况证明', 2: '县民政局', 3: '《婚姻登记条例》', 4: '数据共享', 11: '湖北省政务数据共享交换平台', 12: '婚姻登记信息', 13: '按身份证号码查询' }));
  const items = wb.addWorksheet('政务服务事项');
  items.addRow(['实施编码', '事项名称', '实施部门', '事项类型', '承诺时限（工作日）', '所需证明', '其他材料', '办理依据', '受理条件', '办理地点', '咨询电话']);
  items.addRow(['11420325MB1A27343B2000417001000', '出生登记（生育登记服务）', '县卫生健康局', '公共服务', 0, 'ZS-001、ZS-002', '申请表', '', '', '政务服务中心一楼', '0719-3222222']);
  items.addRow(['11420325MB0Y8512150700105002000', '户口登记（出生申报户口）', '县公安局', '行政确认', 1, 'ZS-001', '', '', '', '', '']);
  const bundles = wb.addWorksheet('一件事');
  bundles.addRow(['联办编码', '联办名称', '包含事项']);
  bundles.addRow(['YJS-TEST-001', '出生“一件事”', '11420325MB1A27343B2000417001000、11420325MB0Y8512150700105002000']);
  const version = wb.addWorksheet('版本说明');
  version.addRow(['版本名称', '生效日期', '说明']);
  version.addRow(['测试县证明事项清单 2026年调整版', chinaToday(), '动态调整']);
  await wb.xlsx.writeFile(file);
}

test('a supervisor imports a county catalog: a bad file lists its problems, a good one becomes the version in force', async ({ page }, info) => {
  const dir = freshDir('desk-xlsx-');
  const bad = path.join(dir, '有错误的清单.xlsx');
  const good = path.join(dir, '测试县证明事项清单.xlsx');
  await writeCatalogFile(bad, '告知');
  await writeCatalogFile(good, '告知承诺');

  const h = await startHost();
  hosts.push(h);
  await page.goto(h.url);
  await signIn(page, 'admin');
  await page.getByRole('menuitem', { name: '事项与证明清单' }).click();
  const catalog = page.getByTestId('catalog-page');
  await expect(catalog.getByRole('cell', { name: /出生医学证明办理/ }).first()).toBeVisible();

  // 1. The bad file: nothing is imported, every problem is listed with its sheet, row and column.
  await catalog.locator('input[type=file]').setInputFiles(bad);
  const problems = page.getByTestId('catalog-import-errors');
  await expect(problems).toContainText('清单未导入：发现 1 处问题');
  const problemRow = problems.getByRole('row', { name: /处理方式“告知”不是有效选项/ });
  await expect(problemRow.getByRole('cell')).toHaveText([
    '证明事项清单',
    '2',
    '处理方式',
    '处理方式“告知”不是有效选项，应为：直接取消、告知承诺、数据共享、部门核验/代办、保留',
  ]);
  await expect(page.getByRole('dialog')).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('catalog-import-errors.png'), fullPage: true });

  // 2. The good file: the form is prefilled from its 版本说明 sheet, and the import reports what it took.
  await catalog.locator('input[type=file]').setInputFiles(good);
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('证明事项 2 项、政务服务事项 2 项、一件事 1 项');
  await expect(dialog.getByLabel('版本名称')).toHaveValue('测试县证明事项清单 2026年调整版');
  await expect(dialog.getByLabel('生效日期')).toHaveValue(chinaToday());
  await page.screenshot({ path: info.outputPath('catalog-import-form.png') });
  await dialog.getByRole('button', { name: /导\s*入/ }).click();
  const done = page.getByTestId('catalog-import-done');
  await expect(done).toContainText('已导入新版本“测试县证明事项清单 2026年调整版”：证明事项 2 项、政务服务事项 2 项、一件事 1 项');
  await expect(problems).toHaveCount(0);

  // The lists now answer from the new version.
  await expect(catalog.getByRole('cell', { name: /出生医学证明办理/ })).toHaveCount(0);
  await expect(catalog.getByRole('cell', { name: /户口登记（出生申报户口）/ })).toBeVisible();
  await page.screenshot({ path: info.outputPath('catalog-import-done.png'), fullPage: true });

  await catalog.getByRole('tab', { name: '版本' }).click();
  const versions = page.getByTestId('catalog-versions');
  await expect(versions.getByRole('row', { name: /测试县证明事项清单 2026年调整版/ })).toContainText('现行');
  await expect(versions.getByRole('row', { name: /测试县证明事项清单 2026年调整版/ })).toContainText('导入：测试县证明事项清单.xlsx');
  await expect(versions.getByRole('row', { name: /房县证明事项清单（演示）/ })).not.toContainText('现行');
  await page.screenshot({ path: info.outputPath('catalog-versions.png'), fullPage: true });

  // 3. Export downloads the version in force in the same layout.
  const [download] = await Promise.all([page.waitForEvent('download'), catalog.getByRole('button', { name: /导出清单/ }).click()]);
  expect(download.suggestedFilename()).toBe('测试县证明事项清单 2026年调整版.xlsx');
  const saved = path.join(dir, 'exported.xlsx');
  await download.saveAs(saved);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(saved);
  expect(wb.worksheets.map((w) => w.name)).toEqual(['证明事项清单', '政务服务事项', '一件事', '适用情形', '版本说明']);
  expect(wb.getWorksheet('证明事项清单')!.getCell('B3').value).toBe('婚姻状况证明');
});

test('a clerk sees export and the versions, but no import', async ({ page }) => {
  const h = await startHost();
  hosts.push(h);
  await page.goto(h.url);
  await signIn(page, 'zhangmin');
  await page.getByRole('menuitem', { name: '事项与证明清单' }).click();
  const catalog = page.getByTestId('catalog-page');
  await expect(catalog.getByRole('button', { name: /导出清单/ })).toBeVisible();
  await expect(catalog.getByRole('button', { name: /导入清单/ })).toHaveCount(0);
  await catalog.getByRole('tab', { name: '版本' }).click();
  await expect(page.getByTestId('catalog-versions').getByRole('row', { name: /房县证明事项清单（演示）2026年版/ })).toContainText('现行');
});
