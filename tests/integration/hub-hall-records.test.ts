import { openTestStore } from '../helpers/store';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { testDesk, type TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { hubTargetFor } from '../helpers/hub-process';
import { signaturePng } from '../helpers/png';
import { dbFile, TEST_REQUEST_TIMEOUT_MS, waitFor } from '../helpers/sync-desks';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { hubIdentity } from '../../hub/trust';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import type { CaseView } from '../../shared/ipc/methods/intake';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';

/**
 * Hall records other than cases, end to end against a real PostgreSQL, the real hub (in process,
 * on loopback) and two desks with their own SQLite files (docs/hub.md, "Hall records"):
 * - a credit record written at desk A reaches desk B through A's outbox, the hub and B's feed,
 *   and B's one eligibility rule refuses the applicant's commitment; A's repair lets B allow it;
 * - with the hub unreachable, B works on its last copy and says how old it is (全厅数据更新于 …);
 *   a commitment B signed offline after the hub already held a barring record is flagged when B
 *   reconnects, with a verification task opened for it, as a system action in B's audit log.
 */

const pgc = usePostgres();
const SIG = signaturePng().toString('base64');
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
let proxy: CuttableProxy;
let A: TestDesk;
let B: TestDesk;
const tokens: Record<string, string> = {};

async function applicantId(d: TestDesk, token: string, name: string): Promise<number> {
  return (await d.call('applicants.list', { query: name, limit: 5 }, token)).find((a) => a.name === name)!.id;
}

async function itemWithCommitment(d: TestDesk, token: string) {
  const items = await d.call('catalog.listServiceItems', {}, token);
  return items.find((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0)!;
}

/** A draft case for the applicant on an item with one commitment certificate; returns it and that certificate. */
async function commitmentCase(d: TestDesk, token: string, name: string): Promise<{ v: CaseView; certificateItemId: number }> {
  const item = await itemWithCommitment(d, token);
  const v = await d.call('intake.start', { applicantId: await applicantId(d, token, name), serviceItemIds: [item.id] }, token);
  const c = v.certificates.find((x) => x.method === 'commitment')!;
  return { v, certificateItemId: c.certificateItemId };
}

/** Resolves every other pending certificate of the case (verification confirmed by phone, originals presented). */
async function resolveOthers(d: TestDesk, token: string, v: CaseView): Promise<CaseView> {
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const id = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'data_sharing' || c.method === 'dept_verification') {
      v = await d.call(c.method === 'data_sharing' ? 'intake.switchToVerification' : 'intake.requestAssistance', id, token);
      const rq = v.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.request!;
      v = await d.call('intake.recordAssistanceReply', { requestId: rq.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, token);
    } else if (c.method !== 'commitment') {
      v = await d.call('intake.addMaterial', { ...id, title: c.name, pages: [{ mime: 'image/png', base64: SIG }] }, token);
    }
  }
  return v;
}

const eligibility = (d: TestDesk, caseId: number) => d.call('intake.commitmentEligibility', { caseId }, tokens[d === A ? 'Aclerk' : 'Bclerk']!);

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_records');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-records-test';
  proxy = new CuttableProxy(await freePort(), () => hub.port);
  await proxy.open();
  A = await enrolledDesk(hall, { deskId: 'desk-a', port: hub.port, dir: 'hub-records' });
  B = await enrolledDesk(hall, { deskId: 'desk-b', port: proxy.port, dir: 'hub-records' });
  tokens.Aadmin = (await A.signIn('admin')).token;
  tokens.Aclerk = (await A.signIn('zhangmin')).token;
  tokens.Bclerk = (await B.signIn('liuyang')).token;
}, 180_000);

afterAll(async () => {
  for (const d of [A, B]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await proxy?.cut();
  await pool?.end();
  await hub?.close();
});

describe('credit across the hall', () => {
  it('a credit record written at desk A refuses the commitment at desk B once B pulled it; the repair at A lets B allow it again', async () => {
    const { v } = await commitmentCase(B, tokens.Bclerk!, '王芳');
    expect((await eligibility(B, v.id)).eligible).toBe(true);

    const { id } = await A.call(
      'credit.recordOutside',
      { applicantId: await applicantId(A, tokens.Aadmin!, '王芳'), severity: '严重', source: '县市场监督管理局', documentNo: '房市监罚〔2026〕12号', decidedOn: '2026-11-02', reason: '提供虚假材料骗取登记' },
      tokens.Aadmin!,
    );
    const refused = await waitFor('B refuses 王芳', async () => {
      const e = await eligibility(B, v.id);
      return e.eligible ? null : e;
    });
    // The date is the day A recorded it (today, UTC as stored).
    expect(refused.reasons).toEqual([`申请人王芳存在严重失信记录且尚未完成信用修复：提供虚假材料骗取登记（县市场监督管理局，${new Date().toISOString().slice(0, 10)}）`]);
    // B's one rule refuses the choice itself, not only the indicator.
    const c = v.certificates.find((x) => x.method === 'commitment')!;
    const choice = await B.raw('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, tokens.Bclerk);
    expect(choice.ok === false && choice.error.code).toBe('NOT_ELIGIBLE');
    expect(choice.ok === false && choice.error.message).toContain('提供虚假材料骗取登记');
    // B holds A's record under the hall id A gave it, received from the hub (a system write in B's audit).
    const [atA] = deskRows<{ hall_key: string }>(A, 'SELECT hall_key FROM credit_records WHERE id = ?', id);
    expect(atA!.hall_key).toMatch(/^[0-9a-f-]{36}$/);
    const atB = deskRows<{ origin_desk: string; repaired_at: string | null }>(B, 'SELECT origin_desk, repaired_at FROM credit_records WHERE hall_key = ?', atA!.hall_key);
    expect(atB).toEqual([{ origin_desk: 'desk-a', repaired_at: null }]);
    expect(deskRows(B, `SELECT actor_username FROM audit_log WHERE action = 'hub.creditReceived'`)).toEqual([{ actor_username: 'system' }]);

    await A.call('credit.repair', { id, note: '已履行行政处罚并完成信用修复' }, tokens.Aadmin!);
    await waitFor('B allows 王芳 again', async () => (await eligibility(B, v.id)).eligible || null);
    expect(deskRows(B, 'SELECT repair_note FROM credit_records WHERE hall_key = ?', atA!.hall_key)).toEqual([{ repair_note: '已履行行政处罚并完成信用修复' }]);

    // The hub: one credit record at version 2 (the record, then its repair), both in the feed; A's outbox drained.
    const rec = (await pool.query(`SELECT version, last_version FROM records WHERE kind = 'credit' AND record_id = $1`, [atA!.hall_key])).rows;
    expect(rec).toEqual([{ version: 2, last_version: 2 }]);
    expect((await pool.query(`SELECT count(*)::int AS n FROM feed WHERE kind = 'credit' AND record_key LIKE $1`, [`credit:${atA!.hall_key}@%`])).rows[0].n).toBe(2);
    expect(deskRows(A, `SELECT state, outcome FROM hall_record_outbox WHERE kind = 'credit' ORDER BY id`)).toEqual([
      { state: 'acknowledged', outcome: 'current' },
      { state: 'acknowledged', outcome: 'current' },
    ]);
  });
});

describe('offline: the last copy, its age, and commitments flagged on reconnect', () => {
  it('B offline shows the age of its copy; a commitment it signed after the hub held a barring record is flagged with a verification on reconnect', async () => {
    const { v, certificateItemId } = await commitmentCase(B, tokens.Bclerk!, '王芳');
    await waitFor('B has read the feed to its end', () => deskRows<{ n: number }>(B, 'SELECT count(*) AS n FROM hall_sync_state')[0]!.n === 1 || null);
    await proxy.cut();
    await waitFor('B sees the hub unreachable', async () => {
      const s = await B.call('sync.status', {}, tokens.Bclerk!);
      return s.targets.find((t) => t.id === 'hub')?.reachable === false || null;
    });
    const syncedAt = deskRows<{ caught_up_at: string }>(B, 'SELECT caught_up_at FROM hall_sync_state')[0]!.caught_up_at;

    // A (connected) records a false commitment of 王芳; the hub holds it before B's clerk has her sign.
    const { id } = await A.call(
      'credit.recordOutside',
      { applicantId: await applicantId(A, tokens.Aadmin!, '王芳'), severity: '严重', source: '县人民法院', documentNo: '（2026）鄂0325执88号', decidedOn: '2026-11-20', reason: '列入失信被执行人名单' },
      tokens.Aadmin!,
    );
    const hallKey = deskRows<{ hall_key: string }>(A, 'SELECT hall_key FROM credit_records WHERE id = ?', id)[0]!.hall_key;
    await waitFor('the hub holds the record', async () => (await pool.query(`SELECT 1 FROM records WHERE kind = 'credit' AND record_id = $1`, [hallKey])).rowCount === 1 || null);

    // B, offline, still works on its last copy and says how old it is.
    const e = await eligibility(B, v.id);
    expect(e.eligible).toBe(true);
    expect(e.hallCopy?.syncedAt).toBe(syncedAt);
    expect(e.hallCopy?.message).toMatch(/^全厅数据更新于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（(刚刚|\d+ 分钟前)）$/);
    const status = await B.call('applicants.creditStatus', { id: await applicantId(B, tokens.Bclerk!, '王芳') }, tokens.Bclerk!);
    expect(status.hallCopy?.message).toBe(e.hallCopy?.message);

    let bv = await B.call('intake.recordChoice', { caseId: v.id, certificateItemId, choice: 'commit' }, tokens.Bclerk!);
    bv = await B.call('intake.signCommitment', { caseId: v.id, certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, tokens.Bclerk!);
    bv = await resolveOthers(B, tokens.Bclerk!, bv);
    bv = await B.call('intake.transition', { caseId: v.id, to: 'accepted' }, tokens.Bclerk!);
    expect(bv.status).toBe('accepted');
    const commitmentId = bv.certificates.find((x) => x.certificateItemId === certificateItemId)!.commitment!.id;
    expect(deskRows(B, 'SELECT * FROM hall_credit_flags')).toEqual([]);

    // B reconnects: it pulls the record, the commitment is flagged and a verification task is open for it.
    await proxy.open();
    const [flag] = await waitFor('the offline commitment is flagged', () => {
      const rows = deskRows<{ commitment_id: number; task_id: number | null; note: string }>(B, 'SELECT commitment_id, task_id, note FROM hall_credit_flags');
      return rows.length ? rows : null;
    });
    expect(flag!.commitment_id).toBe(commitmentId);
    expect(flag!.note).toContain('王芳在本承诺签署前已被列入信用记录（列入失信被执行人名单，县人民法院；全厅中心');
    const tasks = deskRows<{ id: number; status: string; source: string }>(B, `SELECT id, status, source FROM verification_tasks WHERE commitment_id = ? AND status = 'open'`, commitmentId);
    expect(tasks).toHaveLength(1);
    expect(flag!.task_id).toBe(tasks[0]!.id);
    const audit = deskRows<{ actor_username: string; entity_id: string }>(B, `SELECT actor_username, entity_id FROM audit_log WHERE action = 'hub.commitmentFlagged'`);
    expect(audit).toEqual([{ actor_username: 'system', entity_id: String(commitmentId) }]);
    // And from now on B refuses her too, and its copy is fresh again.
    const after = await eligibility(B, v.id);
    expect(after.reasons.join()).toContain('列入失信被执行人名单');
    expect(after.hallCopy!.syncedAt! > syncedAt).toBe(true);
  });

  it('a record and its repair that B pulls together after reconnecting flag nothing: the commitment came after the repair', async () => {
    // 王芳 is clear again first (the previous test's record repaired at A, seen by B).
    const open = deskRows<{ id: number }>(A, `SELECT id FROM credit_records WHERE name = '王芳' AND repaired_at IS NULL`);
    for (const r of open) await A.call('credit.repair', { id: r.id, note: '已完成信用修复' }, tokens.Aadmin!);
    const { v, certificateItemId } = await commitmentCase(B, tokens.Bclerk!, '王芳');
    await waitFor('B allows 王芳', async () => (await eligibility(B, v.id)).eligible || null);
    const flagsBefore = deskRows<{ n: number }>(B, 'SELECT count(*) AS n FROM hall_credit_flags')[0]!.n;

    await proxy.cut();
    await waitFor('B sees the hub unreachable', async () => (await B.call('sync.status', {}, tokens.Bclerk!)).targets.find((t) => t.id === 'hub')?.reachable === false || null);
    const { id } = await A.call(
      'credit.recordOutside',
      { applicantId: await applicantId(A, tokens.Aadmin!, '王芳'), severity: '严重', source: '县应急管理局', documentNo: '房应急罚〔2026〕3号', decidedOn: '2026-11-25', reason: '安全生产违法' },
      tokens.Aadmin!,
    );
    await A.call('credit.repair', { id, note: '当日整改完毕，信用修复' }, tokens.Aadmin!);
    const hallKey = deskRows<{ hall_key: string }>(A, 'SELECT hall_key FROM credit_records WHERE id = ?', id)[0]!.hall_key;
    await waitFor('the hub holds the repair', async () => (await pool.query(`SELECT version FROM records WHERE kind = 'credit' AND record_id = $1`, [hallKey])).rows[0]?.version === 2 || null);

    // B, offline, has her commit after the hub already held both the record and its repair.
    await B.call('intake.recordChoice', { caseId: v.id, certificateItemId, choice: 'commit' }, tokens.Bclerk!);
    const signed = await B.call('intake.signCommitment', { caseId: v.id, certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, tokens.Bclerk!);
    await resolveOthers(B, tokens.Bclerk!, signed);
    expect((await B.call('intake.transition', { caseId: v.id, to: 'accepted' }, tokens.Bclerk!)).status).toBe('accepted');

    await proxy.open();
    await waitFor('B holds the repaired record', () => deskRows<{ repaired_at: string | null }>(B, 'SELECT repaired_at FROM credit_records WHERE hall_key = ?', hallKey)[0]?.repaired_at ?? null);
    expect(deskRows<{ n: number }>(B, 'SELECT count(*) AS n FROM hall_credit_flags')[0]!.n).toBe(flagsBefore);
    expect((await eligibility(B, v.id)).eligible).toBe(true);
  });

  it('a desk that never read the hall feed says so', async () => {
    const dead = await freePort();
    const C = await enrolledDesk(hall, { deskId: 'desk-c', port: dead, dir: 'hub-records' });
    try {
      const t = (await C.signIn('zhangmin')).token;
      const s = await C.call('applicants.creditStatus', { id: await applicantId(C, t, '王芳') }, t);
      expect(s.hallCopy).toEqual({ syncedAt: null, message: '本机尚未从全厅中心取得全厅数据：其他窗口登记的信用记录本机可能尚不知晓。' });
    } finally {
      await C.app.stopSync().catch(() => undefined);
      C.app.close();
    }
  });
});

describe('exactly once', () => {
  it('an entry an earlier process sent before dying (lease held, answer lost) is re-sent under its key and acknowledged as the duplicate; the hub holds it once', async () => {
    const D = await enrolledDesk(hall, { deskId: 'desk-d', port: hub.port, dir: 'hub-records' });
    await D.app.stopSync();
    const admin = (await D.signIn('admin')).token;
    await D.call(
      'credit.recordOutside',
      { applicantId: await applicantId(D, admin, '孙丽'), severity: '一般', source: '县税务局', documentNo: '房税罚〔2026〕7号', decidedOn: '2026-10-09', reason: '逾期未申报' },
      admin,
    );
    const [e] = deskRows<{ id: number; kind: string; record_id: string; base_version: number; body: string; idempotency_key: string; state: string }>(D, 'SELECT * FROM hall_record_outbox');
    expect(e).toMatchObject({ kind: 'credit', base_version: 0, state: 'pending' });

    // The earlier process sent it (the hub stored it) and died holding the lease, its answer never recorded.
    const target = hubTargetFor(hubCard, hub.port);
    const earlier = await new HubConnector(target, D.dataDir, 15, TEST_REQUEST_TIMEOUT_MS).pushRecord({ kind: 'credit', recordId: e!.record_id, baseVersion: 0, body: JSON.parse(e!.body) as Record<string, unknown>, idempotencyKey: e!.idempotency_key });
    expect(earlier).toMatchObject({ version: 1, outcome: 'current', duplicate: false });
    const db = openTestStore(dbFile(D.dataDir));
    db.prepare(`UPDATE hall_record_outbox SET state = 'in_flight', lease_owner = 'earlier-process', lease_until = ?, attempts = 1 WHERE id = ?`).run(new Date(Date.now() + 3_600_000).toISOString(), e!.id);
    db.close();
    D.app.close();

    // The desk starts again: the lease is not its own → unknown → re-sent under the same key → the hub answers "duplicate".
    const D2 = await testDesk({ dataDir: D.dataDir });
    try {
      await waitFor('acknowledged', () => deskRows<{ state: string }>(D2, 'SELECT state FROM hall_record_outbox WHERE id = ?', e!.id)[0]!.state === 'acknowledged' || null);
      expect(deskRows(D2, 'SELECT attempts, hub_version, outcome FROM hall_record_outbox WHERE id = ?', e!.id)).toEqual([{ attempts: 2, hub_version: 1, outcome: 'current' }]);
      const acks = deskRows<{ detail: string }>(D2, `SELECT detail FROM audit_log WHERE action = 'hub.recordAcknowledged'`).map((r) => JSON.parse(r.detail) as { via: string; version: number });
      expect(acks).toEqual([expect.objectContaining({ via: 'duplicate', version: 1 })]);
      expect((await pool.query('SELECT count(*)::int AS n FROM record_versions WHERE idempotency_key = $1', [e!.idempotency_key])).rows[0].n).toBe(1);
      expect((await pool.query(`SELECT count(*)::int AS n FROM feed WHERE record_key LIKE $1`, [`credit:${e!.record_id}@%`])).rows[0].n).toBe(1);
    } finally {
      await D2.app.stopSync().catch(() => undefined);
      D2.app.close();
    }
  }, 120_000);

  it('the hub refuses a record the desks could not apply (an applicant under another ID, a credit record without severity), with nothing written', async () => {
    const target = hubTargetFor(hubCard, hub.port);
    const c = new HubConnector(target, A.dataDir, 15, TEST_REQUEST_TIMEOUT_MS);
    const before = (await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0];
    const bad = [
      { kind: 'applicant', recordId: 'resident_id:420325199207180049', body: { kind: 'person', name: '冒名', idType: 'resident_id', idNumber: '42032519880623004X', phone: '13900000000' } },
      { kind: 'credit', recordId: 'b4c7e0f2-0000-4000-8000-000000000001', body: { idType: 'resident_id', idNumber: '42032519880623004X', name: '王芳', kind: 'bad_credit', reason: '无', source: '无', recordedAt: '2026-12-01T00:00:00.000Z' } },
    ];
    for (const [i, b] of bad.entries()) {
      const e = await c.pushRecord({ ...b, baseVersion: 0, idempotencyKey: `bad/${i}` }).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ConnectorFailure);
      expect((e as ConnectorFailure).failure).toMatchObject({ kind: 'rejected', status: 422, message: '推送的记录内容不完整或与记录编号不符，已拒绝。' });
    }
    expect((await pool.query('SELECT (SELECT count(*) FROM record_versions)::int AS v, (SELECT count(*) FROM feed)::int AS f')).rows[0]).toEqual(before);
  });
});
