import path from 'node:path';
import { expect, test } from '@playwright/test';
import { signIn, startHub, type E2eHub } from './support/hub';

// The hall hub as the clerk sees it on the sync screen: a desk the hub does not know yet is told
// so in Chinese and keeps its queue; once the supervisor enrols it, the hub is reachable.
// Real PostgreSQL (a throwaway cluster), the real hub, the real browser host.

let hub: E2eHub;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  hub = await startHub();
});
test.afterAll(() => hub?.close());

test('a desk not enrolled is told so on the sync screen; enrolled, the hub is reachable', async ({ page }, info) => {
  test.setTimeout(120_000);
  const desk = await hub.host('desk-e2e', '3号窗口', { enrol: false });
  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, desk.host, 'zhangmin');
  await page.getByRole('menuitem', { name: '数据同步' }).click();
  const target = page.getByTestId('target-hub');
  await expect(target).toContainText('全厅中心拒绝了本工作台：本工作台尚未在全厅中心登记，已拒绝。', { timeout: 20_000 });
  await expect(target.getByTestId('reachable')).toContainText('当前无法连接');
  await page.screenshot({ path: path.join(info.outputDir, 'hub-not-enrolled.png') });

  await hub.enrol(desk.keys.card);
  await expect(target.getByTestId('reachable')).toContainText('当前可连接', { timeout: 20_000 });
  await page.screenshot({ path: path.join(info.outputDir, 'hub-enrolled.png') });
});
