import { PDF_WORK_MS } from './support/pdf';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, expect, test, type BrowserContext, type Page } from '@playwright/test';
import { freshDir, hostRpc, startHost, type RunningHost } from './support/host';
import { CHROMIUM, CHROMIUM_ARGS, assertChromium } from './support/browser';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { documentScene, writeY4m } from '../helpers/y4m';
import { signaturePng } from '../helpers/png';
import { publishedCalendar } from '../helpers/calendar';
import { addWorkingDays } from '../../shared/rules/working-days';
import { startIntakeFor, drawSignature } from './support/intake';
import { rpcAnswer } from './support/waits';

/**
 * 事中事后核查 end to end, with two desk installs: the hall desk and the assistant's laptop, each its
 * own browser host with its own data directory and its own Chromium profile. The field package
 * travels as a file; while the assistant works, the hall desk is shut down (no network to it).
 */
let platform: RunningPlatform;
let hall: RunningHost;
let laptop: RunningHost;
let hallCtx: BrowserContext;
let laptopCtx: BrowserContext;
const y4m = path.join(freshDir('desk-field-cam-'), 'scene.y4m');
const SIG = signaturePng().toString('base64');

test.setTimeout(420_000);

test.beforeAll(async () => {
  assertChromium();
  writeY4m(y4m, documentScene(640, 480).img);
  platform = await startDataSharingPlatform();
  hall = await startHost({ env: { DESK_DATA_SHARING_URL: platform.url } });
  laptop = await startHost();
  hallCtx = await chromium.launchPersistentContext(freshDir('desk-hall-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
    acceptDownloads: true,
  });
  laptopCtx = await chromium.launchPersistentContext(freshDir('desk-laptop-profile-'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS, '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-video-capture=${y4m}`],
    viewport: { width: 1440, height: 1000 },
    locale: 'zh-CN',
    acceptDownloads: true,
    geolocation: { latitude: 32.0551, longitude: 110.7332, accuracy: 18 },
    permissions: ['geolocation'],
  });
});
test.afterAll(async () => {
  await hallCtx?.close();
  await laptopCtx?.close();
  await hall?.kill();
  await laptop?.kill();
  await platform?.close();
});


async function signIn(ctx: BrowserContext, h: RunningHost, username: string): Promise<Page> {
  const page = await ctx.newPage();
  await page.goto(h.url);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  const signedIn = rpcAnswer(page, 'auth.signIn'); // scrypt on the host: its time is the machine's
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await signedIn;
  await expect(page.getByTestId('home-page')).toBeVisible();
  return page;
}

function certRow(page: Page, cert: string) {
  return page.getByTestId('certificates-table').getByRole('row', { name: new RegExp(cert) });
}

/** At the window: 王芳, 托育机构备案, opens the commitment drawer for 无犯罪记录证明. */
async function startCommitment(page: Page) {
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  // The window resumes this clerk's last case from its draft; start a new one.
  await startIntakeFor(page, '王芳');
  await page.getByRole('row', { name: /托育机构备案/ }).getByRole('checkbox').check();
  await page.getByRole('button', { name: /生成办件/ }).click();
  await expect(page.getByTestId('certificates-table')).toBeVisible();
  await certRow(page, '无犯罪记录证明').getByRole('button', { name: /告知承诺/ }).click();
  return page.getByTestId('commitment-drawer');
}

async function signOnPad(page: Page) {
  await drawSignature(page);
  // The commitment PDF is rendered in a worker thread: ~1 s alone, over 10 s on a loaded machine.
  // Wait for the host's answer (its progress), then assert the drawer with the default timeout.
  const signed = rpcAnswer(page, 'intake.signCommitment');
  await page.getByRole('button', { name: /确认签署/ }).click();
  await signed;
}

interface CaseSummary { id: number; caseNo: string }
interface CaseView { id: number; status: string; statusReason: string | null; certificates: { certificateItemId: number; code: string; method: string; state: string; name: string; commitment: { signedAt: string } | null }[] }

/** The rest of the case's certificates through the API (not what this test is about), then accept and complete. */
async function completeCase(session: string, caseId: number): Promise<CaseView> {
  let v = await hostRpc<CaseView>(hall, 'intake.get', { caseId }, session);
  for (const c of v.certificates) {
    if (c.method === 'data_sharing') {
      v = await hostRpc(hall, 'intake.queryDataSharing', { caseId, certificateItemId: c.certificateItemId }, session);
      if (v.certificates.find((x) => x.code === c.code)!.state === 'pending') v = await hostRpc(hall, 'intake.switchToVerification', { caseId, certificateItemId: c.certificateItemId }, session);
    } else if (c.method === 'dept_verification') {
      v = await hostRpc(hall, 'intake.requestAssistance', { caseId, certificateItemId: c.certificateItemId }, session);
    } else if (c.method === 'retained') {
      v = await hostRpc(hall, 'intake.addMaterial', { caseId, certificateItemId: c.certificateItemId, title: c.name, validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: SIG }] }, session);
    }
  }
  for (const r of await hostRpc<{ id: number; caseId: number; status: string }[]>(hall, 'assistance.list', { openOnly: true }, session)) {
    if (r.caseId === caseId) await hostRpc(hall, 'assistance.recordReply', { requestId: r.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, session);
  }
  await hostRpc(hall, 'intake.transition', { caseId, to: 'accepted' }, session);
  return hostRpc(hall, 'intake.transition', { caseId, to: 'completed', decisionNo: '房民决字〔2026〕第003号' }, session);
}

const chinaDay = (iso: string) => new Date(Date.parse(iso) + 8 * 3600_000).toISOString().slice(0, 10);

test('commitment → task with the catalog due date → assigned → taken offline → false finding with a photo → case revoked, next commitment refused; credit repair lets them commit again', async () => {
  const info = test.info();
  const shot = (page: Page, name: string) => page.screenshot({ path: info.outputPath(`${name}.png`), fullPage: true });

  // 1. The commitment at the window (hall desk, clerk).
  const clerkPage = await signIn(hallCtx, hall, 'zhangmin');
  let drawer = await startCommitment(clerkPage);
  await drawer.getByText('以书面承诺代替证明').click();
  await signOnPad(clerkPage);
  await expect(drawer.getByTestId('commitment-signed')).toContainText('事后核查', { timeout: PDF_WORK_MS });
  const api = (await hostRpc<{ token: string }>(hall, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const caseId = (await hostRpc<CaseSummary[]>(hall, 'intake.list', { query: '王芳', limit: 5 }, api))[0]!.id;
  const done = await completeCase(api, caseId);
  expect(done.status).toBe('completed');
  const signedAt = done.certificates.find((c) => c.name === '无犯罪记录证明')!.commitment!.signedAt;
  const due = chinaDay(addWorkingDays(new Date(signedAt), 5, publishedCalendar()).toISOString()); // 网络核验, 5 working days in the catalog

  // 2. The supervisor's board shows the task with that due date and assigns it to 陈静.
  const admin = await signIn(hallCtx, hall, 'admin');
  await admin.getByRole('menuitem', { name: '核查与协查' }).click();
  const taskRow = admin.getByTestId('task-board').getByRole('row', { name: /王芳/ });
  await expect(taskRow).toContainText('网络核验');
  await expect(taskRow).toContainText(due);
  await expect(taskRow).toContainText('待分派');
  await taskRow.getByRole('combobox').click();
  await admin.locator('.ant-select-item-option', { hasText: '陈静' }).click();
  await expect(taskRow).toContainText('已分派');
  await expect(taskRow).toContainText('陈静');
  await shot(admin, '1-board-assigned');

  // 3. 陈静 takes it for field work at the hall: the package file downloads; a second take is refused.
  const chenHall = await signIn(hallCtx, hall, 'chenjing');
  await chenHall.getByRole('menuitem', { name: '核查与协查' }).click();
  await chenHall.getByRole('tab', { name: '核查任务' }).click();
  const chenRow = chenHall.getByTestId('task-board').getByRole('row', { name: /王芳/ });
  const [pkgDownload] = await Promise.all([chenHall.waitForEvent('download'), chenRow.getByRole('button', { name: '领取外勤' }).click()]);
  const pkgFile = path.join(freshDir('desk-field-files-'), pkgDownload.suggestedFilename());
  await pkgDownload.saveAs(pkgFile);
  await expect(chenRow).toContainText('外勤中');
  const again = await hostRpc<unknown>(hall, 'verification.checkout', { taskId: JSON.parse(fs.readFileSync(pkgFile, 'utf8')).task.id }, (await hostRpc<{ token: string }>(hall, 'auth.signIn', { username: 'chenjing', password: 'Desk@2026' })).token).then(
    () => 'taken twice',
    (e: Error) => e.message,
  );
  expect(again).toContain('已被陈静领取外勤');

  // 4. The laptop imports the package and makes its own key for it; 陈静 hands the key registration in at the hall
  // before going out (the hall accepts only results signed by that key: docs/verification.md).
  const field = await signIn(laptopCtx, laptop, 'chenjing');
  await field.getByRole('menuitem', { name: '核查与协查' }).click();
  await field.getByTestId('import-field-package').locator('..').locator('input[type=file]').setInputFiles(pkgFile);
  const work = field.getByTestId('field-work');
  await expect(work).toContainText('王芳');
  const [keyDownload] = await Promise.all([field.waitForEvent('download'), work.getByTestId('field-key-export').click()]);
  const keyFile = path.join(path.dirname(pkgFile), keyDownload.suggestedFilename());
  await keyDownload.saveAs(keyFile);
  await chenHall.getByTestId('import-field-result').locator('..').locator('input[type=file]').setInputFiles(keyFile);
  await expect(chenHall.getByText('外勤电脑的密钥已登记')).toBeVisible();
  await shot(chenHall, '2b-hall-laptop-key-registered');

  // The hall desk goes away: the laptop works with no connection to it.
  const hallPort = hall.port;
  const hallDir = hall.dataDir;
  await hall.kill();
  await expect(work).not.toContainText('42032519880623004X');
  // Where to go and whom to call: the registered address and the phone (its checkout was audited).
  await expect(work.getByTestId('field-applicant-address')).toHaveText('湖北省十堰市房县城关镇东街12号');
  await expect(work.getByTestId('field-applicant-phone')).toHaveText('13972812345');
  await field.setViewportSize({ width: 1366, height: 768 });
  await work.scrollIntoViewIfNeeded();
  await field.screenshot({ path: info.outputPath('2a-field-task-address.png') });
  await field.setViewportSize({ width: 1440, height: 1000 });
  await work.getByText('已在有关部门信息系统中查询').click();
  await work.getByTestId('field-notes').fill('公安机关查询系统显示拟聘从业人员有犯罪记录，与承诺不符');
  await work.getByTestId('field-address').fill('房县城关镇北街 12 号');
  await work.getByTestId('field-locate').click();
  await expect(work.getByTestId('field-coords')).toContainText('纬度 32.05510');
  await work.getByRole('button', { name: '打开摄像头' }).click();
  await work.getByTestId('field-shutter').click();
  await expect(work.getByTestId('field-photo')).toHaveCount(1);
  await work.getByText('承诺不实', { exact: true }).click();
  await work.getByTestId('consequence-reason').fill('拟聘从业人员有犯罪记录，承诺不实');
  await work.getByTestId('consequence-severity').click();
  await field.locator('.ant-select-item-option', { hasText: '严重' }).click();
  await shot(field, '2-laptop-field-work');
  const [resDownload] = await Promise.all([field.waitForEvent('download'), work.getByTestId('field-finish').click()]);
  const resFile = path.join(path.dirname(pkgFile), resDownload.suggestedFilename());
  await resDownload.saveAs(resFile);
  const result = JSON.parse(fs.readFileSync(resFile, 'utf8')) as { evidence: { sha256: string; takenAt: string; base64: string }[]; work: { coords: { lat: number } } };
  expect(result.evidence).toHaveLength(1);
  expect(Buffer.from(result.evidence[0]!.base64, 'base64').subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
  expect(result.work.coords.lat).toBeCloseTo(32.0551, 4);
  await expect(work).toContainText('结果已封存');

  // 5. Back online: the hall desk starts again on its data; the result is delivered twice and applies once.
  hall = await startHost({ dataDir: hallDir, port: hallPort, env: { DESK_DATA_SHARING_URL: platform.url } });
  const chenBack = await signIn(hallCtx, hall, 'chenjing');
  await chenBack.getByRole('menuitem', { name: '核查与协查' }).click();
  await chenBack.getByRole('tab', { name: '核查任务' }).click();
  const upload = chenBack.getByTestId('import-field-result').locator('..').locator('input[type=file]');
  await upload.setInputFiles(resFile);
  await expect(chenBack.getByText('外勤结果已应用')).toBeVisible();
  await upload.setInputFiles(resFile);
  await expect(chenBack.getByText('本次未重复应用')).toBeVisible();
  await chenBack.getByRole('button', { name: /承诺不实/ }).click();
  const failedRow = chenBack.getByTestId('task-board').getByRole('row', { name: /王芳/ });
  await expect(failedRow).toContainText('承诺不实');
  await failedRow.locator('a').first().click();
  await expect(chenBack.locator('.ant-drawer').getByText('现场照片')).toBeVisible();
  await shot(chenBack, '3-hall-result-applied');

  const api2 = (await hostRpc<{ token: string }>(hall, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const revoked = await hostRpc<CaseView>(hall, 'intake.get', { caseId }, api2);
  expect(revoked.status).toBe('revoked');
  expect(revoked.statusReason).toContain('国办发〔2020〕42号');
  // Every vertical system the case went to is told: one 撤销决定 revision per target, queued with the outcome.
  const sync = await hostRpc<{ entries: { targetId: string; revision: number; statusChange: string | null }[] }>(hall, 'sync.entries', { caseId }, api2);
  const caseTargets = new Set(sync.entries.filter((e) => e.targetId !== 'data-sharing' && e.revision === 1).map((e) => e.targetId));
  expect(caseTargets.size).toBeGreaterThan(0);
  expect(sync.entries.filter((e) => e.statusChange === '撤销决定').map((e) => e.targetId).sort()).toEqual([...caseTargets].sort());
  const board = await hostRpc<{ tasks: { caseId: number; evidence: unknown[] }[] }>(hall, 'verification.board', { states: ['failed'] }, api2);
  expect(board.tasks.filter((t) => t.caseId === caseId)).toHaveLength(1);
  expect(board.tasks.find((t) => t.caseId === caseId)!.evidence).toHaveLength(1);

  // 6. The applicant's next commitment at the window is refused, with the reason.
  const clerk2 = await signIn(hallCtx, hall, 'zhangmin');
  drawer = await startCommitment(clerk2);
  await expect(drawer.getByTestId('ineligible')).toContainText('虚假承诺');
  await expect(drawer.getByRole('radio', { name: '以书面承诺代替证明' })).toBeDisabled();
  await shot(clerk2, '4-next-commitment-refused');

  // 7. Credit repair by the supervisor lifts the block.
  const admin2 = await signIn(hallCtx, hall, 'admin');
  await admin2.getByRole('menuitem', { name: '信用名单' }).click();
  await admin2.getByRole('row', { name: /王芳.*虚假承诺/ }).getByRole('button', { name: '登记信用修复' }).click();
  await admin2.locator('.ant-modal textarea').fill('已完成整改并提交信用修复承诺（房信修〔2026〕3号）');
  await admin2.locator('.ant-modal').getByRole('button', { name: /OK|确\s*定/ }).click();
  await expect(admin2.getByRole('row', { name: /王芳.*虚假承诺/ })).toContainText('已修复');

  const clerk3 = await signIn(hallCtx, hall, 'zhangmin');
  drawer = await startCommitment(clerk3);
  await expect(drawer.getByRole('radio', { name: '以书面承诺代替证明' })).toBeEnabled();
  await drawer.getByText('以书面承诺代替证明').click();
  await signOnPad(clerk3);
  await expect(drawer.getByTestId('commitment-signed')).toContainText('已签署', { timeout: PDF_WORK_MS });
  await shot(clerk3, '5-commit-again-after-repair');

  // Figures: the false finding counts by item and by department.
  await admin2.getByRole('menuitem', { name: '核查与协查' }).click();
  await admin2.getByRole('tab', { name: '核查统计' }).click();
  await expect(admin2.getByText('按事项')).toBeVisible();
  await expect(admin2.locator('.ant-table-row', { hasText: '托育机构备案' })).toContainText('100.0%');
  await shot(admin2, '6-figures');
});

test('at the hall: 无法核实 escalates through the outcome form; a 协查 reply by letter is recorded with its scanned page', async () => {
  const info = test.info();
  const api = (await hostRpc<{ token: string }>(hall, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const applicant = (await hostRpc<{ id: number; name: string }[]>(hall, 'applicants.list', { query: '王芳', limit: 5 }, api))[0]!;
  const item = (await hostRpc<{ id: number; name: string }[]>(hall, 'catalog.listServiceItems', {}, api)).find((i) => i.name === '托育机构备案')!;
  let v = await hostRpc<CaseView & { caseNo: string }>(hall, 'intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, api);
  const commit = v.certificates.find((c) => c.name === '无犯罪记录证明')!;
  await hostRpc(hall, 'intake.recordChoice', { caseId: v.id, certificateItemId: commit.certificateItemId, choice: 'commit' }, api);
  await hostRpc(hall, 'intake.signCommitment', { caseId: v.id, certificateItemId: commit.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, api);
  const dept = v.certificates.find((c) => c.method === 'dept_verification')!;
  v = await hostRpc(hall, 'intake.requestAssistance', { caseId: v.id, certificateItemId: dept.certificateItemId }, api);

  const admin = await signIn(hallCtx, hall, 'admin');
  await admin.getByRole('menuitem', { name: '核查与协查' }).click();
  const taskRow = admin.getByTestId('task-board').getByRole('row', { name: new RegExp(v.caseNo) });
  await taskRow.getByRole('button', { name: '录入结论' }).click();
  const modal = admin.locator('.ant-modal');
  await modal.getByText('无法核实（上报）').click();
  await modal.locator('textarea').first().fill('公安机关查询系统连续三日无响应，申请人电话无人接听');
  await admin.screenshot({ path: info.outputPath('7-outcome-form.png') });
  const recorded = rpcAnswer(admin, 'verification.recordOutcome');
  await modal.getByRole('button', { name: '提交结论' }).click();
  await recorded;
  await expect(taskRow).toContainText('无法核实·已上报');

  await admin.getByRole('tab', { name: '部门协查' }).click();
  const reqRow = admin.getByRole('row', { name: new RegExp(`${v.caseNo}.*${dept.name}`) });
  await expect(reqRow).toContainText('待答复');
  await reqRow.getByRole('button', { name: '登记答复' }).click();
  const replyModal = admin.locator('.ant-modal', { hasText: '登记协查答复' });
  await replyModal.getByText('书面复函', { exact: true }).click();
  await replyModal.locator('textarea').fill('县疾控中心复函：卫生评价报告属实');
  const scan = path.join(freshDir('desk-reply-scan-'), '复函.png');
  fs.writeFileSync(scan, signaturePng(800, 1100));
  await replyModal.locator('input[type=file]').setInputFiles(scan);
  await admin.screenshot({ path: info.outputPath('8-assistance-reply.png') });
  const replied = rpcAnswer(admin, 'assistance.recordReply');
  await replyModal.getByRole('button', { name: /登\s*记/ }).click();
  await replied;
  await expect(reqRow).toContainText('书面复函');
  await expect(reqRow.getByRole('button', { name: '扫描件' })).toBeVisible();
  const list = await hostRpc<{ caseId: number; channel: string; scanSha256: string | null }[]>(hall, 'assistance.list', {}, api);
  expect(list.find((r) => r.caseId === v.id)).toMatchObject({ channel: 'letter', scanSha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
  await admin.screenshot({ path: info.outputPath('9-assistance-list.png') });
});
