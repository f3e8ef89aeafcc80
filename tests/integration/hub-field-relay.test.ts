import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { hubTargetFor } from '../helpers/hub-process';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { signaturePng } from '../helpers/png';
import { TEST_REQUEST_TIMEOUT_MS, waitFor } from '../helpers/sync-desks';
import { HUB_MIGRATIONS_DIR, migrate } from '../../hub/migrate';
import { createHubServer } from '../../hub/server';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../electron/services/hub/hub-connector';

/**
 * Field work through the hub (docs/hub.md, "Field work through the hub"), against a real
 * PostgreSQL, the real hub (in process, on loopback), the owning desk A and four assistants'
 * laptops, each a desk with its own SQLite file enrolled with the hub:
 * - four laptops take the same task at once, round after round: the hub's lock lets exactly one
 *   win each time, and every other is told, in Chinese, who holds it and at which laptop;
 * - a result sent through the hub and imported again as a file applies once (and the other way
 *   round), and the hub's relay of the same result twice applies once.
 * The desks' own rounds are off here (fieldMs 0): every step is asked for by hand; the automatic
 * rounds are tested in hub-field-auto.test.ts.
 */

const pgc = usePostgres();
const SIG = signaturePng().toString('base64');
const LAPTOPS = 4;
const ROUNDS = 5;
let pool: pg.Pool;
let server: ReturnType<typeof createHubServer>;
let hubCard: HubCard;
let hall: Hall;
let hubPort: number;
let A: TestDesk;
const laptops: { d: TestDesk; deskId: string; assistant: string; token: string }[] = [];
let supervisor: string;
let clerk: string;

/** The desks' own field rounds off: every step is asked for by hand. */
const FIELD_BY_HAND = { fieldMs: 0 };

/** A case at A with a signed commitment for 无犯罪记录证明: its verification task opens. Returns the task id. */
async function newTask(): Promise<number> {
  const item = (await A.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
  const applicant = (await A.call('applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
  const v = await A.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
  const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
  await A.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, clerk);
  await A.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, clerk);
  const board = await A.call('verification.board', { states: ['unassigned'] }, supervisor);
  return board.tasks.find((t) => t.caseId === v.id)!.id;
}

/** Takes a task at the hub on every laptop at once; the envelopes in laptop order. */
function raceAll(taskKey: string) {
  return Promise.all(laptops.map((l) => l.d.raw('field.takeFromHall', { taskKey }, l.token)));
}

/** The winner's work: checklist ticked, a true finding, the applicant's signature; returns its package id. */
async function doTheWork(l: (typeof laptops)[number], taskKey: string): Promise<string> {
  const w = await l.d.call('field.fetchFromHall', { taskKey }, l.token);
  await workOffline(l, w);
  return w.packageId;
}

/** The work itself, on the laptop alone (no hub needed). */
async function workOffline(l: (typeof laptops)[number], w: { packageId: string; checklist: { key: string }[] }): Promise<void> {
  await l.d.call(
    'field.save',
    { packageId: w.packageId, answers: Object.fromEntries(w.checklist.map((x) => [x.key, true])), notes: '现场核实属实', address: '房县城关镇东街12号', coords: null, outcome: 'true', consequence: null },
    l.token,
  );
  await l.d.call('field.addPhoto', { packageId: w.packageId, kind: 'signature', base64: SIG, takenAt: '2026-12-01T10:00:00.000Z' }, l.token);
}

beforeAll(async () => {
  const url = await createDatabase(pgc.cluster, 'hub_field');
  pool = new pg.Pool({ connectionString: url, max: 16 });
  // The throwaway cluster ends idle connections when it stops after this file: not a test failure
  // (an idle client's error with no listener was reported by vitest as an uncaught exception).
  pool.on('error', () => undefined);
  await migrate(pool, HUB_MIGRATIONS_DIR);
  const identity = await hubIdentity(pool);
  hubCard = identity.card;
  hall = { pool, card: hubCard };
  server = createHubServer({ pool, identity, log: () => undefined });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as AddressInfo).port;
  hubPort = port;
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-field-test';
  A = await enrolledDesk(hall, { deskId: 'desk-a', name: '一号窗口', port, dir: 'hub-field', target: FIELD_BY_HAND });
  supervisor = (await A.signIn('admin')).token;
  clerk = (await A.signIn('zhangmin')).token;
  await A.call('users.create', { username: 'lisi', displayName: '李思', role: 'assistant', password: 'Field@2026x' }, supervisor);
  for (let i = 1; i <= LAPTOPS; i++) {
    const deskId = `laptop-${i}`;
    const d = await enrolledDesk(hall, { deskId, name: `外勤笔记本${i}`, port, dir: 'hub-field', target: FIELD_BY_HAND });
    // Two assistants, two laptops each: 陈静 on 1 and 3, 李思 on 2 and 4.
    let token: string;
    if (i % 2 === 1) token = (await d.signIn('chenjing')).token;
    else {
      // 李思 was created at A: a hall user, she reaches every desk through the hub (hall-users.ts).
      token = await waitFor(`李思 reaches ${deskId}`, async () => {
        const r = await d.raw('auth.signIn', { username: 'lisi', password: 'Field@2026x' });
        return r.ok ? (r.value as { token: string }).token : null;
      });
    }
    laptops.push({ d, deskId, assistant: i % 2 === 1 ? '陈静' : '李思', token });
  }
}, 240_000);

afterAll(async () => {
  for (const d of [A, ...laptops.map((l) => l.d)]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  server?.closeAllConnections();
  await new Promise((r) => (server ? server.close(() => r(null)) : r(null)));
  await pool?.end();
});

describe('two assistants racing for one task through the hub', () => {
  it(`${LAPTOPS} laptops take the same task at once, ${ROUNDS} rounds: exactly one wins each time, the others are told who holds it`, async () => {
    const wins: Record<string, number> = {};
    for (let round = 0; round < ROUNDS; round++) {
      const taskId = await newTask();
      const { taskKey } = await A.call('verification.offerToHall', { taskId }, supervisor);
      expect(taskKey).toBe(`desk-a:${taskId}`);
      const answers = await raceAll(taskKey);
      const won = answers.flatMap((r, i) => (r.ok ? [i] : []));
      expect(won).toHaveLength(1);
      const w = laptops[won[0]!]!;
      const ok = answers[won[0]!]!;
      expect(ok.ok && (ok.value as { holder: string; work: unknown }).holder).toBe(w.assistant);
      // A has not issued the package yet: the winner holds the lock and is told it comes later.
      expect(ok.ok && (ok.value as { work: unknown; message: string }).message).toBe('已领取。所属窗口尚未签发外勤任务包，请稍后再取。');
      for (const [i, r] of answers.entries()) {
        if (i === won[0]) continue;
        expect(r.ok).toBe(false);
        if (r.ok) continue;
        expect(r.error.code).toBe('CONFLICT');
        expect(r.error.message).toMatch(new RegExp(`^该任务已由${w.assistant}（外勤笔记本${won[0]! + 1}）于 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d 领取外勤，不能重复领取。$`));
      }
      // The hub holds one lock for the task, the winner's.
      const locks = (await pool.query('SELECT holder_desk, holder_name FROM field_locks WHERE task_key = $1', [taskKey])).rows;
      expect(locks).toEqual([{ holder_desk: w.deskId, holder_name: w.assistant }]);
      // The winner taking again is answered as before; a loser trying again is still refused.
      const again = await w.d.call('field.takeFromHall', { taskKey }, w.token);
      expect(again.holder).toBe(w.assistant);
      const loser = laptops[(won[0]! + 1) % LAPTOPS]!;
      const late = await loser.d.raw('field.takeFromHall', { taskKey }, loser.token);
      expect(late.ok === false && late.error.code).toBe('CONFLICT');
      wins[w.deskId] = (wins[w.deskId] ?? 0) + 1;
    }
    expect(Object.values(wins).reduce((a, b) => a + b, 0)).toBe(ROUNDS);
    // A issues one package per round, each for its round's winner.
    expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual({ issued: ROUNDS, applied: 0, duplicates: 0, refused: [] });
    console.log(`hub race winners over ${ROUNDS} rounds of ${LAPTOPS} laptops: ${JSON.stringify(wins)}`);
  }, 240_000);

  it('a task assigned to 陈静 is refused to 李思 at the hub, and 陈静 takes it', async () => {
    const taskId = await newTask();
    const chen = (await A.call('verification.board', { states: ['unassigned'] }, supervisor)).assistants.find((a) => a.name === '陈静')!;
    await A.call('verification.assign', { taskId, userId: chen.id }, supervisor);
    const { taskKey } = await A.call('verification.offerToHall', { taskId }, supervisor);
    const li = laptops[1]!;
    const refused = await li.d.raw('field.takeFromHall', { taskKey }, li.token);
    expect(refused.ok === false && refused.error).toMatchObject({ code: 'CONFLICT', message: '该任务已分派给陈静，只有其本人可以领取。' });
    const c = laptops[0]!;
    expect((await c.d.call('field.takeFromHall', { taskKey }, c.token)).holder).toBe('陈静');
    expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual({ issued: 1, applied: 0, duplicates: 0, refused: [] });
    expect((await A.call('verification.get', { taskId }, supervisor)).checkedOutBy?.name).toBe('陈静');
    expect((await c.d.call('field.fetchFromHall', { taskKey }, c.token)).taskId).toBe(taskId);
  }, 120_000);
});

describe('a field result delivered twice applies once', () => {
  it('sent through the hub (twice) and then imported as a file: applied once, the file is answered "already applied"', async () => {
    const taskId = await newTask();
    const { taskKey } = await A.call('verification.offerToHall', { taskId }, supervisor);
    const l = laptops[2]!;
    await l.d.call('field.takeFromHall', { taskKey }, l.token);
    // A issues the package for the holder through the hub.
    const s1 = await A.call('verification.syncHallField', {}, supervisor);
    expect(s1).toEqual({ issued: 1, applied: 0, duplicates: 0, refused: [] });
    // Another laptop gets neither the package nor a say in the result.
    const other = laptops[0]!;
    const peek = await other.d.raw('field.fetchFromHall', { taskKey }, other.token);
    expect(peek.ok === false && peek.error).toMatchObject({ code: 'CONFLICT', message: '本机没有领取这个核查任务。' });
    const packageId = await doTheWork(l, taskKey);
    const sent = await l.d.call('field.sendToHall', { taskKey, packageId }, l.token);
    expect(sent.duplicate).toBe(false);
    // Sent again (the answer was lost, say): the same result id, a duplicate at the hub.
    const resent = await l.d.call('field.sendToHall', { taskKey, packageId }, l.token);
    expect(resent).toMatchObject({ resultId: sent.resultId, duplicate: true });
    expect((await pool.query('SELECT count(*)::int AS n FROM field_results WHERE result_id = $1', [sent.resultId])).rows).toEqual([{ n: 1 }]);

    const s2 = await A.call('verification.syncHallField', {}, supervisor);
    expect(s2).toEqual({ issued: 0, applied: 1, duplicates: 0, refused: [] });
    const task = await A.call('verification.get', { taskId }, supervisor);
    expect(task.outcome).toBe('true');
    // The same result as a file (the laptop also exported it): already applied, nothing written.
    const file = await A.call('verification.applyFieldResult', { resultJson: sent.resultJson }, supervisor);
    expect(file.applied).toBe(false);
    expect(file.message).toMatch(/^该外勤结果已于 \d{4}-\d\d-\d\d \d\d:\d\d 应用，本次未重复应用。$/);
    expect(deskRows(A, 'SELECT task_id FROM field_results_applied WHERE result_id = ?', sent.resultId)).toEqual([{ task_id: taskId }]);
    expect(deskRows(A, 'SELECT kind FROM verification_evidence WHERE task_id = ?', taskId)).toEqual([{ kind: 'signature' }]);
    expect(deskRows(A, `SELECT count(*) AS n FROM audit_log WHERE action = 'field.resultApplied' AND entity_id = ?`, String(taskId))).toEqual([{ n: 1 }]);
    // Acknowledged at the hub: a later sync has nothing left.
    expect((await pool.query('SELECT acked_at IS NOT NULL AS acked FROM field_results WHERE result_id = $1', [sent.resultId])).rows).toEqual([{ acked: true }]);
    expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual({ issued: 0, applied: 0, duplicates: 0, refused: [] });
    // A laptop may not hand a package over for a task of another desk, nor acknowledge its results.
    const asLaptop = new HubConnector(hubTargetFor(hubCard, hubPort, FIELD_BY_HAND), other.d.dataDir, 16, TEST_REQUEST_TIMEOUT_MS);
    const forged = await asLaptop.request('POST', '/v1/field/package', { taskKey, package: { forged: true } });
    expect(forged.status).toBe(409);
    expect((forged.json as { error: { message: string } }).error.message).toBe('只有任务所属窗口可以签发外勤任务包。');
    expect((await asLaptop.request('GET', '/v1/field/results')).json).toEqual({ results: [] });
  }, 120_000);

  it('imported as a file first, then relayed by the hub: the relay is counted a duplicate and acknowledged', async () => {
    const taskId = await newTask();
    const { taskKey } = await A.call('verification.offerToHall', { taskId }, supervisor);
    const l = laptops[3]!;
    await l.d.call('field.takeFromHall', { taskKey }, l.token);
    expect((await A.call('verification.syncHallField', {}, supervisor)).issued).toBe(1);
    const packageId = await doTheWork(l, taskKey);
    const sealed = await l.d.call('field.finish', { packageId }, l.token);
    // The laptop's key, registered at A through the hub (the laptop posted it when it fetched the package).
    expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual({ issued: 0, applied: 0, duplicates: 0, refused: [] });
    const file = await A.call('verification.applyFieldResult', { resultJson: sealed.resultJson }, supervisor);
    expect(file).toMatchObject({ applied: true, message: '外勤结果已应用。' });
    const sent = await l.d.call('field.sendToHall', { taskKey, packageId }, l.token);
    expect(sent.duplicate).toBe(false);
    expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual({ issued: 0, applied: 0, duplicates: 1, refused: [] });
    expect(deskRows(A, 'SELECT count(*) AS n FROM field_results_applied WHERE task_id = ?', taskId)).toEqual([{ n: 1 }]);
    expect(deskRows(A, 'SELECT count(*) AS n FROM verification_evidence WHERE task_id = ?', taskId)).toEqual([{ n: 1 }]);
    expect((await pool.query('SELECT acked_at IS NOT NULL AS acked FROM field_results WHERE task_key = $1', [taskKey])).rows).toEqual([{ acked: true }]);
  }, 120_000);
});

describe('a laptop cut off from the hub', () => {
  it('works on its imported package while the hub is unreachable; its result, sent when it is back, applies once', async () => {
    const proxy = new CuttableProxy(await freePort(), () => hubPort);
    await proxy.open();
    const d = await enrolledDesk(hall, { deskId: 'laptop-5', name: '外勤笔记本5', port: proxy.port, dir: 'hub-field', target: FIELD_BY_HAND });
    const l = { d, deskId: 'laptop-5', assistant: '陈静', token: (await d.signIn('chenjing')).token };
    try {
      const taskId = await newTask();
      const { taskKey } = await A.call('verification.offerToHall', { taskId }, supervisor);
      await l.d.call('field.takeFromHall', { taskKey }, l.token);
      expect((await A.call('verification.syncHallField', {}, supervisor)).issued).toBe(1);
      const w = await l.d.call('field.fetchFromHall', { taskKey }, l.token);
      await proxy.cut();
      await workOffline(l, w);
      const offline = await l.d.raw('field.sendToHall', { taskKey, packageId: w.packageId }, l.token);
      expect(offline.ok === false && offline.error.code).toBe('UNAVAILABLE');
      expect(offline.ok === false && offline.error.message).toMatch(/^无法连接全厅中心：/);
      // Sealed on the laptop all the same; nothing reached A.
      const sealed = (await l.d.call('field.list', {}, l.token)).find((x) => x.packageId === w.packageId)!;
      expect(sealed.state).toBe('finished');
      expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual({ issued: 0, applied: 0, duplicates: 0, refused: [] });
      await proxy.open();
      const sent = await l.d.call('field.sendToHall', { taskKey, packageId: w.packageId }, l.token);
      expect(sent).toMatchObject({ resultId: sealed.resultId, duplicate: false });
      expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual({ issued: 0, applied: 1, duplicates: 0, refused: [] });
      expect((await A.call('verification.get', { taskId }, supervisor)).outcome).toBe('true');
    } finally {
      await d.app.stopSync().catch(() => undefined);
      d.app.close();
      await proxy.cut();
    }
  }, 120_000);
});

// Last: the refused result stays listed at the hub, in every later sync.
describe('a result the owning desk refuses', () => {
  it('a result for a task A took back (released) is refused at A, not acknowledged, and listed again', async () => {
    const taskId = await newTask();
    const { taskKey } = await A.call('verification.offerToHall', { taskId }, supervisor);
    const l = laptops[0]!;
    await l.d.call('field.takeFromHall', { taskKey }, l.token);
    expect((await A.call('verification.syncHallField', {}, supervisor)).issued).toBe(1);
    const packageId = await doTheWork(l, taskKey);
    await A.call('verification.release', { taskId, reason: '笔记本遗失' }, supervisor);
    const sent = await l.d.call('field.sendToHall', { taskKey, packageId }, l.token);
    const refused = { issued: 0, applied: 0, duplicates: 0, refused: [{ ref: sent.resultId, message: '该外勤任务已被收回或改派，此结果不能应用。' }] };
    expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual(refused);
    expect(await A.call('verification.syncHallField', {}, supervisor)).toEqual(refused);
    expect(deskRows(A, 'SELECT count(*) AS n FROM field_results_applied WHERE task_id = ?', taskId)).toEqual([{ n: 0 }]);
    expect((await A.call('verification.get', { taskId }, supervisor)).outcome).toBeNull();
    expect((await pool.query('SELECT acked_at FROM field_results WHERE result_id = $1', [sent.resultId])).rows).toEqual([{ acked_at: null }]);
  }, 120_000);
});
