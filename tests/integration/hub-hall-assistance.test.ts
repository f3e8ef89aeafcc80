import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { testDesk, type TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall, writeHubConfig } from '../helpers/hub-desks';
import { hubTargetFor } from '../helpers/hub-process';
import { tempDir } from '../helpers/temp';
import { signaturePng } from '../helpers/png';
import { FAST_SENDER, TEST_REQUEST_TIMEOUT_MS, waitFor, writeConfig } from '../helpers/sync-desks';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { freePort } from '../../hub/cluster';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { HUB_MIGRATIONS_DIR, migrate } from '../../hub/migrate';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { systemMonotonic } from '../../electron/app/clock';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';
import type { HallAssistanceView } from '../../shared/ipc/methods/hall-assistance';

/**
 * 协查 across the hall and the supervisor's hall-wide case list, end to end against a real
 * PostgreSQL, the real hub (in process, on loopback) and three desks with their own SQLite files
 * (docs/hub.md, "Records, owners and offline"):
 * - a 协查 request sent at desk A is listed at desk B with A's window, read-only; A's reply reaches
 *   B; with the hub unreachable B lists its last copy, says how old it is, and flags the request
 *   overdue by the one due-date rule once B's clock passes its due time (counted hall-wide);
 * - requests a desk held before it had a hub are shared when it starts with one;
 * - the hall case list at desk C (a supervisor) lists A's and B's cases newest first, paged and
 *   filtered, windows named, each page audited; refused in Chinese when the hub is unreachable,
 *   and refused to clerks.
 */

const pgc = usePostgres();
let url: string;
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let hubCard: HubCard;
let hall: Hall;
let proxyB: CuttableProxy;
let proxyC: CuttableProxy;
let A: TestDesk;
let B: TestDesk;
let C: TestDesk;
/** B's clock runs this far ahead of the machine's (moved only while B is cut off from the hub). */
let bAheadMs = 0;
const tokens: Record<string, string> = {};
/** The request desk D sent before it had a hub (still open). */
let dRequestKey = '';
const DAY = 86_400_000;
const SIG = signaturePng().toString('base64');

async function applicantId(d: TestDesk, token: string, name: string): Promise<number> {
  return (await d.call('applicants.list', { query: name, limit: 5 }, token)).find((a) => a.name === name)!.id;
}

/** A service item with a certificate by 部门协查. */
async function assistanceItem(d: TestDesk, token: string) {
  const items = await d.call('catalog.listServiceItems', {}, token);
  return items.find((i) => i.certificates.some((c) => c.method === 'dept_verification'))!;
}

/** A case for the applicant on that item, its 协查 request(s) sent and the other certificates resolved, accepted. */
async function acceptedWithRequest(d: TestDesk, token: string, name: string): Promise<{ caseNo: string }> {
  const item = await assistanceItem(d, token);
  let v = await d.call('intake.start', { applicantId: await applicantId(d, token, name), serviceItemIds: [item.id] }, token);
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const id = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'dept_verification') v = await d.call('intake.requestAssistance', id, token);
    else if (c.method === 'data_sharing') v = await d.call('intake.queryDataSharing', id, token);
    else if (c.method === 'commitment') {
      await d.call('intake.recordChoice', { ...id, choice: 'commit' }, token);
      v = await d.call('intake.signCommitment', { ...id, signatureKind: 'pad', signaturePngBase64: SIG }, token);
    } else if (c.method !== 'cancelled') v = await d.call('intake.addMaterial', { ...id, title: c.name, pages: [{ mime: 'image/png', base64: SIG }] }, token);
  }
  const a = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
  return { caseNo: a.caseNo };
}

/** An accepted case with its 协查 request sent; returns the case number and its first request as the desk lists it. */
async function caseWithRequest(d: TestDesk, token: string, name: string) {
  const { caseNo } = await acceptedWithRequest(d, token, name);
  const request = (await d.call('assistance.list', {}, token)).find((r) => r.caseNo === caseNo)!;
  return { caseNo, request };
}

async function hallRow(d: TestDesk, token: string, caseNo: string): Promise<HallAssistanceView | undefined> {
  return (await d.call('assistance.hallList', {}, token)).requests.find((r) => r.caseNo === caseNo);
}

beforeAll(async () => {
  url = await createDatabase(pgc.cluster, 'hub_assistance');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 4 });
  hubCard = (await hubIdentity(pool)).card;
  hall = { pool, card: hubCard };
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-assistance-test';
  proxyB = new CuttableProxy(await freePort(), () => hub.port);
  proxyC = new CuttableProxy(await freePort(), () => hub.port);
  await proxyB.open();
  await proxyC.open();
  A = await enrolledDesk(hall, { deskId: 'desk-a', port: hub.port, dir: 'hub-assist' });
  // A moved wall clock is not a duration: sessions and back-off keep the machine's monotonic clock.
  B = await enrolledDesk(hall, { deskId: 'desk-b', port: proxyB.port, dir: 'hub-assist', app: { now: () => new Date(Date.now() + bAheadMs), monotonic: systemMonotonic } });
  C = await enrolledDesk(hall, { deskId: 'desk-c', port: proxyC.port, dir: 'hub-assist' });
  tokens.Aclerk = (await A.signIn('zhangmin')).token;
  tokens.Bclerk = (await B.signIn('liuyang')).token;
  tokens.Bsup = (await B.signIn('admin')).token;
  tokens.Csup = (await C.signIn('admin')).token;
  tokens.Cclerk = (await C.signIn('zhangmin')).token;
}, 180_000);

afterAll(async () => {
  for (const d of [A, B, C]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await proxyB?.cut();
  await proxyC?.cut();
  await pool?.end();
  await hub?.close();
});

describe('协查 across the hall', () => {
  it('a request sent at A is listed at B with A’s window, read-only and its ID masked; A’s reply reaches B', async () => {
    const { caseNo, request } = await caseWithRequest(A, tokens.Aclerk!, '王芳');
    expect(request.status).toBe('open');

    const atB = await waitFor('B lists A’s request', () => hallRow(B, tokens.Bclerk!, caseNo));
    expect(atB).toMatchObject({ own: false, id: null, window: 'desk-a 窗口', applicantName: '王芳', status: 'open', overdue: false, outcome: null, repliedAt: null });
    expect(atB.key).toBe(`desk-a:${request.id}`);
    expect(atB.certificate).toBe(request.certificate);
    expect(atB.department).toBe(request.department);
    expect(atB.dueAt).toBe(request.dueAt);
    expect(atB.applicantIdMasked).toMatch(/\*/);
    // No ID number in clear reached B's copy.
    const applicant = (await A.call('applicants.list', { query: '王芳', limit: 5 }, tokens.Aclerk!)).find((a) => a.name === '王芳')!;
    const full = deskRows<{ id_number: string }>(A, 'SELECT id_number FROM applicants WHERE id = ?', applicant.id)[0]!.id_number;
    expect(JSON.stringify(deskRows(B, 'SELECT * FROM hall_assistance_requests'))).not.toContain(full);
    // B's own list (本窗口) does not hold it: it is A's.
    expect((await B.call('assistance.list', {}, tokens.Bclerk!)).some((r) => r.caseNo === caseNo)).toBe(false);
    // A lists it as its own in the hall scope.
    expect((await hallRow(A, tokens.Aclerk!, caseNo))).toMatchObject({ own: true, id: request.id, window: 'desk-a 窗口' });

    await A.call('assistance.recordReply', { requestId: request.id, outcome: 'confirmed', reply: '经电话向县民政局核实，婚姻登记信息属实', channel: 'phone' }, tokens.Aclerk!);
    const replied = await waitFor('B has A’s reply', async () => {
      const r = await hallRow(B, tokens.Bclerk!, caseNo);
      return r?.status === 'replied' ? r : null;
    });
    expect(replied).toMatchObject({ outcome: 'confirmed', replySummary: '经电话向县民政局核实，婚姻登记信息属实', channel: 'phone', overdue: false, late: false });
    expect(replied.repliedAt).not.toBeNull();
    // Applied as a system action in B's audit log.
    expect(deskRows<{ n: number }>(B, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.assistanceReceived' AND detail LIKE ?`, `%desk-a:${request.id}%`)[0]!.n).toBe(2);
  });

  it('requests a desk held before it had a hub are shared when it starts with one', async () => {
    const dataDir = tempDir('hub-assist-desk-d-');
    const keys = createDeskKeys(dataDir, { deskId: 'desk-d', name: 'desk-d 窗口', zone: 'intranet', signAlg: 'ed25519' });
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [] });
    let D = await testDesk({ dataDir });
    const token = (await D.signIn('zhangmin')).token;
    const { caseNo, request } = await caseWithRequest(D, token, '王芳');
    await D.app.stopSync();
    D.app.close();
    // Enrolled now, and started with the hub.
    await enrolDesk(pool, keys.card, '李主任');
    writeHubConfig(dataDir, hubCard, hub.port);
    D = await testDesk({ dataDir });
    try {
      const atB = await waitFor('B lists D’s older request', () => hallRow(B, tokens.Bclerk!, caseNo));
      expect(atB).toMatchObject({ key: `desk-d:${request.id}`, window: 'desk-d 窗口', status: 'open' });
      dRequestKey = atB.key;
      expect(deskRows<{ n: number }>(D, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.assistanceQueuedAtEnrolment'`)[0]!.n).toBe(1);
    } finally {
      await D.app.stopSync();
      D.app.close();
    }
    // Started again: nothing queued twice.
    D = await testDesk({ dataDir });
    try {
      expect(deskRows<{ n: number }>(D, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.assistanceQueuedAtEnrolment'`)[0]!.n).toBe(1);
    } finally {
      await D.app.stopSync();
      D.app.close();
    }
  });

  it('offline, B lists its last copy and says how old it is; past the due time the request is flagged overdue and counted hall-wide', async () => {
    const { caseNo, request } = await caseWithRequest(A, tokens.Aclerk!, '王芳');
    await waitFor('B lists the new request', () => hallRow(B, tokens.Bclerk!, caseNo));
    const before = await B.call('assistance.overdueCounts', {}, tokens.Bclerk!);
    expect(before.hall).toBe(before.own); // nothing of another window is overdue yet

    await proxyB.cut();
    await waitFor('B sees the hub unreachable', async () => (await B.call('sync.status', {}, tokens.Bsup!)).targets.find((t) => t.id === 'hub')?.reachable === false || null);
    const onTime = await B.call('assistance.hallList', {}, tokens.Bclerk!);
    expect(onTime.requests.find((r) => r.caseNo === caseNo)).toMatchObject({ status: 'open', overdue: false, window: 'desk-a 窗口' });

    // B's clock passes the due time (five working days) while it is cut off.
    bAheadMs = Date.parse(request.dueAt) - Date.now() + 2 * DAY;
    try {
    const late = await B.call('assistance.hallList', {}, tokens.Bclerk!);
    const row = late.requests.find((r) => r.caseNo === caseNo)!;
    expect(row).toMatchObject({ status: 'open', overdue: true, window: 'desk-a 窗口', key: `desk-a:${request.id}` });
    expect(late.requests[0]!.overdue).toBe(true); // overdue first
    expect(late.hallCopy?.message).toMatch(/^全厅数据更新于 .*天前/);
    // Of the other windows' requests, the two still open are overdue (A's first one was replied); B's own are counted by the same rule.
    expect(late.requests.filter((r) => !r.own && r.overdue).map((r) => r.key).sort()).toEqual([`desk-a:${request.id}`, dRequestKey].sort());
    const after = await B.call('assistance.overdueCounts', {}, tokens.Bclerk!);
    expect(after.hall! - after.own).toBe(2);
    } finally {
      bAheadMs = 0;
      await proxyB.open();
    }
  });

  it('the hub takes a request only from the desk that sent it, and never with an ID number in clear; nothing is written', async () => {
    const atB = new HubConnector(hubTargetFor(hubCard, hub.port), B.dataDir, 22, TEST_REQUEST_TIMEOUT_MS);
    const body = {
      deskId: 'desk-a',
      window: 'desk-a 窗口',
      requestId: 999,
      caseNo: 'X-1',
      applicantName: '王芳',
      applicantIdMasked: '420***********004X',
      certificate: '结婚证',
      mode: '部门协查',
      department: '县民政局',
      createdAt: '2026-12-01T01:00:00.000Z',
      dueAt: '2026-12-08T01:00:00.000Z',
      status: 'open',
      outcome: null,
      replySummary: null,
      channel: null,
      repliedAt: null,
    };
    const refused = async (recordId: string, b: Record<string, unknown>) => {
      try {
        await atB.pushRecord({ kind: 'assistance_request', recordId, baseVersion: 0, body: b, idempotencyKey: `forged/${recordId}/${String(b.applicantIdMasked)}` });
      } catch (e) {
        return e instanceof ConnectorFailure ? e.message : String(e);
      }
      return 'taken';
    };
    // B answers for A's request: refused.
    expect(await refused('desk-a:999', body)).toContain('推送的记录内容不完整或与记录编号不符，已拒绝。');
    expect(await refused('desk-a:999', { ...body, deskId: 'desk-b' })).toContain('已拒绝');
    // Its own, but with the ID number in clear: refused.
    expect(await refused('desk-b:999', { ...body, deskId: 'desk-b', window: 'desk-b 窗口', applicantIdMasked: '42032519880623004X' })).toContain('已拒绝');
    expect((await pool.query(`SELECT count(*)::int AS n FROM records WHERE kind = 'assistance_request' AND record_id LIKE '%:999'`)).rows[0].n).toBe(0);
  });
});

describe('the supervisor’s hall-wide case list', () => {
  it('C lists A’s and B’s cases newest first, paged and filtered, windows named; each page audited', async () => {
    const item = await assistanceItem(A, tokens.Aclerk!);
    const a1 = await acceptedWithRequest(A, tokens.Aclerk!, '王芳');
    const b1 = await acceptedWithRequest(B, tokens.Bclerk!, '王芳');
    const a2 = await acceptedWithRequest(A, tokens.Aclerk!, '王芳');
    const mine = new Set([a1.caseNo, b1.caseNo, a2.caseNo]);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);

    const first = await waitFor('the hub holds the three accepted cases', async () => {
      const p = await C.call('hub.listHallCases', { status: 'accepted', acceptedFrom: today, acceptedTo: today, pageSize: 100 }, tokens.Csup!);
      return p.cases.filter((c) => mine.has(c.caseNo)).length === 3 ? p : null;
    });
    const listed = first.cases.filter((c) => mine.has(c.caseNo));
    // Newest first: the order they were accepted in, reversed.
    expect(listed.map((c) => c.caseNo)).toEqual([a2.caseNo, b1.caseNo, a1.caseNo]);
    expect(listed.map((c) => c.window)).toEqual(['desk-a 窗口', 'desk-b 窗口', 'desk-a 窗口']);
    expect(listed.every((c) => !c.own && c.status === 'accepted' && c.items.includes(item.name) && c.applicantIdMasked.includes('*'))).toBe(true);
    expect(first.windows?.map((w) => w.deskId)).toEqual(expect.arrayContaining(['desk-a', 'desk-b', 'desk-c']));

    // By window.
    const onlyB = await C.call('hub.listHallCases', { window: 'desk-b', status: 'accepted', acceptedFrom: today, pageSize: 100 }, tokens.Csup!);
    expect(onlyB.cases.every((c) => c.window === 'desk-b 窗口')).toBe(true);
    expect(onlyB.cases.map((c) => c.caseNo)).toContain(b1.caseNo);
    expect(onlyB.cases.map((c) => c.caseNo)).not.toContain(a1.caseNo);
    // Accepted before today: none of these.
    const yesterday = new Date(Date.now() + 8 * 3600_000 - DAY).toISOString().slice(0, 10);
    expect((await C.call('hub.listHallCases', { acceptedTo: yesterday, pageSize: 100 }, tokens.Csup!)).cases).toEqual([]);
    // By item name (a part of it), and by an item no case has.
    expect((await C.call('hub.listHallCases', { item: item.name.slice(0, 2), status: 'accepted', pageSize: 100 }, tokens.Csup!)).cases.map((c) => c.caseNo)).toEqual(
      expect.arrayContaining([a1.caseNo, b1.caseNo, a2.caseNo]),
    );
    expect((await C.call('hub.listHallCases', { item: '不存在的事项%' }, tokens.Csup!)).cases).toEqual([]);

    // Paged one by one: every case once, in the same order, and the last page says there is no more.
    const all = (await C.call('hub.listHallCases', { pageSize: 100 }, tokens.Csup!)).cases.map((c) => `${c.window}/${c.caseNo}`);
    const paged: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const p = await C.call('hub.listHallCases', { pageSize: 2, ...(after ? { after } : {}) }, tokens.Csup!);
      paged.push(...p.cases.map((c) => `${c.window}/${c.caseNo}`));
      pages++;
      expect(p.windows === undefined).toBe(after !== undefined); // the windows come with the first page only
      if (!p.next) break;
      after = p.next;
    }
    expect(paged).toEqual(all);
    expect(pages).toBe(Math.ceil(all.length / 2));
    expect(new Set(paged).size).toBe(paged.length);

    // Every page asked is in C's audit log under the supervisor.
    const audits = deskRows<{ actor_username: string; detail: string }>(C, `SELECT actor_username, detail FROM audit_log WHERE action = 'hub.caseList' ORDER BY seq`);
    expect(audits.length).toBeGreaterThanOrEqual(pages + 5);
    expect(audits.every((x) => x.actor_username === 'admin')).toBe(true);
    expect(JSON.parse(audits[0]!.detail)).toMatchObject({ filters: { status: 'accepted', acceptedFrom: today, acceptedTo: today }, page: 'first' });
  });

  it('is refused to clerks (FORBIDDEN), who keep the single-case lookup', async () => {
    const r = await C.raw('hub.listHallCases', {}, tokens.Cclerk);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.error.code).toBe('FORBIDDEN');
    const one = (await C.call('hub.listHallCases', { pageSize: 1 }, tokens.Csup!)).cases[0]!;
    expect((await C.call('hub.lookupCases', { caseNo: one.caseNo }, tokens.Cclerk!)).cases.map((c) => c.caseNo)).toEqual([one.caseNo]);
  });

  it('is refused in Chinese when the hub is unreachable, with nothing audited', async () => {
    const audited = () => deskRows<{ n: number }>(C, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.caseList'`)[0]!.n;
    const before = audited();
    await proxyC.cut();
    try {
      const r = await C.raw('hub.listHallCases', {}, tokens.Csup);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.error.code).toBe('UNAVAILABLE');
        expect(r.error.message).toMatch(/^无法从全厅中心取得全厅办件列表：/);
      }
      expect(audited()).toBe(before);
    } finally {
      await proxyC.open();
    }
  });
});

describe('the hub’s latest-case table', () => {
  it('keeps the latest revision when an older one arrives late, and is filled from the cases held before its migration', async () => {
    const db = new pg.Pool({ connectionString: await createDatabase(pgc.cluster, 'hub_case_latest'), max: 2 });
    try {
      // A hub from before this migration (hall_assistance_case_list) holding two cases of one desk (one a draft, pushed twice).
      const before = tempDir('hub-migrations-before-0010-');
      const files = fs.readdirSync(HUB_MIGRATIONS_DIR).filter((f) => /^\d{4}_.*\.sql$/.test(f));
      const ours = Number(files.find((f) => f.endsWith('_hall_assistance_case_list.sql'))!.slice(0, 4));
      for (const f of files.filter((f) => Number(f.slice(0, 4)) < ours)) fs.copyFileSync(path.join(HUB_MIGRATIONS_DIR, f), path.join(before, f));
      await migrate(db, before);
      await db.query(`INSERT INTO desks (desk_id, name, sign_alg, sign_pub, fingerprint, enrolled_by) VALUES ('desk-x', '9号窗口', 'ed25519', 'k', 'f', 't')`);
      const doc = (status: string, acceptedAt: string | null, item: string) => ({ status, acceptedAt, items: [{ name: item }], applicant: { name: '王芳' } });
      const push = (key: string, caseNo: string, revision: number, d: unknown, at: string, seq: number) =>
        db.query(`INSERT INTO cases (desk_id, idempotency_key, case_no, revision, document, desk_schema, received_at, feed_seq) VALUES ('desk-x', $1, $2, $3, $4, 20, $5, $6)`, [key, caseNo, revision, d, at, seq]);
      await push('k1', 'X-0001', 1, doc('draft', null, '婚姻登记'), '2026-12-01T02:00:00Z', 1);
      await push('k2', 'X-0001', 2, doc('draft', null, '婚姻登记、最低生活保障'), '2026-12-01T03:00:00Z', 2);
      await push('k3', 'X-0002', 1, doc('accepted', '2026-12-02T04:00:00.000Z', '残疾人证办理'), '2026-12-02T04:00:01Z', 3);

      await migrate(db);
      const rows = async () =>
        (await db.query(`SELECT case_no, revision, status, accepted_at, sort_at, items FROM hall_case_latest ORDER BY case_no`)).rows.map((r: { case_no: string; revision: number; status: string; accepted_at: Date | null; sort_at: Date; items: string }) => ({
          caseNo: r.case_no,
          revision: r.revision,
          status: r.status,
          acceptedAt: r.accepted_at?.toISOString() ?? null,
          sortAt: r.sort_at.toISOString(),
          items: r.items,
        }));
      // The draft's latest revision, sorted by when the hub first held it.
      expect(await rows()).toEqual([
        { caseNo: 'X-0001', revision: 2, status: 'draft', acceptedAt: null, sortAt: '2026-12-01T02:00:00.000Z', items: '婚姻登记、最低生活保障' },
        { caseNo: 'X-0002', revision: 1, status: 'accepted', acceptedAt: '2026-12-02T04:00:00.000Z', sortAt: '2026-12-02T04:00:00.000Z', items: '残疾人证办理' },
      ]);

      // After the migration, by the trigger: X-0001 accepted at revision 4, then its revision 3 arrives late.
      await push('k5', 'X-0001', 4, doc('accepted', '2026-12-03T05:00:00.000Z', '婚姻登记'), '2026-12-03T05:00:01Z', 5);
      await push('k4', 'X-0001', 3, doc('draft', null, '婚姻登记'), '2026-12-03T05:00:02Z', 4);
      expect((await rows())[0]).toEqual({ caseNo: 'X-0001', revision: 4, status: 'accepted', acceptedAt: '2026-12-03T05:00:00.000Z', sortAt: '2026-12-03T05:00:00.000Z', items: '婚姻登记' });
    } finally {
      await db.end();
    }
  });
});
