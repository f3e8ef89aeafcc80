import { expect, test } from '@playwright/test';
import { freePort, freshDir, startHost, type RunningHost } from './support/host';

// The browser host's address (issue 16): the bare address — without this launch's #token=… —
// says to open the printed address (not that the host restarted); a tab left open across a
// restart says the host restarted; in both, pasting the printed address into the same tab (which
// changes only the fragment: no reload) recovers the page in place, without F5.

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.kill();
  host = null;
});

/** A mark on the page's window: still there afterwards means the page was not reloaded. */
const markPage = (page: import('@playwright/test').Page) => page.evaluate(() => ((window as unknown as { deskMark: number }).deskMark = 42));
const pageMark = (page: import('@playwright/test').Page) => page.evaluate(() => (window as unknown as { deskMark?: number }).deskMark ?? null);

test('the bare address asks for the printed one; pasting it opens the sign-in page without a reload', async ({ page }) => {
  host = await startHost();
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(host.origin + '/');
  await expect(page.getByText('请使用完整地址打开工作台')).toBeVisible();
  await expect(page.getByText('本地服务已重启')).toHaveCount(0);
  await page.screenshot({ path: test.info().outputPath('bare-address-1366x768.png') });
  await markPage(page);
  await page.goto(host.url); // same document: only the fragment differs
  await expect(page.getByRole('button', { name: /登\s*录/ })).toBeVisible();
  expect(await pageMark(page)).toBe(42);
  // The token left the address bar.
  expect(page.url()).not.toContain('token=');
  // The page's icon is served (it was a 404 in every tab).
  expect(await page.locator('link[rel=icon]').getAttribute('href')).toBe('/favicon.png');
  const icon = await page.request.get(host.origin + '/favicon.png');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toBe('image/png');
});

test('a tab open across a restart says the host restarted; the new printed address recovers it in place', async ({ page }) => {
  const dataDir = freshDir('desk-address-');
  const port = await freePort();
  host = await startHost({ dataDir, port });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(host.url);
  await expect(page.getByRole('button', { name: /登\s*录/ })).toBeVisible();
  await host.kill();
  host = await startHost({ dataDir, port }); // same address, a new token
  await page.getByLabel('用户名').fill('zhangmin');
  await page.getByLabel('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByText('本地服务已重启，此地址已失效')).toBeVisible();
  await page.screenshot({ path: test.info().outputPath('host-restarted-1366x768.png') });
  await markPage(page);
  await page.goto(host.url);
  await expect(page.getByRole('button', { name: /登\s*录/ })).toBeVisible();
  expect(await pageMark(page)).toBe(42);
  await page.getByLabel('用户名').fill('zhangmin');
  await page.getByLabel('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('current-user')).toContainText('张敏');
});
