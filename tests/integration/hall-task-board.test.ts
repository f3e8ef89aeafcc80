import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { dbFile } from '../helpers/sync-desks';
import type { MethodInput } from '../../shared/ipc/contract';
import { openTestStore } from '../helpers/store';

/**
 * The 全厅 board's one list (verification.hallBoard, services/hub/hall-tasks-service.ts) over a real
 * SQLite store: this desk's own tasks and other windows' summaries (written into hall_tasks as the
 * feed would) merged in the board's order — open first by due date, then concluded — paged across
 * both sources, and filtered by window, assignee, state and overdue.
 */

const SIG = signaturePng().toString('base64');
let D: TestDesk;
let admin: string;
let own1: number;
let own2: number;

async function newTask(): Promise<number> {
  const clerk = (await D.signIn('zhangmin')).token;
  const item = (await D.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
  const applicant = (await D.call('applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
  const v = await D.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
  const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
  await D.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
  await D.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, clerk);
  return (await D.call('verification.board', { states: ['unassigned'] }, admin)).tasks.find((t) => t.caseId === v.id)!.id;
}

const board = (input: MethodInput<'verification.hallBoard'>) => D.call('verification.hallBoard', input, admin);
const keys = async (input: MethodInput<'verification.hallBoard'>) => (await board(input)).tasks.map((t) => t.taskKey);

beforeAll(async () => {
  D = await testDesk();
  admin = (await D.signIn('admin')).token;
  own1 = await newTask();
  own2 = await newTask();
  const chenjing = (await D.call('verification.board', { page: 1, pageSize: 5 }, admin)).assistants.find((a) => a.name === '陈静')!.id;
  await D.call('verification.assign', { taskId: own2, userId: chenjing }, admin);
  // Other windows' summaries, as the feed leaves them (hall-tasks.ts applyTaskBody).
  const db = openTestStore(dbFile(D.dataDir));
  const put = db.prepare(
    `INSERT INTO hall_tasks (task_key, owner_desk, task_id, window, case_no, applicant_masked, certificate, source, state, status, due_at, assignee_username, assignee_name, holder_name, outcome, updated_at, received_at)
     VALUES (?, ?, ?, ?, ?, '李*', '无犯罪记录证明', 'sampled', ?, ?, ?, ?, ?, NULL, NULL, '2026-12-01T00:00:00.000Z', '2026-12-01T00:00:00.000Z')`,
  );
  put.run('desk-x:1', 'desk-x', 1, '一号窗口', 'X-0001', 'unassigned', 'open', '2026-01-01T00:00:00.000Z', null, null);
  put.run('desk-x:2', 'desk-x', 2, '一号窗口', 'X-0002', 'assigned', 'open', '2099-01-01T00:00:00.000Z', 'chenjing', '陈静');
  put.run('desk-y:5', 'desk-y', 5, '二号窗口', 'Y-0005', 'passed', 'passed', '2026-02-01T00:00:00.000Z', 'lisi', '李思');
  put.run('desk-y:6', 'desk-y', 6, '二号窗口', 'Y-0006', 'exempt', 'exempt', null, null, null);
  db.close();
}, 120_000);

afterAll(() => D?.app.close());

describe('the 全厅 board', () => {
  it('merges both sources in the board order, with windows named, the overdue flagged and the own applicant masked', async () => {
    const b = await board({ page: 1, pageSize: 20 });
    expect(b.tasks.map((t) => t.taskKey)).toEqual(['desk-x:1', `local:${own1}`, `local:${own2}`, 'desk-x:2', 'desk-y:5']);
    expect(b.total).toBe(5);
    expect(b.overdue).toBe(1);
    expect(b.tasks.map((t) => t.window)).toEqual(['一号窗口', '本窗口', '本窗口', '一号窗口', '二号窗口']);
    expect(b.tasks.map((t) => t.overdue)).toEqual([true, false, false, false, false]);
    expect(b.tasks[1]).toMatchObject({ own: true, applicantName: '王*', state: 'unassigned', assignee: null });
    expect(b.tasks[2]).toMatchObject({ own: true, state: 'assigned', assignee: { username: 'chenjing', name: '陈静' } });
    expect(b.windows).toEqual([
      { deskId: 'local', name: '本窗口', own: true },
      { deskId: 'desk-x', name: '一号窗口', own: false },
      { deskId: 'desk-y', name: '二号窗口', own: false },
    ]);
  });

  it('pages across both sources', async () => {
    expect(await keys({ page: 1, pageSize: 2 })).toEqual(['desk-x:1', `local:${own1}`]);
    expect(await keys({ page: 2, pageSize: 2 })).toEqual([`local:${own2}`, 'desk-x:2']);
    expect(await keys({ page: 3, pageSize: 2 })).toEqual(['desk-y:5']);
    const past = await board({ page: 9, pageSize: 2 });
    expect(past.page).toBe(3);
  });

  it('filters by window, assignee, state and overdue', async () => {
    expect(await keys({ deskId: 'desk-x', page: 1, pageSize: 20 })).toEqual(['desk-x:1', 'desk-x:2']);
    expect(await keys({ deskId: 'local', page: 1, pageSize: 20 })).toEqual([`local:${own1}`, `local:${own2}`]);
    expect(await keys({ assignee: 'chenjing', page: 1, pageSize: 20 })).toEqual([`local:${own2}`, 'desk-x:2']);
    expect(await keys({ assignee: 'lisi', page: 1, pageSize: 20 })).toEqual(['desk-y:5']);
    const overdue = await board({ overdueOnly: true, page: 1, pageSize: 20 });
    expect(overdue.tasks.map((t) => t.taskKey)).toEqual(['desk-x:1']);
    expect(overdue.total).toBe(1);
    expect(await keys({ states: ['exempt'], page: 1, pageSize: 20 })).toEqual(['desk-y:6']);
    expect(await keys({ states: ['unassigned', 'passed'], deskId: 'desk-y', page: 1, pageSize: 20 })).toEqual(['desk-y:5']);
  });

  it('assigns this desk’s own task at once with the one rule; another window’s task needs a hub', async () => {
    const r = await D.call('verification.assignInHall', { taskKey: `local:${own1}`, username: 'chenjing' }, admin);
    expect(r).toEqual({ state: 'applied', requestId: null, message: '已分派给陈静。' });
    expect((await board({ deskId: 'local', assignee: 'chenjing', page: 1, pageSize: 20 })).tasks.map((t) => t.taskKey)).toEqual([`local:${own1}`, `local:${own2}`]);
    const remote = await D.raw('verification.assignInHall', { taskKey: 'desk-x:1', username: 'chenjing' }, admin);
    expect(remote.ok).toBe(false);
    expect(!remote.ok && remote.error.message).toBe('本工作台未接入全厅中心，不能分派其他窗口的核查任务。');
    const notAssistant = await D.raw('verification.assignInHall', { taskKey: `local:${own1}`, username: 'zhangmin' }, admin);
    expect(!notAssistant.ok && notAssistant.error.message).toBe('只能分派给在岗的帮办代办员。');
  });
});
