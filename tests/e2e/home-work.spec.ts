import { expect, test, type Page } from '@playwright/test';
import { hostRpc, startHost, type RunningHost } from './support/host';

// The home page is about the day's work, by role (issue 16): a clerk's cases today (and a click opens
// one), a supervisor's figures and overdue work, an assistant's tasks. Screenshots at 1366×768.
test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.kill();
  host = null;
});

async function signIn(page: Page, username: string) {
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
}

async function signOut(page: Page) {
  await page.getByTestId('current-user').hover();
  await page.getByRole('menuitem', { name: '退出登录' }).click();
  await expect(page.getByPlaceholder('用户名')).toBeVisible();
}

test('each role lands on its own day of work', async ({ page }, info) => {
  host = await startHost();
  // 张敏 started a case today (through the host's API: the intake itself is not this test's subject).
  const token = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const items = await hostRpc<{ id: number; name: string; bundles: unknown[] }[]>(host, 'catalog.listServiceItems', {}, token);
  const applicant = (await hostRpc<{ id: number; name: string }[]>(host, 'applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  const item = items.find((i) => i.bundles.length === 0)!;
  const started = await hostRpc<{ caseNo: string }>(host, 'intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);

  await page.goto(host.url);
  await signIn(page, 'zhangmin');
  const today = page.getByTestId('today-work');
  await expect(page.getByTestId('today-my-cases')).toContainText('1');
  await expect(today).toContainText(started.caseNo);
  await expect(today).toContainText('王芳');
  await expect(page.getByText('在办政务服务事项')).toHaveCount(0); // catalog figures are the supervisor's
  await page.screenshot({ path: info.outputPath('home-clerk-1366x768.png') });
  await today.getByRole('button', { name: '继续办理' }).click();
  await expect(page.getByText(started.caseNo).first()).toBeVisible();
  await signOut(page);

  await signIn(page, 'admin');
  await expect(page.getByTestId('today-accepted')).toBeVisible();
  await expect(page.getByTestId('today-overdue-tasks')).toBeVisible();
  await expect(page.getByText('在办政务服务事项')).toBeVisible();
  await page.screenshot({ path: info.outputPath('home-supervisor-1366x768.png') });
  await signOut(page);

  await signIn(page, 'chenjing');
  await expect(page.getByTestId('today-work')).toContainText('我的核查任务');
  // An assistant's menu is their work: 核查与协查 right after 首页; no 数据同步 or 内外网交换.
  await expect(page.getByRole('menuitem').nth(1)).toHaveText('核查与协查');
  await expect(page.getByRole('menuitem', { name: '数据同步' })).toHaveCount(0);
  await expect(page.getByRole('menuitem', { name: '内外网交换' })).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('home-assistant-1366x768.png') });
});
