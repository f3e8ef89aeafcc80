import path from 'node:path';
import { expect, test, type Page } from '@playwright/test';
import { DEMO_PASSWORD, openAs, startHub, type E2eHub } from './support/hub';
import { hostRpc, type RunningHost } from './support/host';
import { inspectScreen } from './support/screen-inspect';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { hubFingerprint } from '../../electron/services/hub/hub-protocol';

// 全厅中心 as the supervisor uses it: the supervisor desk (enrolled as such by the hub's command
// line) enrols a new desk from its card with both fingerprints compared, sees it connected,
// removes it after a confirmation that says what removal means, and the removed desk says the hub
// refused it. Every desk shows its hub status on the home page and the sync screen.
// Real PostgreSQL (a throwaway cluster), the real hub, two real browser hosts.

let hub: E2eHub;
/** 陈晓东, registered during the conflict test (a valid ID number, check digit by GB 11643). */
const CHEN_ID = '420325199003150032';

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

// 全厅数据冲突 as the supervisor uses it, held to the screen walk's rules with its confirmation bubble
// (a Popconfirm: neither a drawer nor a modal): two real desks, each reaching the hub through a relay
// the test cuts, edit one shared applicant from the same version while cut off (as
// tests/integration/hub-applicants.test.ts does); the supervisor at the second desk settles the
// conflict by choosing its version, and the choice reaches both desks.
test('a conflict of two desks editing one applicant while cut off: the supervisor compares the versions, confirms one in its bubble, and it reaches both desks', async ({ browser }, info) => {
  test.setTimeout(240_000);
  const shot = async (p: Page, name: string) => {
    await p.evaluate(() => Promise.all(document.getAnimations().map((a) => a.finished.catch(() => undefined))));
    await p.screenshot({ path: path.join(info.outputDir, name) });
    expect.soft(await p.evaluate(inspectScreen), name).toEqual([]);
  };
  const relays = [new CuttableProxy(await freePort(), () => hub.port), new CuttableProxy(await freePort(), () => hub.port)];
  try {
    for (const r of relays) await r.open();
    const A = (await hub.host('in-e2e0000007', '7号窗口', { port: relays[0]!.port })).host;
    const B = (await hub.host('in-e2e0000008', '8号窗口', { port: relays[1]!.port })).host;
    const signInRpc = async (h: RunningHost, username: string) => (await hostRpc<{ token: string }>(h, 'auth.signIn', { username, password: DEMO_PASSWORD })).token;
    const tokA = await signInRpc(A, 'zhangmin');
    const tokB = await signInRpc(B, 'liuyang');
    const find = async (h: RunningHost, token: string) => (await hostRpc<{ id: number; name: string; address: string | null; phoneMasked: string }[]>(h, 'applicants.list', { query: '陈晓东', limit: 5 }, token))[0];

    // 陈晓东 registered at 7号窗口 reaches 8号窗口 through the hub.
    await hostRpc(A, 'applicants.create', { kind: 'person', name: '陈晓东', idType: 'resident_id', idNumber: CHEN_ID, phone: '13907190001', address: '湖北省十堰市房县城关镇西街3号' }, tokA);
    await expect.poll(async () => (await find(B, tokB))?.address ?? null, { timeout: 30_000 }).toBe('湖北省十堰市房县城关镇西街3号');

    // Both cut off; each edits version 1: 7号窗口 the phone, 8号窗口 the address.
    for (const r of relays) await r.cut();
    await hostRpc(A, 'applicants.update', { id: (await find(A, tokA))!.id, phone: '13907190002' }, tokA);
    await hostRpc(B, 'applicants.update', { id: (await find(B, tokB))!.id, address: '湖北省十堰市房县土城镇黄连垭村一组' }, tokB);
    // 7号窗口 reconnects first (its edit is the hall's version 2), then 8号窗口 (its edit on version 1 is kept beside it).
    const hallVersion = async () => (await hub.pool.query(`SELECT version FROM records WHERE kind = 'applicant' AND record_id = $1`, [`resident_id:${CHEN_ID}`])).rows[0]?.version ?? null;
    await relays[0]!.open();
    await expect.poll(hallVersion, { timeout: 60_000 }).toBe(2);
    await relays[1]!.open();
    await expect.poll(async () => (await hub.pool.query('SELECT 1 FROM record_conflicts WHERE settled_at IS NULL')).rowCount, { timeout: 60_000 }).toBe(1);

    // The supervisor at 8号窗口: both versions side by side, the fields that differ marked.
    const page = await openAs(browser, B, 'admin');
    await page.getByRole('menuitem', { name: '全厅数据冲突' }).click();
    const list = page.getByTestId('hall-conflicts');
    await expect(list).toContainText('陈晓东（420***********0032）');
    await expect(list).toContainText('版本 2（7号窗口）');
    await expect(list).toContainText('版本 3（8号窗口）');
    await expect(list.getByRole('row').filter({ hasText: '联系电话' })).toContainText('139****0002');
    await expect(list.getByRole('row').filter({ hasText: '联系电话' })).toContainText('139****0001');
    await expect(list.getByRole('row').filter({ hasText: '地址' })).toContainText('湖北省十堰市房县土城镇黄连垭村一组');
    await shot(page, 'hub-conflicts.png');

    // The bubble says what choosing means; inspected as a screen of its own.
    await list.getByTestId('choose-3').click();
    const bubble = page.locator('.ant-popconfirm:visible');
    await expect(bubble).toHaveClass(/\bant-popover\b/); // one of inspectScreen's roots
    await expect(bubble).toContainText('采用版本 3（8号窗口）？');
    await expect(bubble).toContainText('选定后，全厅各窗口都将显示这个版本。');
    await shot(page, 'hub-conflict-confirm.png');
    await bubble.getByRole('button', { name: /^采\s*用$/ }).click();
    await expect(page.getByText('已采用版本 3（8号窗口），将同步到全厅各窗口')).toBeVisible();
    await expect(list).toContainText('没有待处理的冲突');
    await expect(list.getByTestId('choose-3')).toHaveCount(0);
    await shot(page, 'hub-conflicts-settled.png');

    // The chosen version is the hall's version 4, kept under the supervisor, and both desks show it.
    expect(await hallVersion()).toBe(4);
    expect((await hub.pool.query('SELECT settled_by, chosen_version, settled_version FROM record_conflicts')).rows).toEqual([{ settled_by: '王建华（admin）', chosen_version: 3, settled_version: 4 }]);
    await page.getByRole('menuitem', { name: '申请人登记' }).click();
    const search = page.getByPlaceholder('姓名、证件号码后4位或完整证件号码');
    await expect(async () => {
      await search.fill('陈晓东');
      await search.press('Enter');
      await expect(page.getByTestId('address-cell')).toHaveText('湖北省十堰市房县土城镇黄连垭村一组', { timeout: 1000 });
    }).toPass({ timeout: 30_000 });
    await expect(page.getByRole('row').filter({ hasText: '陈晓东' })).toContainText('139****0001');
    await expect.poll(async () => (await find(A, tokA))?.address ?? null, { timeout: 30_000 }).toBe('湖北省十堰市房县土城镇黄连垭村一组');
    expect((await find(A, tokA))!.phoneMasked).toBe('139****0001');
  } finally {
    for (const r of relays) await r.cut();
  }
});
