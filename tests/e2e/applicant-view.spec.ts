import { expect, test, type Page } from '@playwright/test';
import { hostRpc, startHost, type RunningHost } from './support/host';
import { documentJpeg, withComment } from '../helpers/jpeg';
import { inspectScreen } from './support/screen-inspect';
import { CAMERA_CAPTURE } from './support/scan';

// 申请人登记 › one applicant (一次提交，长期有效, issue 16): the clerk opens 王芳 and sees her material
// library (certificate, source, validity, pages full size), her cases (one opens as 办件查询 opens it)
// and her credit standing; 高拍仪扫描 lists a scan started for her and left unfinished, and resumes it.

test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

let host: RunningHost;
test.beforeAll(async () => {
  host = await startHost();
});
test.afterAll(async () => {
  await host.kill();
});

const capture = CAMERA_CAPTURE;

/** A scan for 王芳 with one page, as a clerk leaves it when the tab is reloaded before 完成. */
async function startedScan(token: string, applicantId: number, title: string, seed: number, caseId?: number): Promise<number> {
  const doc = await hostRpc<{ id: number }>(host, 'scans.createDocument', { applicantId, kind: 'certificate', title, ...(caseId ? { caseId } : {}) }, token);
  const jpeg = withComment(documentJpeg(640, 900), `applicant-view ${seed}`); // distinct bytes: the library matches pages by content
  await hostRpc(host, 'scans.addPage', { documentId: doc.id, page: { mime: 'image/jpeg', base64: jpeg.toString('base64') }, width: 640, height: 900, mode: 'color', capture }, token);
  return doc.id;
}

async function signIn(page: Page, username = 'zhangmin') {
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
}

test('a scan left unfinished is resumed on 高拍仪扫描; 王芳 opened on 申请人登记 shows it in her material library, her case and her credit', async ({ page }, info) => {
  const token = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'liuyang', password: 'Desk@2026' })).token;
  const wang = (await hostRpc<{ id: number; name: string }[]>(host, 'applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  const items = await hostRpc<{ id: number; name: string }[]>(host, 'catalog.listServiceItems', { query: '生育医疗费用报销' }, token);
  const kase = await hostRpc<{ id: number; caseNo: string; certificates: { certificateItemId: number; name: string }[] }>(host, 'intake.start', { applicantId: wang.id, serviceItemIds: [items.find((i) => i.name === '生育医疗费用报销')!.id] }, token);
  // One scan for her case, finished (its receipt: 12 months' validity), and one left open before 完成.
  const receipt = await startedScan(token, wang.id, '医疗费用原始收费票据', 31, kase.id);
  await hostRpc(host, 'scans.finish', { documentId: receipt }, token);
  await startedScan(token, wang.id, '出生医学证明', 32);
  // And one taken from intake's 核对原件 drawer: kept through intake.addMaterial, the scan itself left open — not unfinished work.
  const other = kase.certificates.find((c) => c.name !== '医疗费用原始收费票据')!;
  const drawerScan = await startedScan(token, wang.id, other.name, 33, kase.id);
  const scanned = await hostRpc<{ pages: { id: number }[] }>(host, 'scans.getDocument', { documentId: drawerScan }, token);
  const image = await hostRpc<{ base64: string }>(host, 'scans.pageImage', { pageId: scanned.pages[0]!.id }, token);
  await hostRpc(host, 'intake.addMaterial', { caseId: kase.id, certificateItemId: other.certificateItemId, title: other.name, pages: [{ mime: 'image/jpeg', base64: image.base64 }] }, token);

  await signIn(page);
  await page.getByRole('menuitem', { name: '高拍仪扫描' }).click();
  const unfinished = page.getByTestId('scan-unfinished');
  await expect(unfinished).toContainText('未完成的扫描件（1 份）');
  const left = unfinished.getByRole('listitem').filter({ hasText: '出生医学证明' });
  await expect(left).toContainText('出生医学证明（1 页）· 申请人：王芳');
  await expect(left).toContainText('刘洋 扫描 · 最后修改于 20');
  await expect(unfinished).not.toContainText('医疗费用原始收费票据'); // finished: not listed
  await page.screenshot({ path: info.outputPath('scan-unfinished.png') });
  await left.getByRole('button', { name: /继\s*续/ }).click();
  await expect(page.getByTestId('scan-owner')).toContainText('申请人：王芳 · 不关联办件');
  await expect(page.getByTestId('scan-pages').locator('img')).toHaveCount(1);
  await page.getByTestId('scan-done').click();
  const told = page.getByRole('dialog').filter({ hasText: '扫描件“出生医学证明”已保存（1 页）' });
  await expect(told.getByTestId('scan-done-where')).toHaveText('已保存在申请人王芳名下的材料库，受理时核对“出生医学证明”可直接选用。');
  await told.getByRole('button', { name: '知道了' }).click();
  await expect(page.getByTestId('scan-unfinished')).toHaveCount(0);

  // 申请人登记: a click on her row opens her.
  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  await page.getByPlaceholder('姓名、证件号码后4位或完整证件号码').fill('王芳');
  await page.getByPlaceholder('姓名、证件号码后4位或完整证件号码').press('Enter');
  const row = page.getByTestId(`applicant-row-${wang.id}`);
  await expect(row).toBeVisible();
  await row.getByTestId('address-cell').click();
  const drawer = page.getByTestId('applicant-drawer');
  await expect(drawer.locator('.ant-drawer-title')).toHaveText('申请人：王芳');
  await expect(drawer.getByTestId('applicant-id-masked')).toHaveText('420***********004X');
  await expect(drawer).not.toContainText('42032519880623004X');
  // The full number only through the audited reveal, over the drawer.
  await drawer.getByRole('button', { name: '查看完整证件号码' }).click();
  const reveal = page.getByRole('dialog', { name: '查看完整身份证号码' });
  await expect(reveal).toContainText('查看完整号码将记入审计日志');
  await reveal.getByRole('button', { name: /确认查看/ }).click();
  await expect(reveal).toContainText('42032519880623004X');
  await reveal.locator('.ant-modal-footer').getByRole('button', { name: /关\s*闭/ }).click();
  await expect(reveal).toHaveCount(0);
  await expect(drawer).not.toContainText('42032519880623004X');
  await expect(drawer.getByTestId('credit-eligible')).toHaveText('无未修复的失信或虚假承诺记录，可以适用告知承诺');

  const materials = drawer.getByTestId('applicant-materials');
  const birth = materials.getByRole('row').filter({ hasText: '高拍仪扫描' }).filter({ hasText: '出生医学证明' });
  await expect(birth).toHaveCount(1);
  await expect(birth.getByTestId('material-validity')).toHaveText('长期有效'); // 出生医学证明 has no 有效期
  const bill = materials.getByRole('row').filter({ hasText: '医疗费用原始收费票据' });
  await expect(bill).toContainText(`办件 ${kase.caseNo}`);
  // Reusable for its certificate's 12 months from today (the date itself: scan.spec.ts, scan-finish.test.ts).
  await expect(bill.getByTestId('material-validity')).toHaveText(/^20\d\d-\d\d-\d\d有效$/);

  const cases = drawer.getByTestId('applicant-cases');
  const caseRow = cases.getByRole('row').filter({ hasText: kase.caseNo });
  await expect(caseRow).toContainText('生育医疗费用报销');
  await expect(caseRow).toContainText('草稿');
  // The drawer (900 px) has slid in before it is photographed; its material names are on one line at 1366×768.
  await expect.poll(async () => (await drawer.locator('.ant-drawer-title').boundingBox())?.x ?? 9999).toBeLessThan(1366 - 840);
  await expect.poll(async () => (await bill.locator('td').first().boundingBox())?.height ?? 9999).toBeLessThan(60);
  await page.screenshot({ path: info.outputPath('applicant-drawer.png') });

  // A page full size, in the viewer intake uses for originals.
  await birth.getByRole('button', { name: /查看 1 页/ }).click();
  const preview = page.locator('.ant-image-preview-img');
  await expect(preview).toBeVisible();
  await expect.poll(async () => (await preview.evaluate((img: HTMLImageElement) => img.naturalWidth))).toBe(640);
  await page.screenshot({ path: info.outputPath('applicant-material-page.png') });
  await page.keyboard.press('Escape');
  await expect(preview).toHaveCount(0);

  // Her case opens as 办件查询 opens it.
  await caseRow.getByRole('button', { name: /继续办理/ }).click();
  await expect(page.getByTestId('case-no')).toHaveText(kase.caseNo);
});

test('a credit-listed applicant opened on 申请人登记 is shown as barred from commitments, with the record', async ({ page }) => {
  await signIn(page);
  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  await page.getByRole('row', { name: /赵大勇/ }).getByTestId('applicant-open').click();
  const drawer = page.getByTestId('applicant-drawer');
  await expect(drawer.locator('.ant-drawer-title')).toHaveText('申请人：赵大勇');
  const block = drawer.getByTestId('credit-block');
  await expect(block).toContainText('不得适用告知承诺，须提交证明材料');
  await expect(block).toContainText('严重失信（严重）');
  await expect(block).toContainText('来源：信用中国（湖北十堰）');
  await expect(drawer.getByTestId('credit-eligible')).toHaveCount(0);
});

// What an assistant (帮办代办员) may see of an applicant is the service's answer (applicants.access,
// case-access.ts): 陈静 opening 王芳 before she handles any case of hers sees no material library, none
// of the window's cases and no full ID number, and reads why in one line (no red error); once she takes
// in a case for 王芳 herself (代办), the library and that case are hers to see, the window's case still
// not. The clerk sees everything, with no such line.
test('an assistant (陈静) opening an applicant sees only what her role may, said in one line; the clerk sees it all', async ({ page, browser }, info) => {
  const clerkToken = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'liuyang', password: 'Desk@2026' })).token;
  const chenToken = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'chenjing', password: 'Desk@2026' })).token;
  const wang = (await hostRpc<{ id: number; name: string }[]>(host, 'applicants.list', { query: '王芳', limit: 5 }, clerkToken)).find((a) => a.name === '王芳')!;
  const items = await hostRpc<{ id: number; name: string }[]>(host, 'catalog.listServiceItems', { query: '生育医疗费用报销' }, clerkToken);
  const item = items.find((i) => i.name === '生育医疗费用报销')!;
  // The window's: a 居住证明 kept in her library (a finished scan), and a case taken in by 刘洋.
  await hostRpc(host, 'scans.finish', { documentId: await startedScan(clerkToken, wang.id, '居住证明', 41) }, clerkToken);
  const windowCase = await hostRpc<{ caseNo: string }>(host, 'intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, clerkToken);

  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await signIn(page, 'chenjing');
  const openWang = async () => {
    await page.getByRole('menuitem', { name: '申请人登记' }).click();
    await page.getByRole('row').filter({ hasText: '王芳' }).first().getByTestId('applicant-open').click();
    const drawer = page.getByTestId('applicant-drawer');
    await expect(drawer.locator('.ant-drawer-title')).toHaveText('申请人：王芳');
    await expect(drawer.getByTestId('applicant-credit')).toContainText('可以适用告知承诺');
    return drawer;
  };
  const close = async () => {
    await page.keyboard.press('Escape');
    await expect(page.getByTestId('applicant-drawer')).toHaveCount(0);
  };

  // Before any case of hers: the facts (masked), her credit standing, no library, no window case, one line.
  let drawer = await openWang();
  await expect(drawer.getByTestId('applicant-limited')).toHaveText('材料库和办件仅在您代办或被分派核查其办件时可查看；完整证件号码仅窗口人员和管理员可查看。');
  await expect(drawer.getByTestId('applicant-id-masked')).toHaveText('420***********004X');
  await expect(drawer.getByRole('button', { name: '查看完整证件号码' })).toHaveCount(0);
  await expect(drawer.getByTestId('applicant-materials')).toHaveCount(0);
  await expect(drawer).not.toContainText('材料库（');
  await expect(drawer).not.toContainText('居住证明');
  await expect(drawer.getByTestId('applicant-cases')).toContainText('没有您代办或被分派核查的该申请人办件');
  await expect(drawer).not.toContainText(windowCase.caseNo);
  await expect(drawer.getByTestId('load-error')).toHaveCount(0);
  await expect(drawer.locator('.ant-alert-error')).toHaveCount(0);
  await expect.poll(async () => (await drawer.locator('.ant-drawer-title').boundingBox())?.x ?? 9999).toBeLessThan(1366 - 840);
  await page.screenshot({ path: info.outputPath('applicant-drawer-assistant.png') });
  expect(await page.evaluate(inspectScreen)).toEqual([]);
  await close();

  // She takes in a case for 王芳 herself: her library is now hers to see, and that case; the window's case still not.
  const own = await hostRpc<{ caseNo: string }>(host, 'intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, chenToken);
  drawer = await openWang();
  await expect(drawer.getByTestId('applicant-limited')).toHaveText('办件只列出您代办或被分派核查的；完整证件号码仅窗口人员和管理员可查看。');
  await expect(drawer.getByTestId('applicant-materials').getByRole('row').filter({ hasText: '居住证明' })).toContainText('高拍仪扫描');
  const cases = drawer.getByTestId('applicant-cases').locator('tbody tr.ant-table-row');
  await expect(cases).toHaveCount(1);
  await expect(cases).toContainText(own.caseNo);
  await expect(drawer.getByRole('button', { name: '查看完整证件号码' })).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('applicant-drawer-assistant-own-case.png') });
  expect(await page.evaluate(inspectScreen)).toEqual([]);
  await close();
  expect(errors).toEqual([]);

  // The clerk: no such line, the library, every case, the audited reveal.
  const clerk = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } })).newPage();
  await signIn(clerk, 'zhangmin');
  await clerk.getByRole('menuitem', { name: '申请人登记' }).click();
  await clerk.getByRole('row').filter({ hasText: '王芳' }).first().getByTestId('applicant-open').click();
  const seen = clerk.getByTestId('applicant-drawer');
  await expect(seen.getByTestId('applicant-materials').getByRole('row').filter({ hasText: '居住证明' })).toBeVisible();
  await expect(seen.getByTestId('applicant-cases')).toContainText(windowCase.caseNo);
  await expect(seen.getByTestId('applicant-cases')).toContainText(own.caseNo);
  await expect(seen.getByRole('button', { name: '查看完整证件号码' })).toBeVisible();
  await expect(seen.getByTestId('applicant-limited')).toHaveCount(0);
  await clerk.context().close();
});
