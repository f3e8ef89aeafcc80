import fs from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { freshDir, hostRpc, startHost, type RunningHost } from './support/host';
import { startVerticalSim, type SimHandle } from '../../sim/vertical-system';
import { writeSyncConfig } from '../../electron/services/sync/targets-config';

// A supervisor restores a backup through the recovery screen in the real browser, against the
// vertical-system simulator (its own SQLite file): one target that de-duplicates on
// Idempotency-Key, one that does not. Cases accepted after the backup were delivered before the
// store was emptied; after the restore, new cases get new identities (no collision at either
// target) and the lost cases are listed on the sync screen from the targets' look-ups.

const DEDUP = 'shengmz';
const DEDUP_NAME = '省民政综合业务系统（省垂）';
const PLAIN = 'shirs';
const PLAIN_NAME = '市人社业务系统（不去重）';
const CASE_NO = /^420325-ZWFW-\d{8}-([0-9A-HJKMNP-TV-Z]{4})-(\d{4})$/;

let sim: SimHandle;
let hosts: RunningHost[] = [];
test.beforeAll(async () => {
  sim = await startVerticalSim({
    dataDir: freshDir('desk-vsim-'),
    targets: [
      { id: DEDUP, name: DEDUP_NAME, port: 0, token: 'tok-dedup', honourIdempotency: true, chunkSize: 64 * 1024, caseNoPrefix: 'SMZ' },
      { id: PLAIN, name: PLAIN_NAME, port: 0, token: 'tok-plain', honourIdempotency: false, chunkSize: 64 * 1024, caseNoPrefix: 'RS' },
    ],
  });
});
test.afterAll(async () => sim.close());
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

const target = (id: string, name: string, token: string, idempotency: 'key' | 'none') => ({
  id,
  name,
  kind: 'http' as const,
  baseUrl: sim.targets[id]!,
  auth: { header: 'Authorization', value: `Bearer ${token}` },
  idempotency,
  fields: [
    { name: 'externalRef', from: 'caseNo' },
    { name: 'applicant', from: 'applicant.name' },
    { name: 'items', from: 'items[].name', join: '、' },
  ],
});

async function start(dataDir: string): Promise<RunningHost> {
  const h = await startHost({ dataDir });
  hosts.push(h);
  return h;
}

async function stop(h: RunningHost): Promise<void> {
  await h.kill();
  hosts = hosts.filter((x) => x !== h);
}

/** A case for 王芳, accepted through the intake methods (the intake screens are not this test's subject). */
async function acceptCase(h: RunningHost, session: string): Promise<string> {
  const applicants = await hostRpc<{ id: number; name: string }[]>(h, 'applicants.list', { query: '王芳', limit: 5 }, session);
  const items = await hostRpc<{ id: number; name: string; certificates: { method: string }[] }[]>(h, 'catalog.listServiceItems', {}, session);
  const item = items.find((i) => i.certificates.every((c) => ['cancelled', 'data_sharing', 'dept_verification'].includes(c.method)))!;
  const v = await hostRpc<{ id: number; certificates: { state: string; method: string; certificateItemId: number }[] }>(
    h,
    'intake.start',
    { applicantId: applicants.find((a) => a.name === '王芳')!.id, serviceItemIds: [item.id] },
    session,
  );
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    if (c.method === 'data_sharing') await hostRpc(h, 'intake.queryDataSharing', { caseId: v.id, certificateItemId: c.certificateItemId }, session);
    else if (c.method === 'dept_verification') await hostRpc(h, 'intake.requestAssistance', { caseId: v.id, certificateItemId: c.certificateItemId }, session);
  }
  return (await hostRpc<{ caseNo: string }>(h, 'intake.transition', { caseId: v.id, to: 'accepted' }, session)).caseNo;
}

async function signIn(h: RunningHost, username = 'zhangmin'): Promise<string> {
  return (await hostRpc<{ token: string }>(h, 'auth.signIn', { username, password: 'Desk@2026' })).token;
}

async function externalRefs(targetId: string, n: number): Promise<string[]> {
  await expect.poll(async () => (await sim.cases(targetId)).length, { timeout: 30_000 }).toBeGreaterThanOrEqual(n);
  return (await sim.cases(targetId)).map((c) => c.externalRef);
}

test('a supervisor restores a backup through the recovery screen; new cases get new identities and the cases after the backup are listed', async ({ page }, info) => {
  test.setTimeout(180_000);
  await sim.reset();
  const dataDir = freshDir('desk-restore-e2e-');
  writeSyncConfig(dataDir, {
    version: 1,
    sender: { probeIntervalMs: 300, backoffBaseMs: 200, backoffMaxMs: 1000, pollMs: 100, leaseMs: 5000, requestTimeoutMs: 3000 },
    targets: [target(DEDUP, DEDUP_NAME, 'tok-dedup', 'key'), target(PLAIN, PLAIN_NAME, 'tok-plain', 'none')],
  });

  // 1. A new store; two cases accepted and delivered.
  let h = await start(dataDir);
  let session = await signIn(h);
  const beforeBackup = [await acceptCase(h, session), await acceptCase(h, session)];
  await externalRefs(DEDUP, 2);
  await externalRefs(PLAIN, 2);
  await stop(h);

  // 2. The next start takes the daily backup (the last is older than a day: there is none) in a worker thread.
  h = await start(dataDir);
  const backupDir = path.join(dataDir, 'backups');
  await expect.poll(() => (fs.existsSync(backupDir) ? fs.readdirSync(backupDir).filter((f) => /^daily-.*\.sqlite$/.test(f)) : []).length, { timeout: 30_000 }).toBe(1);
  const backupName = fs.readdirSync(backupDir).find((f) => /^daily-.*\.sqlite$/.test(f))!;

  // 3. Two more cases, accepted and delivered after the backup.
  session = await signIn(h);
  const afterBackup = [await acceptCase(h, session), await acceptCase(h, session)];
  expect((await externalRefs(DEDUP, 4)).sort()).toEqual([...beforeBackup, ...afterBackup].sort());
  expect((await externalRefs(PLAIN, 4)).sort()).toEqual([...beforeBackup, ...afterBackup].sort());
  await stop(h);

  // 4. The store is emptied (0 bytes): the next start shows the recovery screen.
  fs.writeFileSync(path.join(dataDir, 'desk.sqlite'), '');
  h = await start(dataDir);
  expect(h.state).toBe('recovery');
  await page.setViewportSize({ width: 1366, height: 768 });
  await page.goto(h.url);
  await expect(page.getByTestId('recovery-page')).toBeVisible();
  await expect(page.getByText('本地数据库文件是空的', { exact: true })).toBeVisible();
  const row = page.getByTestId('backup-list').getByRole('row', { name: /每日备份/ });
  await expect(row).toContainText('办件 2 件');
  await page.screenshot({ path: info.outputPath('recovery-screen-1366x768.png') });

  // 5. A clerk cannot restore; the supervisor (as in the backup) can, through the screen.
  await page.getByTestId(`restore-${backupName}`).click();
  const dialog = page.getByTestId('restore-dialog');
  await dialog.getByLabel('管理员用户名').fill('zhangmin');
  await dialog.getByLabel('密码').fill('Desk@2026');
  await dialog.getByTestId('restore-confirm').click();
  await expect(dialog.getByTestId('restore-error')).toContainText('不是启用的管理员');
  await page.screenshot({ path: info.outputPath('recovery-refused-1366x768.png') });
  await dialog.getByLabel('管理员用户名').fill('admin');
  await dialog.getByTestId('restore-confirm').click();
  await expect(page.getByTestId('restore-done')).toBeVisible({ timeout: 30_000 });
  await expect(page.getByTestId('restore-done')).toContainText('replaced');
  await page.screenshot({ path: info.outputPath('restore-done-1366x768.png') });
  await page.getByTestId('restore-continue').click();

  // 6. The app is back on the same host process (no restart): sign in, the sync screen lists the cases delivered after the backup.
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await page.getByRole('menuitem', { name: '数据同步' }).click();
  const notice = page.getByTestId('restore-notice');
  await expect(notice).toContainText('恢复备份后，以下办件可能已在备份之后送达业务系统，请核对');
  const found = notice.getByTestId('restore-found');
  await expect(found.getByRole('row')).toHaveCount(1 + 4, { timeout: 30_000 });
  for (const caseNo of afterBackup) {
    for (const name of [DEDUP_NAME, PLAIN_NAME]) await expect(found.getByRole('row', { name: new RegExp(`${caseNo}.*${name.replace(/[（）]/g, '.')}`) })).toHaveCount(1);
  }
  await expect(notice).toContainText(CASE_NO.exec(afterBackup[0]!)![1]!);
  await page.screenshot({ path: info.outputPath('sync-after-restore-1366x768.png'), fullPage: true });

  // 7. New cases get new identities: the same day sequence as the lost ones, a new epoch tag; no collision at either target.
  session = await signIn(h);
  const afterRestore = [await acceptCase(h, session), await acceptCase(h, session)];
  for (const [i, caseNo] of afterRestore.entries()) {
    expect(CASE_NO.exec(caseNo)![2]).toBe(CASE_NO.exec(afterBackup[i]!)![2]);
    expect(CASE_NO.exec(caseNo)![1]).not.toBe(CASE_NO.exec(afterBackup[i]!)![1]);
  }
  const all = [...beforeBackup, ...afterBackup, ...afterRestore].sort();
  expect(new Set(all).size).toBe(6);
  for (const t of [DEDUP, PLAIN]) {
    expect((await externalRefs(t, 6)).sort()).toEqual(all);
    const cases = await sim.cases(t);
    expect(cases).toHaveLength(6);
    expect(new Set(cases.map((c) => c.idempotencyKey)).size).toBe(6);
    expect(new Set(cases.map((c) => c.caseNo)).size).toBe(6);
  }

  // 8. Nothing was deleted: the emptied store is kept aside (stored files: tests/integration/store-startup.test.ts).
  const replaced = fs.readdirSync(path.join(dataDir, 'replaced'));
  expect(replaced).toHaveLength(1);
  expect(fs.statSync(path.join(dataDir, 'replaced', replaced[0]!, 'desk.sqlite')).size).toBe(0);
});
