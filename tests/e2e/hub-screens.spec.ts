import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { openAs, startHub, type E2eHub } from './support/hub';
import { inspectScreen } from './support/screen-inspect';
import { hubFingerprint } from '../../electron/services/hub/hub-protocol';

// 全厅中心 as the supervisor uses it: the supervisor desk (enrolled as such by the hub's command
// line) enrols a new desk from its card with both fingerprints compared, sees it connected,
// removes it after a confirmation that says what removal means, and the removed desk says the hub
// refused it. Every desk shows its hub status on the home page and the sync screen.
// Real PostgreSQL (a throwaway cluster), the real hub, two real browser hosts.

let hub: E2eHub;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  hub = await startHub({ timings: { pullMs: 300, heartbeatMs: 300 } });
});
test.afterAll(() => hub?.close());

test('the supervisor enrols a desk from its card, sees it connected, removes it, and the removed desk is refused', async ({ browser }, info) => {
  test.setTimeout(180_000);
  // After any modal's opening animation has finished (a screenshot to look at, not a blur); each screen
  // photographed is also held to the screen walk's rules (tests/e2e/screen-walk.spec.ts: the walk's
  // desks have no hub, so 全厅中心 with desks, 登记工作台 and 移除 are checked here).
  const shot = async (p: Page, name: string) => {
    await p.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await p.screenshot({ path: path.join(info.outputDir, name) });
    expect.soft(await p.evaluate(inspectScreen), name).toEqual([]);
  };
  const sup = await hub.host('in-e2e0000001', '1号窗口（管理）', { enrol: false });
  await hub.enrol(sup.keys.card, { supervisorDesk: true });
  const other = await hub.host('in-e2e0000002', '5号窗口', { enrol: false });

  // The new desk, not enrolled yet: its home page and sync screen say the hub refused it, and show its fingerprint.
  const clerk = await openAs(browser, other.host, 'zhangmin');
  await expect(clerk.getByTestId('home-hub').getByTestId('hub-state')).toHaveText('已被拒绝：本工作台尚未在全厅中心登记，已拒绝。', { timeout: 20_000 });
  await clerk.getByRole('menuitem', { name: '数据同步' }).click();
  const ownFingerprint = (await clerk.getByTestId('own-fingerprint').textContent())!.trim();
  expect(ownFingerprint).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){4}$/);

  // The supervisor's 全厅中心 screen lists the supervisor desk itself.
  const page = await openAs(browser, sup.host, 'admin');
  await page.getByRole('menuitem', { name: '全厅中心' }).click();
  const supRow = page.getByTestId('hub-desk-in-e2e0000001');
  await expect(supRow).toContainText('管理工作台');
  await expect(supRow.getByTestId('desk-connection')).toContainText('在线', { timeout: 20_000 });

  // Enrol from the card: pasted JSON that is not a card is refused in Chinese; the card file is read
  // and both fingerprints are shown; nothing happens until they are confirmed.
  await page.getByTestId('enrol-open').click();
  await page.getByTestId('enrol-card').fill('{"format":"pfd-desk-card/1","deskId":"in-e2e0000002"}');
  await page.getByTestId('enrol-read').click();
  await expect(page.getByTestId('enrol-error')).toHaveText('身份卡中的工作台名称无效。');
  await page.locator('.ant-modal input[type=file]').setInputFiles({ name: 'desk-card.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(other.keys.card, null, 2)) });
  await expect(page.getByTestId('card-fingerprint')).toHaveText(ownFingerprint);
  await expect(page.getByTestId('hub-fingerprint')).toHaveText(hubFingerprint(hub.card));
  await expect(page.getByTestId('enrol-confirm')).toBeDisabled();
  await shot(page, 'hub-enrol-fingerprints.png');
  await page.getByTestId('enrol-confirmed').check();
  await page.getByTestId('enrol-confirm').click();
  const row = page.getByTestId('hub-desk-in-e2e0000002');
  await expect(row.getByTestId('desk-enrolment')).toContainText('王建华（admin）@1号窗口（管理）');
  await expect(row.getByTestId('desk-connection')).toContainText('在线', { timeout: 20_000 });
  await expect(row).toContainText('已是最新');
  await shot(page, 'hub-center-desks.png');

  // The enrolled desk, by itself: connected, with its last exchange and 全厅数据更新于.
  await expect(clerk.getByTestId('hub-status').getByTestId('hub-state')).toHaveText('已连接', { timeout: 20_000 });
  await expect(clerk.getByTestId('hub-status').getByTestId('hub-feed-age')).not.toContainText('尚未取得');
  await shot(clerk, 'hub-sync-connected.png');
  await clerk.getByRole('menuitem', { name: '首页' }).click();
  await expect(clerk.getByTestId('home-hub').getByTestId('hub-state')).toHaveText('已连接');
  await expect(clerk.getByTestId('home-hub')).toContainText('全厅数据更新于');
  await shot(clerk, 'hub-home-connected.png');

  // Remove it: the confirmation says what removal means.
  await row.getByTestId('remove-open').click();
  await expect(page.getByTestId('remove-explain')).toContainText('全厅中心拒绝该工作台此后的一切请求');
  await expect(page.getByTestId('remove-explain')).toContainText('身份卡不能再次登记');
  await shot(page, 'hub-remove-confirm.png');
  await page.getByRole('button', { name: '确认移除' }).click();
  await expect(row.getByTestId('desk-enrolment')).toContainText('已移除');
  await expect(row.getByTestId('desk-connection')).toContainText('已拒绝');
  await expect(row.getByTestId('remove-open')).toHaveCount(0);

  // The removed desk is refused and says so, on its home page and its sync screen.
  await expect(clerk.getByTestId('home-hub').getByTestId('hub-state')).toHaveText('已被拒绝：本工作台已被管理员从全厅中心移除，已拒绝。', { timeout: 20_000 });
  await shot(clerk, 'hub-home-removed.png');
  await clerk.getByRole('menuitem', { name: '数据同步' }).click();
  await expect(clerk.getByTestId('hub-status').getByTestId('hub-state')).toHaveText('已被拒绝：本工作台已被管理员从全厅中心移除，已拒绝。');
  await expect(clerk.getByTestId('target-hub').getByTestId('reachable')).toContainText('当前无法连接');
  await shot(clerk, 'hub-sync-removed.png');

  // Both actions are in the hub's audit, under the supervisor and the desk it worked from.
  const audit = (await hub.pool.query(`SELECT actor, action FROM hub_audit WHERE detail->>'deskId' = 'in-e2e0000002' ORDER BY id`)).rows;
  expect(audit).toEqual([
    { actor: '王建华（admin）@1号窗口（管理）（in-e2e0000001）', action: 'desk.enrolled' },
    { actor: '王建华（admin）@1号窗口（管理）（in-e2e0000001）', action: 'desk.removed' },
  ]);
});
