import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { signaturePng } from '../helpers/png';
import { answerCircumstance, chooseApplicant, drawSignature } from './support/intake';
import { expectPdfPrints, expectPdfRendered, PDF_WORK_MS } from './support/pdf';
import { rpcAnswer } from './support/waits';

let platform: RunningPlatform;
let hosts: RunningHost[] = [];
const scanFile = path.join(freshDir('desk-scan-'), '出生医学证明-原件.png');

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

async function open(page: Page, username = 'zhangmin') {
  const h = await startHost({ env: { DESK_DATA_SHARING_URL: platform.url } });
  hosts.push(h);
  await page.goto(h.url);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  return h;
}

async function pickApplicant(page: Page, name: string) {
  await chooseApplicant(page, name);
}

async function pickItems(page: Page, names: string[], answers: Record<string, '是' | '否'> = {}) {
  for (const n of names) await page.getByRole('row', { name: new RegExp(n) }).getByRole('checkbox').check();
  for (const [question, answer] of Object.entries(answers)) await answerCircumstance(page, question, answer);
  await page.getByRole('button', { name: /生成办件/ }).click();
  await expect(page.getByTestId('certificates-table')).toBeVisible();
}

/**
 * After an original is kept, the next certificate waiting for the applicant opens by itself (issue
 * 16): these tests pick their certificates by hand, so they close it.
 */
async function closeNextDrawer(page: Page) {
  const open = page.locator('[data-testid="commitment-drawer"]:visible, [data-testid="material-drawer"]:visible');
  await expect(page.getByRole('button', { name: /核对无误/ })).toBeHidden();
  while ((await open.count()) > 0) {
    await open.first().locator('.ant-drawer-close').click();
    await expect(open).toHaveCount(0);
  }
}

function row(page: Page, cert: string) {
  return page.getByTestId('certificates-table').getByRole('row', { name: new RegExp(cert) });
}

async function sign(page: Page) {
  await drawSignature(page);
  // The commitment PDF is rendered in a worker thread (its time is the machine's): wait for the host's answer.
  const signed = rpcAnswer(page, 'intake.signCommitment');
  await page.getByRole('button', { name: /确认签署/ }).click();
  await signed;
}

test('a single item with a commitment: notice, choice, signature, PDF and a verification task', async ({ page }, info) => {
  await open(page);
  await pickApplicant(page, '王芳');
  await pickItems(page, ['托育机构备案']);
  await row(page, '无犯罪记录证明').getByRole('button', { name: /告知承诺/ }).click();
  const drawer = page.getByTestId('commitment-drawer');
  await expect(drawer.getByTestId('notice-text')).toContainText('承诺');
  await drawer.getByText('以书面承诺代替证明').click();
  await sign(page);
  await expect(drawer.getByTestId('commitment-signed')).toContainText('已签署', { timeout: PDF_WORK_MS });
  // No hash on a clerk's screen (issue 16): the digest is shown to supervisors, behind 详情.
  await expect(drawer.getByTestId('commitment-signed')).not.toContainText(/[0-9a-f]{64}/);
  await expect(drawer.getByTestId('commitment-signed')).toContainText('事后核查', { timeout: PDF_WORK_MS });
  await page.screenshot({ path: info.outputPath('commitment-signed.png') });
  await drawer.locator('.ant-drawer-close').click();
  await expect(row(page, '无犯罪记录证明')).toContainText('已签署告知承诺书');
  await row(page, '无犯罪记录证明').getByRole('button', { name: '查看承诺书' }).click();
  // Two pages since the commitment always carries its 设定依据 and the verification plan.
  await expectPdfRendered(page, { pages: 2 });
  // No hash for the clerk: technical values are a supervisor's, behind 详情 (components/TechValue.tsx).
  await expect(page.getByTestId('tech-value')).toHaveCount(0);
  await expect(page.getByText('SHA-256')).toHaveCount(0);
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.screenshot({ path: info.outputPath('commitment-pdf-preview.png') });
  await expectPdfPrints(page, 2);
});

test('an ineligible applicant is refused for commitment with the reason, and presents the certificate instead', async ({ page }) => {
  await open(page);
  await pickApplicant(page, '赵大勇');
  await pickItems(page, ['托育机构备案']);
  await row(page, '无犯罪记录证明').getByRole('button', { name: /告知承诺/ }).click();
  const drawer = page.getByTestId('commitment-drawer');
  await expect(drawer.getByTestId('ineligible')).toContainText('失信被执行人');
  await expect(drawer.getByRole('radio', { name: '以书面承诺代替证明' })).toBeDisabled();
  await drawer.getByText('不承诺，自行提交证明').click();
  await drawer.locator('.ant-drawer-close').click();
  await row(page, '无犯罪记录证明').getByRole('button', { name: '核对原件' }).click();
  await page.getByTestId('material-drawer').locator('input[type=file]').setInputFiles(scanFile);
  await page.getByRole('button', { name: /核对无误/ }).click();
  await expect(row(page, '无犯罪记录证明')).toContainText('已核对原件并留存');
});

test('the ID card reader fills a new applicant, and a likely duplicate is warned about', async ({ page }) => {
  await open(page);
  await page.getByTestId('read-id-card').click();
  await expect(page.getByText('已读取身份证（模拟读卡器，演示数据）：刘晓梅，请补充联系电话后登记')).toBeVisible();
  await expect(page.getByLabel('姓名')).toHaveValue('刘晓梅');
  await expect(page.getByLabel('居民身份证号码')).toHaveValue('420325199208154328');
  await page.getByLabel('联系电话').fill('13687190001');
  await page.getByRole('button', { name: /登记并选择/ }).click();
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible(); // on to the items step

  await page.getByRole('button', { name: /重新选择申请人/ }).click();
  await page.getByRole('button', { name: /新申请人/ }).click();
  await page.getByLabel('姓名').fill('王芳');
  await page.getByLabel('联系电话').fill('13972812345');
  await page.getByLabel('居民身份证号码').click();
  await expect(page.getByTestId('duplicate-warning')).toContainText('姓名和联系电话相同');
  await page.getByTestId('duplicate-warning').getByRole('button', { name: '使用该申请人' }).click();
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible();
});

test('an eligible applicant who declines to commit presents the certificate', async ({ page }) => {
  await open(page);
  await pickApplicant(page, '王芳');
  await pickItems(page, ['托育机构备案']);
  await row(page, '无犯罪记录证明').getByRole('button', { name: /告知承诺/ }).click();
  const drawer = page.getByTestId('commitment-drawer');
  await expect(drawer.getByRole('radio', { name: '以书面承诺代替证明' })).toBeEnabled();
  await drawer.getByText('不承诺，自行提交证明').click();
  await expect(drawer).toContainText('申请人选择自行提交证明');
  await drawer.locator('.ant-drawer-close').click();
  await expect(row(page, '无犯罪记录证明')).toContainText('申请人选择自行提交证明，待核对原件');
  await row(page, '无犯罪记录证明').getByRole('button', { name: '核对原件' }).click();
  await page.getByTestId('material-drawer').locator('input[type=file]').setInputFiles(scanFile);
  await page.getByRole('button', { name: /核对无误/ }).click();
  await expect(row(page, '无犯罪记录证明')).toContainText('已核对原件并留存');
});

test('the newborn bundle: every certificate in its state, accepted, with a receipt; a reload loses nothing', async ({ page }, info) => {
  test.setTimeout(180_000); // seventeen certificates resolved one by one through the UI
  await open(page);
  await pickApplicant(page, '王芳');
  await page.getByRole('button', { name: /出生“一件事”/ }).click();
  await expect(page.getByTestId('merged-count')).not.toHaveText('0');
  await page.getByRole('button', { name: /生成办件/ }).click();
  const table = page.getByTestId('certificates-table');
  await expect(table).toBeVisible();
  const caseNo = await page.getByTestId('case-no').textContent();

  await expect(row(page, '亲属关系证明')).toContainText('无需提交');
  await row(page, '户籍证明').first().getByRole('button', { name: '共享查询' }).click();
  await expect(row(page, '户籍证明').first()).toContainText('已通过数据共享平台核验');

  // Reload in the middle: the case, its step and every saved step come back.
  await page.reload();
  await expect(page.getByTestId('case-no')).toHaveText(caseNo!);
  await expect(row(page, '户籍证明').first()).toContainText('已通过数据共享平台核验');

  // Resolve the rest, method by method.
  for (let guard = 0; guard < 40; guard++) {
    const pending = table.locator('tbody tr').filter({ has: page.locator('.ant-badge-status-warning') });
    if ((await pending.count()) === 0) break;
    // Pin the row by its certificate name: the filtered locator moves on once this row is resolved.
    const name = (await pending.first().locator('td').first().locator('span').first().textContent())!.trim();
    const r = table.locator('tbody tr').filter({ has: page.getByText(name, { exact: true }) });
    const text = (await r.textContent()) ?? '';
    if (await r.getByRole('button', { name: '共享查询' }).count()) {
      await r.getByRole('button', { name: '共享查询' }).click();
      if (name === '预防接种记录证明') {
        // About the child (证明对象 子女): the child's name and ID number, once for the case.
        const dialog = page.getByRole('dialog', { name: /证明对象/ });
        await dialog.getByLabel('子女姓名').fill('李小宝');
        await dialog.getByLabel('子女身份证号码').fill('420325202611010011');
        await dialog.getByRole('button', { name: /保存并查询/ }).click();
        await expect(dialog).toBeHidden();
      }
      await expect(r).not.toContainText('待共享查询');
      if ((await r.textContent())?.includes('无此数据')) {
        await expect(r.getByRole('button', { name: '改为部门核验' })).toBeVisible();
        await r.getByRole('button', { name: '改为部门核验' }).click();
        await page.getByRole('button', { name: /确\s*定|OK/ }).click();
      }
    } else if (await r.getByRole('button', { name: '发起协查' }).count()) {
      await r.getByRole('button', { name: '发起协查' }).click();
    } else if (await r.getByRole('button', { name: /告知承诺/ }).count()) {
      await r.getByRole('button', { name: /告知承诺/ }).click();
      const drawer = page.getByTestId('commitment-drawer');
      await drawer.getByText('以书面承诺代替证明').click();
      await sign(page);
      await expect(drawer.getByTestId('commitment-signed')).toBeVisible({ timeout: PDF_WORK_MS });
      await drawer.locator('.ant-drawer-close').click();
    } else if (await r.getByRole('button', { name: '核对原件' }).count()) {
      await r.getByRole('button', { name: '核对原件' }).click();
      await page.getByTestId('material-drawer').locator('input[type=file]').setInputFiles(scanFile);
      await page.getByRole('button', { name: /核对无误/ }).click();
      await closeNextDrawer(page);
    } else throw new Error(`no action for a pending row: ${text}`);
  }
  await page.screenshot({ path: info.outputPath('newborn-certificates.png'), fullPage: true });
  // The last certificate settled leads on to 受理 by itself (issue 16); the button is there otherwise.
  if (await page.getByTestId('to-accept').isVisible()) await page.getByTestId('to-accept').click();
  await page.getByRole('button', { name: /^受\s*理$/ }).click();
  await expect(page.getByTestId('case-status')).toHaveText('已受理');
  await expect(page.getByTestId('figures')).toContainText('直接取消');
  // Acceptance opens the receipt at once (issue 16).
  await expectPdfRendered(page);
  await page.screenshot({ path: info.outputPath('newborn-accepted.png'), fullPage: true });
});

test('a still-valid page from an earlier case is reused instead of asking again', async ({ page }) => {
  await open(page);
  await pickApplicant(page, '王芳');
  await pickItems(page, ['出生医学证明办理'], { 是否院内分娩: '否' }); // 亲子鉴定意见书: only for a birth outside hospital
  await row(page, '亲子鉴定').getByRole('button', { name: '核对原件' }).click();
  await page.getByTestId('material-drawer').locator('input[type=file]').setInputFiles(scanFile);
  await page.getByRole('button', { name: /核对无误/ }).click();
  await closeNextDrawer(page);
  await expect(row(page, '亲子鉴定')).toContainText('新留存');

  await page.getByRole('button', { name: '新办件' }).click();
  await pickApplicant(page, '王芳');
  await pickItems(page, ['出生医学证明办理'], { 是否院内分娩: '否' });
  await row(page, '亲子鉴定').getByRole('button', { name: '核对原件' }).click();
  const drawer = page.getByTestId('material-drawer');
  await expect(drawer).toContainText('经与原件核对无误');
  await drawer.getByRole('button', { name: /复\s*用/ }).click();
  await expect(row(page, '亲子鉴定')).toContainText('复用');
});
