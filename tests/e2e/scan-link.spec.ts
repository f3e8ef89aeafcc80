import { expect, test, type Page } from '@playwright/test';
import { hostRpc, startHost, type RunningHost } from './support/host';
import { startStandaloneScan, CAMERA_CAPTURE } from './support/scan';
import { documentJpeg, withComment } from '../helpers/jpeg';

// A scan and the material it became (migrations/0025): the 有效期 typed when a scan is started is
// kept with it — the clerk leaves the page, comes back, 继续, and it is still there — 完成 files the
// material with it, the page lists the scan with the material it became, a second 完成 files
// nothing twice, and 王芳's drawer on 申请人登记 shows the material came from that scan.

test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

let host: RunningHost;
test.beforeAll(async () => {
  host = await startHost();
});
test.afterAll(async () => {
  await host.kill();
});

const capture = CAMERA_CAPTURE;

async function signIn(page: Page) {
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
}

test('the 有效期 typed at the start survives leaving the page and 继续, and 完成 files the material with it, once; the page and the drawer show the link', async ({ page }, info) => {
  const token = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const wang = (await hostRpc<{ id: number; name: string }[]>(host, 'applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  await signIn(page);
  await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
  await startStandaloneScan(page, { applicant: '王芳', title: '出生医学证明', validUntil: '2031-06-30' });
  const owner = page.getByTestId('scan-owner');
  await expect(owner.getByTestId('scan-valid-until')).toHaveText('有效期至 2031-06-30');
  await expect(owner).toContainText('证明：出生医学证明');

  // A page (the camera's part is scan.spec.ts): stored through the API, as the shutter stores it.
  const open = await hostRpc<{ id: number; title: string }[]>(host, 'scans.listDocuments', { applicantId: wang.id, status: 'open' }, token);
  const doc = open.find((d) => d.title === '出生医学证明')!;
  const jpeg = withComment(documentJpeg(640, 900), 'scan-link e2e');
  await hostRpc(host, 'scans.addPage', { documentId: doc.id, page: { mime: 'image/jpeg', base64: jpeg.toString('base64') }, width: 640, height: 900, mode: 'color', capture }, token);

  // The clerk leaves (another page, then a reload) and comes back: the scan waits under 未完成的扫描件, its 有效期 with it.
  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  await page.reload();
  if (await page.getByPlaceholder('用户名').isVisible()) await signIn(page);
  await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
  const left = page.getByTestId(`scan-unfinished-${doc.id}`);
  await expect(left).toContainText('出生医学证明（1 页）· 申请人：王芳');
  await expect(left).toContainText('有效期至 2031-06-30');
  await left.getByRole('button', { name: /继\s*续/ }).click();
  await expect(owner.getByTestId('scan-valid-until')).toHaveText('有效期至 2031-06-30');
  await expect(owner).toContainText('证明：出生医学证明');
  await page.screenshot({ path: info.outputPath('scan-resumed.png') });

  await page.getByTestId('scan-done').click();
  const told = page.getByRole('dialog').filter({ hasText: '扫描件“出生医学证明”已保存（1 页）' });
  await expect(told.getByTestId('scan-done-where')).toHaveText('已保存在申请人王芳名下的材料库，有效期至 2031-06-30，受理时核对“出生医学证明”可直接选用。');
  await told.getByRole('button', { name: '知道了' }).click();
  await expect(told).toHaveCount(0);

  // The page lists it with the material it became.
  const recent = page.getByTestId(`scan-recent-${doc.id}`);
  await expect(recent.getByTestId('scan-became')).toContainText('已存为申请人王芳的材料“出生医学证明”（出生医学证明，有效期至 2031-06-30）');
  await expect(page.getByTestId(`scan-unfinished-${doc.id}`)).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('scan-page-link.png') });

  // A second 完成 (a retry after a lost answer) answers the same material: one in her library.
  const again = await hostRpc<{ alreadyFinished: boolean; material: { id: number; validUntil: string | null } }>(host, 'scans.finish', { documentId: doc.id }, token);
  expect(again.alreadyFinished).toBe(true);
  expect(again.material.validUntil).toBe('2031-06-30');
  const library = await hostRpc<{ id: number; title: string; scan?: { documentId: number } | null }[]>(host, 'materials.forApplicant', { applicantId: wang.id }, token);
  expect(library.filter((m) => m.scan?.documentId === doc.id).map((m) => m.id)).toEqual([again.material.id]);

  // 申请人登记 › 王芳: the material, its 有效期, and that it came from the scan.
  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  await page.getByPlaceholder('姓名、证件号码后4位或完整证件号码').fill('王芳');
  await page.getByPlaceholder('姓名、证件号码后4位或完整证件号码').press('Enter');
  await page.getByTestId(`applicant-row-${wang.id}`).getByTestId('address-cell').click();
  const drawer = page.getByTestId('applicant-drawer');
  const row = drawer.getByTestId('applicant-materials').getByRole('row').filter({ hasText: '出生医学证明' });
  await expect(row).toHaveCount(1);
  await expect(row.getByTestId('material-validity')).toHaveText('2031-06-30有效');
  await expect(row.getByTestId('material-scan')).toHaveText(/^扫描件 · 张敏 · 20\d\d-\d\d-\d\d$/);
  await expect.poll(async () => (await drawer.locator('.ant-drawer-title').boundingBox())?.x ?? 9999).toBeLessThan(1366 - 840);
  await page.screenshot({ path: info.outputPath('applicant-drawer-scan-link.png') });
});
