import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { freshDir, hostRpc, startHost, type RunningHost } from './support/host';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { signaturePng } from '../helpers/png';
import { expectPdfRendered } from './support/pdf';

// Issue 16: a case after intake. One desk and one page through the steps below, in order: the
// clerk takes in 托育机构备案 for 王芳 (the desk's second case today: its number ends in 0002),
// the applicant declines the commitment and brings the original.

test.describe.configure({ mode: 'serial' });

let platform: RunningPlatform;
let host: RunningHost;
let page: Page;
let caseNo = '';
const scanFile = path.join(freshDir('desk-case-view-'), '无犯罪记录证明-原件.png');

async function signIn(p: Page) {
  await p.getByPlaceholder('用户名').fill('zhangmin');
  await p.getByPlaceholder('密码').fill('Desk@2026');
  await p.getByPlaceholder('密码').press('Enter');
  await expect(p.getByTestId('home-page')).toBeVisible();
}

const stepOf = (p: Page, title: string) => p.locator('.ant-steps-item').filter({ hasText: title });

test.beforeAll(async ({ browser }: { browser: Browser }) => {
  platform = await startDataSharingPlatform();
  fs.writeFileSync(scanFile, signaturePng(1200, 800));
  host = await startHost({ env: { DESK_DATA_SHARING_URL: platform.url } });
  // The day's first case, for another applicant, through the API: ours is 0002.
  const clerk = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'liuyang', password: 'Desk@2026' })).token;
  const other = (await hostRpc<{ id: number; name: string }[]>(host, 'applicants.list', { query: '赵大勇', limit: 5 }, clerk)).find((a) => a.name === '赵大勇')!;
  const items = await hostRpc<{ id: number; name: string }[]>(host, 'catalog.listServiceItems', {}, clerk);
  const first = await hostRpc<{ caseNo: string }>(host, 'intake.start', { applicantId: other.id, serviceItemIds: [items.find((i) => i.name === '托育机构备案')!.id] }, clerk);
  expect(first.caseNo).toMatch(/-0001$/);
  page = await browser.newPage({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });
  await page.goto(host.url);
  await signIn(page);
});
test.afterAll(async () => {
  await page?.close();
  await host?.kill();
  await platform?.close();
});

test('step 3 (证明办理) has its check mark only once every certificate is settled, and 仍需核对原件 counts the originals only', async () => {
  const info = test.info();
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码').fill('王芳');
  await page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码').press('Enter');
  await page.getByRole('row', { name: /托育机构备案/ }).click();
  await page.getByRole('button', { name: /生成办件/ }).click();
  caseNo = (await page.getByTestId('case-no').textContent())!;
  expect(caseNo).toMatch(/-0002$/);
  await page.getByTestId('query-all').click();
  await page.getByTestId('switch-all').click();
  await page.getByTestId('request-all').click();
  // The commitment opens by itself; the applicant has not chosen yet. Straight on to 受理:
  const drawer = page.locator('[data-testid="commitment-drawer"]:visible');
  await expect(drawer).toBeVisible();
  await drawer.locator('.ant-drawer-close').click();
  await page.getByTestId('to-accept').click();
  // Five 协查 under way, the commitment not chosen: not settled, no check mark; no original either.
  await expect(stepOf(page, '证明办理')).not.toHaveClass(/ant-steps-item-finish/);
  await expect(stepOf(page, '证明办理')).toContainText('5/6');
  await expect(page.getByTestId('originals-figure')).toContainText('0');
  await page.screenshot({ path: info.outputPath('accept-step-unsettled.png') });

  await page.getByRole('button', { name: /返回证明办理/ }).click();
  await page.getByTestId('certificates-table').getByRole('button', { name: /告知承诺/ }).click();
  await drawer.getByText('不承诺，自行提交证明').click();
  await drawer.getByTestId('commitment-next').click(); // 下一步：核对原件
  const material = page.locator('[data-testid="material-drawer"]:visible');
  await material.locator('input[type=file]').setInputFiles(scanFile);
  await material.getByRole('button', { name: /核对无误/ }).click();
  // The last one done: on to 受理 by itself, every certificate settled.
  await expect(page.getByRole('button', { name: /^受\s*理$/ })).toBeEnabled();
  await expect(stepOf(page, '证明办理')).toHaveClass(/ant-steps-item-finish/);
  await expect(stepOf(page, '证明办理')).toContainText('6/6');
  await expect(page.getByTestId('originals-figure')).toContainText('1');
  await page.getByRole('button', { name: /^受\s*理$/ }).click();
  await expect(page.getByTestId('case-status')).toHaveText('已受理');
  await expect(page.getByTestId('pdf-frame')).toBeVisible({ timeout: 30_000 });
  await page.keyboard.press('Escape');
});

test('after signing out and in again, 受理办件 starts a new case, not the one just accepted', async () => {
  await page.getByTestId('current-user').hover();
  await page.getByRole('menuitem', { name: '退出登录' }).click();
  await signIn(page);
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await expect(page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码')).toBeFocused();
  await expect(page.getByTestId('case-no')).toHaveCount(0);
});

test('part of a case number ("0002") finds its case in 办件查询', async () => {
  await page.getByRole('menuitem', { name: '办件查询' }).click();
  const rows = page.locator('.ant-table-tbody tr.ant-table-row');
  await expect(rows).toHaveCount(2);
  await page.getByPlaceholder('办件编号或申请人').fill('0002');
  await page.getByPlaceholder('办件编号或申请人').press('Enter');
  await expect(rows).toHaveCount(1);
  await expect(rows.first()).toContainText(caseNo);
});

test('an accepted case opened from 办件查询 is read-only: no 下一步：受理, no intake buttons', async () => {
  const info = test.info();
  await page.getByRole('row', { name: new RegExp(caseNo) }).getByRole('button', { name: /查\s*看/ }).click();
  await expect(page.getByTestId('case-read-only')).toContainText('已受理');
  await expect(page.getByTestId('case-no')).toHaveText(caseNo);
  await expect(page.getByTestId('to-accept')).toHaveCount(0);
  const table = page.getByTestId('certificates-table');
  await expect(table).toBeVisible();
  for (const name of [/共享查询/, /改为部门核验/, /发起协查/, /登记答复/, /告知承诺/, /核对原件/, /撤回承诺/]) await expect(table.getByRole('button', { name })).toHaveCount(0);
  await expect(page.getByTestId('query-all').or(page.getByTestId('request-all')).or(page.getByTestId('switch-all'))).toHaveCount(0);
  await expect(page.getByRole('button', { name: /返回证明办理/ })).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('case-read-only.png'), fullPage: true });
  // Looking at it does not make it the window's intake: 受理办件 still starts afresh.
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await expect(page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码')).toBeVisible();
});

test('a retained original opens full size from the case', async () => {
  const info = test.info();
  await page.getByRole('menuitem', { name: '办件查询' }).click();
  await page.getByRole('row', { name: new RegExp(caseNo) }).getByRole('button', { name: /查\s*看/ }).click();
  await page.getByTestId('certificates-table').getByRole('row', { name: /无犯罪记录证明/ }).getByRole('button', { name: '查看原件' }).click();
  const img = page.locator('.ant-image-preview-img');
  await expect(img).toBeVisible();
  // The page as kept (1200 × 800 px), drawn far larger than a thumbnail.
  expect(await img.evaluate((i: HTMLImageElement) => [i.naturalWidth, i.naturalHeight])).toEqual([1200, 800]);
  // (the preview zooms in: its size once the animation is over)
  await expect.poll(async () => (await img.boundingBox())?.width ?? 0).toBeGreaterThan(600);
  await page.screenshot({ path: info.outputPath('original-full-size.png') });
  await page.keyboard.press('Escape');
  await expect(img).toBeHidden();
});

test('不予受理 with a common reason prints the 不予受理告知书', async () => {
  const info = test.info();
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码').fill('王芳');
  await page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码').press('Enter');
  await page.getByRole('row', { name: /托育机构备案/ }).click();
  await page.getByRole('button', { name: /生成办件/ }).click();
  await page.getByTestId('to-accept').click();
  await page.getByRole('button', { name: /不予受理/ }).click();
  const dialog = page.getByRole('dialog', { name: '不予受理' });
  const reason = '申请事项依法不属于本机关职权范围';
  await dialog.getByTestId('common-rejection-reasons').getByRole('button', { name: reason }).click();
  await expect(dialog.getByLabel('理由')).toHaveValue(reason);
  await page.screenshot({ path: info.outputPath('rejection-reasons.png') });
  await dialog.getByRole('button', { name: /确\s*定/ }).click();
  await expect(page.getByTestId('case-status')).toHaveText('不予受理');
  // The notice opens by itself: one A4 page with the reason and the remedies.
  await expectPdfRendered(page, { pages: 1 });
  await page.screenshot({ path: info.outputPath('rejection-notice.png') });
  await page.keyboard.press('Escape');
  await page.getByRole('button', { name: '打印不予受理告知书' }).click();
  await expectPdfRendered(page, { pages: 1 });
});
