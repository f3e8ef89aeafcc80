import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { documentJpeg } from '../helpers/jpeg';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import type { CaseView } from '../../shared/ipc/methods/intake';

let platform: RunningPlatform;
beforeAll(async () => {
  platform = await startDataSharingPlatform();
});
afterAll(async () => {
  await platform.close();
});

const SIG = signaturePng().toString('base64');
const JPEG = documentJpeg(320, 240, { seed: 7 }).toString('base64');

async function desk(retryMs = 0): Promise<{ d: TestDesk; token: string }> {
  const d = await testDesk({ dataSharing: platform.url, dataSharingRetryMs: retryMs });
  const s = await d.signIn('zhangmin');
  return { d, token: s.token };
}

async function applicantId(d: TestDesk, token: string, name: string): Promise<number> {
  const list = await d.call('applicants.list', { query: name, limit: 5 }, token);
  return list.find((a) => a.name === name)!.id;
}

const cert = (v: CaseView, name: string) => {
  const c = v.certificates.find((x) => x.name === name);
  if (!c) throw new Error(`no certificate ${name} in ${v.certificates.map((x) => x.name).join(',')}`);
  return c;
};

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => e.error.code,
  );

async function itemWithCommitment(d: TestDesk, token: string) {
  const items = await d.call('catalog.listServiceItems', {}, token);
  return items.find((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0)!;
}

describe('intake: one item with a written commitment', () => {
  it('notifies, records the choice, signs, binds the PDF by digest and plans verification; withdrawal reverts', async () => {
    const { d, token } = await desk();
    const item = await itemWithCommitment(d, token);
    const certName = item.certificates.find((c) => c.method === 'commitment')!.name;
    let v = await d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: [item.id] }, token);
    expect(v.status).toBe('draft');
    expect(v.caseNo).toMatch(/^420325-ZWFW-\d{8}-[0-9A-HJKMNP-TV-Z]{4}-\d{4}$/);
    expect(cert(v, certName).stateText).toBe('待告知并由申请人选择');
    expect(v.blockers.join()).toContain(certName);

    expect(await d.call('intake.commitmentEligibility', { caseId: v.id }, token)).toEqual({ eligible: true, reasons: [] });
    const c = cert(v, certName);
    // Signing before the choice is refused.
    expect(await code(d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'screen', signaturePngBase64: SIG }, token))).toBe('INVALID_STATE');
    v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
    v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'screen', signaturePngBase64: SIG }, token);
    const signed = cert(v, certName);
    expect(signed.state).toBe('satisfied');
    expect(signed.commitment?.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(signed.commitment?.verification).not.toBeNull();

    const pdf = await d.call('intake.commitmentPdf', { commitmentId: signed.commitment!.id }, token);
    const bytes = Buffer.from(pdf.base64, 'base64');
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    expect(pdf.fileName).toContain(v.caseNo);

    const db = openTestStore(d.app.dbFile, { readonly: true });
    const row = db.prepare('SELECT * FROM commitments WHERE id = ?').get(signed.commitment!.id) as Record<string, string>;
    expect(row.pdf_sha256).toBe(pdf.sha256);
    expect(row.digest).toBe(signed.commitment!.digest);
    expect(verifyAuditChain(db).ok).toBe(true);
    db.close();

    v = await d.call('intake.withdrawCommitment', { commitmentId: signed.commitment!.id, reason: '申请人改为提交证明原件' }, token);
    expect(cert(v, certName).state).toBe('pending');
    expect(cert(v, certName).choice).toBe('present');
    expect(cert(v, certName).commitment?.verification?.status).toBe('cancelled');
    expect(await code(d.call('intake.withdrawCommitment', { commitmentId: signed.commitment!.id, reason: '再撤一次' }, token))).toBe('INVALID_STATE');
  });

  it('refuses a commitment from an applicant with serious bad credit, with the reason; presenting the certificate works', async () => {
    const { d, token } = await desk();
    const item = await itemWithCommitment(d, token);
    const certName = item.certificates.find((c) => c.method === 'commitment')!.name;
    let v = await d.call('intake.start', { applicantId: await applicantId(d, token, '赵大勇'), serviceItemIds: [item.id] }, token);
    const elig = await d.call('intake.commitmentEligibility', { caseId: v.id }, token);
    expect(elig.eligible).toBe(false);
    expect(elig.reasons[0]).toContain('严重失信');
    const c = cert(v, certName);
    const refused = await d.raw('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
    expect(refused.ok === false && refused.error.code).toBe('NOT_ELIGIBLE');
    expect(refused.ok === false && refused.error.message).toContain('失信被执行人');
    v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'present' }, token);
    v = await d.call('intake.addMaterial', { caseId: v.id, certificateItemId: c.certificateItemId, title: `${certName}（原件核对）`, pages: [{ mime: 'image/jpeg', base64: JPEG }] }, token);
    expect(cert(v, certName).state).toBe('presented');
  });

  it('a past false commitment also excludes, until the supervisor records the credit repair', async () => {
    const { d, token } = await desk();
    const item = await itemWithCommitment(d, token);
    const v = await d.call('intake.start', { applicantId: await applicantId(d, token, '孙丽'), serviceItemIds: [item.id] }, token);
    expect((await d.call('intake.commitmentEligibility', { caseId: v.id }, token)).reasons[0]).toContain('虚假承诺');
    const admin = await d.signIn('admin');
    const rec = (await d.call('credit.list', {}, admin.token)).find((r) => r.name === '孙丽')!;
    await d.call('credit.repair', { id: rec.id, note: '已完成信用修复（房县民政局函）' }, admin.token);
    expect((await d.call('intake.commitmentEligibility', { caseId: v.id }, token)).eligible).toBe(true);
  });
});

describe('intake: the newborn bundle (一件事联办)', () => {
  it('merges the certificates of nine items, resolves all five methods and accepts with a receipt', async () => {
    const { d, token } = await desk();
    const bundle = (await d.call('catalog.bundles', {}, token)).find((b) => b.name.includes('出生'))!;
    expect(bundle.items).toHaveLength(9);
    let v = await d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: bundle.items.map((i) => i.id), bundleCode: bundle.code }, token);
    expect(v.bundleName).toBe(bundle.name);
    expect(v.items.map((i) => i.name)).toEqual(bundle.items.map((i) => i.name));
    const names = v.certificates.map((c) => c.name);
    expect(new Set(names).size).toBe(names.length); // de-duplicated
    expect(cert(v, '户籍证明').neededBy.length).toBeGreaterThan(3);
    expect(new Set(v.certificates.map((c) => c.method))).toEqual(new Set(['cancelled', 'commitment', 'data_sharing', 'dept_verification', 'retained']));

    // 直接取消: not needed, and nothing can attach it.
    const cancelled = v.certificates.find((c) => c.method === 'cancelled')!;
    expect(cancelled.state).toBe('not_needed');
    const attach = await d.raw('intake.addMaterial', { caseId: v.id, certificateItemId: cancelled.certificateItemId, title: 'x', pages: [{ mime: 'image/jpeg', base64: JPEG }] }, token);
    expect(attach.ok === false && attach.error.message).toContain('任何人不得要求提交');

    for (const c of v.certificates) {
      if (c.state === 'not_applicable' || c.state === 'produced') continue; // 不涉及 / 由本件产生: nothing to do
      if (c.method === 'data_sharing') {
        // The child's record is asked about the child (证明对象 子女), entered once for the case.
        const subject = c.subject === '申请人本人' ? {} : { subject: { name: '李小宝', idNumber: '420325202611010011' } };
        v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: c.certificateItemId, ...subject }, token);
        const after = cert(v, c.name);
        if (after.state === 'pending') v = await d.call('intake.switchToVerification', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
      } else if (c.method === 'dept_verification') {
        v = await d.call('intake.requestAssistance', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
      } else if (c.method === 'retained') {
        v = await d.call('intake.addMaterial', { caseId: v.id, certificateItemId: c.certificateItemId, title: c.name, validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: SIG }] }, token);
      } else if (c.method === 'commitment') {
        v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
        v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
      }
    }
    expect(cert(v, '户籍证明').state).toBe('satisfied'); // answered by the platform
    expect(cert(v, '户籍证明').query?.summary).toContain('王芳');
    expect(v.blockers).toEqual([]);

    // Illegal transitions are refused by the main side.
    expect(await code(d.call('intake.transition', { caseId: v.id, to: 'completed' }, token))).toBe('INVALID_STATE');
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
    expect(v.status).toBe('accepted');
    expect(await code(d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token))).toBe('INVALID_STATE');
    expect(await code(d.call('intake.transition', { caseId: v.id, to: 'terminated' }, token))).toBe('BAD_INPUT'); // reason required

    const demanded = v.certificates.filter((c) => c.state !== 'not_applicable' && c.state !== 'produced');
    expect(v.figures.total).toBe(demanded.length);
    const by = Object.fromEntries(v.figures.byMethod.map((m) => [m.key, m.count]));
    expect(by.cancelled).toBeGreaterThan(0);
    expect(by.commitment).toBeGreaterThan(0);
    expect(by.data_sharing).toBeGreaterThan(0);
    expect(v.figures.avoided).toBe(demanded.filter((c) => c.method !== 'retained').length);

    const receipt = await d.call('intake.receiptPdf', { caseId: v.id }, token);
    expect(Buffer.from(receipt.base64, 'base64').subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('queues a data-sharing query when the platform is down; the clerk goes on and the desk asks again by itself', async () => {
    const { d, token } = await desk(200);
    const bundle = (await d.call('catalog.bundles', {}, token)).find((b) => b.name.includes('出生'))!;
    let v = await d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: [bundle.items[0]!.id] }, token);
    const c = v.certificates.find((x) => x.method === 'data_sharing')!;
    platform.setFault({ mode: 'error500' });
    try {
      v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
    } finally {
      platform.setFault({ mode: 'none' });
    }
    expect(cert(v, c.name).state).toBe('queued');
    expect(cert(v, c.name).query?.lastError).toContain('500');
    expect(v.blockers.join()).not.toContain(c.name);
    // The platform is back: the queued query is answered without the clerk asking again.
    const deadline = Date.now() + 10_000;
    while (cert(v, c.name).state !== 'satisfied' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      v = await d.call('intake.get', { caseId: v.id }, token);
    }
    expect(cert(v, c.name).state).toBe('satisfied');
    expect(cert(v, c.name).query?.attempts).toBeGreaterThanOrEqual(2);
  });
});

describe('intake: material reuse and case rules', () => {
  it('offers a still-valid page from an earlier case instead of asking again', async () => {
    const { d, token } = await desk();
    const id = await applicantId(d, token, '王芳');
    const items = await d.call('catalog.listServiceItems', { query: '出生医学证明办理' }, token);
    const item = items[0]!;
    const retained = item.certificates.find((c) => c.method === 'retained')!; // 亲子鉴定意见书: a birth outside hospital
    const outsideHospital = { 'QX-YNFM': false };
    let first = await d.call('intake.start', { applicantId: id, serviceItemIds: [item.id], circumstances: outsideHospital }, token);
    first = await d.call('intake.addMaterial', { caseId: first.id, certificateItemId: retained.id, title: retained.name, validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: SIG }] }, token);
    const lib = await d.call('materials.forApplicant', { applicantId: id }, token);
    expect(lib[0]).toMatchObject({ title: retained.name, trustGrade: 'B', valid: true, sourceCaseNo: first.caseNo });
    expect(lib[0]!.trustNote).toContain('经与原件核对无误');

    let second = await d.call('intake.start', { applicantId: id, serviceItemIds: [item.id], circumstances: outsideHospital }, token);
    expect(second.caseNo).not.toBe(first.caseNo);
    // The case list finds both by the applicant's name, and each by its case number.
    const byName = await d.call('intake.list', { query: '王芳', limit: 10 }, token);
    expect(byName.map((c) => c.caseNo)).toEqual([second.caseNo, first.caseNo]);
    expect((await d.call('intake.list', { query: first.caseNo, limit: 10 }, token)).map((c) => c.caseNo)).toEqual([first.caseNo]);
    expect((await d.call('intake.list', { query: '赵大勇', limit: 10 }, token))).toEqual([]);
    second = await d.call('intake.attachMaterial', { caseId: second.id, certificateItemId: retained.id, materialId: lib[0]!.id }, token);
    const c = cert(second, retained.name);
    expect(c.state).toBe('presented');
    expect(c.materials[0]?.reused).toBe(true);
    expect(second.figures.byMethod.find((m) => m.key === 'reused')?.count).toBe(1);
    const page = await d.call('materials.page', { materialId: lib[0]!.id, position: 0 }, token);
    expect(Buffer.from(page.base64, 'base64').equals(Buffer.from(SIG, 'base64'))).toBe(true);
  });

  it('refuses a rejection without a reason, and any change after the case left draft', async () => {
    const { d, token } = await desk();
    const item = await itemWithCommitment(d, token);
    let v = await d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: [item.id] }, token);
    expect(await code(d.call('intake.transition', { caseId: v.id, to: 'rejected' }, token))).toBe('BAD_INPUT');
    expect(await code(d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token))).toBe('INVALID_STATE'); // blockers
    v = await d.call('intake.transition', { caseId: v.id, to: 'rejected', reason: '申请事项不属于本窗口受理范围' }, token);
    expect(v.status).toBe('rejected');
    expect(v.statusReason).toBe('申请事项不属于本窗口受理范围');
    const c = v.certificates.find((x) => x.method === 'commitment')!;
    expect(await code(d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'present' }, token))).toBe('INVALID_STATE');
    expect(await code(d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token))).toBe('INVALID_STATE');
  });

  it('only the clerk roles accept; an assistant may not', async () => {
    const { d, token } = await desk();
    const item = await itemWithCommitment(d, token);
    const v = await d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: [item.id] }, token);
    const assistant = await d.signIn('chenjing');
    expect(await code(d.call('intake.transition', { caseId: v.id, to: 'rejected', reason: 'x' }, assistant.token))).toBe('FORBIDDEN');
  });
});

describe('intake: catalog versions', () => {
  it('a case keeps the catalog version it was accepted under; a new version applies to new cases only', async () => {
    const { d, token } = await desk();
    const admin = await d.signIn('admin');
    const item = await itemWithCommitment(d, token);
    const before = await d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: [item.id] }, token);

    const exported = await d.call('catalog.exportXlsx', {}, admin.token);
    const today = new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 10);
    const imported = await d.call('catalog.importXlsx', { fileName: exported.fileName, base64: exported.base64, label: '房县证明事项清单 2026年第二版', effectiveFrom: today }, admin.token);
    expect(imported.ok).toBe(true);

    const newItem = (await d.call('catalog.listServiceItems', { query: item.name }, token))[0]!;
    expect(newItem.id).not.toBe(item.id); // rows of the new version
    const after = await d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: [newItem.id] }, token);
    expect(after.catalogVersion.label).toBe('房县证明事项清单 2026年第二版');
    const again = await d.call('intake.get', { caseId: before.id }, token);
    expect(again.catalogVersion.id).toBe(before.catalogVersion.id);
    expect(again.catalogVersion.label).not.toBe(after.catalogVersion.label);
    // An item of the old version can no longer start a new case.
    expect(await code(d.call('intake.start', { applicantId: await applicantId(d, token, '王芳'), serviceItemIds: [item.id] }, token))).toBe('NOT_FOUND');
  });
});
