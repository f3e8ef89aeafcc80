/**
 * The newborn bundle (出生“一件事”) lists only what the case's circumstances need (issue 13): a mother
 * who gave birth in hospital and applies in person is asked for no 亲子鉴定意见书, 授权委托书 or
 * 县外户籍证明 (each shown as 不涉及 with its answer), and the four items after 出生医学证明办理 take
 * the 出生医学证明 it produces (由本件产生). With the answers flipped, exactly those are listed.
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';
import { answerCircumstance, chooseApplicant } from './support/intake';

let hosts: RunningHost[] = [];
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

test.use({ viewport: { width: 1366, height: 768 } });

async function openIntake(page: Page) {
  const h = await startHost();
  hosts.push(h);
  await page.goto(h.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await chooseApplicant(page, '王芳');
  await page.getByRole('button', { name: /出生“一件事”/ }).click();
}

function row(page: Page, cert: string): Locator {
  return page.getByTestId('certificates-table').getByRole('row', { name: new RegExp(cert.replace(/[（）()]/g, '.')) });
}

test('in hospital, in person: 不涉及 with its answer, 由本件产生 for the four later items; screenshot at 1366×768', async ({ page }, info) => {
  await openIntake(page);
  const questions = page.getByTestId('circumstances');
  // Asked once per case, with the common case as the default.
  for (const q of ['是否本人申请', '是否院内分娩', '父母是否均为县内户籍']) {
    await expect(questions.getByRole('radiogroup', { name: q }).getByRole('radio', { name: '是', exact: true })).toBeChecked();
  }
  const preview = page.getByTestId('merged-list');
  await expect(preview).toContainText('不涉及（是否本人申请：是）');
  await expect(preview).toContainText('由本件产生');
  await page.screenshot({ path: info.outputPath('newborn-items-step-1366x768.png') });

  await page.getByRole('button', { name: /生成办件/ }).click();
  await expect(page.getByTestId('certificates-table')).toBeVisible();
  await expect(page.getByTestId('case-circumstances')).toHaveText('适用情形：是否本人申请：是；是否院内分娩：是；父母是否均为县内户籍：是');

  await expect(row(page, '亲子鉴定意见书')).toContainText('不涉及（是否院内分娩：是）');
  await expect(row(page, '授权委托书')).toContainText('不涉及（是否本人申请：是）');
  await expect(row(page, '户籍地户籍证明')).toContainText('不涉及（父母是否均为县内户籍：是）');
  for (const name of ['亲子鉴定意见书', '授权委托书', '户籍地户籍证明']) await expect(row(page, name).getByRole('button')).toHaveCount(0);

  const birth = row(page, '^出生医学证明');
  await expect(birth).toContainText('由本件产生（出生医学证明办理），无需提交');
  await expect(birth.getByRole('button')).toHaveCount(0);
  // None of these is among what still blocks acceptance (a pending row carries the warning badge).
  for (const name of ['亲子鉴定意见书', '授权委托书', '户籍地户籍证明', '^出生医学证明']) await expect(row(page, name).locator('.ant-badge-status-warning')).toHaveCount(0);

  // The certificate step at 1366×768: its head (count, circumstances), then the rows not demanded.
  await page.getByTestId('case-circumstances').scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('newborn-certificates-1366x768.png') });
  await row(page, '户籍地户籍证明').scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('newborn-certificates-not-demanded-1366x768.png') });

  // The four later items that need it: none asks the applicant for it.
  await birth.getByText('出生医学证明', { exact: true }).hover();
  await expect(page.getByRole('tooltip')).toContainText('用于：预防接种证办理、户口登记（出生申报户口）、生育医疗费用报销、儿童保健（托育指导）服务');
});

test('born outside hospital, applied for by someone else, a parent from outside the county: exactly those certificates are listed', async ({ page }) => {
  await openIntake(page);
  await answerCircumstance(page, '是否本人申请', '否');
  await answerCircumstance(page, '是否院内分娩', '否');
  await answerCircumstance(page, '父母是否均为县内户籍', '否');
  await expect(page.getByTestId('merged-list')).not.toContainText('不涉及（是否本人申请');
  await page.getByRole('button', { name: /生成办件/ }).click();
  await expect(page.getByTestId('certificates-table')).toBeVisible();
  await expect(page.getByTestId('case-circumstances')).toHaveText('适用情形：是否本人申请：否；是否院内分娩：否；父母是否均为县内户籍：否');

  await expect(row(page, '亲子鉴定意见书')).toContainText('待核对原件');
  await expect(row(page, '亲子鉴定意见书').getByRole('button', { name: '核对原件' })).toBeVisible();
  await expect(row(page, '授权委托书')).toContainText('待核对原件');
  await expect(row(page, '户籍地户籍证明')).toContainText('待发起协查');
  await expect(row(page, '户籍地户籍证明').getByRole('button', { name: '发起协查' })).toBeVisible();
  // The hospital's discharge record is what no longer applies; the 出生医学证明 is still produced by the bundle.
  await expect(row(page, '分娩住院记录')).toContainText('不涉及（是否院内分娩：否）');
  await expect(row(page, '^出生医学证明')).toContainText('由本件产生');
  const notDemanded = page.getByTestId('certificates-table').locator('tbody tr').filter({ hasText: /不涉及|由本件产生/ });
  await expect(notDemanded).toHaveCount(2);
});
