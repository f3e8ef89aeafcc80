import path from 'node:path';
import pg from 'pg';
import { expect, test } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';
import { startCluster, type Cluster } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { hubFingerprint } from '../../electron/services/hub/hub-protocol';
import { writeSyncConfig } from '../../electron/services/sync/targets-config';

// The hall hub as the clerk sees it on the sync screen: a desk the hub does not know yet is told
// so in Chinese and keeps its queue; once the supervisor enrols it, the hub is reachable.
// Real PostgreSQL (a throwaway cluster), the real hub, the real browser host.

let cluster: Cluster;
let hub: { close(): Promise<void>; port: number };
let pool: pg.Pool;
let host: RunningHost | null = null;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  cluster = await startCluster({ prefix: 'pfd-e2e-pg-' });
  hub = await serve(cluster.url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
});
test.afterAll(async () => {
  await host?.kill();
  await pool?.end();
  await hub?.close();
  cluster?.stop();
});

test('a desk not enrolled is told so on the sync screen; enrolled, the hub is reachable', async ({ page }, info) => {
  test.setTimeout(120_000);
  const dataDir = freshDir('desk-hub-e2e-');
  const keys = createDeskKeys(dataDir, { deskId: 'desk-e2e', name: '3号窗口', zone: 'intranet', signAlg: 'ed25519' });
  const card = (await hubIdentity(pool)).card;
  writeSyncConfig(dataDir, {
    version: 1,
    sender: { probeIntervalMs: 300, pollMs: 100, leaseMs: 5000, requestTimeoutMs: 3000 },
    targets: [{ id: 'hub', name: '全厅中心', kind: 'hub', baseUrl: `http://127.0.0.1:${hub.port}`, hub: { hubId: card.hubId, signPub: card.signPub, fingerprint: hubFingerprint(card) } }],
  });
  host = await startHost({ dataDir });
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await page.getByRole('menuitem', { name: '数据同步' }).click();
  const target = page.getByTestId('target-hub');
  await expect(target).toContainText('全厅中心拒绝了本工作台：本工作台尚未在全厅中心登记，已拒绝。', { timeout: 20_000 });
  await expect(target.getByTestId('reachable')).toContainText('当前无法连接');
  await page.screenshot({ path: path.join(info.outputDir, 'hub-not-enrolled.png') });

  await enrolDesk(pool, keys.card, '李主任');
  await expect(target.getByTestId('reachable')).toContainText('当前可连接', { timeout: 20_000 });
  await page.screenshot({ path: path.join(info.outputDir, 'hub-enrolled.png') });
});
