import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { freshDir, hostRpc, startHost, type RunningHost } from './support/host';
import { startVerticalSim, type SimHandle } from '../../sim/vertical-system';
import { writeSyncConfig } from '../../electron/services/sync/targets-config';
import { signaturePng } from '../helpers/png';
import { documentJpeg } from '../helpers/jpeg';

// Two desks in one hall, an intranet PC and an extranet PC whose networks are not connected:
// set up and paired on the 内外网交换 screen; a case with scanned pages and a signed commitment
// accepted on the intranet desk is exported to a folder, imported on the extranet desk, sent by
// it to the provincial system (the real simulator, reachable only "from the extranet"), and the
// target's case number comes back to the intranet desk in the result bundle.

const TARGET = 'prov';
const TARGET_NAME = '省政务服务平台（外网）';
let sim: SimHandle;
const hosts: RunningHost[] = [];

test.beforeAll(async () => {
  sim = await startVerticalSim({
    dataDir: freshDir('desk-vsim-transfer-'),
    targets: [{ id: TARGET, name: TARGET_NAME, port: 0, token: 'e2e-prov', honourIdempotency: true, chunkSize: 64 * 1024, caseNoPrefix: 'SJ' }],
  });
});
test.afterAll(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  await sim.close();
});

/** The hall's exchange folder (desk-config.json `exchangeFolders`): the "USB drive" folders are made inside it. */
const EXCHANGE = freshDir('desk-exchange-');

function deskDir(): string {
  const dataDir = freshDir('desk-transfer-e2e-');
  fs.writeFileSync(path.join(dataDir, 'desk-config.json'), JSON.stringify({ exchangeFolders: [EXCHANGE] }));
  writeSyncConfig(dataDir, {
    version: 1,
    sender: { probeIntervalMs: 300, backoffBaseMs: 200, backoffMaxMs: 1000, pollMs: 100, leaseMs: 5000, requestTimeoutMs: 3000 },
    targets: [
      {
        id: TARGET,
        name: TARGET_NAME,
        kind: 'http',
        baseUrl: sim.targets[TARGET]!,
        auth: { header: 'Authorization', value: 'Bearer e2e-prov' },
        idempotency: 'key',
        zones: ['extranet'],
        fields: [
          { name: 'externalRef', from: 'caseNo' },
          { name: 'applicant', from: 'applicant.name' },
          { name: 'items', from: 'items[].name', join: '、' },
        ],
      },
    ],
  });
  return dataDir;
}

async function start(dataDir: string): Promise<RunningHost> {
  const h = await startHost({ dataDir });
  hosts.push(h);
  return h;
}

async function open(browser: Browser, host: RunningHost): Promise<Page> {
  const page = await (await browser.newContext({ viewport: { width: 1440, height: 1000 }, locale: 'zh-CN' })).newPage();
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill('admin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await page.getByRole('menuitem', { name: '内外网交换' }).click();
  await expect(page.getByTestId('transfer-page')).toBeVisible();
  return page;
}


type Cert = { certificateItemId: number; method: string; state: string; name: string };
type CaseView = { id: number; caseNo: string; certificates: Cert[] };

/** A case for 王芳 with a written commitment (告知承诺, signed on screen) and two scanned pages, accepted. */
async function acceptCaseWithCommitment(host: RunningHost): Promise<string> {
  const token = (await hostRpc<{ token: string }>(host, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const items = await hostRpc<{ id: number; certificates: { method: string }[]; bundles: unknown[] }[]>(host, 'catalog.listServiceItems', {}, token);
  const item = items.find((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0)!;
  const applicant = (await hostRpc<{ id: number; name: string }[]>(host, 'applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  let v = await hostRpc<CaseView>(host, 'intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
  const sig = signaturePng(400, 150).toString('base64');
  const jpeg = documentJpeg(640, 480, { seed: 9, noise: 4 }).toString('base64');
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const cc = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'commitment') {
      await hostRpc(host, 'intake.recordChoice', { ...cc, choice: 'commit' }, token);
      v = await hostRpc<CaseView>(host, 'intake.signCommitment', { ...cc, signatureKind: 'screen', signaturePngBase64: sig }, token);
    } else if (c.method === 'data_sharing') v = await hostRpc<CaseView>(host, 'intake.queryDataSharing', cc, token);
    else if (c.method === 'dept_verification') v = await hostRpc<CaseView>(host, 'intake.requestAssistance', cc, token);
    else if (c.method === 'retained') v = await hostRpc<CaseView>(host, 'intake.addMaterial', { ...cc, title: `${c.name}（原件核对）`, pages: [{ mime: 'image/jpeg', base64: jpeg }] }, token);
  }
  const doc = await hostRpc<{ id: number }>(host, 'scans.createDocument', { caseId: v.id, kind: 'certificate', title: '户口簿' }, token);
  for (const seed of [1, 2]) {
    const page = documentJpeg(640, 480, { seed, noise: 6 }).toString('base64');
    await hostRpc(host, 'scans.addPage', {
      documentId: doc.id,
      page: { mime: 'image/jpeg', base64: page },
      width: 640,
      height: 480,
      mode: 'color',
      capture: { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 640, height: 480 }, rotation: 0, trigger: 'manual', blank: false },
    }, token);
  }
  const accepted = await hostRpc<CaseView>(host, 'intake.transition', { caseId: v.id, to: 'accepted' }, token);
  return accepted.caseNo;
}

async function setUp(page: Page, zone: '政务内网' | '互联网（外网）', name: string): Promise<{ card: string; fingerprint: string }> {
  const setup = page.getByTestId('transfer-setup');
  await setup.getByLabel(zone).check();
  await setup.getByLabel(/本机名称/).fill(name);
  await setup.getByRole('button', { name: '生成密钥' }).click();
  await expect(page.getByTestId('my-fingerprint')).toBeVisible();
  // The defaults: 商用密码 (SM2 with SM3) on the desk card.
  await expect(page.getByTestId('transfer-desk')).toContainText('SM2/SM3（商用密码）');
  const card = await page.getByTestId('my-card').inputValue();
  expect((JSON.parse(card) as { signAlg: string }).signAlg).toBe('sm2-sm3');
  return { card, fingerprint: (await page.getByTestId('my-fingerprint').textContent())!.trim() };
}

async function pairWith(page: Page, peer: { card: string; fingerprint: string }) {
  await page.getByRole('tab', { name: '区域与配对' }).click();
  await page.getByTestId('peer-card-input').fill(peer.card);
  await page.getByTestId('peer-fingerprint-input').fill(peer.fingerprint);
  await page.getByTestId('transfer-peer').getByRole('button', { name: /配\s*对/ }).click();
  await expect(page.getByTestId('peer-fingerprint')).toHaveText(peer.fingerprint);
}

test('a case goes from the intranet desk to the extranet desk with its pages and commitment, and the target case number comes back', async ({ browser }, info) => {
  test.setTimeout(180_000);
  const dirA = deskDir();
  const dirB = deskDir();
  let hostA = await start(dirA);
  const hostB = await start(dirB);
  let a = await open(browser, hostA);
  const b = await open(browser, hostB);

  const cardA = await setUp(a, '政务内网', '综合窗口3号 内网机');
  const cardB = await setUp(b, '互联网（外网）', '综合窗口3号 外网机');
  expect(cardA.fingerprint).toMatch(/^[0-9A-F]{4}(-[0-9A-F]{4}){4}$/);
  // The intranet desk's sender learns its zone at start: restart it, as the screen says.
  await expect(a.getByText('重启本程序后')).toBeVisible();
  await hostA.kill();
  hostA = await start(dirA);
  a = await open(browser, hostA);
  await expect(a.getByText('重启本程序后')).toHaveCount(0);

  await pairWith(a, cardB);
  await pairWith(b, cardA);
  await info.attach('pairing', { body: await a.screenshot({ fullPage: true }), contentType: 'image/png' });

  const caseNo = await acceptCaseWithCommitment(hostA);

  // Export on the intranet desk into a folder (the USB drive).
  const usb = fs.mkdtempSync(path.join(EXCHANGE, 'usb-'));
  await a.getByRole('tab', { name: '导出与导入' }).click();
  await expect(a.getByTestId('to-export')).toHaveText('1');
  // One backslash on screen (the placeholder once showed E:\\交换).
  await expect(a.getByTestId('export-folder')).toHaveAttribute('placeholder', '导出到的文件夹或移动介质，如 E:\\交换 或 /media/usb');
  await a.getByTestId('export-folder').fill(usb);
  await a.getByTestId('transfer-export').getByRole('button', { name: /导\s*出/ }).click();
  await expect(a.getByTestId('export-result')).toContainText('已导出第 1 号交换包：1 条记录');
  expect(fs.readdirSync(usb).some((f) => f.endsWith('.manifest.json'))).toBe(true);
  await a.getByRole('tab', { name: /待对端确认/ }).click();
  await expect(a.getByTestId('transfer-waiting')).toContainText(caseNo);
  await expect(a.getByTestId('transfer-waiting')).toContainText('已导出，待对端确认收到');

  // Import on the extranet desk.
  await b.getByRole('tab', { name: '导出与导入' }).click();
  await b.getByTestId('import-folder').fill(usb);
  await b.getByRole('button', { name: /校验并导入/ }).click();
  await expect(b.getByTestId('import-outcomes')).toContainText('已导入');
  await expect(b.getByTestId('import-outcomes')).toContainText('新增 1 条');
  await b.getByRole('tab', { name: '转来的办件' }).click();
  const received = b.getByTestId('received-case');
  await expect(received.getByTestId('received-case-no')).toHaveText(caseNo);
  await expect(received.getByTestId('received-pages')).toContainText('户口簿-1');
  await expect(received.getByTestId('received-pages')).toContainText('户口簿-2');
  await expect(received.getByTestId('received-pages')).toContainText('告知承诺书');
  await expect(received.getByTestId('received-commitments')).toContainText('摘要');
  // The extranet desk reaches the provincial system: its sender delivers the case.
  await expect(received.getByTestId('received-target-no')).toHaveText(/^SJ/, { timeout: 30_000 });
  const targetNo = (await received.getByTestId('received-target-no').textContent())!.trim();
  const stored = await sim.cases(TARGET);
  expect(stored.map((s) => s.externalRef)).toEqual([caseNo]);
  expect(stored[0]!.caseNo).toBe(targetNo);
  await info.attach('received', { body: await b.screenshot({ fullPage: true }), contentType: 'image/png' });

  // The result bundle brings the target's number back.
  const back = fs.mkdtempSync(path.join(EXCHANGE, 'usb-back-'));
  await b.getByRole('tab', { name: '导出与导入' }).click();
  await b.getByTestId('export-folder').fill(back);
  await b.getByTestId('transfer-export').getByRole('button', { name: /导\s*出/ }).click();
  await expect(b.getByTestId('export-result')).toContainText('1 条回执');
  await a.getByRole('tab', { name: '导出与导入' }).click();
  await a.getByTestId('import-folder').fill(back);
  await a.getByRole('button', { name: /校验并导入/ }).click();
  await expect(a.getByTestId('import-outcomes')).toContainText('回执 1 条');
  await a.getByRole('tab', { name: /待对端确认/ }).click();
  await expect(a.getByText('没有等待对端确认的记录')).toBeVisible();
  await a.getByRole('tab', { name: '往来记录' }).click();
  await expect(a.getByTestId('transfer-history')).toContainText('对端已导入');
  await info.attach('history', { body: await a.screenshot({ fullPage: true }), contentType: 'image/png' });
  const token = (await hostRpc<{ token: string }>(hostA, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const entries = await hostRpc<{ entries: { caseNo: string; state: string; targetCaseNo: string | null }[] }>(hostA, 'sync.entries', { targetId: TARGET, limit: 10 }, token);
  expect(entries.entries).toEqual([expect.objectContaining({ caseNo, state: 'acknowledged', targetCaseNo: targetNo })]);
  fs.mkdirSync('test-results/transfer', { recursive: true });
  await a.screenshot({ path: 'test-results/transfer/history-intranet.png', fullPage: true });
  await b.getByRole('tab', { name: '转来的办件' }).click();
  await b.screenshot({ path: 'test-results/transfer/received-extranet.png', fullPage: true });
});
