import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PDFDocument } from 'pdf-lib';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';

// Issue 16: the documents a window prints besides the receipt — the commitment to sign on paper and
// the 不予受理告知书 — and the case search by part of a number, through the real dispatcher and store.

let d: TestDesk;
let token: string;
beforeAll(async () => {
  d = await testDesk({});
  token = (await d.signIn('zhangmin')).token;
});
afterAll(() => {
  d.app.close();
});

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => e.error.code,
  );

async function nurseryCase() {
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  const item = (await d.call('catalog.listServiceItems', {}, token)).find((i) => i.name === '托育机构备案')!;
  return d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
}

async function pages(base64: string): Promise<{ count: number; title: string | undefined }> {
  const pdf = await PDFDocument.load(Buffer.from(base64, 'base64'));
  return { count: pdf.getPageCount(), title: pdf.getTitle() };
}

describe('intake documents (issue 16)', () => {
  it('prints the commitment for a paper signature while the case is a draft, and records nothing', async () => {
    const v = await nurseryCase();
    const c = v.certificates.find((x) => x.name === '无犯罪记录证明')!;
    const before = await d.call('intake.get', { caseId: v.id }, token);
    const paper = await d.call('intake.commitmentPaperPdf', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
    expect(paper.fileName).toBe(`告知承诺书（待签字）-${v.caseNo}-${c.code}.pdf`);
    expect(await pages(paper.base64)).toEqual({ count: 1, title: `证明事项告知承诺书 ${v.caseNo}（待签字）` });
    expect(await d.call('intake.get', { caseId: v.id }, token)).toEqual(before);
    // Not for a certificate of another method.
    const shared = v.certificates.find((x) => x.method !== 'commitment')!;
    expect(await code(d.call('intake.commitmentPaperPdf', { caseId: v.id, certificateItemId: shared.certificateItemId }, token))).not.toBe('OK');
  });

  it('gives the 不予受理告知书 of a refused case only', async () => {
    const v = await nurseryCase();
    expect(await code(d.call('intake.rejectionNoticePdf', { caseId: v.id }, token))).toBe('INVALID_STATE');
    await d.call('intake.transition', { caseId: v.id, to: 'rejected', reason: '申请人不具备申请资格' }, token);
    const notice = await d.call('intake.rejectionNoticePdf', { caseId: v.id }, token);
    expect(notice.fileName).toBe(`不予受理告知书-${v.caseNo}.pdf`);
    expect(await pages(notice.base64)).toEqual({ count: 1, title: `不予受理告知书 ${v.caseNo}` });
  });

  it('finds a case by part of its number, and by the applicant as before', async () => {
    const a = await nurseryCase();
    const b = await nurseryCase();
    // The desk's third and fourth cases (the tests above made two).
    expect([a.caseNo.slice(-5), b.caseNo.slice(-5)]).toEqual(['-0003', '-0004']);
    const found = await d.call('intake.list', { query: '0004', limit: 100 }, token);
    expect(found.map((r) => r.caseNo)).toEqual([b.caseNo]);
    const day = b.caseNo.split('-')[2]!; // the date part: every case of the day
    expect((await d.call('intake.list', { query: day, limit: 100 }, token)).map((r) => r.caseNo)).toEqual(expect.arrayContaining([a.caseNo, b.caseNo]));
    expect((await d.call('intake.list', { query: '王芳', limit: 100 }, token)).map((r) => r.caseNo)).toEqual(expect.arrayContaining([a.caseNo, b.caseNo]));
  });
});
