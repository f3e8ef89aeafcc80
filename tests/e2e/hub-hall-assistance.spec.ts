import { expect, test } from '@playwright/test';
import type { RunningHost } from './support/host';
import { signIn, startHub, type E2eHub } from './support/hub';

// 协查 across the hall and the supervisor's hall-wide case list as the desk shows them (docs/hub.md,
// "Records, owners and offline"): the 部门协查 tab's 全厅 scope with another window's overdue request
// (window named, read-only, counted on the tab), and 办件查询's 全厅办件列表 paged and filtered.
// Real PostgreSQL (a throwaway cluster), the real hub, the real browser host; the other windows
// are two more enrolled desks pushing to the hub as their senders would.

let hub: E2eHub;
let host: RunningHost;

const DAY = 86_400_000;

/** A 协查 request of window 5, as its desk shares it (hall-assistance.ts). */
function request(id: number, over: Record<string, unknown>) {
  return {
    deskId: 'desk-5',
    window: '5号窗口',
    requestId: id,
    caseNo: `FX-20261130-5A5A-00${id}`,
    applicantName: '刘建国',
    applicantIdMasked: '420***********0016',
    certificate: '无犯罪记录证明',
    mode: '部门协查',
    department: '县公安局',
    createdAt: new Date(Date.now() - 10 * DAY).toISOString(),
    dueAt: new Date(Date.now() - 3 * DAY).toISOString(),
    status: 'open',
    outcome: null,
    replySummary: null,
    channel: null,
    repliedAt: null,
    ...over,
  };
}

/** A case document as a desk pushes it (sync/case-document.ts), accepted `daysAgo` days ago. */
function caseDoc(caseNo: string, item: string, daysAgo: number) {
  return {
    caseNo,
    status: 'accepted',
    acceptedAt: new Date(Date.now() - daysAgo * DAY).toISOString(),
    revision: 2,
    applicant: { kind: 'person', name: '刘建国', idType: 'resident_id', idNumber: '420325197903150016', phone: '13972800016' },
    items: [{ code: 'X', name: item, department: '县民政局', kind: '行政确认', timeLimitDays: 5 }],
    certificates: [],
    commitments: [],
    files: [],
  };
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  hub = await startHub();

  const five = await hub.connector('desk-5', '5号窗口', 22);
  const six = await hub.connector('desk-6', '6号窗口', 22);
  // Window 5's 协查: one overdue, one answered in time.
  await five.pushRecord({ kind: 'assistance_request', recordId: 'desk-5:7', baseVersion: 0, body: request(7, {}), idempotencyKey: 'e2e/a7' });
  await five.pushRecord({
    kind: 'assistance_request',
    recordId: 'desk-5:8',
    baseVersion: 0,
    body: request(8, { dueAt: new Date(Date.now() + 2 * DAY).toISOString(), status: 'replied', outcome: 'confirmed', replySummary: '经电话核实，无犯罪记录', channel: 'phone', repliedAt: new Date(Date.now() - DAY).toISOString() }),
    idempotencyKey: 'e2e/a8',
  });
  // 25 accepted cases of windows 5 and 6, one a day: two pages of 20.
  for (let i = 1; i <= 25; i++) {
    const desk = i % 2 ? five : six;
    const caseNo = `FX-2026-${i % 2 ? '5' : '6'}-${String(i).padStart(4, '0')}`;
    const r = await desk.request('POST', '/v1/cases', { idempotencyKey: `e2e/c${i}`, caseNo, revision: 2, document: caseDoc(caseNo, i % 3 ? '婚姻登记' : '最低生活保障', 26 - i) });
    expect(r.status).toBe(201);
  }

  host = (await hub.host('desk-e2e', '3号窗口')).host;
});
test.afterAll(() => hub?.close());

test('部门协查 全厅: another window’s overdue request, named and read-only, counted on the tab', async ({ page }, info) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, host, 'liuyang');
  await page.getByRole('menuitem', { name: '核查与协查' }).click();
  // The desk pulls the hall feed as soon as the hub answers; the tab counts the hall's overdue requests.
  await expect(async () => {
    await page.reload();
    await expect(page.getByTestId('assistance-tab-label')).toHaveAttribute('title', '全厅超期协查 1 项', { timeout: 1000 });
  }).toPass({ timeout: 30_000 });
  await page.getByTestId('assistance-tab-label').click();
  await page.getByTestId('assistance-scope').getByText('全厅').click();
  const table = page.getByTestId('hall-assistance-table');
  const overdue = table.getByRole('row', { name: /FX-20261130-5A5A-007/ });
  await expect(overdue).toContainText('5号窗口');
  await expect(overdue).toContainText('刘建国（420***********0016）');
  await expect(overdue).toContainText('无犯罪记录证明（部门协查）');
  await expect(overdue).toContainText('已超期');
  await expect(overdue).toContainText('只读');
  await expect(overdue.getByRole('button', { name: '登记答复' })).toHaveCount(0);
  const replied = table.getByRole('row', { name: /FX-20261130-5A5A-008/ });
  await expect(replied).toContainText('属实');
  await expect(replied).toContainText('经电话核实，无犯罪记录');
  await expect(replied).not.toContainText('已超期');
  await expect(page.getByTestId('hall-assistance-summary')).toContainText('全厅共 2 项协查，其中 1 项已超期（其他窗口 1 项）');
  await expect(page.getByTestId('hall-assistance-copy')).toContainText('全厅数据更新于');
  await page.screenshot({ path: info.outputPath('hall-assistance.png') });
});

test('办件查询: the supervisor’s 全厅办件列表 pages and filters every window’s cases; a clerk has the single-case lookup only', async ({ page }, info) => {
  test.setTimeout(120_000);
  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, host, 'admin');
  await page.getByRole('menuitem', { name: '办件查询' }).click();
  const list = page.getByTestId('hall-case-list');
  await list.getByTestId('hall-list-search').click();
  const table = list.getByTestId('hall-list-table');
  // Newest first: case 25 was accepted last.
  await expect(table.locator('tbody tr.ant-table-row').first()).toContainText('FX-2026-5-0025');
  await expect(table.locator('tbody tr.ant-table-row')).toHaveCount(20);
  await expect(table.locator('tbody tr.ant-table-row').first()).toContainText('5号窗口');
  await expect(table.locator('tbody tr.ant-table-row').nth(1)).toContainText('6号窗口');
  await expect(table.locator('tbody tr.ant-table-row').first()).toContainText('刘建国（420***********0016）');
  await list.scrollIntoViewIfNeeded();
  await page.screenshot({ path: info.outputPath('hall-case-list.png'), fullPage: true });

  await list.getByTestId('hall-list-next').click();
  await expect(list.getByTestId('hall-list-page')).toHaveText('第 2 页');
  await expect(table.locator('tbody tr.ant-table-row')).toHaveCount(5);
  await expect(table.locator('tbody tr.ant-table-row').last()).toContainText('FX-2026-5-0001');
  await expect(list.getByTestId('hall-list-next')).toBeDisabled();
  await list.getByTestId('hall-list-prev').click();
  await expect(list.getByTestId('hall-list-page')).toHaveText('第 1 页');

  // Window 6, 最低生活保障 only: cases 6, 12, 18, 24 (newest first).
  await list.getByTestId('hall-list-window').click();
  await page.getByTitle('6号窗口').click();
  await list.getByTestId('hall-list-item').fill('低保');
  await list.getByTestId('hall-list-search').click();
  await expect(table).toContainText('没有符合条件的办件。');
  await expect(table.locator('tbody tr.ant-table-row')).toHaveCount(0);
  await list.getByTestId('hall-list-item').fill('最低生活');
  await list.getByTestId('hall-list-search').click();
  await expect(table.locator('tbody tr.ant-table-row')).toHaveCount(4);
  await expect(table.locator('tbody tr.ant-table-row').first()).toContainText('FX-2026-6-0024');
  await expect(table.locator('tbody tr.ant-table-row').last()).toContainText('FX-2026-6-0006');
  await page.screenshot({ path: info.outputPath('hall-case-list-filtered.png'), fullPage: true });

  await page.getByTestId('current-user').hover();
  await page.getByRole('menuitem', { name: '退出登录' }).click();
  await expect(page.getByPlaceholder('用户名')).toBeVisible();
  await signIn(page, host, 'zhangmin');
  await page.getByRole('menuitem', { name: '办件查询' }).click();
  await expect(page.getByTestId('hall-case-lookup')).toBeVisible();
  await expect(page.getByTestId('hall-case-list')).toHaveCount(0);
});
