import { expect, test } from '@playwright/test';
import type { RunningHost } from './support/host';
import { signIn, startHub, type E2eHub } from './support/hub';
import { chooseApplicant } from './support/intake';
import type { HubConnector } from '../../electron/services/hub/hub-connector';

// Hall records as the desk shows them (docs/hub.md, "Hall records"): the age of the hall copy beside
// the credit check at intake (全厅数据更新于 …), and the supervisor's list of conflicts of shared
// applicants, settled by choosing a version. Real PostgreSQL (a throwaway cluster), the real hub,
// the real browser host; the conflict is made by two other enrolled desks pushing to the hub.

let hub: E2eHub;
let host: RunningHost;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  hub = await startHub();
  host = (await hub.host('desk-e2e', '3号窗口')).host;
});
test.afterAll(() => hub?.close());

test('intake shows the age of the hall copy beside the credit check', async ({ page }, info) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, host, 'zhangmin');
  // Connected first (the desk reads the hall feed as soon as the hub answers).
  await page.getByRole('menuitem', { name: '数据同步' }).click();
  await expect(page.getByTestId('target-hub').getByTestId('reachable')).toContainText('当前可连接', { timeout: 20_000 });
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await chooseApplicant(page, '王芳');
  await expect(page.getByTestId('hall-copy')).toContainText(/全厅数据更新于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（刚刚）/, { timeout: 20_000 });
  await page.screenshot({ path: info.outputPath('hall-copy-intake.png') });
});

test('a supervisor sees a conflict of a shared applicant and settles it by choosing a version', async ({ page }, info) => {
  test.setTimeout(120_000);
  // Two other windows edit 王芳 from the same version: the hub keeps both as a conflict.
  const five = await hub.connector('desk-5', '5号窗口', 15);
  const six = await hub.connector('desk-6', '6号窗口', 15);
  const base = { kind: 'person', name: '王芳', idType: 'resident_id', idNumber: '42032519880623004X', phone: '13972812345', address: '湖北省十堰市房县城关镇东街12号', signerRole: null, signerName: null, signerIdType: null, signerIdNumber: null, signerPhone: null };
  const push = (c: HubConnector, key: string, baseVersion: number, body: Record<string, unknown>) => c.pushRecord({ kind: 'applicant', recordId: 'resident_id:42032519880623004X', baseVersion, body, idempotencyKey: key });
  await push(five, 'e2e/1', 0, base);
  await push(five, 'e2e/2', 1, { ...base, phone: '13972810000' });
  expect((await push(six, 'e2e/3', 1, { ...base, address: '湖北省十堰市房县军店镇下店子村三组' })).outcome).toBe('conflict');

  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, host, 'admin');
  await page.getByRole('menuitem', { name: '全厅数据冲突' }).click();
  const list = page.getByTestId('hall-conflicts');
  await expect(list).toContainText('王芳（420***********004X）');
  await expect(list).toContainText('版本 2（5号窗口）');
  await expect(list).toContainText('版本 3（6号窗口）');
  await expect(list).toContainText('湖北省十堰市房县军店镇下店子村三组');
  await page.screenshot({ path: info.outputPath('hall-conflicts.png') });

  await list.getByTestId('choose-3').click();
  await page.getByRole('button', { name: /^采\s*用$/ }).click();
  await expect(page.getByText('已采用版本 3（6号窗口），将同步到全厅各窗口')).toBeVisible();
  await expect(list).toContainText('没有待处理的冲突');
  await page.screenshot({ path: info.outputPath('hall-conflicts-settled.png') });
  expect((await hub.pool.query(`SELECT version FROM records WHERE kind = 'applicant'`)).rows).toEqual([{ version: 4 }]);
});
