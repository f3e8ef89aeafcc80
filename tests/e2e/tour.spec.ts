import { expect, test } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';

/** Visits every page as a supervisor and a clerk, asserting what each must show; screenshots land in test-results/ for a human look. */
let h: RunningHost;
test.beforeAll(async () => {
  h = await startHost();
});
test.afterAll(async () => {
  await h.kill();
});

test('every page renders its content in Chinese, with screenshots', async ({ page }, info) => {
  await page.goto(h.url);
  await expect(page.getByRole('button', { name: /登\s*录/ })).toBeVisible();
  await page.screenshot({ path: info.outputPath('01-sign-in.png') });

  await page.getByPlaceholder('用户名').fill('admin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await page.waitForTimeout(600); // let the pie chart finish its 300 ms animation for the screenshot
  await page.screenshot({ path: info.outputPath('02-home-supervisor.png') });

  await page.getByRole('menuitem', { name: '事项与证明清单' }).click();
  await expect(page.getByRole('cell', { name: /出生医学证明办理/ }).first()).toBeVisible();
  await page.getByRole('row', { name: /出生登记/ }).first().getByRole('button').first().click();
  await expect(page.getByText('所需证明').first()).toBeVisible();
  await page.screenshot({ path: info.outputPath('03-catalog-items.png') });
  await page.getByRole('tab', { name: '证明事项清单' }).click();
  await expect(page.getByRole('cell', { name: '无犯罪记录证明' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('04-catalog-certificates.png') });
  // Filter by each method: every row shown carries that method's tag.
  for (const label of ['直接取消', '告知承诺', '数据共享', '部门核验/代办', '保留']) {
    await page.getByRole('combobox').filter({ visible: true }).click();
    const option = page.locator(`.ant-select-item-option[title="${label}"]`);
    await option.click();
    await expect(option).toBeHidden(); // the dropdown closed on the choice
    const tags = page.locator('tbody .ant-tag').filter({ visible: true });
    await expect(tags.first()).toHaveText(label);
    expect(new Set(await tags.allTextContents())).toEqual(new Set([label]));
  }

  await page.getByRole('menuitem', { name: '用户管理' }).click();
  await expect(page.getByRole('cell', { name: '帮办代办员' })).toBeVisible();
  await page.screenshot({ path: info.outputPath('05-users.png') });

  await page.getByRole('menuitem', { name: '审计日志' }).click();
  await expect(page.getByRole('cell', { name: '初始化演示数据', exact: true })).toBeVisible();
  await page.screenshot({ path: info.outputPath('06-audit.png') });

  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  await page.getByLabel('居民身份证号码').fill('420325199003071239');
  await page.getByLabel('姓名').click();
  await expect(page.getByText('身份证号码校验位不正确')).toBeVisible();
  await page.screenshot({ path: info.outputPath('07-applicant-form-error.png') });
});
