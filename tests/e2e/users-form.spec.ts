import { expect, test } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';

// 新建用户 submitted empty once threw an uncaught error in the page (issue 16): now the form only
// shows its messages under the fields.
test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.kill();
  host = null;
});

test('an empty 新建用户 shows the field messages and raises no page error', async ({ page }) => {
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  host = await startHost();
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('admin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByRole('menuitem', { name: '用户管理' }).click();
  await page.getByRole('button', { name: /新建用户/ }).click();
  const dialog = page.getByRole('dialog', { name: '新建用户' });
  await dialog.getByRole('button', { name: /创\s*建/ }).click();
  await expect(dialog.getByText('请输入姓名')).toBeVisible();
  await expect(dialog.getByText('请输入初始密码')).toBeVisible();
  // Give an unhandled rejection time to surface.
  await page.waitForTimeout(500);
  expect(errors).toEqual([]);
});
