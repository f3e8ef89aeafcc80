/**
 * A false commitment found after acceptance terminates the case (or revokes its decision), and
 * every vertical system the case was destined for is told, through the outbox, in the outcome's
 * own transaction (electron/services/sync/status-change.ts, docs/sync.md "A status change after
 * acceptance"). Real SQLite, the real verification service, the simulator in its own process.
 */
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestDesk } from '../helpers/app';
import { desksClosedAfterEach } from '../helpers/desk-cleanup';
import { tempDir } from '../helpers/temp';
import { signaturePng } from '../helpers/png';
import { spawnVerticalSim, type SpawnedSim, type StoredCase } from '../../sim/vertical-system';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import type { OutboxEntryView } from '../../shared/ipc/methods/sync';
import { applicantIdOf, dbFile, FAST_SENDER, httpTarget, resolveQuick, simTarget, waitForSender, waitWhileProgressing, writeConfig } from '../helpers/sync-desks';
import { ACTOR, manifestIn, pair, side, type Side } from './transfer-support';

const SIG = signaturePng().toString('base64');
/** 托育机构备案: its 无犯罪记录证明 by commitment is always sampled (ratio 1); the rest queue or are requested. */
const ITEM = '托育机构备案';
const CONSEQUENCE = { legalBasis: '《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）', reason: '拟聘从业人员有犯罪记录', severity: '严重' as const };

let sim: SpawnedSim;
const testDesk = desksClosedAfterEach();
beforeAll(async () => {
  sim = await spawnVerticalSim({ dataDir: tempDir('revokehelper-sim-'), targets: [simTarget('keyed', true), simTarget('plain', false), simTarget('prov', true)] });
});
afterAll(async () => {
  await sim.close();
});
// Every fresh desk numbers its cases from the same start: each test looks at an empty simulator.
beforeEach(async () => {
  await sim.reset();
});

const MANUAL = {
  id: 'manual',
  name: '民政业务系统（人工补录）',
  kind: 'manual' as const,
  screen: '社会救助申请登记',
  fields: [
    { name: 'sqr', label: '申请人姓名', from: 'applicant.name' },
    { name: 'slbh', label: '受理编号', from: 'caseNo' },
  ],
};

/**
 * A desk sending to keyed, plain and the manual target. `noFiles`: targets that take no files (a
 * delay fault delays every upload request too, and an upload cut short is retried, never unknown).
 */
async function desk(o: { sender?: Record<string, number>; noFiles?: string[] } = {}): Promise<{ d: TestDesk; clerk: string; admin: string }> {
  const dataDir = tempDir('revokehelper-desk-');
  const files = (id: string) => (o.noFiles?.includes(id) ? { sendFiles: false } : {});
  writeConfig(dataDir, {
    version: 1,
    sender: { ...FAST_SENDER, ...o.sender },
    targets: [httpTarget('keyed', sim.targets.keyed!, 'key', files('keyed')), httpTarget('plain', sim.targets.plain!, 'none', files('plain')), MANUAL],
  });
  const d = await testDesk({ dataDir });
  return { d, clerk: (await d.signIn('zhangmin')).token, admin: (await d.signIn('admin')).token };
}

/** 王芳's 托育机构备案 with a signed commitment, accepted: its verification task is open. */
async function acceptedWithCommitment(d: TestDesk, token: string): Promise<{ id: number; caseNo: string }> {
  const item = (await d.call('catalog.listServiceItems', {}, token)).find((i) => i.name === ITEM)!;
  const v = await d.call('intake.start', { applicantId: await applicantIdOf(d, token), serviceItemIds: [item.id] }, token);
  for (const c of v.certificates.filter((x) => x.method === 'commitment')) {
    await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
    await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
  }
  await resolveQuick(d, token, v.id);
  const a = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
  return { id: a.id, caseNo: a.caseNo };
}

/** The supervisor records 承诺不实 for the case's task at the hall. */
async function falseFinding(d: TestDesk, admin: string, caseId: number): Promise<void> {
  const task = (await d.call('verification.board', {}, admin)).tasks.find((t) => t.caseId === caseId)!;
  const out = await d.call('verification.recordOutcome', { taskId: task.id, outcome: 'false', note: '网络核验发现犯罪记录', consequence: CONSEQUENCE }, admin);
  expect(out.state).toBe('failed');
}

const entriesOf = async (d: TestDesk, token: string, caseId: number, targetId: string): Promise<OutboxEntryView[]> =>
  (await d.call('sync.entries', { caseId, targetId }, token)).entries.sort((a, b) => a.revision - b.revision);

const storedOf = async (target: string, caseNo: string): Promise<StoredCase[]> => (await sim.cases(target)).filter((c) => c.externalRef === caseNo);

/** The target holds the case once, with these revisions in this order, the last one telling of the termination. */
function expectHeld(stored: StoredCase[], revisions: number[]): void {
  expect(stored).toHaveLength(1);
  const c = stored[0]!;
  expect(c.versions.map((v) => v.revision)).toEqual(revisions);
  const change = c.versions[c.versions.length - 1]!;
  expect(change.statusChange).toMatchObject({ status: 'terminated', statusLabel: '终止', action: '终止办理', previousStatus: 'accepted', legalBasis: CONSEQUENCE.legalBasis });
  expect(change.statusChange!.reason).toBe(`告知承诺不实：${CONSEQUENCE.reason}`);
  expect(Number.isNaN(Date.parse(change.statusChange!.at))).toBe(false);
  expect(change.payload).toMatchObject({ externalRef: c.externalRef, revision: revisions[revisions.length - 1] });
  for (const v of c.versions.slice(0, -1)) expect(v.statusChange).toBeNull();
  // In the order received: the change after whatever came before it.
  const times = c.versions.map((v) => Date.parse(v.receivedAt));
  expect([...times].sort((a, b) => a - b)).toEqual(times);
  expect(c.status).toBe('terminated');
}

describe('a false commitment after acceptance reaches the vertical systems', () => {
  it('delivered case: each target gets the termination once, after the acceptance, in the outcome transaction; the manual clerk is told to terminate it there', async () => {
    const { d, clerk, admin } = await desk();
    const c = await acceptedWithCommitment(d, clerk);
    for (const t of ['keyed', 'plain']) await waitForSender(`${t} r1 acknowledged`, d.dataDir, async () => (await entriesOf(d, clerk, c.id, t))[0]!.state === 'acknowledged');
    const manual1 = (await entriesOf(d, clerk, c.id, 'manual'))[0]!;
    await d.call('sync.manual.markEntered', { entryId: manual1.id, targetCaseNo: 'MZ-2026-000777' }, clerk);

    await falseFinding(d, admin, c.id);
    expect((await d.call('intake.get', { caseId: c.id }, clerk)).status).toBe('terminated');

    // One transaction: the transition, the new entries with their audit entry, the credit record and the outcome.
    const db = openTestStore(dbFile(d.dataDir), { readonly: true });
    const audit = db
      .prepare(`SELECT action, at, detail FROM audit_log WHERE action IN ('case.transition', 'sync.statusChange', 'credit.record', 'verification.outcome') ORDER BY seq DESC LIMIT 4`)
      .all() as { action: string; at: string; detail: string }[];
    expect(audit.map((a) => a.action).sort()).toEqual(['case.transition', 'credit.record', 'sync.statusChange', 'verification.outcome']);
    expect(new Set(audit.map((a) => a.at)).size).toBe(1);
    const queued = JSON.parse(audit.find((a) => a.action === 'sync.statusChange')!.detail) as { to: string; entries: { targetId: string; revision: number }[]; superseded: unknown[] };
    expect(queued.to).toBe('terminated');
    expect(queued.entries.map((e) => [e.targetId, e.revision])).toEqual([
      ['keyed', 2],
      ['manual', 2],
      ['plain', 2],
    ]);
    expect(queued.superseded).toEqual([]); // everything had arrived already
    const keys = db.prepare(`SELECT target_id, revision, idempotency_key FROM outbox_entries WHERE case_id = ? AND kind = 'case' ORDER BY target_id, revision`).all(c.id) as {
      revision: number;
      idempotency_key: string;
    }[];
    expect(new Set(keys.map((k) => k.idempotency_key)).size).toBe(6);
    expect(keys.filter((k) => k.revision === 2).every((k) => /\/r2\/e[0-9a-f]{16}$/.test(k.idempotency_key))).toBe(true);

    for (const t of ['keyed', 'plain']) {
      await waitForSender(`${t} r2 acknowledged`, d.dataDir, async () => (await entriesOf(d, clerk, c.id, t))[1]?.state === 'acknowledged');
      const [r1, r2] = await entriesOf(d, clerk, c.id, t);
      expect(r2).toMatchObject({ revision: 2, statusChange: '终止办理', targetCaseNo: r1!.targetCaseNo, attempts: 1 });
      const stored = await storedOf(t, c.caseNo);
      expectHeld(stored, [1, 2]);
      expect(stored[0]!.caseNo).toBe(r1!.targetCaseNo);
      // The files the target holds from the acceptance are referred to again, not uploaded again.
      const files = (id: number) => db.prepare('SELECT sha256, remote_file_id FROM outbox_files WHERE entry_id = ? ORDER BY sha256').all(id) as { remote_file_id: string | null }[];
      expect(files(r1!.id).length).toBeGreaterThan(0);
      expect(files(r2!.id)).toEqual(files(r1!.id));
      expect(stored[0]!.versions[1]!.payload.files).toEqual(stored[0]!.versions[0]!.payload.files);
      expect(await sim.stats(t)).toMatchObject({ duplicatesServed: 0 });
    }

    // The manual target: a copy-ready view of what to do there, by the number it gave.
    const manual2 = (await entriesOf(d, clerk, c.id, 'manual'))[1]!;
    expect(manual2).toMatchObject({ state: 'pending', statusChange: '终止办理' });
    const v = await d.call('sync.manual.view', { entryId: manual2.id }, clerk);
    expect(v.change).toMatchObject({ action: '终止办理', statusLabel: '终止', enteredAs: 'MZ-2026-000777' });
    expect(v.change!.instruction).toContain('已录入');
    expect(v.change!.fields.map((f) => f.label)).toEqual(['对方系统编号', '受理编号', '办理', '办件状态', '法律依据', '理由', '决定时间']);
    expect(v.change!.fields.find((f) => f.label === '法律依据')!.value).toBe(CONSEQUENCE.legalBasis);
    expect(v.change!.fields.find((f) => f.label === '对方系统编号')!.value).toBe('MZ-2026-000777');
    expect((await d.call('sync.manual.markEntered', { entryId: manual2.id, targetCaseNo: 'MZ-2026-000777' }, clerk)).entry.state).toBe('acknowledged');

    const acked = db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'sync.acknowledged' AND entity_id = ?`).pluck().get(String(c.id)) as number;
    expect(acked).toBe(4); // r1 and r2 at both http targets
    expect(verifyAuditChain(db).ok).toBe(true);
    db.close();
    await d.app.stopSync();
    d.app.close();
  }, 120_000); // signing a commitment renders a PDF in the worker: a bound for a loaded machine (the waits inside follow the work)

  it('still queued when terminated: an unsent acceptance is superseded (the target gets the case once, already terminated); one that may have arrived goes first and the change follows', async () => {
    await sim.setFaults('keyed', { refuse: true });
    // plain (once reachable) answers after the desk stopped waiting: the acceptance is stored there, its outcome unknown.
    // The desk waits 2 s, plain answers after 3 s: the timeout is the fault here, so it is short (not the tests' default).
    // Nothing moves by itself meanwhile, whatever the machine's speed: no probe once a target answered
    // the first (a delayed /health would mark plain unreachable before the acceptance is posted, if
    // signing the commitment took longer than 2 s), and an unknown entry waits 10 minutes before its
    // look-up (else it goes back in flight every few hundred ms, its look-up delayed as well). 立即同步
    // (sync.kick) ends both waits once the faults are cleared.
    const patient = { requestTimeoutMs: 2_000, leaseMs: 10_000, probeIntervalMs: 600_000, backoffBaseMs: 600_000, backoffMaxMs: 600_000 };
    const { d, clerk, admin } = await desk({ noFiles: ['plain'], sender: patient });
    try {
      await waitForSender('plain reachable', d.dataDir, async () => (await d.call('sync.status', {}, clerk)).targets.find((t) => t.id === 'plain')!.reachable);
      await sim.setFaults('plain', { delayMs: 3000 });
      const c = await acceptedWithCommitment(d, clerk);
      // pending → in flight → unknown: fails only if that stops moving (not after a fixed time).
      const plain1 = async () => (await entriesOf(d, clerk, c.id, 'plain'))[0]!;
      await waitWhileProgressing(
        'plain r1 unknown',
        async () => (await plain1()).state === 'unknown',
        async () => `${(await plain1()).state}/${(await plain1()).attempts}`,
        30_000,
      );
      expect(await plain1()).toMatchObject({ attempts: 1, lastError: '已发出，但未收到“模拟plain”的应答（等待应答超时），是否送达未知，将自动核对' });
      const keyed1 = (await entriesOf(d, clerk, c.id, 'keyed'))[0]!;
      expect(['pending', 'retry_wait']).toContain(keyed1.state);

      await falseFinding(d, admin, c.id);
      const [k1, k2] = await entriesOf(d, clerk, c.id, 'keyed');
      expect(k1!.state).toBe('superseded');
      expect(k2).toMatchObject({ revision: 2, state: 'pending', statusChange: '终止办理' });
      const [p1, p2] = await entriesOf(d, clerk, c.id, 'plain');
      expect(p1!.state).toBe('unknown'); // may be there: not superseded, resolved first
      expect(p2).toMatchObject({ revision: 2, statusChange: '终止办理' });
      const [m1, m2] = await entriesOf(d, clerk, c.id, 'manual');
      expect(m1!.state).toBe('superseded');
      const view = await d.call('sync.manual.view', { entryId: m2!.id }, clerk);
      expect(view.change).toMatchObject({ enteredAs: null, action: '终止办理' });
      expect(view.change!.instruction).toContain('尚未录入');
      expect(view.fields.map((f) => f.label)).toEqual(['申请人姓名', '受理编号']); // enter it, with its new status

      const db = openTestStore(dbFile(d.dataDir), { readonly: true });
      const superseded = db.prepare(`SELECT id, superseded_by FROM outbox_entries WHERE case_id = ? AND state = 'superseded' ORDER BY target_id`).all(c.id);
      expect(superseded).toEqual([
        { id: k1!.id, superseded_by: k2!.id },
        { id: m1!.id, superseded_by: m2!.id },
      ]);
      const detail = JSON.parse(db.prepare(`SELECT detail FROM audit_log WHERE action = 'sync.statusChange' AND entity_id = ?`).pluck().get(String(c.id)) as string) as {
        superseded: { id: number; targetId: string }[];
      };
      expect(detail.superseded.map((s) => [s.targetId, s.id])).toEqual([
        ['keyed', k1!.id],
        ['manual', m1!.id],
      ]);

      await sim.setFaults('keyed', {});
      await sim.setFaults('plain', {});
      await d.call('sync.kick', {}, clerk);
      const both = async () => [...(await entriesOf(d, clerk, c.id, 'keyed')), ...(await entriesOf(d, clerk, c.id, 'plain'))];
      await waitWhileProgressing(
        'keyed r2 and plain r1, r2 acknowledged',
        async () => (await both()).filter((e) => e.state === 'acknowledged').length === 3,
        async () => (await both()).map((e) => `${e.id}:${e.state}/${e.attempts}`).join(' '),
        30_000,
      );
      // keyed never had the acceptance: it holds the case once, as terminated, from revision 2.
      expectHeld(await storedOf('keyed', c.caseNo), [2]);
      // plain: the acceptance once (found by the look-up, not posted again), then the change.
      expectHeld(await storedOf('plain', c.caseNo), [1, 2]);
      const via = db
        .prepare(`SELECT json_extract(detail, '$.via') FROM audit_log WHERE action = 'sync.acknowledged' AND json_extract(detail, '$.entryId') = ?`)
        .pluck()
        .get(p1!.id);
      expect(via).toBe('lookup');
      expect(verifyAuditChain(db).ok).toBe(true);
      db.close();
    } finally {
      await sim.setFaults('keyed', {});
      await sim.setFaults('plain', {});
      await d.app.stopSync();
      d.app.close();
    }
  }, 120_000); // signing a commitment renders a PDF in the worker: a bound for a loaded machine (the waits inside follow the work)

  it('an acceptance in flight when terminated and then refused (422) is superseded by the change, not parked for re-sending', async () => {
    // The tests' request timeout and lease (FAST_SENDER's): the held answer must not time out while the case is terminated.
    const { d, clerk, admin } = await desk({ noFiles: ['keyed'] });
    try {
      await waitForSender('keyed reachable', d.dataDir, async () => (await d.call('sync.status', {}, clerk)).targets.find((t) => t.id === 'keyed')!.reachable);
      // The acceptance (it has no revision field) is refused, its answer held until the case is terminated
      // (held, not delayed by a fixed time: terminating takes longer on a loaded machine).
      const refuseAcceptance = { reject422: { field: 'revision', pattern: '^$' } };
      await sim.setFaults('keyed', { ...refuseAcceptance, holdAnswers: true });
      const c = await acceptedWithCommitment(d, clerk);
      await waitForSender('keyed r1 in flight', d.dataDir, async () => (await entriesOf(d, clerk, c.id, 'keyed'))[0]!.state === 'in_flight');
      await falseFinding(d, admin, c.id);
      expect((await entriesOf(d, clerk, c.id, 'keyed')).map((e) => e.state)).toEqual(['in_flight', 'pending']);
      await sim.setFaults('keyed', refuseAcceptance); // the held answer (422) leaves now; the change is answered at once
      await waitForSender('keyed r2 acknowledged', d.dataDir, async () => (await entriesOf(d, clerk, c.id, 'keyed'))[1]?.state === 'acknowledged');
      const [r1, r2] = await entriesOf(d, clerk, c.id, 'keyed');
      expect(r1).toMatchObject({ state: 'superseded', parkedReason: '字段“revision”的内容不符合本系统的填写要求（字段：revision）' });
      expect(r2!.statusChange).toBe('终止办理');
      expect((await d.call('sync.status', {}, clerk)).targets.find((t) => t.id === 'keyed')!.parked).toBe(0);
      expectHeld(await storedOf('keyed', c.caseNo), [2]);
      const db = openTestStore(dbFile(d.dataDir), { readonly: true });
      const parked = JSON.parse(db.prepare(`SELECT detail FROM audit_log WHERE action = 'sync.parked' AND entity_id = ?`).pluck().get(String(c.id)) as string) as { supersededBy?: number };
      expect(parked.supersededBy).toBe(r2!.id);
      db.close();
    } finally {
      await sim.setFaults('keyed', {});
      await d.app.stopSync();
      d.app.close();
    }
  }, 120_000); // a bound for a loaded machine (the waits inside follow the work)

  it('carried to the other zone: the change goes in the next bundle behind the acceptance the peer holds, also past one the peer\'s target refused; an acceptance never carried is replaced', async () => {
    const a: Side = await side('intranet');
    const b: Side = await side('extranet', sim.targets.prov!, { sync: true });
    try {
      pair(a, b);
      const admin = (await a.d.signIn('admin')).token;
      const onB = (state: string) => b.ctx.db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE target_id = 'prov' AND state = ?`).pluck().get(state) as number;
      const onA = (caseId: number) =>
        a.ctx.db.prepare(`SELECT revision, state, parked_reason FROM outbox_entries WHERE case_id = ? AND target_id = 'prov' ORDER BY revision`).all(caseId) as {
          revision: number;
          state: string;
          parked_reason: string | null;
        }[];

      // c1: carried and delivered by the peer.
      const c1 = await acceptedWithCommitment(a.d, a.token);
      const x1 = tempDir('revokehelper-x1-');
      expect((await exportBundle(a.ctx, ACTOR, { outDir: x1 })).counts.entries).toBe(1);
      expect(await importBundle(b.ctx, ACTOR, manifestIn(x1))).toMatchObject({ status: 'applied', entriesNew: 1 });
      await waitForSender('the extranet desk to deliver c1', b.dataDir, () => onB('acknowledged') === 1);
      // c3: carried, and refused by the target (it refuses first revisions for now).
      await sim.setFaults('prov', { reject422: { field: 'revision', pattern: '^$' } });
      const c3 = await acceptedWithCommitment(a.d, a.token);
      const x2 = tempDir('revokehelper-x2-');
      expect((await exportBundle(a.ctx, ACTOR, { outDir: x2 })).counts.entries).toBe(2); // c1 again (no receipt yet), c3
      expect(await importBundle(b.ctx, ACTOR, manifestIn(x2))).toMatchObject({ status: 'applied', entriesNew: 1, entriesKnown: 1 });
      await waitForSender('the extranet desk to have c3 refused', b.dataDir, () => onB('parked') === 1);
      // The extranet desk holds only a mirror of c3: the refusal is corrected and re-sent on the intranet desk.
      const parkedOnB = (await b.d.call('sync.entries', { targetId: 'prov', states: ['parked'] }, b.token)).entries[0]!;
      await expect(b.d.call('sync.resend', { entryId: parkedOnB.id }, b.token)).rejects.toThrow(
        new RegExp(`INVALID_STATE.*原受理编号 ${c3.caseNo}.*请在原工作台按退回原因改正后重新发送`),
      );
      expect(onB('parked')).toBe(1);
      // c2: accepted, never carried. Then all three found false.
      const c2 = await acceptedWithCommitment(a.d, a.token);
      for (const c of [c1, c2, c3]) await falseFinding(a.d, admin, c.id);
      // Acceptances with the peer (carried, receipt not back) stay; c2's was never carried: replaced.
      expect(onA(c1.id).map((e) => e.state)).toEqual(['pending', 'pending']);
      expect(onA(c2.id).map((e) => e.state)).toEqual(['superseded', 'pending']);
      expect(onA(c3.id).map((e) => e.state)).toEqual(['pending', 'pending']);

      const x3 = tempDir('revokehelper-x3-');
      expect((await exportBundle(a.ctx, ACTOR, { outDir: x3 })).counts.entries).toBe(5); // c1 r1, c3 r1 again; the three changes
      expect(await importBundle(b.ctx, ACTOR, manifestIn(x3))).toMatchObject({ status: 'applied', entriesNew: 3, entriesKnown: 2 });
      // The peer delivers the changes in order; c3's goes past its refused acceptance.
      await waitForSender('the extranet desk to deliver the three changes', b.dataDir, () => onB('acknowledged') === 4);
      expectHeld(await storedOf('prov', c1.caseNo), [1, 2]);
      expectHeld(await storedOf('prov', c2.caseNo), [2]);
      expectHeld(await storedOf('prov', c3.caseNo), [2]);
      // On the extranet desk: the refused acceptance is replaced by the change (nothing left in its own
      // 退回清单), and every mirror case shows the termination with its reason.
      expect(onB('parked')).toBe(0);
      expect((await b.d.call('sync.status', {}, b.token)).targets.find((t) => t.id === 'prov')!.parked).toBe(0);
      for (const c of [c1, c2, c3]) {
        const m = b.ctx.db
          .prepare(`SELECT c.status, c.status_reason FROM transfer_cases tc JOIN cases c ON c.id = tc.case_id WHERE tc.origin_case_no = ?`)
          .get(c.caseNo) as { status: string; status_reason: string };
        expect(m.status).toBe('terminated');
        expect(m.status_reason).toBe(`告知承诺不实：${CONSEQUENCE.reason}（依据：${CONSEQUENCE.legalBasis}）`);
      }
      // 转来的办件 shows it.
      const received = (await b.d.call('transfer.received', {}, b.token)).cases;
      expect(received.map((r) => [r.originCaseNo, r.status, r.statusReason]).sort()).toEqual(
        [c1, c2, c3].map((c) => [c.caseNo, 'terminated', `告知承诺不实：${CONSEQUENCE.reason}（依据：${CONSEQUENCE.legalBasis}）`]).sort(),
      );

      // The target's numbers and the refusal come back: every entry on the intranet desk settled, nothing left to re-send.
      const y1 = tempDir('revokehelper-y1-');
      expect((await exportBundle(b.ctx, ACTOR, { outDir: y1 })).acks).toBe(5);
      await importBundle(a.ctx, ACTOR, manifestIn(y1));
      expect(onA(c1.id).map((e) => e.state)).toEqual(['acknowledged', 'acknowledged']);
      expect(onA(c2.id).map((e) => e.state)).toEqual(['superseded', 'acknowledged']);
      const [r1, r2] = onA(c3.id);
      expect([r1!.state, r2!.state]).toEqual(['superseded', 'acknowledged']);
      expect(r1!.parked_reason).toContain('经对端工作台转发时被目标系统退回');
      expect((await a.d.call('sync.status', {}, a.token)).targets.find((t) => t.id === 'prov')!.parked).toBe(0);
    } finally {
      await a.close();
      await b.close();
    }
  }, 300_000); // two desks, bundles and deliveries: a bound for a loaded machine (61 s measured at load 31); the waits inside follow the work

  it('carried, and the change reaches the peer before its sender tried the acceptance: the refused acceptance is superseded there and told back as refused, so the origin desk does not wait for it', async () => {
    const a: Side = await side('intranet');
    let b: Side = await side('extranet', sim.targets.prov!, { sync: false });
    try {
      pair(a, b);
      const admin = (await a.d.signIn('admin')).token;
      await sim.setFaults('prov', { reject422: { field: 'revision', pattern: '^$' } });
      const c = await acceptedWithCommitment(a.d, a.token);
      const x1 = tempDir('revokehelper-x1-');
      await exportBundle(a.ctx, ACTOR, { outDir: x1 });
      expect(await importBundle(b.ctx, ACTOR, manifestIn(x1))).toMatchObject({ status: 'applied', entriesNew: 1 });
      await falseFinding(a.d, admin, c.id);
      const x2 = tempDir('revokehelper-x2-');
      await exportBundle(a.ctx, ACTOR, { outDir: x2 });
      expect(await importBundle(b.ctx, ACTOR, manifestIn(x2))).toMatchObject({ status: 'applied', entriesNew: 1, entriesKnown: 1 });
      // The peer's sender starts only now: the acceptance is refused, a newer revision is there.
      await b.close();
      b = await side('extranet', sim.targets.prov!, { sync: true, dataDir: b.dataDir });
      const onB = () => b.ctx.db.prepare(`SELECT revision, state FROM outbox_entries WHERE target_id = 'prov' ORDER BY revision`).all();
      await waitForSender('the extranet desk to deliver the change', b.dataDir, () => (onB() as { state: string }[])[1]?.state === 'acknowledged');
      expect(onB()).toEqual([
        { revision: 1, state: 'superseded' },
        { revision: 2, state: 'acknowledged' },
      ]);
      expectHeld(await storedOf('prov', c.caseNo), [2]);

      const y1 = tempDir('revokehelper-y1-');
      expect((await exportBundle(b.ctx, ACTOR, { outDir: y1 })).acks).toBe(2);
      await importBundle(a.ctx, ACTOR, manifestIn(y1));
      const onA = a.ctx.db.prepare(`SELECT revision, state, parked_reason FROM outbox_entries WHERE case_id = ? AND target_id = 'prov' ORDER BY revision`).all(c.id) as {
        revision: number;
        state: string;
        parked_reason: string | null;
      }[];
      expect(onA.map((e) => e.state)).toEqual(['superseded', 'acknowledged']);
      expect(onA[0]!.parked_reason).toContain('经对端工作台转发时被目标系统退回');
      // 待对端确认 shows it answered: refused there (not still waiting for a receipt).
      expect((await a.d.call('transfer.waiting', {}, a.token)).items.map((i) => i.state)).toEqual(['parked']);
    } finally {
      await sim.setFaults('prov', {});
      await a.close();
      await b.close();
    }
  }, 300_000); // two desks, bundles and deliveries: a bound for a loaded machine (61 s measured at load 31); the waits inside follow the work
});
