import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { signaturePng } from '../helpers/png';
import { countClicks, type ClickCounter } from './support/clicks';
import { expectPdfPrints, expectPdfRendered } from './support/pdf';
import { rpcAnswer } from './support/waits';
import { drawSignature } from './support/intake';

// Issue 16: a busy window pays for every click. The two reference cases with the demo data, each
// from the 受理办件 menu item to the printed receipt, against hand-written budgets.

let platform: RunningPlatform;
let hosts: RunningHost[] = [];
const scanFile = path.join(freshDir('desk-clicks-'), '原件.png');

test.beforeAll(async () => {
  platform = await startDataSharingPlatform();
  fs.writeFileSync(scanFile, signaturePng(600, 400));
});
test.afterAll(async () => {
  await platform.close();
});
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

/** Signs in with the keyboard (no clicks) at 1366×768. */
async function signIn(page: Page): Promise<RunningHost> {
  const h = await startHost({ env: { DESK_DATA_SHARING_URL: platform.url } });
  hosts.push(h);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(h.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByPlaceholder('密码').press('Enter');
  await expect(page.getByTestId('home-page')).toBeVisible();
  return h;
}

/** The applicant by name and Enter: a single hit is picked at once. */
async function applicant(page: Page, name: string) {
  const search = page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码');
  await expect(search).toBeFocused();
  await search.fill(name);
  await search.press('Enter');
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible();
}

async function sign(page: Page) {
  await expect(page.getByTestId('signature-pad')).toBeInViewport({ ratio: 1 });
  await drawSignature(page);
}

/**
 * Works through the drawers that open one after another (a commitment to sign, an original to
 * check), the first opened by itself once the bulk queries and requests are done; returns how many were done.
 */
async function throughDrawers(page: Page): Promise<number> {
  // A closing drawer stays in the page a moment, hidden: only the open one counts.
  const commitment = page.locator('[data-testid="commitment-drawer"]:visible');
  const material = page.locator('[data-testid="material-drawer"]:visible');
  let done = 0;
  for (let guard = 0; guard < 30; guard++) {
    await expect(commitment.or(material)).toHaveCount(1);
    if (await commitment.isVisible()) {
      await commitment.getByText('以书面承诺代替证明').click();
      await sign(page);
      const confirm = commitment.getByRole('button', { name: /确认签署/ });
      await expect(confirm).toBeInViewport();
      if (done === 0) await page.screenshot({ path: test.info().outputPath('commitment-drawer-signing.png') });
      const signed = rpcAnswer(page, 'intake.signCommitment'); // the PDF job: its time is the machine's
      await confirm.click();
      await signed;
      await expect(commitment.getByTestId('commitment-signed')).toBeVisible();
      const next = commitment.getByTestId('commitment-next');
      await expect(next).toBeInViewport();
      if (done === 0) await page.screenshot({ path: test.info().outputPath('commitment-drawer-signed.png') });
      const last = /完\s*成/.test((await next.textContent()) ?? '');
      await next.click();
      done++;
      if (last) break;
    } else if (await material.isVisible()) {
      const title = await material.locator('.ant-drawer-title').textContent();
      const chooser = page.waitForEvent('filechooser');
      await material.getByText('点击或拖入原件的照片').click();
      await (await chooser).setFiles(scanFile);
      await material.getByRole('button', { name: /核对无误/ }).click();
      // The next waiting certificate opens by itself, or the drawer closes (all settled: on to 受理).
      await expect(material.filter({ hasText: title! })).toHaveCount(0);
      done++;
      if (await page.getByRole('button', { name: /^受\s*理$/ }).isVisible()) break;
    } else break;
  }
  await expect(commitment.or(material)).toHaveCount(0);
  return done;
}

/** The last certificate done leads to the 受理 step by itself; acceptance opens the receipt, printed with one more click. */
async function acceptAndPrint(page: Page) {
  const accept = page.getByRole('button', { name: /^受\s*理$/ });
  await expect(accept).toBeEnabled();
  await accept.click();
  await expect(page.getByTestId('case-status')).toHaveText('已受理');
  await expectPdfRendered(page);
  await expectPdfPrints(page, Number(await page.getByTestId('pdf-frame').getAttribute('data-pages')));
}

function report(counter: ClickCounter, base: number): string {
  return counter.log().slice(base).join(' | ');
}

test('a single item (托育机构备案, 6 certificates) from the menu to the receipt in at most 12 clicks', async ({ page }, info) => {
  test.setTimeout(120_000);
  const counter = await countClicks(page);
  await signIn(page);
  const base = counter.clicks();
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await applicant(page, '王芳');
  // A click anywhere on the item's row ticks it.
  await page.getByRole('row', { name: /托育机构备案/ }).getByText('县卫生健康局').click();
  await expect(page.getByRole('row', { name: /托育机构备案/ }).getByRole('checkbox')).toBeChecked();
  await page.getByRole('button', { name: /生成办件/ }).click();
  await expect(page.getByTestId('certificates-table')).toBeVisible();
  // 营业执照, 学历证明, 健康证明: the platform has no data for 王芳; they go to the issuing departments.
  await page.getByTestId('query-all').click();
  await page.getByTestId('switch-all').click();
  await expect(page.getByTestId('switch-all')).toHaveCount(0);
  await page.getByTestId('request-all').click();
  // The bulk work done, the commitment (无犯罪记录证明) opens by itself.
  expect(await throughDrawers(page)).toBe(1);
  await page.screenshot({ path: info.outputPath('single-item-accept-step.png') });
  await acceptAndPrint(page);
  const clicks = counter.clicks() - base;
  console.log(`single item: ${clicks} clicks, ${counter.signatures()} signatures: ${report(counter, base)}`);
  expect(clicks, report(counter, base)).toBeLessThanOrEqual(12);
});

test('the newborn bundle (出生“一件事”, 17 certificates) from the menu to the receipt in at most 25 clicks', async ({ page }, info) => {
  test.setTimeout(180_000);
  const counter = await countClicks(page);
  await signIn(page);
  const base = counter.clicks();
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await applicant(page, '王芳');
  await page.getByRole('button', { name: /出生“一件事”/ }).click();
  await page.getByRole('button', { name: /生成办件/ }).click();
  await expect(page.getByTestId('certificates-table')).toBeVisible();
  await page.screenshot({ path: info.outputPath('newborn-bulk-buttons.png') });
  await page.getByTestId('query-all').click();
  // 预防接种记录证明 is about the child: asked once, then queried with the rest.
  const dialog = page.getByRole('dialog', { name: /证明对象/ });
  await expect(dialog).toBeVisible();
  await dialog.getByLabel('子女姓名').fill('李小宝');
  await dialog.getByLabel('子女身份证号码').fill('420325202611010011');
  await dialog.getByRole('button', { name: /保存并查询/ }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByTestId('query-all')).toHaveCount(0);
  if (await page.getByTestId('switch-all').isVisible()) await page.getByTestId('switch-all').click();
  await page.getByTestId('request-all').click();
  await expect(page.getByTestId('request-all')).toHaveCount(0);
  await throughDrawers(page);
  await page.screenshot({ path: info.outputPath('newborn-accept-step.png') });
  await acceptAndPrint(page);
  const clicks = counter.clicks() - base;
  console.log(`newborn bundle: ${clicks} clicks, ${counter.signatures()} signatures: ${report(counter, base)}`);
  expect(clicks, report(counter, base)).toBeLessThanOrEqual(25);
});

/**
 * Presses Tab (Shift+Tab with `back`) until the focused element's text or label matches `name`
 * and, when given, its row holds `row`; fails after `limit` presses. The keyboard only.
 */
async function tabTo(page: Page, name: RegExp, opts: { row?: string; limit?: number; back?: boolean } = {}): Promise<void> {
  for (let i = 0; i < (opts.limit ?? 60); i++) {
    await page.keyboard.press(opts.back ? 'Shift+Tab' : 'Tab');
    const hit = await page.evaluate(
      ({ source, row }) => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return false;
        const texts = [el.getAttribute('aria-label') ?? '', el.innerText ?? '', el.closest('label')?.innerText ?? ''];
        if (!texts.some((t) => new RegExp(source).test(t.trim()))) return false;
        return !row || (el.closest('tr')?.innerText ?? '').includes(row);
      },
      { source: name.source, row: opts.row },
    );
    if (hit) return;
  }
  throw new Error(`Tab never reached ${name}${opts.row ? ` in the row of ${opts.row}` : ''}`);
}

test('a single item with a commitment, from sign-in to the receipt, with the keyboard alone (the paper-signature path)', async ({ page }, info) => {
  test.setTimeout(180_000);
  // The signature is the applicant's pen on the printed commitment: the clerk prints it (打印承诺书)
  // and imports the signed page's scan through the file dialog, all by keyboard.
  const counter = await countClicks(page);
  const h = await startHost({ env: { DESK_DATA_SHARING_URL: platform.url } });
  hosts.push(h);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(h.url);
  await expect(page.getByPlaceholder('用户名')).toBeVisible();
  await page.getByPlaceholder('用户名').focus();
  await page.keyboard.type('zhangmin');
  await page.keyboard.press('Tab');
  await page.keyboard.type('Desk@2026');
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('home-page')).toBeVisible();

  // The menu: Tab into it, arrows to 受理办件, Enter.
  await tabTo(page, /首页/);
  // Tab puts the focus on the menu, the first ArrowDown on 首页, the next on 受理办件 (each a frame later).
  const focusedItem = () => page.evaluate(() => (document.activeElement?.getAttribute('role') === 'menuitem' ? (document.activeElement.textContent ?? '') : ''));
  await page.keyboard.press('ArrowDown');
  await expect.poll(focusedItem).toContain('首页');
  await page.keyboard.press('ArrowDown');
  await expect.poll(focusedItem).toContain('受理办件');
  await page.keyboard.press('Enter');
  const search = page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码');
  await expect(search).toBeFocused();
  await page.keyboard.type('王芳');
  await page.keyboard.press('Enter');

  // The item: its search box, then its checkbox, Space.
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible();
  await tabTo(page, /./, { row: '托育机构备案' });
  await page.keyboard.press('Space');
  await expect(page.getByRole('row', { name: /托育机构备案/ }).getByRole('checkbox')).toBeChecked();
  await tabTo(page, /生成办件/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('certificates-table')).toBeVisible();

  for (const bulk of [/全部共享查询/, /改为部门核验/, /全部发起协查/]) {
    await page.locator('body').focus();
    await tabTo(page, bulk);
    await page.keyboard.press('Enter');
    await expect(page.getByRole('button', { name: bulk })).toHaveCount(0);
  }

  // The commitment opens by itself; the choice by Tab and Space, the paper tab by the arrow keys.
  const drawer = page.locator('[data-testid="commitment-drawer"]:visible');
  await expect(drawer).toBeVisible();
  await tabTo(page, /以书面承诺代替证明/);
  await page.keyboard.press('Space');
  await expect(drawer.getByRole('radio', { name: '以书面承诺代替证明' })).toBeChecked();
  await tabTo(page, /屏幕签名/);
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('Enter');
  await expect(drawer.getByRole('tab', { name: '纸质签字件扫描' })).toHaveAttribute('aria-selected', 'true');
  await tabTo(page, /^\s*打印承诺书\s*$/);
  await page.keyboard.press('Enter');
  await expectPdfRendered(page, { pages: 1 }); // no digest footer nor signature image: one page
  await expect(page.getByTestId('pdf-frame')).toHaveAttribute('data-pages', '1');
  await page.screenshot({ path: info.outputPath('keyboard-paper-commitment.png') });
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('pdf-frame')).toBeHidden();

  const chooser = page.waitForEvent('filechooser');
  await tabTo(page, /^\s*导入签字纸质件图像\s*$/);
  await page.keyboard.press('Enter');
  await (await chooser).setFiles(scanFile);
  await tabTo(page, /^\s*确认签署并生成承诺书\s*$/);
  const signed = rpcAnswer(page, 'intake.signCommitment'); // the PDF job: its time is the machine's
  await page.keyboard.press('Enter');
  await signed;
  await expect(drawer.getByTestId('commitment-signed')).toBeVisible();
  // 完成，去受理 has the focus.
  await expect(drawer.getByTestId('commitment-next')).toBeFocused();
  await page.keyboard.press('Enter');

  await tabTo(page, /^\s*受\s*理\s*$/);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('case-status')).toHaveText('已受理');
  await expectPdfRendered(page);
  await page.screenshot({ path: info.outputPath('keyboard-accepted-receipt.png') });
  expect(counter.clicks(), counter.log().join(' | ')).toBe(0);
  expect(counter.signatures()).toBe(0);
});

test('the applicant search has the focus, 选择 is one Tab away, and the ticked items survive a reload', async ({ page }) => {
  await signIn(page);
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  const search = page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码');
  await expect(search).toBeFocused();
  // The latest applicants are listed under the empty search box: one Tab reaches the first 选择.
  const pick = page.getByRole('button', { name: /选\s*择/ });
  await expect.poll(() => pick.count()).toBeGreaterThan(1);
  await search.press('Tab');
  await expect(pick.first()).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible();

  await page.getByRole('row', { name: /托育机构备案/ }).getByText('县卫生健康局').click();
  await page.getByRole('button', { name: /出生“一件事”/ }).click();
  await page.getByRole('row', { name: /托育机构备案/ }).click(); // the bundle plus one item: a free choice of ten
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeEnabled();
  const merged = await page.getByTestId('merged-count').textContent();
  await page.reload();
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible();
  await expect(page.getByRole('row', { name: /托育机构备案/ }).getByRole('checkbox')).toBeChecked();
  await expect(page.getByTestId('merged-count')).toHaveText(merged!);
  await expect(page.getByText(/已选 10 个事项/)).toBeVisible();
});
