import path from 'node:path';
import { chromium, expect, test } from '@playwright/test';
import { PDFDocument } from 'pdf-lib';
import { freshDir, hostRpc, startHost, type RunningHost } from './support/host';
import { documentJpeg } from '../helpers/jpeg';
import { CHROMIUM, CHROMIUM_ARGS, assertChromium } from './support/browser';
import { documentScene, writeY4m } from '../helpers/y4m';
import { startIntakeFor, answerCircumstance, makeCaseWithItem } from './support/intake';
import { expectPdfRendered } from './support/pdf';
import { startStandaloneScan, CAMERA_CAPTURE } from './support/scan';

/**
 * The document camera in the real browser: Chromium's fake camera plays a
 * committed-at-run-time scene (a page on a desk) at 1280×960; the desk must
 * ask for that full resolution, capture pages, store them and export a PDF.
 */
let host: RunningHost;
const y4m = path.join(freshDir('desk-cam-'), 'desk-scene.y4m');

test.beforeAll(async () => {
  writeY4m(y4m, documentScene(1280, 960).img);
  host = await startHost();
});
test.afterAll(async () => {
  await host.kill();
});

async function withCamera(fn: (page: import('@playwright/test').Page) => Promise<void>) {
  // The shutter waits for OpenCV (a 10 MB worker) to load: on a loaded machine that alone can take tens of seconds.
  test.setTimeout(120_000);
  assertChromium();
  const ctx = await chromium.launchPersistentContext(freshDir('desk-cam-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  try {
    const page = ctx.pages()[0] ?? (await ctx.newPage());
    await page.goto(host.url);
    await page.getByPlaceholder('用户名').fill('zhangmin');
    await page.getByPlaceholder('密码').fill('Desk@2026');
    await page.getByRole('button', { name: /登\s*录/ }).click();
    await fn(page);
  } finally {
    await ctx.close();
  }
}

test('an original is photographed with the document camera from the intake and kept as the certificate’s material', async () => {
  await withCamera(async (page) => {
    await page.getByRole('menuitem', { name: '受理办件' }).click();
    await startIntakeFor(page, '王芳');
    await page.getByRole('row', { name: /出生医学证明办理/ }).getByRole('checkbox').check();
    await answerCircumstance(page, '是否院内分娩', '否'); // 亲子鉴定意见书 is needed only for a birth outside hospital
    await page.getByRole('button', { name: /生成办件/ }).click();
    const row = page.getByTestId('certificates-table').getByRole('row', { name: /亲子鉴定/ });
    await row.getByRole('button', { name: '核对原件' }).click();
    await page.getByTestId('scan-original').click();
    await expect(page.getByTestId('scan-resolution')).toContainText('1280×960');
    await page.getByTestId('shutter').click();
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1);
    await page.getByTestId('scan-done').click();
    await expect(row).toContainText('已核对原件并留存');
    await expect(row).toContainText('新留存，1页');
  });
});

test('captures pages from the document camera at full resolution and exports one PDF', async () => {
  await withCamera(async (page) => {
    await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
    await expect(page.getByTestId('scan-resolution')).toContainText('1280×960'); // asked for the full resolution
    await startStandaloneScan(page, { applicant: '王芳', title: '营业执照（正本）' });
    for (let i = 1; i <= 2; i++) {
      await page.getByTestId('shutter').click();
      await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(i);
    }
    await page.screenshot({ path: test.info().outputPath('scan.png') });

    // The stored document exports as one PDF with as many pages as were captured.
    const exported = await page.evaluate(async () => {
      const token = sessionStorage.getItem('desk.hostToken');
      const session = (JSON.parse(sessionStorage.getItem('desk.session') ?? '{}') as { token: string }).token;
      const post = async (method: string, input: unknown) =>
        (await (await fetch('/api/rpc', { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` }, body: JSON.stringify({ id: method, method, input, session }) })).json()) as {
          ok: boolean;
          value: { id: number; pages?: unknown[]; base64?: string }[] & { base64?: string };
        };
      const docs = (await post('scans.listDocuments', {})).value;
      const last = docs[0]!; // the only document of this fresh desk
      return (await post('scans.exportPdf', { documentId: last.id })).value as unknown as { base64: string; pages: number };
    });
    const pdf = await PDFDocument.load(Buffer.from(exported.base64, 'base64'));
    expect(pdf.getPageCount()).toBe(2);
    await page.getByTestId('export-pdf').click();
    await expectPdfRendered(page, { pages: 2, a4: false });
    await page.keyboard.press('Escape');
    // 完成 on the scan page alone says where the document went (issue 16): 王芳's material library; no
    // certificate of the catalog has this name, so intake offers it for any certificate.
    await page.getByTestId('scan-done').click();
    const told = page.getByRole('dialog').filter({ hasText: '扫描件“营业执照（正本）”已保存（2 页）' });
    await expect(told.getByTestId('scan-done-where')).toHaveText('已保存在申请人王芳名下的材料库，受理时在任一证明的“核对原件”中可直接选用。');
    await page.screenshot({ path: test.info().outputPath('scan-done.png') });
    await told.getByRole('button', { name: '知道了' }).click();
    await expect(page.getByRole('button', { name: /开始扫描/ })).toBeVisible();
  });
});

test('a scan made for 王芳 on 高拍仪扫描 is kept under her and reused at intake for its certificate', async () => {
  await withCamera(async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 });
    await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
    await expect(page.getByTestId('scan-resolution')).toContainText('1280×960');
    // The form asks whose document it is: without an applicant nothing starts.
    await page.getByTestId('scan-new').getByRole('button', { name: /开始扫描/ }).click();
    await expect(page.getByTestId('scan-new')).toContainText('请选择申请人');
    await page.screenshot({ path: test.info().outputPath('scan-new-asks-applicant.png') });
    await startStandaloneScan(page, { applicant: '王芳', title: '出生医学证明' });
    await page.getByTestId('shutter').click();
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1);
    await page.screenshot({ path: test.info().outputPath('scan-for-wang.png') });
    await page.getByTestId('scan-done').click();
    const told = page.getByRole('dialog').filter({ hasText: '扫描件“出生医学证明”已保存（1 页）' });
    await expect(told.getByTestId('scan-done-where')).toHaveText('已保存在申请人王芳名下的材料库，受理时核对“出生医学证明”可直接选用。');
    await page.screenshot({ path: test.info().outputPath('scan-done-wang.png') });
    await told.getByRole('button', { name: '知道了' }).click();

    // At intake for 王芳, where the clerk checks 出生医学证明, the scan is offered and reused.
    await page.getByRole('menuitem', { name: '受理办件' }).click();
    await startIntakeFor(page, '王芳');
    await makeCaseWithItem(page, '预防接种', /预防接种证办理/);
    const row = page.getByTestId('certificates-table').getByRole('row', { name: /出生医学证明/ });
    const drawer = page.getByTestId('material-drawer');
    if (!(await drawer.isVisible())) await row.getByRole('button', { name: '核对原件' }).click();
    const offered = drawer.getByRole('listitem').filter({ hasText: '出生医学证明' });
    await expect(offered).toContainText('经与原件核对无误，核对人：张敏');
    await expect(offered).toContainText('1 页');
    // The drawer (640 px) has slid in before it is photographed.
    await expect.poll(async () => (await drawer.getByText('核对原件并留存').boundingBox())?.x ?? 9999).toBeLessThan(1366 - 600);
    await page.screenshot({ path: test.info().outputPath('scan-offered-at-intake.png') });
    await offered.getByRole('button', { name: /复\s*用/ }).click();
    await expect(row).toContainText('复用');
  });
});

test('a scan that belongs to nobody (made before 完成 asked) is listed and attached to 王芳', async () => {
  await withCamera(async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 });
    // An unattached scan with one page, as an earlier version (or a script) left it.
    const token = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'liuyang', password: 'Desk@2026' })).token;
    const doc = await hostRpc<{ id: number }>(host, 'scans.createDocument', { kind: 'other', title: '房屋租赁合同' }, token);
    const jpeg = documentJpeg(640, 900, { seed: 21 });
    const capture = CAMERA_CAPTURE;
    await hostRpc(host, 'scans.addPage', { documentId: doc.id, page: { mime: 'image/jpeg', base64: jpeg.toString('base64') }, width: 640, height: 900, mode: 'color', capture }, token);

    await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
    const list = page.getByTestId('scan-unattached');
    await expect(list).toContainText('房屋租赁合同（1 页）');
    await expect(list).toContainText('刘洋');
    await page.screenshot({ path: test.info().outputPath('scan-unattached.png') });
    await list.getByRole('listitem').filter({ hasText: '房屋租赁合同' }).getByRole('button', { name: '关联申请人' }).click();
    const attach = page.getByTestId('scan-attach');
    await expect(attach).toContainText('该扫描件尚未关联申请人');
    await expect(page.getByTestId('scan-done')).toBeDisabled(); // not without an applicant
    await attach.getByTestId('scan-applicant').click();
    await page.keyboard.type('王芳');
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: '王芳（' }).first().click();
    await page.getByTestId('scan-done').click();
    const told = page.getByRole('dialog').filter({ hasText: '扫描件“房屋租赁合同”已保存（1 页）' });
    await expect(told.getByTestId('scan-done-where')).toHaveText('已保存在申请人王芳名下的材料库，受理时在任一证明的“核对原件”中可直接选用。');
    await told.getByRole('button', { name: '知道了' }).click();
    await expect(page.getByTestId('scan-unattached').filter({ hasText: '房屋租赁合同' })).toHaveCount(0);
  });
});

test('a scan for one of 王芳’s cases at intake goes with that case, and 完成 names it', async () => {
  await withCamera(async (page) => {
    await page.setViewportSize({ width: 1366, height: 768 });
    const token = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'liuyang', password: 'Desk@2026' })).token;
    const wang = (await hostRpc<{ id: number; name: string }[]>(host, 'applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
    const items = await hostRpc<{ id: number; name: string }[]>(host, 'catalog.listServiceItems', { query: '生育医疗费用报销' }, token);
    const kase = await hostRpc<{ id: number; caseNo: string }>(host, 'intake.start', { applicantId: wang.id, serviceItemIds: [items.find((i) => i.name === '生育医疗费用报销')!.id] }, token);

    await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
    await startStandaloneScan(page, { applicant: '王芳', caseNo: kase.caseNo, title: '医疗费用原始收费票据' });
    await expect(page.getByTestId('scan-owner')).toContainText(`办件 ${kase.caseNo}`);
    await page.getByTestId('shutter').click();
    await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1, { timeout: 60_000 });
    await page.getByTestId('scan-done').click();
    const told = page.getByRole('dialog').filter({ hasText: '扫描件“医疗费用原始收费票据”已保存（1 页）' });
    // The receipt is reusable for 12 months from today (its certificate's 有效期), counted in China time.
    await expect(told.getByTestId('scan-done-where')).toContainText(`已随办件 ${kase.caseNo} 保存在申请人王芳名下的材料库，有效期至 `);
    await expect(told.getByTestId('scan-done-where')).toContainText('受理时核对“医疗费用原始收费票据”可直接选用。');
    await page.screenshot({ path: test.info().outputPath('scan-done-case.png') });
  });
});
