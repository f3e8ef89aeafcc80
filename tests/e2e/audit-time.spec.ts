import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';

/**
 * 校验审计链 flags audit entries whose time runs backwards. The browser host runs with its clock
 * really moved while it runs (libfaketime preloaded, its offset read from a file this test
 * rewrites; the monotonic clock left alone): a supervisor verifies once before the clock goes back
 * a day — that verification's own audit entry is then the entry written "yesterday" — and again
 * after: a warning lists it, apart from the chain, which is intact.
 */
const LIBFAKETIME = ['/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1', '/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1'].find((f) => fs.existsSync(f));

let host: RunningHost | null = null;
test.afterEach(async () => {
  await host?.kill();
  host = null;
});

test('a supervisor sees the entries written after the clock was set back', async ({ page }, info) => {
  test.skip(!LIBFAKETIME, 'libfaketime is not installed (apt-get install faketime)');
  const offsetFile = path.join(freshDir('faketime-'), 'offset');
  fs.writeFileSync(offsetFile, '+0\n');
  host = await startHost({ env: { LD_PRELOAD: LIBFAKETIME!, FAKETIME_TIMESTAMP_FILE: offsetFile, FAKETIME_NO_CACHE: '1', DONT_FAKE_MONOTONIC: '1' } });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('admin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await page.getByRole('menuitem', { name: '审计日志' }).click();
  const result = page.getByTestId('audit-verify-result');
  // Each verification is itself audited, so the number of entries checked grows by one each time:
  // wait for the new number, not merely for "审计链完整" (still shown from the verification before).
  const verify = async (): Promise<void> => {
    const before = (await result.count()) ? await result.innerText() : '';
    await page.getByRole('button', { name: /校验审计链/ }).click();
    await expect(result).toContainText('审计链完整');
    await expect(result).not.toHaveText(before);
    await expect(page.getByRole('button', { name: /校验审计链/ })).not.toHaveClass(/ant-btn-loading/);
  };
  await verify();
  await expect(page.getByTestId('audit-verify-backward')).toHaveCount(0);

  // Back a day: the next verification's audit entry (the last one) is earlier than the one before it.
  fs.writeFileSync(offsetFile, '-1d\n');
  await verify();
  await verify();
  const warning = page.getByTestId('audit-verify-backward');
  await expect(warning).toContainText('有 1 条记录的时间早于前一条：系统时钟可能曾被调回，记录的先后以序号为准');
  await expect(warning.locator('li')).toHaveCount(1);
  await expect(page.getByTestId('audit-verify-result')).toContainText('审计链完整');
  await page.screenshot({ path: info.outputPath('audit-backward.png') });
});
