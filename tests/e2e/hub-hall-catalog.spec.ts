import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { expect, test } from '@playwright/test';
import type { RunningHost } from './support/host';
import { signIn, startHub, type E2eHub } from './support/hub';
import { readCatalogVersion } from '../../electron/services/catalog-io/catalog-version-rows';
import { chinaDate, chinaDayStartIso } from '../../shared/rules/china-time';

// The hall's catalog as the desk shows it (docs/hub.md, "Records, owners and offline"): a version
// another window published reaches this desk through the hub and is listed under 版本 as 待生效,
// with where it came from. Real PostgreSQL (a throwaway cluster), the real hub, the real browser host.

let hub: E2eHub;
let host: RunningHost;
let dataDir: string;

test.beforeAll(async () => {
  test.setTimeout(120_000);
  hub = await startHub();
  ({ host, dataDir } = await hub.host('desk-e2e', '3号窗口'));
});
test.afterAll(() => hub?.close());

test('a catalog version published at another window is listed here as 待生效, from the hall', async ({ page }, info) => {
  test.setTimeout(120_000);
  // Window 5 publishes a version effective tomorrow: the demo catalog under a new name.
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
  const catalog = readCatalogVersion(db as never, 1);
  db.close();
  const tomorrow = chinaDate(new Date(Date.now() + 24 * 3600_000));
  const five = await hub.connector('desk-5', '5号窗口', 15);
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
  await signIn(page, host, 'admin');
  await page.getByRole('menuitem', { name: '事项与证明清单' }).click();
  await page.getByTestId('catalog-page').getByRole('tab', { name: '版本' }).click();
  const row = page.getByTestId('catalog-versions').getByRole('row', { name: /2027年版/ });
  await expect(row).toContainText('待生效');
  await expect(row).toContainText(tomorrow);
  await expect(row).toContainText('全厅发布（desk-5）导入：2027清单.xlsx');
  await expect(page.getByTestId('catalog-versions').getByRole('row', { name: /房县证明事项清单（演示）2026年版/ })).toContainText('现行');
  await page.screenshot({ path: info.outputPath('hall-catalog-versions.png') });
});
