import { expect, test } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';

// A desk without a hall hub is a normal desk (it works on its own): 全厅中心 and 全厅数据冲突 say so as
// information — what the screen is for and who connects the desk — not as a red error naming a
// configuration file, and offer no 登记工作台 that could only fail (issue 16: nothing raw on screen).
test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.kill();
  host = null;
});

test('without a hub, 全厅中心 and 全厅数据冲突 explain the standalone desk instead of showing an error', async ({ page }, info) => {
  host = await startHost();
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('admin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  for (const [menu, purpose] of [
    ['全厅中心', '登记和移除工作台'],
    ['全厅数据冲突', '选定一个版本'],
  ] as const) {
    await page.getByRole('menuitem', { name: menu }).click();
    const notice = page.getByTestId('no-hub');
    await expect(notice.getByText('本工作台尚未接入全厅中心，正在本机独立办理')).toBeVisible();
    await expect(notice).toContainText(purpose);
    await expect(notice).toContainText('受理、核查和内外网交换照常办理');
    await expect(page.locator('.desk-content .ant-alert-error')).toHaveCount(0);
    await expect(page.locator('.desk-content')).not.toContainText('sync-targets.json');
    await expect(page.getByRole('button', { name: /登记工作台/ })).toHaveCount(0);
    await page.screenshot({ path: info.outputPath(`no-hub-${menu}.png`) });
  }
});

test('without a hub, the assistant’s 外勤（本机） says in one line that field work goes by task files', async ({ page }) => {
  host = await startHost();
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('chenjing');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByRole('menuitem', { name: '核查与协查' }).click();
  await page.getByRole('tab', { name: '外勤（本机）' }).click();
  await expect(page.getByTestId('hall-tasks-none')).toHaveText('本工作台未接入全厅中心，外勤任务用任务文件办理。');
  await expect(page.getByTestId('hall-tasks')).toHaveCount(0);
  await expect(page.locator('.desk-content .ant-alert-warning')).toHaveCount(0);
  await expect(page.getByRole('button', { name: '导入外勤任务文件' })).toBeVisible();
});
