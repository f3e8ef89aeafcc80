import pg from 'pg';
import { expect, test, type Page } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';
import { chooseApplicant } from './support/intake';
import { startCluster, type Cluster } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { hubFingerprint, type HubCard } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { TargetConfig, writeSyncConfig, type HubTargetConfig } from '../../electron/services/sync/targets-config';

// Hall records as the desk shows them (docs/hub.md, "Hall records"): the age of the hall copy beside
// the credit check at intake (全厅数据更新于 …), and the supervisor's list of conflicts of shared
// applicants, settled by choosing a version. Real PostgreSQL (a throwaway cluster), the real hub,
// the real browser host; the conflict is made by two other enrolled desks pushing to the hub.

let cluster: Cluster;
let hub: { close(): Promise<void>; port: number };
let pool: pg.Pool;
let card: HubCard;
let host: RunningHost | null = null;

const target = (): HubTargetConfig =>
  TargetConfig.parse({ id: 'hub', name: '全厅中心', kind: 'hub', baseUrl: `http://127.0.0.1:${hub.port}`, hub: { hubId: card.hubId, signPub: card.signPub, fingerprint: hubFingerprint(card) } }) as HubTargetConfig;

async function enrolled(deskId: string, name: string): Promise<string> {
  const dataDir = freshDir(`desk-${deskId}-`);
  const keys = createDeskKeys(dataDir, { deskId, name, zone: 'intranet', signAlg: 'ed25519' });
  await enrolDesk(pool, keys.card, '李主任');
  return dataDir;
}

async function signIn(page: Page, username: string) {
  await page.goto(host!.url);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
}

test.beforeAll(async () => {
  test.setTimeout(120_000);
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-records-e2e';
  cluster = await startCluster({ prefix: 'pfd-e2e-pg-' });
  hub = await serve(cluster.url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
  card = (await hubIdentity(pool)).card;
  const dataDir = await enrolled('desk-e2e', '3号窗口');
  writeSyncConfig(dataDir, { version: 1, sender: { probeIntervalMs: 300, pollMs: 100, leaseMs: 5000, requestTimeoutMs: 3000 }, targets: [target()] });
  host = await startHost({ dataDir });
});
test.afterAll(async () => {
  await host?.kill();
  await pool?.end();
  await hub?.close();
  cluster?.stop();
});

test('intake shows the age of the hall copy beside the credit check', async ({ page }, info) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, 'zhangmin');
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
  const five = new HubConnector(target(), await enrolled('desk-5', '5号窗口'), 15, 5_000);
  const six = new HubConnector(target(), await enrolled('desk-6', '6号窗口'), 15, 5_000);
  const base = { kind: 'person', name: '王芳', idType: 'resident_id', idNumber: '42032519880623004X', phone: '13972812345', address: '湖北省十堰市房县城关镇东街12号', signerRole: null, signerName: null, signerIdType: null, signerIdNumber: null, signerPhone: null };
  const push = (c: HubConnector, key: string, baseVersion: number, body: Record<string, unknown>) => c.pushRecord({ kind: 'applicant', recordId: 'resident_id:42032519880623004X', baseVersion, body, idempotencyKey: key });
  await push(five, 'e2e/1', 0, base);
  await push(five, 'e2e/2', 1, { ...base, phone: '13972810000' });
  expect((await push(six, 'e2e/3', 1, { ...base, address: '湖北省十堰市房县军店镇下店子村三组' })).outcome).toBe('conflict');

  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, 'admin');
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
  expect((await pool.query(`SELECT version FROM records WHERE kind = 'applicant'`)).rows).toEqual([{ version: 4 }]);
});
