import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { ROOT } from '../helpers/temp';
import { freePort, exited } from '../../hub/cluster';
import { signaturePng } from '../helpers/png';
import { auditCount, startHubProcess, type HubProcess } from '../helpers/hub-process';
import { dbFile, waitFor } from '../helpers/sync-desks';
import { HUB_MIGRATIONS_DIR, migrate } from '../../hub/migrate';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';

/**
 * Field work through the hub by itself (docs/hub.md, "Field work through the hub";
 * electron/services/hub/hall-field-auto.ts), against a real PostgreSQL and the hub as its own
 * process: desk A (the case's owner) and the assistant's laptop L run their senders; nobody calls
 * an offer, package or sync method. The supervisor assigns the task; the hub holds the offer; the
 * assistant takes it on the laptop; the package arrives; she records a false finding with a photo
 * (a real JPEG) and finishes; the result reaches A and is applied; the laptop shows 已应用.
 * On the way the hub process is SIGKILLed once, at the first write of a seeded field step (offer,
 * package, result or ack; before or after its commit) — the work's own progress, not a clock — and
 * started again: the result is applied exactly once, nothing is lost.
 * Then a release at A reaches the hub by itself: the laptop's task is shown as taken back, and the
 * task can be taken again; and a release at A of a holding whose package never reached the hub (the
 * hub SIGKILLed before committing it) releases exactly that holding when the hub is back.
 */

const pgc = usePostgres();
const SIG = signaturePng().toString('base64');
const PHOTO = fs.readFileSync(path.join(ROOT, 'tests/fixtures/scan/licence-wood.jpg')).toString('base64');
const STEPS = ['offer', 'package', 'result', 'ack'] as const;
const POINTS = ['before-commit', 'after-commit'] as const;
const SEED = Number(process.env.HUB_FIELD_SEED ?? Math.floor(Math.random() * 2 ** 31));
const KILL = { step: STEPS[SEED % STEPS.length]!, point: POINTS[Math.floor(SEED / STEPS.length) % POINTS.length]! };

let url: string;
let pool: pg.Pool;
let hubCard: HubCard;
let hall: Hall;
let port: number;
let hub: HubProcess;
let A: TestDesk;
let L: TestDesk;
let supervisor: string;
let clerk: string;
let chen: string;

/** A case at A for `name` with a signed commitment for 无犯罪记录证明; returns its task id. */
async function newTask(name = '王芳'): Promise<number> {
  const item = (await A.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
  const applicant = (await A.call('applicants.list', { query: name, limit: 5 }, clerk)).find((a) => a.name === name)!;
  const v = await A.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
  const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
  await A.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
  await A.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, clerk);
  const board = await A.call('verification.board', { states: ['unassigned'] }, supervisor);
  return board.tasks.find((t) => t.caseId === v.id)!.id;
}

beforeAll(async () => {
  console.log(`hub-field-auto: seed ${SEED} (HUB_FIELD_SEED=${SEED} repeats it): the hub is killed at the first '${KILL.step}' write, ${KILL.point}`);
  url = await createDatabase(pgc.cluster, 'hub_field_auto');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  await migrate(pool, HUB_MIGRATIONS_DIR);
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  port = await freePort();
  hub = await startHubProcess(url, port, { HUB_KILL_AT: `field:${KILL.step}:${KILL.point}` });
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-field-auto-test';
  const rounds = { target: { pullMs: 100, feedWaitMs: 0, fieldMs: 100 } };
  A = await enrolledDesk(hall, { deskId: 'desk-a', name: '一号窗口', port, dir: 'hub-field-auto', ...rounds });
  L = await enrolledDesk(hall, { deskId: 'laptop-1', name: '外勤笔记本1', port, dir: 'hub-field-auto', ...rounds });
  supervisor = (await A.signIn('admin')).token;
  clerk = (await A.signIn('zhangmin')).token;
  chen = (await L.signIn('chenjing')).token;
}, 240_000);

afterAll(async () => {
  for (const d of [A, L]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await hub?.stop('SIGKILL');
  await pool?.end();
});

describe('field work through the hub, by itself', () => {
  it('offer → take → package → result → applied once, with the hub killed once on the way', async () => {
    // The hub dies at the seeded step whenever the desks get there; it is started again at once.
    let kills = 0;
    const restarted = exited(hub.child).then(async () => {
      kills++;
      console.log(`hub-field-auto: the hub died at '${KILL.step}' ${KILL.point}; starting it again`);
      hub = await startHubProcess(url, port);
    });

    const taskId = await newTask();
    const taskKey = `desk-a:${taskId}`;
    const board = await A.call('verification.board', { states: ['unassigned'] }, supervisor);
    const chenAtA = board.assistants.find((a) => a.name === '陈静')!;
    await A.call('verification.assign', { taskId, userId: chenAtA.id }, supervisor);

    // A offers it by itself, with its assignee; the laptop's 全厅任务 lists it.
    const offered = await waitFor('the offer on the laptop', async () => {
      const h = await L.call('field.hallTasks', {}, chen);
      return h.offers.find((o) => o.taskKey === taskKey) ?? null;
    }, 60_000);
    expect(offered).toMatchObject({ caseNo: expect.any(String), certificate: '无犯罪记录证明', assignee: '陈静', window: '一号窗口', heldHere: false });
    // A's row says so once A has the hub's answer (the laptop may see the offer first when the hub died after committing it).
    await waitFor('已发布到全厅 at A', async () => ((await A.call('verification.hallFieldStatus', {}, supervisor)).find((s) => s.taskId === taskId)?.text === '已发布到全厅' ? true : null), 60_000);

    // She takes it (her own act); the package follows by itself.
    const took = await waitFor('the take', async () => {
      const r = await L.raw('field.takeFromHall', { taskKey }, chen);
      return r.ok ? (r.value as { holder: string }) : null; // refused only while the hub is down (UNAVAILABLE)
    }, 60_000);
    expect(took.holder).toBe('陈静');
    const work = await waitFor('the package on the laptop', async () => (await L.call('field.list', {}, chen)).find((w) => w.taskId === taskId) ?? null, 60_000);
    expect((await L.call('field.hallTasks', {}, chen)).mine.find((m) => m.taskKey === taskKey)).toMatchObject({ status: 'working', statusText: '可外勤', packageId: work.packageId });
    expect((await A.call('verification.hallFieldStatus', {}, supervisor)).find((s) => s.taskId === taskId)).toEqual({ taskId, status: 'taken', text: '已由陈静领取' });

    // The work, on the laptop alone.
    await L.call(
      'field.save',
      {
        packageId: work.packageId,
        answers: Object.fromEntries(work.checklist.map((x) => [x.key, false])),
        notes: '现场核实：申请人有犯罪记录，承诺不实',
        address: '房县城关镇东街12号',
        coords: null,
        outcome: 'false',
        consequence: { legalBasis: '《湖北省证明事项告知承诺制实施办法》第十六条', reason: '无犯罪记录承诺不实', severity: '严重' },
      },
      chen,
    );
    await L.call('field.addPhoto', { packageId: work.packageId, kind: 'photo', base64: PHOTO, takenAt: '2026-12-05T02:00:00.000Z' }, chen);
    await L.call('field.addPhoto', { packageId: work.packageId, kind: 'signature', base64: SIG, takenAt: '2026-12-05T02:05:00.000Z' }, chen);
    await L.call('field.finish', { packageId: work.packageId }, chen);

    // The result travels and is applied by itself; the laptop learns it.
    await waitFor('已应用 on the laptop', async () => ((await L.call('field.hallTasks', {}, chen)).mine.find((m) => m.taskKey === taskKey)?.status === 'applied' ? true : null), 90_000);
    await restarted;
    expect(kills).toBe(1);

    const task = await A.call('verification.get', { taskId }, supervisor);
    expect(task.outcome).toBe('false');
    expect(task.caseStatus).toBe('rejected'); // a draft case whose commitment was false (outcome.ts)
    expect(deskRows(A, 'SELECT count(*) AS n FROM field_results_applied WHERE task_id = ?', taskId)).toEqual([{ n: 1 }]);
    expect(auditCount(dbFile(A.dataDir), 'field.resultApplied')).toBe(1);
    // The laptop's key went with the automatic fetch: the hub holds its one registration, A registered it once (by itself) before applying.
    expect((await pool.query('SELECT package_id, from_desk FROM field_key_registrations WHERE task_key = $1', [taskKey])).rows).toEqual([{ package_id: work.packageId, from_desk: 'laptop-1' }]);
    expect(auditCount(dbFile(A.dataDir), 'verification.fieldKeyRegistered')).toBe(1);
    expect(deskRows(A, `SELECT actor_username FROM audit_log WHERE action = 'verification.fieldKeyRegistered'`)).toEqual([{ actor_username: 'system' }]);
    expect(deskRows(A, 'SELECT kind FROM verification_evidence WHERE task_id = ? ORDER BY position', taskId)).toEqual([{ kind: 'photo' }, { kind: 'signature' }]);
    // The photo's bytes at A are the laptop's, byte for byte.
    const photoSha = deskRows<{ file_sha256: string }>(A, `SELECT file_sha256 FROM verification_evidence WHERE task_id = ? AND kind = 'photo'`, taskId)[0]!.file_sha256;
    expect(deskRows(L, 'SELECT file_sha256 FROM field_photos WHERE package_id = ? AND position = 0', work.packageId)).toEqual([{ file_sha256: photoSha }]);
    // A false finding writes its credit record, as at the desk.
    expect(deskRows(A, `SELECT count(*) AS n FROM credit_records WHERE verification_task_id = ?`, taskId)).toEqual([{ n: 1 }]);
    // The hub: one result, acknowledged; one lock, the laptop's.
    expect((await pool.query('SELECT count(*)::int AS n, bool_and(acked_at IS NOT NULL) AS acked FROM field_results WHERE task_key = $1', [taskKey])).rows).toEqual([{ n: 1, acked: true }]);
    expect((await pool.query('SELECT holder_desk, holder_name, released_at FROM field_locks WHERE task_key = $1', [taskKey])).rows).toEqual([{ holder_desk: 'laptop-1', holder_name: '陈静', released_at: null }]);
    // Closed at A: the offer is withdrawn at the hub by itself, and A's row says the result is applied.
    await waitFor('the offer closed at the hub', async () => ((await pool.query('SELECT open FROM field_offers WHERE task_key = $1', [taskKey])).rows[0]?.open === false ? true : null), 30_000);
    expect(await A.call('verification.hallFieldStatus', {}, supervisor)).toContainEqual({ taskId, status: 'applied', text: '结果已应用' });
    expect((await L.call('field.hallTasks', {}, chen)).offers.find((o) => o.taskKey === taskKey)).toBeUndefined();
  }, 240_000);

  it('a task taken back at A (released) is released at the hub by itself: the laptop is told, and it can be taken again', async () => {
    // 王芳 is now refused a commitment (the false finding above): a new applicant, registered at A.
    await A.call('applicants.create', { kind: 'person', name: '吴倩', idType: 'resident_id', idNumber: '420325199207080021', phone: '13972810002', address: '湖北省十堰市房县城关镇南街3号' }, clerk);
    const taskId = await newTask('吴倩');
    const taskKey = `desk-a:${taskId}`;
    await waitFor('the offer', async () => ((await L.call('field.hallTasks', {}, chen)).offers.some((o) => o.taskKey === taskKey) ? true : null), 60_000);
    await L.call('field.takeFromHall', { taskKey }, chen);
    await waitFor('the package', async () => ((await L.call('field.list', {}, chen)).some((w) => w.taskId === taskId) ? true : null), 60_000);
    await A.call('verification.release', { taskId, reason: '笔记本遗失' }, supervisor);
    const mine = await waitFor('已被所属窗口收回 on the laptop', async () => {
      const m = (await L.call('field.hallTasks', {}, chen)).mine.find((x) => x.taskKey === taskKey);
      return m?.status === 'released' ? m : null;
    }, 60_000);
    expect(mine.statusText).toBe('已被所属窗口收回');
    // Offered again, free: it is taken again, and A issues a new package for it.
    await waitFor('offered again', async () => ((await L.call('field.hallTasks', {}, chen)).offers.some((o) => o.taskKey === taskKey) ? true : null), 60_000);
    await L.call('field.takeFromHall', { taskKey }, chen);
    const packages = await waitFor('a second package', async () => {
      const ws = (await L.call('field.list', {}, chen)).filter((w) => w.taskId === taskId);
      return ws.length === 2 ? ws : null;
    }, 60_000);
    const current = deskRows<{ package_id: string }>(A, 'SELECT package_id FROM verification_tasks WHERE id = ?', taskId)[0]!.package_id;
    expect(packages.map((w) => w.packageId)).toContain(current);
    expect((await L.call('field.hallTasks', {}, chen)).mine.find((x) => x.taskKey === taskKey)).toMatchObject({ status: 'working', packageId: current });
  }, 180_000);

  it('a holding released at A before its package reached the hub (the hub died sending it) is released at the hub exactly: not issued to its old holder again', async () => {
    // The hub, again, dies at the next package hand-over, before its commit.
    await hub.stop('SIGKILL');
    hub = await startHubProcess(url, port, { HUB_KILL_AT: 'field:package:before-commit' });
    const died = exited(hub.child);
    await A.call('applicants.create', { kind: 'person', name: '郑琳', idType: 'resident_id', idNumber: '420325199502110043', phone: '13972810003', address: '湖北省十堰市房县城关镇北街5号' }, clerk);
    const taskId = await newTask('郑琳');
    const taskKey = `desk-a:${taskId}`;
    await waitFor('the offer', async () => ((await L.call('field.hallTasks', {}, chen)).offers.some((o) => o.taskKey === taskKey) ? true : null), 60_000);
    // Taken; the package that A issues for it at once never reaches the hub (the answer of the take itself may be cut by the hub dying).
    await L.raw('field.takeFromHall', { taskKey }, chen);
    await died;
    expect(deskRows(A, 'SELECT checked_out_by IS NOT NULL AS out FROM verification_tasks WHERE id = ?', taskId)).toEqual([{ out: 1 }]);
    // While the hub is down the supervisor takes the task back (the laptop is lost, say).
    await A.call('verification.release', { taskId, reason: '笔记本遗失' }, supervisor);
    hub = await startHubProcess(url, port);
    const mine = await waitFor('已被所属窗口收回 on the laptop', async () => {
      const m = (await L.call('field.hallTasks', {}, chen)).mine.find((x) => x.taskKey === taskKey);
      return m?.status === 'released' ? m : null;
    }, 60_000);
    expect(mine.packageId).toBeNull();
    expect((await pool.query('SELECT holder_name, package IS NULL AS no_package, released_at IS NOT NULL AS released FROM field_locks WHERE task_key = $1', [taskKey])).rows).toEqual([
      { holder_name: '陈静', no_package: true, released: true },
    ]);
    // A did not issue it to 陈静 again: the task is free, offered to the hall again.
    expect(deskRows(A, 'SELECT checked_out_by, package_id FROM verification_tasks WHERE id = ?', taskId)).toEqual([{ checked_out_by: null, package_id: null }]);
    await waitFor('offered again', async () => ((await L.call('field.hallTasks', {}, chen)).offers.some((o) => o.taskKey === taskKey) ? true : null), 60_000);
  }, 180_000);
});
