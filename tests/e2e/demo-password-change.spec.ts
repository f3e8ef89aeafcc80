import { expect, test } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';

// Demo users must change their password on first production use (docs/SECURITY.md): a data folder
// seeded in demo mode, then started as a production desk (`--no-demo`), takes a demo user to 修改密码
// before anything else; the new password follows the policy; then the home page opens.

const DEMO_PASSWORD = 'Desk@2026';
const NEW_PASSWORD = 'Fangxian#Window7';

let hosts: RunningHost[] = [];
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

test('a demo user on a production desk changes the password before anything else', async ({ page }, info) => {
  const dataDir = freshDir();
  const demo = await startHost({ dataDir });
  hosts.push(demo);
  await demo.kill();
  hosts = [];
  const prod = await startHost({ dataDir, args: ['--no-demo'] });
  hosts.push(prod);

  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(prod.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();

  const card = page.getByTestId('change-password');
  await expect(card).toBeVisible();
  await expect(card).toContainText('张敏（zhangmin），您的账号仍在使用演示密码');
  await expect(page.getByTestId('home-page')).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('change-password.png') });

  // The shared policy, checked in the form.
  await page.getByLabel('原密码').fill(DEMO_PASSWORD);
  await page.getByLabel('新密码', { exact: true }).fill('password1');
  await page.getByLabel('确认新密码').fill('password1');
  await page.getByRole('button', { name: /修改密码并进入工作台/ }).click();
  await expect(card).toContainText('密码至少10位');
  await page.screenshot({ path: info.outputPath('change-password-policy.png') });

  // The main side's refusal (wrong old password) is shown as it is said.
  await page.getByLabel('原密码').fill('Not-the-old-1');
  await page.getByLabel('新密码', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('确认新密码').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: /修改密码并进入工作台/ }).click();
  await expect(page.getByTestId('change-password-error')).toContainText('用户名或密码错误');

  await page.getByLabel('原密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /修改密码并进入工作台/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await expect(page.getByTestId('home-page')).toContainText('张敏');
  await page.screenshot({ path: info.outputPath('home-after-change.png') });
});
