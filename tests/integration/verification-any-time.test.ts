/**
 * Verification at any time, with proportionate consequences (docs/verification.md):
 * - a complaint (投诉举报) opens a verification of an exempt commitment in the newborn bundle; found
 *   false, only the items that relied on the certificate are revoked, the case's other items stand,
 *   and only the vertical systems that take those items receive the change (the simulator's stored
 *   revisions); the others receive nothing;
 * - a rectification (责令限期整改) counted in working days on the hall calendar is flagged overdue on
 *   the supervisor's board once past its deadline, and closed by a closing record;
 * - a 双随机 draw over exempt commitments is reproducible from its seed.
 * Real SQLite, the real services, the simulator in its own process.
 */
import { createHash } from 'node:crypto';
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { signaturePng } from '../helpers/png';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import type { CaseView } from '../../shared/ipc/methods/intake';
import { applicantIdOf, FAST_SENDER, httpTarget, simTarget, waitFor, writeConfig } from '../helpers/sync-desks';

const SIG = signaturePng().toString('base64');
const LEGAL_BASIS = '《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）';
/** 婚育情况证明 is 免于核查 in the demo catalog; in the newborn bundle only 出生登记 relies on it (written by hand). */
const CERT = '婚育情况证明';
const RELYING = ['出生登记（生育登记服务）'];

let sim: SpawnedSim;
beforeAll(async () => {
  sim = await spawnVerticalSim({ dataDir: tempDir('anytime-sim-'), targets: [simTarget('wsjk', true), simTarget('gaj', true), simTarget('rsj', true)] });
});
afterAll(async () => {
  await sim.close();
});

/** Resolves every pending certificate of the case: commitments signed, verification confirmed by phone, originals presented. */
async function resolveAll(d: TestDesk, token: string, v: CaseView): Promise<CaseView> {
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const id = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'commitment') {
      v = await d.call('intake.recordChoice', { ...id, choice: 'commit' }, token);
      v = await d.call('intake.signCommitment', { ...id, signatureKind: 'pad', signaturePngBase64: SIG }, token);
    } else if (c.method === 'data_sharing' || c.method === 'dept_verification') {
      v = await d.call(c.method === 'data_sharing' ? 'intake.switchToVerification' : 'intake.requestAssistance', id, token);
      const rq = v.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.request!;
      v = await d.call('intake.recordAssistanceReply', { requestId: rq.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, token);
    } else {
      v = await d.call('intake.addMaterial', { ...id, title: c.name, pages: [{ mime: 'image/png', base64: SIG }] }, token);
    }
  }
  return v;
}

describe('a complaint about an exempt commitment found false', () => {
  it('revokes only the items that relied on it; only the targets of those items receive the change', async () => {
    await sim.reset();
    const dataDir = tempDir('anytime-desk-');
    writeConfig(dataDir, {
      version: 1,
      sender: FAST_SENDER,
      targets: [
        httpTarget('wsjk', sim.targets.wsjk!, 'key', { appliesTo: { departments: ['县卫生健康局'] } }),
        httpTarget('gaj', sim.targets.gaj!, 'key', { appliesTo: { departments: ['县公安局'] } }),
        httpTarget('rsj', sim.targets.rsj!, 'key', { appliesTo: { departments: ['县人力资源和社会保障局'] } }),
      ],
    });
    const d = await testDesk({ dataDir });
    const clerk = (await d.signIn('zhangmin')).token;
    const admin = (await d.signIn('admin')).token;
    const bundle = (await d.call('catalog.bundles', {}, clerk)).find((b) => b.name.includes('出生'))!;
    let v = await d.call('intake.start', { applicantId: await applicantIdOf(d, clerk), serviceItemIds: bundle.items.map((i) => i.id), bundleCode: bundle.code }, clerk);
    v = await resolveAll(d, clerk, v);
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
    v = await d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: '房卫出生〔2026〕第0007号' }, clerk);
    for (const t of ['wsjk', 'gaj', 'rsj']) {
      await waitFor(`${t} holds r1`, async () => (await sim.cases(t)).some((c) => c.externalRef === v.caseNo));
    }

    // 婚育情况证明 is exempt from verification (免于核查): no task on the board until someone opens one.
    const exempt = v.certificates.find((c) => c.name === CERT)!;
    expect(exempt.commitment?.verification?.status).toBe('exempt');
    const listed = await d.call('verification.commitments', { query: v.caseNo }, admin);
    const target = listed.find((c) => c.certificate === CERT)!;
    expect(target.openTask).toBe(false);
    const refusedClerk = await d.raw('verification.open', { commitmentId: target.commitmentId, source: 'complaint', note: 'x' }, clerk);
    expect(refusedClerk.ok === false && refusedClerk.error.code).toBe('FORBIDDEN');
    const task = await d.call('verification.open', { commitmentId: target.commitmentId, source: 'complaint', note: '群众来电举报：申请人婚育情况与承诺不符' }, admin);
    expect(task).toMatchObject({ source: 'complaint', sourceNote: '群众来电举报：申请人婚育情况与承诺不符', state: 'unassigned', certificate: CERT });
    expect(task.caseItems.filter((i) => i.relied).map((i) => i.name)).toEqual(RELYING);
    const again = await d.raw('verification.open', { commitmentId: target.commitmentId, source: 'routine', note: '再开一次' }, admin);
    expect(again.ok === false && again.error.message).toBe(`“${CERT}”的承诺已有进行中的核查任务。`);

    const relyingIds = task.caseItems.filter((i) => i.relied).map((i) => i.id);
    const done = await d.call(
      'verification.recordOutcome',
      { taskId: task.id, outcome: 'false', note: '经书面核查，婚育情况与承诺不符', consequence: { legalBasis: LEGAL_BASIS, reason: '婚育情况承诺不实', measures: { endItems: { serviceItemIds: relyingIds } } } },
      admin,
    );
    expect(done.state).toBe('failed');
    expect(done.caseItems.map((i) => [i.name, i.status])).toEqual(bundle.items.map((i) => [i.name, RELYING.includes(i.name) ? 'revoked' : 'active']));
    // The case's other items stand: the case stays 办结.
    expect((await d.call('intake.get', { caseId: v.id }, clerk)).status).toBe('completed');
    // The credit record's severity follows the measure (items revoked → 一般).
    const credit = (await d.call('credit.list', {}, admin)).find((r) => r.reason === `${CERT}承诺不实：婚育情况承诺不实`)!;
    expect(credit.severity).toBe('一般');

    // 卫健's system (出生登记 is its item) receives the revocation as revision 2, naming the item revoked.
    await waitFor('wsjk holds r2', async () => (await sim.cases('wsjk')).find((c) => c.externalRef === v.caseNo)?.versions.length === 2);
    const wsjk = (await sim.cases('wsjk')).find((c) => c.externalRef === v.caseNo)!;
    expect(wsjk.versions.map((x) => x.revision)).toEqual([1, 2]);
    expect(wsjk.versions[1]!.statusChange).toMatchObject({ previousStatus: 'completed', status: 'revoked', action: '撤销决定', legalBasis: LEGAL_BASIS, reason: '告知承诺不实：婚育情况承诺不实' });
    expect(wsjk.versions[1]!.statusChange!.items?.map((i) => i.name)).toEqual(RELYING);
    // 公安 (户口登记) and 人社 (社会保障卡申领) hold only the acceptance: nothing was queued for them.
    for (const t of ['gaj', 'rsj']) {
      expect((await d.call('sync.entries', { caseId: v.id, targetId: t }, clerk)).entries.map((e) => e.revision)).toEqual([1]);
      const held = (await sim.cases(t)).find((c) => c.externalRef === v.caseNo)!;
      expect(held.versions.map((x) => x.revision)).toEqual([1]);
      expect(held.versions[0]!.statusChange).toBeNull();
    }
  });
});

const DAY = 86_400_000;
const endOf = (date: string) => new Date(`${date}T23:59:59+08:00`).toISOString();

describe('责令限期整改 on the hall calendar', () => {
  it('ordered on 2026-09-30 for 2 working days is due 10-09 (after National Day), flagged on the board from 10-10, closed by a record', async () => {
    const clock = { t: Date.parse('2026-09-30T10:00:00+08:00') };
    const d = await testDesk({ sync: false, now: () => new Date(clock.t), auth: { idleLockMs: 1000 * DAY, sessionMaxMs: 1000 * DAY } });
    const clerk = (await d.signIn('zhangmin')).token;
    const admin = (await d.signIn('admin')).token;
    const items = await d.call('catalog.listServiceItems', {}, clerk);
    const item = items.find((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0)!;
    let v = await d.call('intake.start', { applicantId: await applicantIdOf(d, clerk), serviceItemIds: [item.id] }, clerk);
    v = await resolveAll(d, clerk, v);
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
    const commitmentId = v.certificates.find((c) => c.method === 'commitment')!.commitment!.id;
    const open = (await d.call('verification.board', {}, admin)).tasks.find((t) => t.caseId === v.id);
    const task = open ?? (await d.call('verification.open', { commitmentId, source: 'routine', note: '日常监管检查' }, admin));
    const out = await d.call(
      'verification.recordOutcome',
      {
        taskId: task.id,
        outcome: 'false',
        note: '承诺内容部分不实，可整改',
        consequence: { legalBasis: LEGAL_BASIS, reason: '承诺材料不完整', measures: { rectify: { requirement: '补交租赁备案证明', workingDays: 2 } } },
      },
      admin,
    );
    expect(out.rectification).toMatchObject({ requirement: '补交租赁备案证明', workingDays: 2, dueAt: endOf('2026-10-09'), overdue: false, closedAt: null });
    expect((await d.call('intake.get', { caseId: v.id }, clerk)).status).toBe('accepted'); // rectification ends nothing
    expect((await d.call('credit.list', {}, admin)).find((r) => r.reason.endsWith('承诺材料不完整'))!.severity).toBe('轻微');

    const flagged = async () => {
      const board = await d.call('verification.board', {}, admin);
      return [board.tasks.find((t) => t.id === task.id)!.rectification!.overdue, board.counts.rectificationOverdue];
    };
    clock.t = Date.parse('2026-10-09T20:00:00+08:00');
    expect(await flagged()).toEqual([false, 0]);
    clock.t = Date.parse('2026-10-10T08:00:00+08:00');
    expect(await flagged()).toEqual([true, 1]);
    expect((await d.call('verification.rectifications', { openOnly: true }, admin)).map((r) => [r.caseNo, r.overdue])).toEqual([[v.caseNo, true]]);

    const closed = await d.call('verification.closeRectification', { id: out.rectification!.id, note: '已补交租赁备案证明，经核对属实' }, admin);
    expect(closed).toMatchObject({ overdue: false, closingNote: '已补交租赁备案证明，经核对属实' });
    expect(await flagged()).toEqual([false, 0]);
    const twice = await d.raw('verification.closeRectification', { id: out.rectification!.id, note: '再结一次' }, admin);
    expect(twice.ok === false && twice.error.message).toBe('该整改已结束。');
  });
});

/** The published rule, written out again here: pick when the first 52 bits of SHA-256("pfd-sampling-v1:<seed>:<id>") / 2^52 < ratio. */
function pickedByRule(seed: string, ratio: number, pool: number[]): number[] {
  return pool.filter((id) => {
    const h = createHash('sha256').update(`pfd-sampling-v1:${seed}:${id}`).digest();
    return ((h.readUInt32BE(0) >>> 12) * 2 ** 32 + h.readUInt32BE(4)) / 2 ** 52 < ratio;
  });
}

describe('双随机 over exempt commitments', () => {
  it('the pick follows the published rule from the recorded seed over the recorded pool; each pick opens a 双随机 task', async () => {
    const SEED = '5eed00112233445566778899aabbccdd';
    const runOn = async () => {
      const d = await testDesk({ sync: false });
      const clerk = (await d.signIn('zhangmin')).token;
      const admin = (await d.signIn('admin')).token;
      const bundle = (await d.call('catalog.bundles', {}, clerk)).find((b) => b.name.includes('出生'))!;
      for (let i = 0; i < 4; i++) {
        let v = await d.call('intake.start', { applicantId: await applicantIdOf(d, clerk), serviceItemIds: bundle.items.map((x) => x.id), bundleCode: bundle.code }, clerk);
        v = await resolveAll(d, clerk, v);
        await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
      }
      const draw = await d.call('verification.randomDraw', { ratio: 0.5, seed: SEED }, admin);
      return { d, admin, draw };
    };
    const a = await runOn();
    // The pool: the commitments whose task is exempt (at least 婚育情况证明 of each of the 4 cases).
    const exemptIds = (() => {
      const db = openTestStore(a.d.app.dbFile, { readonly: true });
      try {
        return db.prepare(`SELECT DISTINCT commitment_id FROM verification_tasks WHERE status = 'exempt' ORDER BY commitment_id`).pluck().all() as number[];
      } finally {
        db.close();
      }
    })();
    expect(exemptIds.length).toBeGreaterThanOrEqual(4);
    expect(a.draw.pool).toEqual(exemptIds);
    expect(a.draw.picked).toEqual(pickedByRule(SEED, 0.5, a.draw.pool));
    expect(a.draw.picked.length).toBeGreaterThan(0);
    const board = await a.d.call('verification.board', {}, a.admin);
    const random = board.tasks.filter((t) => t.source === 'random');
    expect(random.map((t) => t.id).sort((x, y) => x - y)).toEqual([...a.draw.taskIds].sort((x, y) => x - y));
    // Recorded: seed, pool and pick, in the draw row and the audit log.
    const db = openTestStore(a.d.app.dbFile, { readonly: true });
    const row = db.prepare('SELECT seed, ratio, pool, picked FROM verification_draws WHERE id = ?').get(a.draw.drawId) as { seed: string; ratio: number; pool: string; picked: string };
    db.close();
    expect({ ...row, pool: JSON.parse(row.pool) as number[], picked: JSON.parse(row.picked) as number[] }).toEqual({ seed: SEED, ratio: 0.5, pool: a.draw.pool, picked: a.draw.picked });
  });
});

describe('an outside credit record', () => {
  it('is recorded by a supervisor with source, document number, severity and date; a serious one excludes commitment until repaired', async () => {
    const d = await testDesk({ sync: false });
    const clerk = (await d.signIn('zhangmin')).token;
    const admin = (await d.signIn('admin')).token;
    const applicantId = await applicantIdOf(d, clerk);
    const input = { applicantId, severity: '严重' as const, source: '县市场监督管理局', documentNo: '房市监罚〔2026〕12号', decidedOn: '2026-11-20', reason: '提供虚假材料取得登记' };
    const byClerk = await d.raw('credit.recordOutside', input, clerk);
    expect(byClerk.ok === false && byClerk.error.code).toBe('FORBIDDEN');
    const { id } = await d.call('credit.recordOutside', input, admin);
    const twice = await d.raw('credit.recordOutside', input, admin);
    expect(twice.ok === false && twice.error.message).toBe('该申请人已登记“县市场监督管理局”文号 房市监罚〔2026〕12号 的信用记录。');
    expect((await d.call('credit.list', {}, admin)).find((r) => r.id === id)).toMatchObject({ name: '王芳', kind: 'bad_credit', severity: '严重', source: '县市场监督管理局', documentNo: '房市监罚〔2026〕12号', decidedOn: '2026-11-20', repairedAt: null });
    const items = await d.call('catalog.listServiceItems', {}, clerk);
    const item = items.find((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0)!;
    const v = await d.call('intake.start', { applicantId, serviceItemIds: [item.id] }, clerk);
    expect((await d.call('intake.commitmentEligibility', { caseId: v.id }, clerk)).eligible).toBe(false);
    await d.call('credit.repair', { id, note: '依据发改委令第58号完成信用修复' }, admin);
    expect((await d.call('intake.commitmentEligibility', { caseId: v.id }, clerk)).eligible).toBe(true);
  });
});

export type { CallFailed };
