import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Page, type TestInfo } from '@playwright/test';
import { hostRpc, ROOT, type RunningHost } from './support/host';
import { openAs, startHub, type E2eHub } from './support/hub';
import { chooseApplicant, startIntakeFor, makeCaseWithItem } from './support/intake';
import { signaturePng } from '../helpers/png';

/**
 * One hall on the hub, end to end in the real browser (issue 17's first "Done when"; docs/hub.md):
 * the hub on a throwaway PostgreSQL and three browser hosts with their own data folders — 1号窗口
 * (A: clerk 张敏 and the supervisor 王建华), 3号窗口 (B: clerk 刘洋) and 陈静's laptop (L).
 * A registers 周洁 and checks her retained 出生医学证明; B finds 周洁 by her two-character name and
 * is offered A's page; the supervisor assigns the verification of A's commitment to 陈静; the
 * laptop takes it through the hub (全厅任务 → 领取), the package arrives by itself; the hub becomes
 * unreachable (its listener is stopped: the test closes the hub server, and later starts it again on
 * the same port); offline, 陈静 records a false finding with an imported photo (a real JPEG; the
 * laptop has no camera) and finishes; the page says the result waits; the hub is back; the result
 * travels and is applied at A by itself (the case ends, the board says 结果已应用), the laptop says
 * 已应用; B's next commitment for 周洁 is refused with the reason; the supervisor disables 刘洋 and
 * B refuses his next sign-in. Screenshots of each desk's view at 1366×768 are attached.
 * A's steps that are not about the hall (registration, the material, the commitment) go through A's
 * API; each desk's view is shown in the browser.
 */

let hub: E2eHub;
const PHOTO = path.join(ROOT, 'tests/fixtures/scan/licence-wood.jpg');
const PNG = signaturePng(600, 400).toString('base64');
const SIG = signaturePng().toString('base64');
const ZHOU = { kind: 'person', name: '周洁', idType: 'resident_id', idNumber: '420325199003150024', phone: '13972810001', address: '湖北省十堰市房县城关镇西街8号' };

/** A screenshot kept as the test's artifact (attached, and a file under test-results). */
async function shot(page: Page, info: TestInfo, name: string): Promise<void> {
  const file = info.outputPath(`${name}.png`);
  await page.screenshot({ path: file });
  await info.attach(name, { path: file, contentType: 'image/png' });
}

const apiToken = async (h: RunningHost, username: string) => (await hostRpc<{ token: string }>(h, 'auth.signIn', { username, password: 'Desk@2026' })).token;

/** Polls `fn` until it returns a value (the hall's records travel by themselves). */
async function until<T>(what: string, fn: () => Promise<T | null | undefined>, ms = 60_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn().catch(() => null);
    if (v !== null && v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  // Every desk pulls the feed and runs its field round every 300 ms, by plain polling (no long-poll).
  hub = await startHub({ timings: { pullMs: 300, feedWaitMs: 0, fieldMs: 300 } });
});
test.afterAll(() => hub?.close());

test('three desks on the hub: a page offered across windows, a task taken by the laptop through the hub and worked offline, the false finding applied at A, B refuses the commitment, B’s clerk disabled', async ({ browser }, info) => {
  test.setTimeout(540_000);
  const A = (await hub.host('desk-1', '1号窗口')).host;
  const B = (await hub.host('desk-3', '3号窗口')).host;
  const L = (await hub.host('laptop-1', '外勤笔记本')).host;

  // 1. At A (API): clerk 张敏 registers 周洁, checks her retained 出生医学证明, and takes her commitment for 托育机构备案.
  const zhang = await apiToken(A, 'zhangmin');
  const zhou = await hostRpc<{ id: number }>(A, 'applicants.create', ZHOU, zhang);
  const items = await hostRpc<{ id: number; name: string }[]>(A, 'catalog.listServiceItems', {}, zhang);
  type CaseView = { id: number; caseNo: string; status: string; certificates: { certificateItemId: number; name: string }[] };
  const vaccine = await hostRpc<CaseView>(A, 'intake.start', { applicantId: zhou.id, serviceItemIds: [items.find((i) => i.name === '预防接种证办理')!.id] }, zhang);
  const birth = vaccine.certificates.find((c) => c.name === '出生医学证明')!;
  await hostRpc(A, 'intake.addMaterial', { caseId: vaccine.id, certificateItemId: birth.certificateItemId, title: '出生医学证明', pages: [{ mime: 'image/png', base64: PNG }] }, zhang);
  const nursery = await hostRpc<CaseView>(A, 'intake.start', { applicantId: zhou.id, serviceItemIds: [items.find((i) => i.name === '托育机构备案')!.id] }, zhang);
  const crime = nursery.certificates.find((c) => c.name === '无犯罪记录证明')!;
  await hostRpc(A, 'intake.recordChoice', { caseId: nursery.id, certificateItemId: crime.certificateItemId, choice: 'commit' }, zhang);
  await hostRpc(A, 'intake.signCommitment', { caseId: nursery.id, certificateItemId: crime.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, zhang);
  // The rest of the case settled as at the window, and the case accepted: the false finding must end the item that relied on the commitment.
  type CertLine = { certificateItemId: number; name: string; method: string; state: string };
  let settling = await hostRpc<{ certificates: CertLine[] }>(A, 'intake.get', { caseId: nursery.id }, zhang);
  for (const c of settling.certificates) {
    if (c.state !== 'pending') continue;
    const cc = { caseId: nursery.id, certificateItemId: c.certificateItemId };
    if (c.method === 'data_sharing') settling = await hostRpc(A, 'intake.queryDataSharing', cc, zhang);
    else if (c.method === 'dept_verification') settling = await hostRpc(A, 'intake.requestAssistance', cc, zhang);
    else if (c.method === 'retained') settling = await hostRpc(A, 'intake.addMaterial', { ...cc, title: c.name, pages: [{ mime: 'image/png', base64: PNG }] }, zhang);
  }
  expect((await hostRpc<CaseView>(A, 'intake.transition', { caseId: nursery.id, to: 'accepted' }, zhang)).status).toBe('accepted');

  // 2. At B (browser): 刘洋 finds 周洁 by her two-character name and is offered A's page.
  const liu = await apiToken(B, 'liuyang');
  await until('周洁 at B', async () => (await hostRpc<{ name: string }[]>(B, 'applicants.list', { query: '周洁', limit: 5 }, liu)).find((a) => a.name === '周洁'));
  const b = await openAs(browser, B, 'liuyang');
  await b.getByRole('menuitem', { name: '受理办件' }).click();
  await chooseApplicant(b, '周洁');
  await makeCaseWithItem(b, '预防接种', /预防接种证办理/);
  const row = b.getByTestId('certificates-table').getByRole('row', { name: /出生医学证明/ });
  const drawer = b.getByTestId('material-drawer');
  await expect(async () => {
    if (!(await drawer.isVisible())) await row.getByRole('button', { name: '核对原件' }).click();
    await expect(drawer).toContainText('由1号窗口核对（全厅材料库）', { timeout: 2_000 });
  }).toPass({ timeout: 30_000 });
  await expect(drawer).toContainText(`来自办件 ${vaccine.caseNo}`);
  await expect(b.locator('[class*="motion-right-enter"]')).toHaveCount(0);
  await shot(b, info, '1-B-offered-A-page');

  // 3. At A (browser): the supervisor assigns the verification of A's commitment to 陈静; the board says it is offered to the hall.
  const a = await openAs(browser, A, 'admin');
  await a.getByRole('menuitem', { name: '核查与协查' }).click();
  const taskRow = a.getByTestId('task-board').getByRole('row', { name: /周洁/ });
  await expect(taskRow).toContainText('待分派');
  await taskRow.getByRole('combobox').click();
  await a.locator('.ant-select-item-option', { hasText: '陈静' }).click();
  await expect(taskRow).toContainText('陈静');
  await expect(taskRow.getByTestId('hall-field-status')).toHaveText('已发布到全厅', { timeout: 20_000 });
  await shot(a, info, '2-A-board-offered');

  // 4. On the laptop (browser): 全厅任务 lists it; 陈静 takes it through the hub; the package follows by itself.
  const l = await openAs(browser, L, 'chenjing');
  await l.getByRole('menuitem', { name: '核查与协查' }).click();
  const hall = l.getByTestId('hall-tasks');
  const hallRow = hall.getByRole('row', { name: new RegExp(nursery.caseNo) });
  await expect(hallRow).toContainText('待领取', { timeout: 20_000 });
  await expect(hallRow).toContainText('1号窗口');
  await shot(l, info, '3-L-hall-tasks');
  await hallRow.getByTestId('hall-take').click();
  await expect(hallRow.getByTestId('hall-task-status')).toHaveText('可外勤', { timeout: 30_000 });
  await expect(taskRow.getByTestId('hall-field-status')).toHaveText('已由陈静领取', { timeout: 20_000 });

  // 5. The hub becomes unreachable (its listener stopped); the laptop works on.
  await hub.stop();
  await expect(l.getByTestId('hall-offline')).toContainText('暂时无法连接全厅中心', { timeout: 20_000 });
  await expect(hallRow.getByTestId('hall-task-status')).toHaveText('可外勤');
  await hallRow.getByRole('button', { name: /处\s*理/ }).click();
  const work = l.getByTestId('field-work');
  await expect(work).toContainText('周洁');
  await work.getByTestId('field-notes').fill('公安机关查询系统显示拟聘从业人员有犯罪记录，与承诺不符');
  await work.getByTestId('field-address').fill('房县城关镇西街8号');
  await work.getByTestId('field-import-photo').locator('..').locator('input[type=file]').setInputFiles(PHOTO);
  await expect(work.getByTestId('field-photo')).toHaveCount(1);
  await work.getByText('承诺不实', { exact: true }).click();
  await work.getByTestId('consequence-reason').fill('拟聘从业人员有犯罪记录，承诺不实');
  await work.getByTestId('consequence-severity').click();
  await l.locator('.ant-select-item-option', { hasText: '严重' }).click();
  await work.getByTestId('field-finish').click();
  await expect(hallRow.getByTestId('hall-task-status')).toHaveText('已完成·待回传', { timeout: 10_000 });
  await expect(work.getByTestId('field-hall-result')).toHaveText('外勤已完成，结果已封存在本机，连接全厅中心后自动回传。');
  await expect(l.getByTestId('hall-offline')).toContainText('本机有 1 项已完成的外勤结果等待回传，连接恢复后自动回传。');
  await hall.scrollIntoViewIfNeeded();
  await shot(l, info, '4-L-offline-result-waits');

  // 6. The hub is back on the same port: the result travels and is applied at A by itself.
  await hub.restart();
  await expect(hallRow.getByTestId('hall-task-status')).toHaveText('已应用', { timeout: 60_000 });
  await expect(l.getByTestId('hall-offline')).toHaveCount(0);
  await shot(l, info, '5-L-applied');
  await a.reload();
  await a.getByRole('menuitem', { name: '核查与协查' }).click();
  await a.getByRole('button', { name: /承诺不实/ }).click();
  const failedRow = a.getByTestId('task-board').getByRole('row', { name: /周洁/ });
  await expect(failedRow).toContainText('承诺不实');
  await expect(failedRow.getByTestId('hall-field-status')).toHaveText('结果已应用', { timeout: 20_000 });
  await shot(a, info, '6-A-result-applied');
  const ended = await hostRpc<CaseView>(A, 'intake.get', { caseId: nursery.id }, zhang);
  // An accepted case whose commitment was false: the item that relied on it ends — the case (one item) is terminated (终止; a decision already made would be revoked, 撤销: outcome.ts); the hall's field result applied once.
  expect(ended.status).toBe('terminated');
  const applied = await hostRpc<{ tasks: { caseId: number; evidence: { kind: string }[] }[] }>(A, 'verification.board', { states: ['failed'] }, await apiToken(A, 'admin'));
  expect(applied.tasks.filter((t) => t.caseId === nursery.id).map((t) => t.evidence.map((e) => e.kind))).toEqual([['photo']]);

  // 7. At B (browser): 周洁's next commitment is refused, with the reason.
  await until('the credit record at B', async () => (await hostRpc<{ name: string; kind: string }[]>(B, 'credit.list', {}, liu)).find((c) => c.name === '周洁' && c.kind === 'false_commitment'));
  await b.keyboard.press('Escape'); // the material drawer of step 2
  await expect(drawer).toBeHidden();
  await b.getByRole('menuitem', { name: '受理办件' }).click();
  await startIntakeFor(b, '周洁');
  await b.getByRole('row', { name: /托育机构备案/ }).getByRole('checkbox').check({ timeout: 15_000 });
  await b.getByRole('button', { name: /生成办件/ }).click();
  await b.getByTestId('certificates-table').getByRole('row', { name: /无犯罪记录证明/ }).getByRole('button', { name: /告知承诺/ }).click();
  const commit = b.getByTestId('commitment-drawer');
  await expect(commit.getByTestId('ineligible')).toContainText('虚假承诺');
  await expect(commit.getByRole('radio', { name: '以书面承诺代替证明' })).toBeDisabled();
  await expect(b.locator('[class*="motion-right-enter"]')).toHaveCount(0);
  await shot(b, info, '7-B-commitment-refused');

  // 8. The supervisor at A disables 刘洋; B refuses his next sign-in once it has the change.
  const admin = await apiToken(A, 'admin');
  const users = await hostRpc<{ id: number; username: string }[]>(A, 'users.list', {}, admin);
  await hostRpc(A, 'users.setActive', { id: users.find((u) => u.username === 'liuyang')!.id, active: false }, admin);
  await until('刘洋 disabled at B', () =>
    hostRpc(B, 'auth.signIn', { username: 'liuyang', password: 'Desk@2026' }).then(
      () => null,
      (e: Error) => (e.message.includes('该账号已停用') ? true : null),
    ),
  );
  const again = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } })).newPage();
  await again.goto(B.url);
  await again.getByPlaceholder('用户名').fill('liuyang');
  await again.getByPlaceholder('密码').fill('Desk@2026');
  await again.getByRole('button', { name: /登\s*录/ }).click();
  await expect(again.getByText('该账号已停用，请联系管理员。')).toBeVisible();
  await shot(again, info, '8-B-sign-in-refused');
  expect(fs.existsSync(info.outputPath('8-B-sign-in-refused.png'))).toBe(true);
});
