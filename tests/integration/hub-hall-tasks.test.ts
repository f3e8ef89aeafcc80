import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { testDesk, type TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall, writeHubConfig } from '../helpers/hub-desks';
import { hubTargetFor } from '../helpers/hub-process';
import { signaturePng } from '../helpers/png';
import { TEST_REQUEST_TIMEOUT_MS, waitFor } from '../helpers/sync-desks';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import type { MethodInput } from '../../shared/ipc/contract';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';

/**
 * Verification tasks across the hall (docs/hub.md, "Verification tasks across the hall"), against a
 * real PostgreSQL, the real hub (in process, on loopback) and three desks with their own SQLite
 * files (C reaches the hub through a proxy that can be cut):
 * - C's supervisor sees A's and B's tasks (those from before the hub included) with their window;
 * - C assigns A's task to an assistant: A applies it once, with the one assignment rule, audited on
 *   A naming C's supervisor and desk; C records the answer;
 * - a second assignment while the task is out on field work is refused by A, and C sees why;
 * - with the hub unreachable, C lists its last copy and says how old it is.
 */

const pgc = usePostgres();
const SIG = signaturePng().toString('base64');
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
let proxy: CuttableProxy;
let A: TestDesk;
let B: TestDesk;
let C: TestDesk;
const tokens: Record<string, string> = {};

/** A case at the desk with a signed commitment for 无犯罪记录证明: its verification task opens. Returns the task id. */
async function newTask(d: TestDesk, clerk: string, supervisor: string): Promise<number> {
  const item = (await d.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
  const v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
  const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
  await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
  await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, clerk);
  const board = await d.call('verification.board', { states: ['unassigned'] }, supervisor);
  return board.tasks.find((t) => t.caseId === v.id)!.id;
}

const hallBoard = (input: MethodInput<'verification.hallBoard'>) => C.call('verification.hallBoard', input, tokens.Cadmin!);

/** C's board row for a task key, once present and matching. */
async function rowAtC(taskKey: string, until: (r: Awaited<ReturnType<typeof hallBoard>>['tasks'][number]) => boolean, label: string) {
  return waitFor(label, async () => {
    const b = await hallBoard({ states: ['unassigned', 'assigned', 'in_field', 'escalated', 'passed', 'failed', 'exempt', 'cancelled'], page: 1, pageSize: 200 });
    const r = b.tasks.find((t) => t.taskKey === taskKey);
    return r && until(r) ? r : null;
  });
}

let taskA: number;
let taskB: number;

beforeAll(async () => {
  const url = await createDatabase(pgc.cluster, 'hub_tasks');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-tasks-test';
  proxy = new CuttableProxy(await freePort(), () => hub.port);
  await proxy.open();
  A = await enrolledDesk(hall, { deskId: 'desk-a', name: '一号窗口', port: hub.port, dir: 'hub-tasks' });
  B = await enrolledDesk(hall, { deskId: 'desk-b', name: '二号窗口', port: null, dir: 'hub-tasks' }); // no hub yet: its first task is from before the hub
  C = await enrolledDesk(hall, { deskId: 'desk-c', name: '三号窗口', port: proxy.port, dir: 'hub-tasks' });
  for (const [n, d] of [['A', A], ['B', B], ['C', C]] as const) {
    tokens[`${n}admin`] = (await d.signIn('admin')).token;
    tokens[`${n}clerk`] = (await d.signIn('zhangmin')).token;
  }
  taskA = await newTask(A, tokens.Aclerk!, tokens.Aadmin!);
  taskB = await newTask(B, tokens.Bclerk!, tokens.Badmin!);
  // B joins the hub afterwards (restarted with the hub target): its task must reach the hall all the same.
  await B.app.stopSync();
  B.app.close();
  writeHubConfig(B.dataDir, hubCard, hub.port);
  B = await testDesk({ dataDir: B.dataDir });
  tokens.Badmin = (await B.signIn('admin')).token;
  await newTask(B, (await B.signIn('zhangmin')).token, tokens.Badmin);
}, 240_000);

afterAll(async () => {
  for (const d of [A, B, C]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await proxy?.cut();
  await pool?.end();
  await hub?.close();
});

describe('verification tasks across the hall', () => {
  it("C's supervisor sees A's and B's tasks with their window, the tasks from before the hub included", async () => {
    const a = await rowAtC(`desk-a:${taskA}`, () => true, "A's task at C");
    expect(a).toMatchObject({ deskId: 'desk-a', window: '一号窗口', own: false, state: 'unassigned', stateText: '待分派', applicantName: '王*', certificate: '无犯罪记录证明', assignee: null });
    const b = await rowAtC(`desk-b:${taskB}`, () => true, "B's task at C");
    expect(b).toMatchObject({ deskId: 'desk-b', window: '二号窗口', own: false, state: 'unassigned' });
    // Every task B holds — the one from before it joined the hub included — is at C, once.
    const atB = deskRows<{ id: number }>(B, 'SELECT id FROM verification_tasks ORDER BY id').map((r) => `desk-b:${r.id}`);
    expect(atB).toHaveLength(2);
    const keys = await waitFor('all of B at C', async () => {
      const k = deskRows<{ task_key: string }>(C, `SELECT task_key FROM hall_tasks WHERE owner_desk = 'desk-b' ORDER BY task_key`).map((r) => r.task_key);
      return k.length === atB.length ? k : null;
    });
    expect(keys).toEqual([...atB].sort());
    expect(deskRows(B, `SELECT 1 FROM audit_log WHERE action = 'hub.tasksSeeded'`)).toHaveLength(1);
    // The window filter: only B's.
    const onlyB = await hallBoard({ deskId: 'desk-b', states: ['unassigned'], page: 1, pageSize: 200 });
    expect(onlyB.tasks.length).toBeGreaterThan(0);
    expect(new Set(onlyB.tasks.map((t) => t.window))).toEqual(new Set(['二号窗口']));
    expect(onlyB.windows.map((w) => w.name)).toEqual(['三号窗口', '一号窗口', '二号窗口']);
  });

  it('C assigns A\'s task to 陈静: A applies it once with the assignment rule, audited naming C\'s supervisor; C gets the answer', async () => {
    const asked = await C.call('verification.assignInHall', { taskKey: `desk-a:${taskA}`, username: 'chenjing' }, tokens.Cadmin!);
    expect(asked.state).toBe('requested');
    expect(asked.message).toBe('已发送至一号窗口，待该窗口工作台办理后生效。');
    const chenjing = deskRows<{ id: number }>(A, `SELECT id FROM users WHERE username = 'chenjing'`)[0]!.id;
    await waitFor('assigned at A', async () => deskRows<{ assigned_to: number | null }>(A, 'SELECT assigned_to FROM verification_tasks WHERE id = ?', taskA)[0]!.assigned_to === chenjing || null);
    const row = await rowAtC(`desk-a:${taskA}`, (r) => r.assignment?.state === 'applied' && r.assignee !== null, 'the answer and the new summary at C');
    expect(row.assignee).toEqual({ username: 'chenjing', name: '陈静' });
    expect(row.state).toBe('assigned');
    expect(row.assignment).toMatchObject({ assigneeName: '陈静', byName: '王建华', fromWindow: '三号窗口', state: 'applied', message: null });
    // Once at A: one assignment entry for this request, under the system, naming C's supervisor and desk.
    const audits = deskRows<{ actor_username: string; detail: string }>(A, `SELECT actor_username, detail FROM audit_log WHERE action = 'verification.assign' AND entity_id = ?`, String(taskA));
    expect(audits).toHaveLength(1);
    const d = JSON.parse(audits[0]!.detail) as { assigneeId: number; name: string; remote: { by: string; byName: string; fromDesk: string; fromWindow: string; requestId: string } };
    expect(d).toMatchObject({ assigneeId: chenjing, name: '陈静', remote: { by: 'admin', byName: '王建华', fromDesk: 'desk-c', fromWindow: '三号窗口', requestId: asked.requestId } });
    expect(deskRows(C, `SELECT 1 FROM audit_log WHERE action = 'verification.assignRequested'`)).toHaveLength(1);
    expect(deskRows(C, `SELECT 1 FROM audit_log WHERE action = 'verification.hallAssignApplied'`)).toHaveLength(1);
  });

  it('a second assignment while A\'s task is out on field work is refused at A, and the refusal reaches C', async () => {
    await A.call('verification.checkout', { taskId: taskA }, tokens.Aadmin!);
    await rowAtC(`desk-a:${taskA}`, (r) => r.state === 'in_field', 'in_field at C');
    const asked = await C.call('verification.assignInHall', { taskKey: `desk-a:${taskA}`, username: 'chenjing' }, tokens.Cadmin!);
    expect(asked.state).toBe('requested');
    const row = await rowAtC(`desk-a:${taskA}`, (r) => r.assignment?.requestId === asked.requestId && r.assignment.state === 'refused', 'the refusal at C');
    expect(row.assignment!.message).toBe('该任务已由王建华领取外勤，须先收回才能改派。');
    const refused = deskRows<{ detail: string }>(A, `SELECT detail FROM audit_log WHERE action = 'verification.assignRefused'`);
    expect(refused).toHaveLength(1);
    expect(JSON.parse(refused[0]!.detail)).toMatchObject({ by: 'admin', fromDesk: 'desk-c', requestId: asked.requestId, reason: '该任务已由王建华领取外勤，须先收回才能改派。' });
    expect(deskRows(C, `SELECT 1 FROM audit_log WHERE action = 'verification.hallAssignRefused'`)).toHaveLength(1);
    // Still one assignment at A (the first).
    expect(deskRows(A, `SELECT 1 FROM audit_log WHERE action = 'verification.assign' AND entity_id = ?`, String(taskA))).toHaveLength(1);
  });

  it('offline, C lists its last copy and says how old it is; an assignment asked offline is applied once when C is back', async () => {
    await proxy.cut();
    // A releases its task meanwhile: C, cut off, still shows it out on field work.
    await A.call('verification.release', { taskId: taskA, reason: '笔记本遗失' }, tokens.Aadmin!);
    const b = await hallBoard({ deskId: 'desk-a', states: ['in_field'], page: 1, pageSize: 50 });
    expect(b.tasks.map((t) => t.taskKey)).toContain(`desk-a:${taskA}`);
    expect(b.hallCopy?.message).toMatch(/^全厅数据更新于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（(刚刚|\d+ 分钟前)）$/);
    // Asked while offline: kept here as asked, it waits in the outbox.
    const asked = await C.call('verification.assignInHall', { taskKey: `desk-b:${taskB}`, username: 'chenjing' }, tokens.Cadmin!);
    expect(asked.state).toBe('requested');
    const offline = await hallBoard({ deskId: 'desk-b', states: ['unassigned'], page: 1, pageSize: 50 });
    expect(offline.tasks.find((t) => t.taskKey === `desk-b:${taskB}`)!.assignment).toMatchObject({ state: 'requested', assigneeName: '陈静' });

    await proxy.open();
    const row = await rowAtC(`desk-b:${taskB}`, (r) => r.assignment?.state === 'applied' && r.state === 'assigned', 'applied at B after C reconnects');
    expect(row.assignee).toEqual({ username: 'chenjing', name: '陈静' });
    expect(deskRows(B, `SELECT 1 FROM audit_log WHERE action = 'verification.assign' AND entity_id = ?`, String(taskB))).toHaveLength(1);
    // And C caught up with A's release.
    await rowAtC(`desk-a:${taskA}`, (r) => r.state === 'assigned' && r.holder === null, "A's release at C");
  });

  it("the hub takes a task's summary only from the desk that owns it, and an assignment's answer only from the owning desk", async () => {
    const c = new HubConnector(hubTargetFor(hubCard, hub.port), C.dataDir, 15, TEST_REQUEST_TIMEOUT_MS);
    const before = (await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0];
    const summary = { taskId: taskA, caseNo: 'X', window: '三号窗口', applicant: '王*', certificate: '无犯罪记录证明', source: 'sampled', state: 'passed', status: 'passed', dueAt: null, assignee: null, holder: null, outcome: 'true', updatedAt: '2026-12-06T01:00:00.000Z' };
    const answer = {
      taskKey: `desk-a:${taskA}`, ownerDesk: 'desk-a', assignee: { username: 'chenjing', name: '陈静' }, by: { username: 'admin', name: '王建华' },
      fromDesk: 'desk-c', fromWindow: '三号窗口', requestedAt: '2026-12-06T01:00:00.000Z', state: 'applied', message: null, decidedAt: '2026-12-06T01:00:01.000Z',
    };
    const bad = [
      { kind: 'verification_task', recordId: `desk-a:${taskA}`, body: summary },
      { kind: 'task_assignment', recordId: 'b4c7e0f2-0000-4000-8000-00000000000a', body: answer },
    ];
    for (const [i, b] of bad.entries()) {
      const e = await c.pushRecord({ ...b, baseVersion: 0, idempotencyKey: `bad-task/${i}` }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConnectorFailure);
      expect((e as ConnectorFailure).failure).toMatchObject({ kind: 'rejected', status: 422, message: '推送的记录内容不完整或与记录编号不符，已拒绝。' });
    }
    expect((await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0]).toEqual(before);
  });
});
