import fs from 'node:fs';
import { documentJpeg } from '../helpers/jpeg';
import { expect, test, type Page } from '@playwright/test';
import { chinaDate } from '../../shared/rules/china-time';
import { yearsNeeded } from '../../shared/rules/hall-calendar';
import { freshDir, hostRpc, startHost, type RunningHost } from './support/host';
import type { MethodOutput } from '../../shared/ipc/contract';

test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

let hosts: RunningHost[] = [];
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

async function signIn(page: Page, username: string) {
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
}

test('the supervisor sees 2025’s National Day on the calendar, corrects a day, and finds the change in the audit log', async ({ page }, info) => {
  const h = await startHost();
  hosts.push(h);
  await page.goto(h.url);
  await signIn(page, 'admin');
  await expect(page.getByTestId('home-page')).toBeVisible();
  // The home page warns of a year due dates may reach with no schedule (on this machine's real date: 2027 from 2026-11-02 on).
  const missing = yearsNeeded(chinaDate(new Date())).filter((y) => y !== 2025 && y !== 2026);
  if (missing.length) await expect(page.getByTestId('calendar-missing')).toContainText(`${missing.map((y) => `${y}年`).join('、')}的法定节假日安排尚未导入`);
  else await expect(page.getByTestId('calendar-missing')).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('home.png') });

  await page.getByRole('menuitem', { name: '工作日历' }).click();
  const cal = page.getByTestId('calendar-page');
  await cal.getByTestId('calendar-year').click();
  await page.getByTitle('2025年').click();
  await expect(cal.getByTestId('calendar-source')).toContainText('国办发明电〔2024〕12号');
  await expect(cal.getByTestId('calendar-source')).toContainText('休 28 天 · 调休上班 5 天');

  // 国庆中秋: 10月1日–8日 off; 9月28日 (Sunday) and 10月11日 (Saturday) worked.
  const day = (date: string) => cal.locator(`[data-date="${date}"]`);
  for (const d of ['2025-10-01', '2025-10-04', '2025-10-08']) await expect(day(d)).toHaveAttribute('data-kind', 'holiday');
  await expect(day('2025-09-28')).toHaveAttribute('data-kind', 'workday');
  await expect(day('2025-10-11')).toHaveAttribute('data-kind', 'workday');
  await expect(day('2025-10-09')).toHaveAttribute('data-kind', 'weekday');
  await expect(day('2025-10-12')).toHaveAttribute('data-kind', 'weekend');
  await day('2025-10-11').scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('calendar-2025.png') });

  // Correct one day: Friday 2025-10-10 becomes a local holiday, with its reason.
  await day('2025-10-10').click();
  const modal = page.getByRole('dialog', { name: /更正 2025-10-10（周五）/ });
  await modal.getByLabel('休（放假）').check();
  await modal.getByTestId('calendar-day-name').fill('县级调整（测试）');
  await modal.getByTestId('calendar-day-reason').fill('依据县政府通知调整（测试）');
  await modal.getByRole('button', { name: '保存更正' }).click();
  await expect(modal).toBeHidden();
  await expect(day('2025-10-10')).toHaveAttribute('data-kind', 'holiday');
  await expect(cal.getByTestId('calendar-source')).toContainText('休 29 天');

  // A weekday cannot be a make-up working day: the modal says why and keeps the day as it was.
  await day('2025-10-09').click();
  const second = page.getByRole('dialog', { name: /更正 2025-10-09/ });
  await second.getByLabel('班（调休上班）').check();
  await second.getByTestId('calendar-day-reason').fill('误操作');
  await second.getByRole('button', { name: '保存更正' }).click();
  await expect(second.getByTestId('calendar-day-problem')).toHaveText('2025-10-09 是周四，本来就是工作日，不能标为“班”（调休上班日是周六或周日）。');
  await second.getByRole('button', { name: /取\s*消/ }).click();
  await expect(day('2025-10-09')).toHaveAttribute('data-kind', 'weekday');

  // The list shows the corrected day with its reason and who did it.
  await cal.getByText('列表', { exact: true }).click();
  const row = cal.getByTestId('calendar-list').getByRole('row', { name: /2025-10-10/ });
  await expect(row).toContainText('县级调整（测试）');
  await expect(row).toContainText('依据县政府通知调整（测试）');
  await expect(row).toContainText('王建华');
  await row.scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('calendar-2025-list.png') });

  // Import next year's list through the screen: a bad line is named and nothing is imported; the corrected text goes in.
  await cal.getByTestId('calendar-import').click();
  const imp = page.getByRole('dialog', { name: '导入全年节假日安排' });
  await imp.getByRole('spinbutton').fill('2027');
  await imp.getByTestId('calendar-import-source').fill('测试通知（e2e）');
  await imp.getByTestId('calendar-import-text').fill('2027-01-01,休,元旦\n2027-02-30,休,春节\n');
  await imp.getByRole('button', { name: /导入（替换该年度全部安排）/ }).click();
  await expect(imp.getByTestId('calendar-import-problem')).toContainText('第2行：“2027-02-30”不是有效日期');
  await page.screenshot({ path: info.outputPath('calendar-import-refused.png') });
  await imp.getByTestId('calendar-import-text').fill('2027-01-01,休,元旦\n2027-02-06~2027-02-12,休,春节\n2027-02-20,班,春节\n');
  await imp.getByRole('button', { name: /导入（替换该年度全部安排）/ }).click();
  await expect(imp).toBeHidden();
  await expect(cal.getByTestId('calendar-source')).toContainText('测试通知（e2e）');
  await expect(cal.getByTestId('calendar-missing')).toHaveCount(0);

  await page.getByRole('menuitem', { name: '审计日志' }).click();
  // People by name and the change in words (issue 16); the raw action keys only behind 技术详情.
  const entry = page.getByRole('row', { name: /更正工作日历/ }).first();
  await expect(entry).toContainText('日期：2025-10-10');
  await expect(entry).toContainText('王建华');
  await expect(page.getByRole('row', { name: /导入节假日安排/ }).first()).toContainText('工作日历 2027年');
  await page.getByLabel('显示技术详情').click();
  await expect(page.getByRole('row', { name: /更正工作日历/ }).first()).toContainText('calendar.setDay');
});

/** The host's clock set by libfaketime (the browser's own clock stays real; the case list is computed on the host). */
const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';
const at = (utc: string) => ({ LD_PRELOAD: LIBFAKETIME, FAKETIME: `@${utc}`, FAKETIME_DONT_FAKE_MONOTONIC: '1', TZ: 'UTC' });
const JPEG = documentJpeg(320, 240, { seed: 7 }).toString('base64');

type CaseView = MethodOutput<'intake.get'>;

/** Starts and accepts a case for one item through the host's API, resolving each certificate the quickest way. */
async function acceptCase(h: RunningHost, token: string, applicantId: number, serviceItemId: number): Promise<CaseView> {
  const v = await hostRpc<CaseView>(h, 'intake.start', { applicantId, serviceItemIds: [serviceItemId] }, token);
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const ref = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'data_sharing') await hostRpc(h, 'intake.queryDataSharing', ref, token);
    else if (c.method === 'dept_verification') await hostRpc(h, 'intake.requestAssistance', ref, token);
    else {
      if (c.method === 'commitment') await hostRpc(h, 'intake.recordChoice', { ...ref, choice: 'present' }, token);
      await hostRpc(h, 'intake.addMaterial', { ...ref, title: c.name, pages: [{ mime: 'image/jpeg', base64: JPEG }] }, token);
    }
  }
  return hostRpc<CaseView>(h, 'intake.transition', { caseId: v.id, to: 'accepted' }, token);
}

test('the case list flags a case past its time limit and counts working days left on the others', async ({ page }, info) => {
  test.skip(!fs.existsSync(LIBFAKETIME), `libfaketime is not installed at ${LIBFAKETIME} (apt-get install faketime)`);
  const dataDir = freshDir('desk-cal-');
  // Accepted on Wednesday 2026-09-30, 10:00 China time.
  const before = await startHost({ dataDir, env: at('2026-09-30 02:00:00') });
  hosts.push(before);
  const token = (await hostRpc<{ token: string }>(before, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const items = await hostRpc<MethodOutput<'catalog.listServiceItems'>>(before, 'catalog.listServiceItems', {}, token);
  const applicants = await hostRpc<MethodOutput<'applicants.list'>>(before, 'applicants.list', { query: '王芳', limit: 5 }, token);
  const five = items.find((i) => i.timeLimitDays === 5)!;
  const twenty = items.find((i) => i.timeLimitDays === 20)!;
  const soon = await acceptCase(before, token, applicants[0]!.id, five.id);
  const later = await acceptCase(before, token, applicants[0]!.id, twenty.id);
  await before.kill();

  // Tuesday 2026-10-20: 5 working days after 09-30 ended on 10-13 (国庆 10-01..07 off, 10-10 worked): late.
  // 20 working days end on 11-03; after 10-20 that leaves 10-21..23, 10-26..30, 11-02, 11-03: 10.
  const after = await startHost({ dataDir, env: at('2026-10-20 02:00:00') });
  hosts.push(after);
  await page.goto(after.url);
  await signIn(page, 'zhangmin');
  await page.getByRole('menuitem', { name: '办件查询' }).click();
  const soonRow = page.getByRole('row', { name: new RegExp(soon.caseNo) });
  const laterRow = page.getByRole('row', { name: new RegExp(later.caseNo) });
  await expect(soonRow.getByTestId('due-late')).toHaveText('已超期');
  await expect(laterRow.getByTestId('due-left')).toHaveText('剩10个工作日');
  await page.screenshot({ path: info.outputPath('cases-due.png') });

  await page.getByTestId('late-only').click();
  await expect(laterRow).toBeHidden();
  await expect(soonRow.getByTestId('due-late')).toBeVisible();
});
