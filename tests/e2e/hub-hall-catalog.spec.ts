import path from 'node:path';
import { openTestStore } from '../helpers/store';
import pg from 'pg';
import { expect, test, type Page } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './support/host';
import { startCluster, type Cluster } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { hubFingerprint, type HubCard } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { readCatalogVersion } from '../../electron/services/catalog-io/catalog-version-rows';
import { TargetConfig, writeSyncConfig, type HubTargetConfig } from '../../electron/services/sync/targets-config';
import { chinaDate, chinaDayStartIso } from '../../shared/rules/china-time';

// The hall's catalog as the desk shows it (docs/hub.md, "Records, owners and offline"): a version
// another window published reaches this desk through the hub and is listed under 版本 as 待生效,
// with where it came from. Real PostgreSQL (a throwaway cluster), the real hub, the real browser host.

let cluster: Cluster;
let hub: { close(): Promise<void>; port: number };
let pool: pg.Pool;
let card: HubCard;
let host: RunningHost | null = null;
let dataDir: string;

const target = (): HubTargetConfig =>
  TargetConfig.parse({ id: 'hub', name: '全厅中心', kind: 'hub', baseUrl: `http://127.0.0.1:${hub.port}`, hub: { hubId: card.hubId, signPub: card.signPub, fingerprint: hubFingerprint(card) } }) as HubTargetConfig;

async function enrolled(deskId: string, name: string): Promise<string> {
  const dir = freshDir(`desk-${deskId}-`);
  const keys = createDeskKeys(dir, { deskId, name, zone: 'intranet', signAlg: 'ed25519' });
  await enrolDesk(pool, keys.card, '李主任');
  return dir;
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
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-catalog-e2e';
  cluster = await startCluster({ prefix: 'pfd-e2e-pg-' });
  hub = await serve(cluster.url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
  card = (await hubIdentity(pool)).card;
  dataDir = await enrolled('desk-e2e', '3号窗口');
  writeSyncConfig(dataDir, { version: 1, sender: { probeIntervalMs: 300, pollMs: 100, leaseMs: 5000, requestTimeoutMs: 3000 }, targets: [target()] });
  host = await startHost({ dataDir });
});
test.afterAll(async () => {
  await host?.kill();
  await pool?.end();
  await hub?.close();
  cluster?.stop();
});

test('a catalog version published at another window is listed here as 待生效, from the hall', async ({ page }, info) => {
  test.setTimeout(120_000);
  // Window 5 publishes a version effective tomorrow: the demo catalog under a new name.
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
  const catalog = readCatalogVersion(db as never, 1);
  db.close();
  const tomorrow = chinaDate(new Date(Date.now() + 24 * 3600_000));
  const five = new HubConnector(target(), await enrolled('desk-5', '5号窗口'), 15, 5_000);
  const a = await five.pushRecord({
    kind: 'catalog_version',
    recordId: '6f1d8c1e-2a44-4b0e-9c55-0d3f5a7b9e21',
    baseVersion: 0,
    body: { label: '房县证明事项清单 2027年版', effectiveFrom: chinaDayStartIso(tomorrow), source: 'xlsx:2027清单.xlsx', note: '县政务服务管理局发布', catalog },
    idempotencyKey: 'e2e/catalog/1',
  });
  expect(a.outcome).toBe('current');

  // The desk pulls it from the hall feed.
  await expect
    .poll(
      () => {
        const d = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
        try {
          return (d.prepare('SELECT count(*) AS n FROM catalog_versions WHERE hall_key = ?').get('6f1d8c1e-2a44-4b0e-9c55-0d3f5a7b9e21') as { n: number }).n;
        } finally {
          d.close();
        }
      },
      { timeout: 30_000 },
    )
    .toBe(1);

  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, 'admin');
  await page.getByRole('menuitem', { name: '事项与证明清单' }).click();
  await page.getByTestId('catalog-page').getByRole('tab', { name: '版本' }).click();
  const row = page.getByTestId('catalog-versions').getByRole('row', { name: /2027年版/ });
  await expect(row).toContainText('待生效');
  await expect(row).toContainText(tomorrow);
  await expect(row).toContainText('全厅发布（desk-5）导入：2027清单.xlsx');
  await expect(page.getByTestId('catalog-versions').getByRole('row', { name: /房县证明事项清单（演示）2026年版/ })).toContainText('现行');
  await page.screenshot({ path: info.outputPath('hall-catalog-versions.png') });
});
