import { expect, test } from '@playwright/test';
import { hostRpc, type RunningHost } from './support/host';
import { signIn, startHub, type E2eHub } from './support/hub';
import { freePort } from '../../hub/cluster';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { signaturePng } from '../helpers/png';

// The 全厅 scope of the supervisor's verification board (docs/hub.md, "Verification tasks across the
// hall"), in the real browser: a real PostgreSQL (throwaway cluster), the real hub, two browser hosts
// with their own data folders — 一号窗口 (A, reaching the hub through a relay the test can cut) and
// 三号窗口 (C, where the supervisor works). C lists A's tasks with the window named, filters by
// window, assigns one of A's tasks (applied at A), and sees A's refusal of a task A had meanwhile
// sent out on field work while it was cut off.

let hub: E2eHub;
let relay: CuttableProxy;
const SIG = signaturePng().toString('base64');

/** A case at the host with a signed commitment for 无犯罪记录证明 (through its API: not what this test is about); returns its case number and task id. */
async function newTask(h: RunningHost): Promise<{ caseNo: string; taskId: number }> {
  const clerk = (await hostRpc<{ token: string }>(h, 'auth.signIn', { username: 'zhangmin', password: 'Desk@2026' })).token;
  const admin = (await hostRpc<{ token: string }>(h, 'auth.signIn', { username: 'admin', password: 'Desk@2026' })).token;
  const item = (await hostRpc<{ id: number; name: string }[]>(h, 'catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
  const wang = (await hostRpc<{ id: number; name: string }[]>(h, 'applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
  const v = await hostRpc<{ id: number; caseNo: string; certificates: { name: string; certificateItemId: number }[] }>(h, 'intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, clerk);
  const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
  await hostRpc(h, 'intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
  await hostRpc(h, 'intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, clerk);
  const board = await hostRpc<{ tasks: { id: number; caseId: number }[] }>(h, 'verification.board', { states: ['unassigned'] }, admin);
  return { caseNo: v.caseNo, taskId: board.tasks.find((t) => t.caseId === v.id)!.id };
}

test.beforeAll(async () => {
  test.setTimeout(180_000);
  hub = await startHub();
  relay = new CuttableProxy(await freePort(), () => hub.port);
  await relay.open();
});
test.afterAll(async () => {
  await hub?.close();
  await relay?.cut();
});

test('the supervisor at 三号窗口 lists every window’s tasks, filters by window, assigns one of 一号窗口’s tasks and sees a refusal', async ({ page }, info) => {
  test.setTimeout(180_000);
  const A = (await hub.host('desk-1', '一号窗口', { port: relay.port })).host;
  const C = (await hub.host('desk-3', '三号窗口')).host;
  const first = await newTask(A);
  const second = await newTask(A);
  const own = await newTask(C);

  await page.setViewportSize({ width: 1366, height: 768 });
  await signIn(page, C, 'admin');
  await page.getByRole('menuitem', { name: '核查与协查' }).click();
  await page.getByText('全厅', { exact: true }).click();
  const board = page.getByTestId('hall-task-board');
  const rowOf = (caseNo: string) => board.locator('tr', { hasText: caseNo });
  // Both windows' tasks, each with its window; A's reach C through the hub (the board reads itself again every 5 s).
  await expect(rowOf(first.caseNo)).toContainText('一号窗口', { timeout: 30_000 });
  await expect(rowOf(second.caseNo)).toContainText('一号窗口');
  await expect(rowOf(own.caseNo)).toContainText('三号窗口');
  await expect(rowOf(first.caseNo)).toContainText('王*');
  await expect(page.getByTestId('hall-copy')).toContainText(/全厅数据更新于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（刚刚）/);
  await page.screenshot({ path: info.outputPath('hall-task-board-all.png') });

  // Filter: 一号窗口 only.
  await page.getByLabel('所属窗口').click();
  await page.locator('.ant-select-item-option', { hasText: /^一号窗口$/ }).click();
  await expect(rowOf(own.caseNo)).toHaveCount(0);
  await expect(board.locator('tbody tr.ant-table-row')).toHaveCount(2);

  // Assign A's first task to 陈静: sent to 一号窗口, applied there, the answer comes back.
  await page.getByLabel(`分派 ${first.caseNo}`).click();
  await page.locator('.ant-select-item-option', { hasText: /^陈静$/ }).last().click();
  await expect(page.getByText('已发送至一号窗口，待该窗口工作台办理后生效。')).toBeVisible();
  await expect(rowOf(first.caseNo).getByTestId('assignment-note')).toContainText('一号窗口已分派给陈静', { timeout: 30_000 });
  await expect(rowOf(first.caseNo)).toContainText('已分派');

  // 一号窗口 cut off from the hub sends its second task out on field work; C, not knowing, assigns it.
  await relay.cut();
  const adminA = (await hostRpc<{ token: string }>(A, 'auth.signIn', { username: 'admin', password: 'Desk@2026' })).token;
  await hostRpc(A, 'verification.checkout', { taskId: second.taskId }, adminA);
  await page.getByLabel(`分派 ${second.caseNo}`).click();
  await page.locator('.ant-select-item-option', { hasText: /^陈静$/ }).last().click();
  await expect(rowOf(second.caseNo).getByTestId('assignment-note')).toContainText('已请一号窗口分派给陈静，待办理');
  // Back on the hall network: 一号窗口 refuses it by the one assignment rule, and C shows why.
  await relay.open();
  await expect(rowOf(second.caseNo).getByTestId('assignment-note')).toContainText('分派被拒：该任务已由王建华领取外勤，须先收回才能改派。', { timeout: 30_000 });
  await expect(rowOf(second.caseNo)).toContainText('外勤中');
  await page.screenshot({ path: info.outputPath('hall-task-board.png') });
});
