import path from 'node:path';
import pg from 'pg';
import { expect, test, type Page } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';
import { startCluster, type Cluster } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys, type DeskKeys } from '../../electron/services/transfer/desk-keys';
import { hubFingerprint, type HubCard } from '../../electron/services/hub/hub-protocol';
import { writeSyncConfig } from '../../electron/services/sync/targets-config';

// 全厅中心 as the supervisor uses it: the supervisor desk (enrolled as such by the hub's command
// line) enrols a new desk from its card with both fingerprints compared, sees it connected,
// removes it after a confirmation that says what removal means, and the removed desk says the hub
// refused it. Every desk shows its hub status on the home page and the sync screen.
// Real PostgreSQL (a throwaway cluster), the real hub, two real browser hosts.

let cluster: Cluster;
let hub: { close(): Promise<void>; port: number };
let pool: pg.Pool;
let hubCard: HubCard;
const hosts: RunningHost[] = [];

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startCluster({ prefix: 'pfd-e2e-pg-' });
  hub = await serve(cluster.url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
  hubCard = (await hubIdentity(pool)).card;
});
test.afterAll(async () => {
  for (const h of hosts) await h.kill();
  await pool?.end();
  await hub?.close();
  cluster?.stop();
});

async function deskHost(deskId: string, name: string): Promise<{ host: RunningHost; keys: DeskKeys }> {
  const dataDir = freshDir(`desk-hub-${deskId}-`);
  const keys = createDeskKeys(dataDir, { deskId, name, zone: 'intranet', signAlg: 'ed25519' });
  writeSyncConfig(dataDir, {
    version: 1,
    sender: { probeIntervalMs: 300, pollMs: 100, leaseMs: 5000, requestTimeoutMs: 3000 },
    targets: [{ id: 'hub', name: '全厅中心', kind: 'hub', baseUrl: `http://127.0.0.1:${hub.port}`, hub: { hubId: hubCard.hubId, signPub: hubCard.signPub, fingerprint: hubFingerprint(hubCard) }, pullMs: 300, heartbeatMs: 300 }],
  });
  const host = await startHost({ dataDir });
  hosts.push(host);
  return { host, keys };
}

async function signIn(page: Page, host: RunningHost, username: string): Promise<void> {
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
}

test('the supervisor enrols a desk from its card, sees it connected, removes it, and the removed desk is refused', async ({ browser }, info) => {
  test.setTimeout(180_000);
  // After any modal's opening animation has finished (a screenshot to look at, not a blur).
  const shot = async (p: Page, name: string) => {
    await p.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await p.screenshot({ path: path.join(info.outputDir, name) });
  };
  const sup = await deskHost('in-e2e0000001', '1号窗口（管理）');
  await enrolDesk(pool, sup.keys.card, '李主任', { supervisorDesk: true });
  const other = await deskHost('in-e2e0000002', '5号窗口');

  // The new desk, not enrolled yet: its home page and sync screen say the hub refused it, and show its fingerprint.
  const clerk = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await signIn(clerk, other.host, 'zhangmin');
  await expect(clerk.getByTestId('home-hub').getByTestId('hub-state')).toHaveText('已被拒绝：本工作台尚未在全厅中心登记，已拒绝。', { timeout: 20_000 });
  await clerk.getByRole('menuitem', { name: '数据同步' }).click();
  const ownFingerprint = (await clerk.getByTestId('own-fingerprint').textContent())!.trim();
  expect(ownFingerprint).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){4}$/);

  // The supervisor's 全厅中心 screen lists the supervisor desk itself.
  const page = await (await browser.newContext({ locale: 'zh-CN' })).newPage();
  await signIn(page, sup.host, 'admin');
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
  await expect(page.getByTestId('hub-fingerprint')).toHaveText(hubFingerprint(hubCard));
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
  const audit = (await pool.query(`SELECT actor, action FROM hub_audit WHERE detail->>'deskId' = 'in-e2e0000002' ORDER BY id`)).rows;
  expect(audit).toEqual([
    { actor: '王建华（admin）@1号窗口（管理）（in-e2e0000001）', action: 'desk.enrolled' },
    { actor: '王建华（admin）@1号窗口（管理）（in-e2e0000001）', action: 'desk.removed' },
  ]);
});
