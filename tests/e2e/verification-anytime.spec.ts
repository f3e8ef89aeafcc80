import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { freshDir, hostRpc, startHost, type RunningHost } from './support/host';
import { CHROMIUM, CHROMIUM_ARGS, assertChromium } from './support/browser';
import { signaturePng } from '../helpers/png';
import { animationsDone, rpcAnswer } from './support/waits';

/**
 * Verification at any time in the real browser at 1366×768: a supervisor opens a complaint
 * (投诉举报) verification on an exempt commitment of a completed newborn case, records 承诺不实 with
 * the proportionate measure (only the item that relied on it, pre-checked, is revoked), and the
 * case's other items stand. Screenshots of each step are kept as test artifacts.
 */
let hall: RunningHost;
let ctx: BrowserContext;
const SIG = signaturePng().toString('base64');

test.setTimeout(120_000);

test.beforeAll(async () => {
  assertChromium();
  hall = await startHost();
  ctx = await chromium.launchPersistentContext(freshDir('desk-anytime-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1366, height: 768 },
    locale: 'zh-CN',
  });
});
test.afterAll(async () => {
  await ctx?.close();
  await hall?.kill();
});

interface Cert { certificateItemId: number; method: string; state: string; name: string; request: { id: number } | null; commitment: { id: number } | null }
interface CaseView { id: number; caseNo: string; status: string; certificates: Cert[] }
interface TaskView { id: number; caseId: number; source: string; state: string; caseItems: { name: string; status: string; relied: boolean }[] }

/** A case for the applicant (王芳 unless named) of these items, every certificate resolved through the API, accepted. */
async function acceptedCase(api: string, serviceItemIds: number[], bundleCode?: string, name = '王芳'): Promise<CaseView> {
  const applicant = (await hostRpc<{ id: number; name: string }[]>(hall, 'applicants.list', { query: name, limit: 5 }, api)).find((a) => a.name === name)!;
  let v = await hostRpc<CaseView>(hall, 'intake.start', { applicantId: applicant.id, serviceItemIds, ...(bundleCode ? { bundleCode } : {}) }, api);
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const id = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'commitment') {
      await hostRpc(hall, 'intake.recordChoice', { ...id, choice: 'commit' }, api);
      v = await hostRpc(hall, 'intake.signCommitment', { ...id, signatureKind: 'pad', signaturePngBase64: SIG }, api);
    } else if (c.method === 'data_sharing' || c.method === 'dept_verification') {
      v = await hostRpc(hall, c.method === 'data_sharing' ? 'intake.switchToVerification' : 'intake.requestAssistance', id, api);
      const rq = v.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.request!;
      v = await hostRpc(hall, 'intake.recordAssistanceReply', { requestId: rq.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, api);
    } else {
      v = await hostRpc(hall, 'intake.addMaterial', { ...id, title: c.name, pages: [{ mime: 'image/png', base64: SIG }] }, api);
    }
  }
  return hostRpc(hall, 'intake.transition', { caseId: v.id, to: 'accepted' }, api);
}

/** The newborn bundle for 王芳, accepted and completed. */
async function completedNewborn(api: string): Promise<CaseView> {
  const bundle = (await hostRpc<{ code: string; name: string; items: { id: number }[] }[]>(hall, 'catalog.bundles', {}, api)).find((b) => b.name.includes('出生'))!;
  const v = await acceptedCase(api, bundle.items.map((i) => i.id), bundle.code);
  return hostRpc(hall, 'intake.transition', { caseId: v.id, to: 'completed', decisionNo: '房卫出生〔2026〕第0011号' }, api);
}

async function signIn(username: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(hall.url);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  const signedIn = rpcAnswer(page, 'auth.signIn'); // scrypt on the host: its time is the machine's
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await signedIn;
  await expect(page.getByTestId('home-page')).toBeVisible();
  return page;
}

test('办结 at the window: refused in the dialog naming the certificate whose commitment was withdrawn after acceptance', async () => {
  const info = test.info();
  const api = (await hostRpc<{ token: string }>(hall, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const items = await hostRpc<{ id: number; name: string; bundles: unknown[]; certificates: { method: string; name: string }[] }[]>(hall, 'catalog.listServiceItems', {}, api);
  const item = items.find((i) => i.name === '托育机构备案')!;
  const v = await acceptedCase(api, [item.id]); // runs first: 王芳 has no false commitment on record yet
  const committed = v.certificates.find((c) => c.method === 'commitment' && c.commitment)!;
  await hostRpc(hall, 'intake.withdrawCommitment', { commitmentId: committed.commitment!.id, reason: '申请人撤回承诺' }, api);

  const clerk = await signIn('zhangmin');
  await clerk.getByRole('menuitem', { name: '办件查询' }).click();
  await clerk.getByRole('row', { name: new RegExp(v.caseNo) }).getByRole('button', { name: /查\s*看/ }).click();
  // An accepted case opens read-only at its 受理 view, with its transitions (issue 16).
  await clerk.getByRole('button', { name: /办\s*结/ }).first().click();
  const dialog = clerk.locator('.ant-modal', { hasText: '办理结果' });
  await dialog.getByLabel('办理结果').fill('房卫托育〔2026〕第0003号');
  await dialog.getByRole('button', { name: /办\s*结/ }).click();
  await expect(dialog.getByTestId('complete-refused')).toContainText(`“${committed.name}”（承诺已撤回，事实尚未确认）`);
  await clerk.screenshot({ path: info.outputPath('6-complete-refused.png') });
  expect((await hostRpc<CaseView>(hall, 'intake.get', { caseId: v.id }, api)).status).toBe('accepted');
});

test('a supervisor opens a complaint verification on an exempt commitment and revokes only the item that relied on it', async () => {
  const info = test.info();
  const shot = (page: Page, name: string) => page.screenshot({ path: info.outputPath(`${name}.png`) });
  const api = (await hostRpc<{ token: string }>(hall, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const c = await completedNewborn(api);
  expect(c.status).toBe('completed');

  const admin = await signIn('admin');
  await admin.getByRole('menuitem', { name: '核查与协查' }).click();
  await admin.getByTestId('open-verification').click();
  const open = admin.locator('.ant-modal', { hasText: '新建核查' });
  await open.getByTestId('open-commitment').click();
  await admin.keyboard.type(c.caseNo);
  await admin.locator('.ant-select-item-option', { hasText: '婚育情况证明' }).click();
  await open.locator('textarea').fill('群众来电举报（12345 工单 2026-0931），反映申请人婚育情况与承诺不符');
  await shot(admin, '1-open-complaint');
  await open.getByRole('button', { name: /新\s*建/ }).click();
  await expect(open).toBeHidden();

  const row = admin.getByTestId('task-board').getByRole('row', { name: new RegExp(`${c.caseNo}.*婚育情况证明`) });
  await expect(row).toContainText('投诉举报');
  await row.getByRole('button', { name: '录入结论' }).click();
  const modal = admin.locator('.ant-modal', { hasText: '录入核查结论' });
  await modal.getByText('承诺不实').click();
  await modal.locator('textarea').first().fill('经书面核查，申请人婚育情况与承诺不符');
  await modal.getByTestId('consequence-reason').fill('婚育情况承诺不实');
  // Pre-checked: the item that relied on the certificate; the others unchecked.
  const items = modal.getByTestId('measure-items');
  await expect(items.getByRole('checkbox', { name: /出生登记（生育登记服务）/ })).toBeChecked();
  await expect(items.getByRole('checkbox', { name: /户口登记（出生申报户口）/ })).not.toBeChecked();
  await expect(modal.getByTestId('measure-severity')).toContainText('一般');
  await shot(admin, '2-outcome-proportionate');
  await modal.getByRole('button', { name: '提交结论' }).click();
  await expect(modal).toBeHidden();
  await expect(row).toContainText('承诺不实');

  const board = await hostRpc<{ tasks: TaskView[] }>(hall, 'verification.board', {}, (await hostRpc<{ token: string }>(hall, 'auth.signIn', { username: 'admin', password: 'Desk@2026' })).token);
  const task = board.tasks.find((t) => t.caseId === c.id && t.source === 'complaint')!;
  expect(task.state).toBe('failed');
  expect(task.caseItems.filter((i) => i.status === 'revoked').map((i) => i.name)).toEqual(['出生登记（生育登记服务）']);
  expect(task.caseItems.filter((i) => i.status === 'active')).toHaveLength(8);
  expect((await hostRpc<CaseView>(hall, 'intake.get', { caseId: c.id }, api)).status).toBe('completed');

  await row.getByText(c.caseNo, { exact: true }).click();
  await expect(admin.locator('.ant-drawer')).toContainText('（已撤销）');
  await animationsDone(admin); // the drawer's opening animation, for the screenshot only
  await shot(admin, '3-task-detail');
  await admin.keyboard.press('Escape');

  await admin.getByRole('tab', { name: '限期整改' }).click();
  await shot(admin, '4-rectifications');
  await admin.getByRole('menuitem', { name: '信用名单' }).click();
  await admin.getByTestId('credit-outside').click();
  const credit = admin.locator('.ant-modal', { hasText: '登记外部信用记录' });
  await expect(credit.getByText('文书编号')).toBeVisible();
  await credit.getByPlaceholder('例如：县市场监督管理局').fill('县市场监督管理局');
  await credit.getByPlaceholder('例如：房市监罚〔2026〕12号').fill('房市监罚〔2026〕12号');
  await animationsDone(admin); // the modal's opening animation, for the screenshot only
  await shot(admin, '5-outside-credit');
});
