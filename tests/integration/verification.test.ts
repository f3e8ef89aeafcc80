import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { documentJpeg } from '../helpers/jpeg';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { publishedCalendar } from '../helpers/calendar';
import { addWorkingDays } from '../../shared/rules/working-days';
import { drawFromSeed, newSampleDraw, sampleWithSeed } from '../../electron/services/verification/sampling';
import type { CaseView } from '../../shared/ipc/methods/intake';

let platform: RunningPlatform;
beforeAll(async () => {
  platform = await startDataSharingPlatform();
});
afterAll(async () => {
  await platform.close();
});

const SIG = signaturePng().toString('base64');
const ITEM = '托育机构备案';
const CERT = '无犯罪记录证明';
const DAY = 86_400_000;

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'OK', message: '' }),
    (e: CallFailed) => ({ code: e.error.code, message: e.error.message }),
  );

/** A desk whose clock the test moves. */
async function hallDesk(): Promise<{ d: TestDesk; clock: { t: number } }> {
  const clock = { t: Date.parse('2026-03-02T01:00:00Z') };
  // The clock moves by days here; sessions must not idle-lock meanwhile.
  const d = await testDesk({ dataSharing: platform.url, sync: false, now: () => new Date(clock.t), auth: { idleLockMs: 1000 * DAY, sessionMaxMs: 1000 * DAY } });
  return { d, clock };
}

/** Takes 王芳 through intake of 托育机构备案 with a commitment for 无犯罪记录证明, up to the given status. */
async function caseWithCommitment(d: TestDesk, token: string, upTo: 'draft' | 'completed'): Promise<CaseView> {
  const items = await d.call('catalog.listServiceItems', {}, token);
  const item = items.find((i) => i.name === ITEM)!;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  let v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
  for (const c of v.certificates) {
    if (c.method === 'commitment') {
      v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
      v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
      if (upTo === 'draft') return v;
    } else if (c.method === 'data_sharing') {
      v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
      if (v.certificates.find((x) => x.code === c.code)!.state === 'pending') v = await d.call('intake.switchToVerification', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
    } else if (c.method === 'dept_verification') {
      v = await d.call('intake.requestAssistance', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
    } else if (c.method === 'retained') {
      v = await d.call('intake.addMaterial', { caseId: v.id, certificateItemId: c.certificateItemId, title: c.name, validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: SIG }] }, token);
    }
  }
  // Department replies recorded by hand (phone), so the case can be decided.
  for (const r of await d.call('assistance.list', { openOnly: true }, token)) {
    if (r.caseId === v.id) await d.call('assistance.recordReply', { requestId: r.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, token);
  }
  v = await d.call('intake.get', { caseId: v.id }, token);
  expect(v.blockers).toEqual([]);
  v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
  return d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: '房民决字〔2026〕第001号' }, token);
}

describe('sampling draw', () => {
  it('is reproducible from its recorded seed and matches the ratio within 4σ over 10,000 draws', () => {
    for (const ratio of [0.2, 0.5, 0.05]) {
      const n = 10_000;
      let sampled = 0;
      for (let i = 0; i < n; i++) {
        const d = newSampleDraw(ratio);
        // What is recorded (seed, ratio) gives the same draw and the same decision.
        expect(sampleWithSeed(d.seed, d.ratio)).toEqual(d);
        expect(d.draw).toBeGreaterThanOrEqual(0);
        expect(d.draw).toBeLessThan(1);
        if (d.sampled) sampled++;
      }
      const sigma = Math.sqrt(n * ratio * (1 - ratio));
      expect(Math.abs(sampled - n * ratio)).toBeLessThan(4 * sigma);
    }
    // The algorithm is pinned, not just self-consistent: seeds on record must give the same draw forever.
    expect(drawFromSeed('00000000000000000000000000000000')).toBe(0.1348299445423553);
    expect(drawFromSeed('cc61f68c35468f7eb570c61bc16c3dcd')).toBe(0.680881052927466);
    expect(sampleWithSeed('cc61f68c35468f7eb570c61bc16c3dcd', 0.5).sampled).toBe(false);
    expect(sampleWithSeed('cc61f68c35468f7eb570c61bc16c3dcd', 0.7).sampled).toBe(true);
  });
});

describe('verification after acceptance', () => {
  it('task from the catalog plan → assign → take (locked) → false finding in the field → case revoked, credit blocks, repair lifts it; applied once', async () => {
    const { d, clock } = await hallDesk();
    const admin = (await d.signIn('admin')).token;
    const clerk = (await d.signIn('zhangmin')).token;
    const chen = (await d.signIn('chenjing')).token;
    const second = await d.call('users.create', { username: 'lisi', displayName: '李思', role: 'assistant', password: 'Field@2026x' }, admin);
    const lisi = (await d.signIn('lisi', 'Field@2026x')).token;

    const v = await caseWithCommitment(d, clerk, 'completed');
    expect(v.status).toBe('completed');
    const cm = v.certificates.find((c) => c.name === CERT)!.commitment!;
    // The task has the catalog's due date: 网络核验 within 5 working days, sampled at ratio 1 with its seed recorded.
    let board = await d.call('verification.board', {}, admin);
    let task = board.tasks.find((t) => t.caseId === v.id)!;
    expect(task.method).toBe('网络核验');
    expect(task.dueAt).toBe(addWorkingDays(new Date(cm.signedAt), 5, publishedCalendar()).toISOString());
    expect(task.state).toBe('unassigned');
    expect(task.sample).not.toBeNull();
    expect(sampleWithSeed(task.sample!.seed, task.sample!.ratio).sampled).toBe(task.sample!.sampled);
    expect(task.department).toBe('县卫生健康局');
    expect(board.assistants.map((a) => a.name)).toEqual(['陈静', '李思']);

    // Only supervisors assign; only to assistants.
    expect((await failure(d.call('verification.assign', { taskId: task.id, userId: second.id }, clerk))).code).toBe('FORBIDDEN');
    expect((await failure(d.call('verification.assign', { taskId: task.id, userId: 2 }, admin))).code).toBe('BAD_INPUT');
    const chenId = board.assistants.find((a) => a.name === '陈静')!.id;
    task = await d.call('verification.assign', { taskId: task.id, userId: chenId }, admin);
    expect(task.state).toBe('assigned');
    // Assigned to 陈静: 李思 cannot take it.
    expect((await failure(d.call('verification.checkout', { taskId: task.id }, lisi))).message).toContain('陈静');
    // Nor record a finding on it (security probe: a colleague's "false" terminated the case and wrote a credit record);
    // a clerk cannot either. Nothing is written: the task stays open, no credit record, no audit entry.
    const auditBefore = (await d.call('audit.list', { limit: 1 }, admin))[0]!.seq;
    const byColleague = await failure(d.call('verification.recordOutcome', { taskId: task.id, outcome: 'false', note: '不实', consequence: { legalBasis: '《条例》第十条', reason: '伪造', severity: '严重' } }, lisi));
    expect(byColleague).toEqual({ code: 'FORBIDDEN', message: '该核查任务已分派给其他人员，只有被分派人或管理员可以录入结论。' });
    expect((await failure(d.call('verification.recordOutcome', { taskId: task.id, outcome: 'true', note: '属实' }, clerk))).code).toBe('FORBIDDEN');
    expect((await d.call('verification.get', { taskId: task.id }, admin)).state).toBe('assigned');
    expect((await d.call('audit.list', { limit: 1 }, admin))[0]!.seq).toBe(auditBefore);

    const out = await d.call('verification.checkout', { taskId: task.id }, chen);
    expect(out.task.state).toBe('in_field');
    expect(out.task.checkedOutBy?.name).toBe('陈静');
    // A second take is refused with the holder's name, and the hall cannot decide it behind the field.
    const again = await failure(d.call('verification.checkout', { taskId: task.id }, chen));
    expect(again.code).toBe('CONFLICT');
    expect(again.message).toContain('陈静');
    expect((await failure(d.call('verification.recordOutcome', { taskId: task.id, outcome: 'true', note: 'x' }, admin))).code).toBe('CONFLICT');

    // The field package: signed, masked ID, checklist for the method.
    const pkg = JSON.parse(out.packageJson) as { task: { idNumberMasked: string; checklist: unknown[] }; signature: string };
    expect(pkg.task.idNumberMasked).not.toContain('19880623');
    expect(pkg.task.checklist.length).toBeGreaterThan(0);
    expect(out.packageJson).not.toContain('42032519880623004X');

    // The laptop: a separate desk install with its own SQLite file.
    const laptop = await testDesk({ sync: false });
    const lchen = (await laptop.signIn('chenjing')).token;
    const tampered = out.packageJson.replace('网络核验', '书面核查');
    expect((await failure(laptop.call('field.import', { packageJson: tampered }, lchen))).message).toContain('签名无效');
    const lwang = (await laptop.signIn('admin')).token;
    expect((await failure(laptop.call('field.import', { packageJson: out.packageJson }, lwang))).code).toBe('FORBIDDEN');
    let work = await laptop.call('field.import', { packageJson: out.packageJson }, lchen);
    expect(work.state).toBe('working');
    expect((await laptop.call('field.import', { packageJson: out.packageJson }, lchen)).packageId).toBe(work.packageId); // idempotent
    // The laptop's own key for this package is registered with the task at the hall (docs/verification.md).
    const reg = await laptop.call('field.keyRegistration', { packageId: work.packageId }, lchen);
    expect((await d.call('verification.registerFieldKey', { registrationJson: reg.registrationJson }, chen)).registered).toBe(true);
    const photo = documentJpeg(320, 240, { seed: 3 });
    work = await laptop.call('field.addPhoto', { packageId: work.packageId, kind: 'photo', base64: photo.toString('base64'), takenAt: '2026-03-04T02:10:00.000Z' }, lchen);
    expect(work.photos).toHaveLength(1);
    expect((await failure(laptop.call('field.finish', { packageId: work.packageId }, lchen))).code).toBe('BAD_INPUT'); // no outcome yet
    work = await laptop.call(
      'field.save',
      {
        packageId: work.packageId,
        answers: { system_queried: true, record_found: false, screenshot_kept: true },
        notes: '公安机关查询系统显示拟聘从业人员有犯罪记录',
        address: '房县城关镇北街 12 号',
        coords: { lat: 32.055, lng: 110.733, accuracy: 25 },
        outcome: 'false',
        consequence: { legalBasis: '《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）', reason: '拟聘从业人员有犯罪记录，承诺不实', severity: '严重', rectificationDeadline: '2026-04-30' },
      },
      lchen,
    );
    const fin = await laptop.call('field.finish', { packageId: work.packageId }, lchen);
    const fin2 = await laptop.call('field.finish', { packageId: work.packageId }, lchen);
    expect(fin2.resultJson).toBe(fin.resultJson); // the same sealed result each time

    // A tampered result is refused; the real one applies once, however often it arrives.
    const forged = fin.resultJson.replace('"outcome":"false"', '"outcome":"true"');
    expect((await failure(d.call('verification.applyFieldResult', { resultJson: forged }, chen))).message).toContain('校验码不符');
    clock.t += DAY;
    const first = await d.call('verification.applyFieldResult', { resultJson: fin.resultJson }, chen);
    expect(first.applied).toBe(true);
    expect(first.task.state).toBe('failed');
    expect(first.task.evidence).toEqual([{ position: 0, kind: 'photo', sha256: work.photos[0]!.sha256, takenAt: '2026-03-04T02:10:00.000Z' }]);
    const second2 = await d.call('verification.applyFieldResult', { resultJson: fin2.resultJson }, chen);
    expect(second2.applied).toBe(false);
    expect(second2.message).toContain('未重复应用');
    const ev = await d.call('verification.evidence', { taskId: task.id, position: 0 }, admin);
    expect(Buffer.from(ev.base64, 'base64').equals(photo)).toBe(true);

    const after = await d.call('intake.get', { caseId: v.id }, clerk);
    expect(after.status).toBe('revoked');
    expect(after.statusReason).toContain('国办发〔2020〕42号');
    const credit = (await d.call('credit.list', {}, admin)).find((c) => c.name === '王芳' && c.kind === 'false_commitment')!;
    expect(credit.severity).toBe('严重');
    expect(credit.repairedAt).toBeNull();

    // The applicant's next commitment at the window is refused with the reason.
    const next = await caseWithCommitment(d, clerk, 'draft').then(
      () => null,
      (e: CallFailed) => e,
    );
    expect(next?.error.message).toContain('虚假承诺');
    // Credit repair lifts the block.
    await d.call('credit.repair', { id: credit.id, note: '已整改并提交信用修复承诺' }, admin);
    const ok = await caseWithCommitment(d, clerk, 'draft');
    expect(ok.certificates.find((c) => c.name === CERT)!.state).toBe('satisfied');

    const figures = await d.call('verification.figures', {}, admin);
    const row = figures.byItem.find((r) => r.key === ITEM)!;
    expect(row).toMatchObject({ due: 2, done: 1, falseCount: 1, falseShare: 1, overdue: 0 });
    expect(figures.byDepartment.find((r) => r.key === '县卫生健康局')).toMatchObject({ due: 2, done: 1, falseCount: 1 });
    clock.t += 30 * DAY;
    expect((await d.call('verification.figures', {}, admin)).total.overdue).toBe(1);
    board = await d.call('verification.board', {}, admin);
    expect(board.tasks[0]!.overdue).toBe(true); // overdue first

    const db = openTestStore(d.app.dbFile, { readonly: true });
    expect(verifyAuditChain(db).ok).toBe(true);
    const actions = (db.prepare(`SELECT action FROM audit_log WHERE action LIKE 'verification.%' OR action LIKE 'field.%' OR action = 'credit.record'`).all() as { action: string }[]).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['verification.assign', 'verification.checkout', 'verification.outcome', 'field.resultApplied', 'credit.record']));
    expect(db.prepare('SELECT COUNT(*) AS n FROM field_results_applied').get()).toEqual({ n: 1 });
    db.close();
    laptop.app.close();
    d.app.close();
  });

  it('two assistants taking the same task at once: exactly one wins, the other is told who holds it', async () => {
    const { d } = await hallDesk();
    const admin = (await d.signIn('admin')).token;
    const clerk = (await d.signIn('zhangmin')).token;
    await d.call('users.create', { username: 'lisi', displayName: '李思', role: 'assistant', password: 'Field@2026x' }, admin);
    const tokens = [(await d.signIn('chenjing')).token, (await d.signIn('lisi', 'Field@2026x')).token];
    await caseWithCommitment(d, clerk, 'draft');
    const task = (await d.call('verification.board', {}, admin)).tasks[0]!;
    const results = await Promise.all(tokens.map((t) => failure(d.call('verification.checkout', { taskId: task.id }, t))));
    expect(results.map((r) => r.code).sort()).toEqual(['CONFLICT', 'OK']);
    const holder = (await d.call('verification.get', { taskId: task.id }, admin)).checkedOutBy!.name;
    expect(results.find((r) => r.code === 'CONFLICT')!.message).toContain(holder);
    // After a release the old package's result no longer applies.
    await d.call('verification.release', { taskId: task.id, reason: '笔记本遗失' }, admin);
    expect((await d.call('verification.get', { taskId: task.id }, admin)).state).toBe('unassigned');
    d.app.close();
  });

  it('unable to verify escalates; 协查 replies by hand with a scanned letter, late ones flagged; handover and progress notice', async () => {
    const { d, clock } = await hallDesk();
    const admin = (await d.signIn('admin')).token;
    const clerk = (await d.signIn('zhangmin')).token;
    const v = await caseWithCommitment(d, clerk, 'draft');
    const task = (await d.call('verification.board', {}, admin)).tasks.find((t) => t.caseId === v.id)!;
    expect((await failure(d.call('verification.recordOutcome', { taskId: task.id, outcome: 'false', note: '不实' }, admin))).code).toBe('BAD_INPUT');
    const esc = await d.call('verification.recordOutcome', { taskId: task.id, outcome: 'unable', note: '查询系统无响应，申请人联系不上' }, admin);
    expect(esc.state).toBe('escalated');
    expect(esc.outcome).toBe('unable');
    const ok = await d.call('verification.recordOutcome', { taskId: task.id, outcome: 'true', note: '复查属实' }, admin);
    expect(ok.state).toBe('passed');

    // A dept_verification certificate in another item: the request, then time passes.
    const items = await d.call('catalog.listServiceItems', {}, clerk);
    const item = items.find((i) => i.certificates.some((c) => c.method === 'dept_verification'))!;
    const applicant = (await d.call('applicants.list', { query: '赵大勇', limit: 5 }, clerk))[0]!;
    let c2 = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
    const dv = c2.certificates.find((c) => c.method === 'dept_verification')!;
    c2 = await d.call('intake.requestAssistance', { caseId: c2.id, certificateItemId: dv.certificateItemId }, clerk);
    let req = (await d.call('assistance.list', { openOnly: true }, clerk)).find((r) => r.caseId === c2.id)!;
    expect(req.overdue).toBe(false);
    clock.t += 20 * DAY;
    req = (await d.call('assistance.list', { openOnly: true }, clerk)).find((r) => r.caseId === c2.id)!;
    expect(req.overdue).toBe(true);
    expect((await failure(d.call('assistance.recordReply', { requestId: req.id, outcome: 'confirmed', reply: '复函确认', channel: 'letter' }, clerk))).message).toContain('扫描件');
    const scan = documentJpeg(400, 560, { seed: 9 });
    const replied = await d.call('assistance.recordReply', { requestId: req.id, outcome: 'confirmed', reply: '县民政局复函确认属实', channel: 'letter', scanBase64: scan.toString('base64') }, clerk);
    expect(replied).toMatchObject({ status: 'replied', channel: 'letter', late: true, overdue: false });
    expect(Buffer.from((await d.call('assistance.scan', { requestId: req.id }, clerk)).base64, 'base64').equals(scan)).toBe(true);
    expect((await d.call('intake.get', { caseId: c2.id }, clerk)).certificates.find((c) => c.certificateItemId === dv.certificateItemId)!.state).toBe('satisfied');

    await d.call('handover.record', { caseId: c2.id, items: ['申请表原件', '身份证复印件'], handedTo: '县民政局 刘科长', note: '代办送达' }, clerk);
    const notice = await d.call('handover.notifyProgress', { caseId: c2.id }, clerk);
    expect(notice.text).toContain(c2.caseNo);
    expect(notice.text).toContain('县民政局 刘科长');
    const log = await d.call('handover.log', { caseId: c2.id }, clerk);
    expect(log.handovers[0]!.items).toEqual(['申请表原件', '身份证复印件']);
    expect(log.notices).toHaveLength(1);
    d.app.close();
  });
});
