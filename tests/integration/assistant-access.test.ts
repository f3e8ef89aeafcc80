/**
 * Authorization by assignment (security issue, point 8): an assistant (帮办代办员) reads only the
 * cases they took in themselves and those with a verification task assigned to them — with their
 * pages, scans, commitments, receipts and evidence — and nothing of a colleague's or a window's
 * other cases. Clerks and supervisors read every case of the desk.
 */
import { describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import type { CaseView } from '../../shared/ipc/methods/intake';

const SIG = signaturePng().toString('base64');
const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => (e.error.code === 'INTERNAL' ? `INTERNAL ${e.message.slice(0, 600)}` : e.error.code),
  );

/** 王芳 starts 托育机构备案 and signs a commitment (which opens a verification task, sampled at ratio 1). */
async function caseWithCommitment(d: TestDesk, token: string): Promise<CaseView> {
  const item = (await d.call('catalog.listServiceItems', {}, token)).find((i) => i.name === '托育机构备案')!;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  let v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
  const c = v.certificates.find((x) => x.method === 'commitment')!;
  v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
  return d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
}

describe('an assistant reads only the cases given to them', () => {
  it('refuses a window case, its commitment and its scans until a task of it is assigned to them; their own 代办 case is theirs', async () => {
    const d = await testDesk({ sync: false });
    const admin = (await d.signIn('admin')).token;
    const clerk = (await d.signIn('zhangmin')).token;
    const chen = (await d.signIn('chenjing')).token;

    const windowCase = await caseWithCommitment(d, clerk);
    const commitmentId = windowCase.certificates.find((c) => c.commitment)!.commitment!.id;
    const scan = await d.call('scans.createDocument', { applicantId: windowCase.applicant.id, caseId: windowCase.id, kind: 'other', title: '营业执照' }, clerk);

    // Not theirs: refused, and not listed.
    expect(await code(d.call('intake.get', { caseId: windowCase.id }, chen))).toBe('FORBIDDEN');
    expect(await code(d.call('intake.commitmentPdf', { commitmentId }, chen))).toBe('FORBIDDEN');
    expect(await code(d.call('scans.getDocument', { documentId: scan.id }, chen))).toBe('FORBIDDEN');
    expect(await code(d.call('materials.forApplicant', { applicantId: windowCase.applicant.id }, chen))).toBe('FORBIDDEN');
    expect((await d.call('intake.list', { limit: 50 }, chen)).map((c) => c.id)).not.toContain(windowCase.id);
    expect((await d.call('scans.listDocuments', { limit: 50 }, chen)).map((s) => s.id)).not.toContain(scan.id);
    // What the applicant's drawer may show them (applicants.access), the rule held by the service: no
    // material library, only their own cases, no full ID number (nor its reveal) — said in one line.
    const applicantId = windowCase.applicant.id;
    expect(await d.call('applicants.access', { id: applicantId }, chen)).toEqual({
      revealId: false,
      materials: false,
      allCases: false,
      note: '材料库和办件仅在您代办或被分派核查其办件时可查看；完整证件号码仅窗口人员和管理员可查看。',
    });
    expect(await code(d.call('applicants.revealId', { id: applicantId, reason: '核对申请人身份' }, chen))).toBe('FORBIDDEN');
    expect(await d.call('applicants.access', { id: applicantId }, clerk)).toEqual({ revealId: true, materials: true, allCases: true, note: null });
    expect(await d.call('applicants.access', { id: applicantId }, admin)).toEqual({ revealId: true, materials: true, allCases: true, note: null });
    // The refusal says why, in Chinese.
    const refused = await d.raw('intake.get', { caseId: windowCase.id }, chen);
    expect(refused.ok === false && refused.error.message).toBe('该办件不在您代办或被分派的核查任务中，无权查看。');
    // The clerk and the supervisor read it.
    expect(await code(d.call('intake.get', { caseId: windowCase.id }, clerk))).toBe('OK');
    expect(await code(d.call('intake.get', { caseId: windowCase.id }, admin))).toBe('OK');

    // Assigned the case's task: now the case, its commitment and its scans are readable to them.
    const task = (await d.call('verification.board', {}, admin)).tasks.find((t) => t.caseId === windowCase.id)!;
    const chenId = (await d.call('verification.board', {}, admin)).assistants.find((a) => a.name === '陈静')!.id;
    await d.call('verification.assign', { taskId: task.id, userId: chenId }, admin);
    expect(await code(d.call('intake.get', { caseId: windowCase.id }, chen))).toBe('OK');
    expect(await code(d.call('intake.commitmentPdf', { commitmentId }, chen))).toBe('OK');
    expect(await code(d.call('scans.getDocument', { documentId: scan.id }, chen))).toBe('OK');
    expect(await code(d.call('verification.get', { taskId: task.id }, chen))).toBe('OK');
    expect((await d.call('intake.list', { limit: 50 }, chen)).map((c) => c.id)).toContain(windowCase.id);
    expect(await d.call('applicants.access', { id: applicantId }, chen)).toEqual({
      revealId: false,
      materials: true,
      allCases: false,
      note: '办件只列出您代办或被分派核查的；完整证件号码仅窗口人员和管理员可查看。',
    });

    // A second assistant does not see it (task assigned to a colleague), nor its board row.
    await d.call('users.create', { username: 'lisi', displayName: '李思', role: 'assistant', password: 'Field@2026x' }, admin);
    const lisi = (await d.signIn('lisi', 'Field@2026x')).token;
    expect(await code(d.call('intake.get', { caseId: windowCase.id }, lisi))).toBe('FORBIDDEN');
    expect(await code(d.call('verification.get', { taskId: task.id }, lisi))).toBe('FORBIDDEN');
    expect((await d.call('verification.board', {}, lisi)).tasks.map((t) => t.id)).not.toContain(task.id);

    // 李思's own 代办 case is theirs (and not 陈静's).
    const own = await caseWithCommitment(d, lisi);
    expect(await code(d.call('intake.get', { caseId: own.id }, lisi))).toBe('OK');
    expect((await d.call('intake.list', { limit: 50 }, lisi)).map((c) => c.id)).toEqual([own.id]);
    expect(await code(d.call('intake.get', { caseId: own.id }, chen))).toBe('FORBIDDEN');
    d.app.close();
  });
});
