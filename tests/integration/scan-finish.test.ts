import { beforeAll, describe, expect, it } from 'vitest';
import { openTestStore } from '../helpers/store';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { documentJpeg, withComment } from '../helpers/jpeg';
import type { MethodInput } from '../../shared/ipc/contract';

// 完成 on the standalone 高拍仪扫描 page (issue 16): the document is kept under an applicant (and,
// if chosen, one of their cases still at intake) in the material library, and intake reuses it.
// Refusals change nothing: no material, no attachment, no audit entry.

const PAGE = documentJpeg(640, 900, { seed: 11 });
let n = 0;
const page = (): Omit<MethodInput<'scans.addPage'>, 'documentId'> => ({
  page: { mime: 'image/jpeg', base64: withComment(PAGE, `finish ${++n}`).toString('base64') },
  width: 640,
  height: 900,
  mode: 'color',
  capture: { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 1024, height: 768 }, rotation: 0, trigger: 'manual', blank: false },
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'OK', message: '' }),
    (e: CallFailed) => ({ code: e.error.code, message: e.error.message }),
  );

let d: TestDesk;
let token: string;
let wang: number; // 王芳, a demo applicant
let liu: number; // 赵大勇, another
let vaccineItem: number; // 预防接种证办理: needs 出生医学证明 (保留, long-term)

beforeAll(async () => {
  d = await testDesk();
  token = (await d.signIn('zhangmin')).token;
  const people = await d.call('applicants.list', { limit: 50 }, token);
  wang = people.find((a) => a.name === '王芳')!.id;
  liu = people.find((a) => a.name === '赵大勇')!.id;
  vaccineItem = (await d.call('catalog.listServiceItems', { query: '预防接种证办理' }, token)).find((i) => i.name === '预防接种证办理')!.id;
});

async function scanned(input: MethodInput<'scans.createDocument'>, pages = 1) {
  let v = await d.call('scans.createDocument', input, token);
  for (let i = 0; i < pages; i++) v = await d.call('scans.addPage', { documentId: v.id, ...page() }, token);
  return v;
}

function finishEntries(documentId: number): number {
  const db = openTestStore(d.app.dbFile, { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM audit_log WHERE action = 'scan.finish' AND entity_id = ?`).get(String(documentId)) as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('scans.finish: a standalone scan belongs to an applicant', () => {
  it('keeps the scan in the applicant’s material library under its certificate, and intake reuses it', async () => {
    const v = await scanned({ applicantId: wang, kind: 'certificate', title: '出生医学证明' }, 2);
    const before = (await d.call('materials.forApplicant', { applicantId: wang }, token)).length;
    const r = await d.call('scans.finish', { documentId: v.id }, token);
    expect(r.alreadyFinished).toBe(false);
    expect(r.document).toMatchObject({ id: v.id, status: 'done', applicant: { id: wang, name: '王芳' }, case: null });
    expect(r.material.certificate).toEqual({ code: 'ZM-420325-0001', name: '出生医学证明' });
    expect(r.material.validUntil).toBeNull(); // 出生医学证明 has no 有效期: 长期

    const library = await d.call('materials.forApplicant', { applicantId: wang }, token);
    expect(library).toHaveLength(before + 1);
    const m = library.find((x) => x.id === r.material.id)!;
    expect(m).toMatchObject({ certificateCode: 'ZM-420325-0001', certificateName: '出生医学证明', title: '出生医学证明', trustGrade: 'B', pages: 2, valid: true, validUntil: null, sourceCaseNo: null });
    expect(m.trustNote).toMatch(/^经与原件核对无误，核对人：张敏，\d{4}-\d{2}-\d{2}$/);
    // The material's pages are the scan's pages.
    expect((await d.call('materials.page', { materialId: m.id, position: 1 }, token)).base64).toBe((await d.call('scans.pageImage', { pageId: r.document.pages[1]!.id }, token)).base64);
    expect(finishEntries(v.id)).toBe(1);

    // Intake for 王芳 offers it for 出生医学证明, and reusing it resolves the certificate.
    const kase = await d.call('intake.start', { applicantId: wang, serviceItemIds: [vaccineItem] }, token);
    const cert = kase.certificates.find((c) => c.code === 'ZM-420325-0001')!;
    const after = await d.call('intake.attachMaterial', { caseId: kase.id, certificateItemId: cert.certificateItemId, materialId: m.id }, token);
    const used = after.certificates.find((c) => c.code === 'ZM-420325-0001')!;
    expect(used.state).toBe('presented');
    expect(used.materials).toEqual([{ id: m.id, title: '出生医学证明', trustGrade: 'B', reused: true, pages: 2 }]);

    // Finished is finished: a second 完成 answers the same material and files nothing twice.
    const again = await d.call('scans.finish', { documentId: v.id }, token);
    expect(again.alreadyFinished).toBe(true);
    expect(again.material).toEqual({ id: m.id, certificate: { code: 'ZM-420325-0001', name: '出生医学证明' }, validUntil: null });
    expect(await d.call('materials.forApplicant', { applicantId: wang }, token)).toHaveLength(before + 1);
    expect(finishEntries(v.id)).toBe(1);
  });

  it('lists the scans started for an applicant and not finished (status open), with the applicant’s name, to resume them', async () => {
    const left = await scanned({ applicantId: liu, kind: 'other', title: '未完成的租赁合同' }, 1);
    const empty = await scanned({ applicantId: liu, kind: 'other', title: '未拍页的证明' }, 0);
    const done = await scanned({ applicantId: liu, kind: 'other', title: '已完成的合同' }, 1);
    await d.call('scans.finish', { documentId: done.id }, token);
    const nobody = await scanned({ kind: 'other', title: '无主扫描件' }, 1);

    const open = await d.call('scans.listDocuments', { applicantId: liu, status: 'open' }, token);
    expect(open.map((x) => x.title).sort()).toEqual(['未完成的租赁合同', '未拍页的证明']);
    expect(open.find((x) => x.id === left.id)).toMatchObject({ applicantId: liu, applicantName: '赵大勇', status: 'open', pages: 1 });
    expect(open.find((x) => x.id === empty.id)).toMatchObject({ applicantName: '赵大勇', pages: 0 });
    // Across applicants: the open ones only, and one kept under nobody has no name.
    const all = await d.call('scans.listDocuments', { status: 'open', limit: 200 }, token);
    expect(all.map((x) => x.id)).not.toContain(done.id);
    expect(all.find((x) => x.id === nobody.id)).toMatchObject({ applicantId: null, applicantName: null });
    expect((await d.call('scans.listDocuments', { applicantId: liu, status: 'done' }, token)).map((x) => x.title)).toContain('已完成的合同');
    expect(open.find((x) => x.id === left.id)!.inLibrary).toBe(false);
    expect(open.find((x) => x.id === empty.id)!.inLibrary).toBe(false); // no page: nothing kept

    // A scan from intake's 核对原件 drawer: its pages go into the case through intake.addMaterial and
    // the scan stays open; it is flagged as kept (not unfinished) once every live page is in her library.
    const kase = await d.call('intake.start', { applicantId: liu, serviceItemIds: [vaccineItem] }, token);
    const cert = kase.certificates.find((c) => c.code === 'ZM-420325-0001')!;
    const fromIntake = await scanned({ applicantId: liu, caseId: kase.id, kind: 'certificate', title: '出生医学证明' }, 2);
    const bytes = await Promise.all(fromIntake.pages.map((p) => d.call('scans.pageImage', { pageId: p.id }, token)));
    await d.call('intake.addMaterial', { caseId: kase.id, certificateItemId: cert.certificateItemId, title: '出生医学证明', pages: [{ mime: 'image/jpeg', base64: bytes[0]!.base64 }] }, token);
    const halfKept = (await d.call('scans.listDocuments', { applicantId: liu, status: 'open' }, token)).find((x) => x.id === fromIntake.id)!;
    expect(halfKept).toMatchObject({ status: 'open', pages: 2, inLibrary: false }); // its second page is not kept yet
    await d.call('intake.addMaterial', { caseId: kase.id, certificateItemId: cert.certificateItemId, title: '出生医学证明', pages: bytes.map((b) => ({ mime: 'image/jpeg' as const, base64: b.base64 })) }, token);
    const kept = (await d.call('scans.listDocuments', { applicantId: liu, status: 'open' }, token)).find((x) => x.id === fromIntake.id)!;
    expect(kept).toMatchObject({ status: 'open', pages: 2, inLibrary: true });
  });

  it('refuses 完成 without an applicant, lists such a scan as unattached, and attaches it later', async () => {
    const v = await scanned({ kind: 'other', title: '房屋租赁合同' });
    expect(await failure(d.call('scans.finish', { documentId: v.id }, token))).toEqual({ code: 'BAD_INPUT', message: '请选择申请人：扫描件须保存在申请人名下，受理时才能选用。' });
    expect(await d.call('scans.getDocument', { documentId: v.id }, token)).toMatchObject({ status: 'open', applicant: null, case: null });
    expect(finishEntries(v.id)).toBe(0);
    expect((await d.call('scans.listDocuments', { unattached: true }, token)).map((x) => x.id)).toContain(v.id);

    const before = (await d.call('materials.forApplicant', { applicantId: liu }, token)).length;
    const r = await d.call('scans.finish', { documentId: v.id, applicantId: liu, validUntil: '2027-06-30' }, token);
    expect(r.document).toMatchObject({ status: 'done', applicant: { id: liu, name: '赵大勇' } });
    // No certificate of the catalog has this name: kept for any certificate (未指定证明), until the date read off it.
    expect(r.material).toEqual({ id: r.material.id, certificate: null, validUntil: '2027-06-30' });
    const library = await d.call('materials.forApplicant', { applicantId: liu }, token);
    expect(library).toHaveLength(before + 1);
    expect(library.find((x) => x.id === r.material.id)).toMatchObject({ certificateCode: null, certificateName: null, title: '房屋租赁合同', valid: true, validUntil: '2027-06-30' });
    expect((await d.call('scans.listDocuments', { unattached: true }, token)).map((x) => x.id)).not.toContain(v.id);
    expect(finishEntries(v.id)).toBe(1);
  });

  it('goes with a case of the applicant at intake, and refuses another applicant’s case or one past intake, writing nothing', async () => {
    const mine = await d.call('intake.start', { applicantId: wang, serviceItemIds: [vaccineItem] }, token);
    const theirs = await d.call('intake.start', { applicantId: liu, serviceItemIds: [vaccineItem] }, token);
    let refused = await d.call('intake.start', { applicantId: wang, serviceItemIds: [vaccineItem] }, token);
    refused = await d.call('intake.transition', { caseId: refused.id, to: 'rejected', reason: '申请材料不齐全' }, token);
    // The page offers the applicant's cases at intake: this one's drafts only.
    const offered = (await d.call('intake.list', { applicantId: wang, status: 'draft' }, token)).map((c) => c.id);
    expect(offered).toContain(mine.id);
    expect(offered).not.toContain(theirs.id);
    expect(offered).not.toContain(refused.id);
    const v = await scanned({ applicantId: wang, kind: 'certificate', title: '出生医学证明' });
    const wangBefore = (await d.call('materials.forApplicant', { applicantId: wang }, token)).length;
    const liuBefore = (await d.call('materials.forApplicant', { applicantId: liu }, token)).length;

    expect(await failure(d.call('scans.finish', { documentId: v.id, caseId: theirs.id }, token))).toEqual({
      code: 'BAD_INPUT',
      message: `办件 ${theirs.caseNo} 不是申请人王芳的办件，不能关联。`,
    });
    expect(await failure(d.call('scans.finish', { documentId: v.id, applicantId: liu }, token))).toEqual({ code: 'BAD_INPUT', message: '该扫描件已保存在申请人王芳名下，不能改到其他申请人名下。' });
    expect(await failure(d.call('scans.finish', { documentId: v.id, caseId: refused.id }, token))).toEqual({
      code: 'INVALID_STATE',
      message: `办件 ${refused.caseNo} 的状态为“不予受理”，不能再添加材料；请选择该申请人未受理的办件，或不关联办件。`,
    });
    // Nothing half-written: the document as it was, no material for either applicant, no entry.
    expect(await d.call('scans.getDocument', { documentId: v.id }, token)).toMatchObject({ status: 'open', applicant: { id: wang }, case: null });
    expect(await d.call('materials.forApplicant', { applicantId: wang }, token)).toHaveLength(wangBefore);
    expect(await d.call('materials.forApplicant', { applicantId: liu }, token)).toHaveLength(liuBefore);
    expect(finishEntries(v.id)).toBe(0);

    const r = await d.call('scans.finish', { documentId: v.id, caseId: mine.id }, token);
    expect(r.document).toMatchObject({ status: 'done', applicant: { id: wang }, case: { id: mine.id, caseNo: mine.caseNo } });
    expect((await d.call('scans.listDocuments', { caseId: mine.id }, token)).map((x) => x.id)).toEqual([v.id]);
    const m = (await d.call('materials.forApplicant', { applicantId: wang, caseId: mine.id }, token)).find((x) => x.id === r.material.id)!;
    expect(m).toMatchObject({ certificateCode: 'ZM-420325-0001', sourceCaseNo: mine.caseNo, valid: true });
    // Used in its own case it is that case's original, not a reuse.
    const cert = mine.certificates.find((c) => c.code === 'ZM-420325-0001')!;
    const after = await d.call('intake.attachMaterial', { caseId: mine.id, certificateItemId: cert.certificateItemId, materialId: m.id }, token);
    expect(after.certificates.find((c) => c.code === 'ZM-420325-0001')!.materials).toEqual([{ id: m.id, title: '出生医学证明', trustGrade: 'B', reused: false, pages: 1 }]);

    const db = openTestStore(d.app.dbFile, { readonly: true });
    try {
      const e = db.prepare(`SELECT detail FROM audit_log WHERE action = 'scan.finish' AND entity_id = ?`).get(String(v.id)) as { detail: string };
      expect(JSON.parse(e.detail)).toMatchObject({ applicantId: wang, caseId: mine.id, caseNo: mine.caseNo, materialId: m.id, certificate: 'ZM-420325-0001', attached: { applicant: false, case: true } });
    } finally {
      db.close();
    }
  });

  it('refuses a scan without pages', async () => {
    const v = await scanned({ applicantId: wang, kind: 'other', title: '空文档' }, 0);
    expect(await failure(d.call('scans.finish', { documentId: v.id }, token))).toEqual({ code: 'INVALID_STATE', message: '文档还没有页面，不能完成。' });
  });
});

// The link scan → material as data (migrations/0025): 完成 is idempotent, a filed scan is not
// reopened, and the 有效期 typed at the start is kept with the scan for 继续 and used at 完成.
describe('scans.finish: one scan, one material', () => {
  const library = async (applicantId: number) => (await d.call('materials.forApplicant', { applicantId }, token)).length;
  function linkedMaterial(documentId: number): number | null {
    const db = openTestStore(d.app.dbFile, { readonly: true });
    try {
      return db.prepare('SELECT material_id FROM scan_documents WHERE id = ?').pluck().get(documentId) as number | null;
    } finally {
      db.close();
    }
  }

  it('完成 twice files one material: the second answers it (alreadyFinished) and writes nothing; the scan, its list and the library name each other', async () => {
    const v = await scanned({ applicantId: liu, kind: 'certificate', title: '出生医学证明' }, 2);
    const before = await library(liu);
    const first = await d.call('scans.finish', { documentId: v.id }, token);
    const second = await d.call('scans.finish', { documentId: v.id }, token);
    expect(first.alreadyFinished).toBe(false);
    expect(second.alreadyFinished).toBe(true);
    expect(second.material).toEqual(first.material);
    expect(await library(liu)).toBe(before + 1);
    expect(finishEntries(v.id)).toBe(1);
    expect(linkedMaterial(v.id)).toBe(first.material.id);

    const link = { id: first.material.id, title: '出生医学证明', certificate: { code: 'ZM-420325-0001', name: '出生医学证明' }, validUntil: null, applicantName: '赵大勇' };
    expect((await d.call('scans.getDocument', { documentId: v.id }, token)).material).toEqual(link);
    expect(second.document.material).toEqual(link);
    expect((await d.call('scans.listDocuments', { applicantId: liu, status: 'done' }, token)).find((x) => x.id === v.id)!.material).toEqual(link);
    const m = (await d.call('materials.forApplicant', { applicantId: liu }, token)).find((x) => x.id === first.material.id)!;
    expect(m.scan).toEqual({ documentId: v.id, title: '出生医学证明', scannedBy: '张敏', finishedAt: first.document.updatedAt });

    // A repeat asking for something else than the first 完成 did is refused, writing nothing.
    expect(await failure(d.call('scans.finish', { documentId: v.id, validUntil: '2030-01-01' }, token))).toEqual({
      code: 'BAD_INPUT',
      message: '“出生医学证明”已按有效期至 长期 存入材料库，不能再改为 2030-01-01。',
    });
    expect(await failure(d.call('scans.finish', { documentId: v.id, applicantId: wang }, token))).toEqual({
      code: 'BAD_INPUT',
      message: '“出生医学证明”已存入申请人赵大勇的材料库，不能改到其他申请人名下。',
    });
    // The same applicant named again is the same 完成.
    expect((await d.call('scans.finish', { documentId: v.id, applicantId: liu }, token)).material.id).toBe(first.material.id);
    expect(await library(liu)).toBe(before + 1);
    expect(finishEntries(v.id)).toBe(1);
  });

  it('two 完成 at once (a retry while the first is still answering) file one material, and both answer it', async () => {
    const v = await scanned({ applicantId: liu, kind: 'other', title: '营业执照（副本）' }, 1);
    const before = await library(liu);
    const [a, b] = await Promise.all([d.call('scans.finish', { documentId: v.id }, token), d.call('scans.finish', { documentId: v.id }, token)]);
    expect(a.material.id).toBe(b.material.id);
    expect([a.alreadyFinished, b.alreadyFinished].sort()).toEqual([false, true]);
    expect(await library(liu)).toBe(before + 1);
    expect(finishEntries(v.id)).toBe(1);
    expect(linkedMaterial(v.id)).toBe(a.material.id);
  });

  it('a filed scan is not reopened nor changed (start a new scan); one closed without the library still is', async () => {
    const v = await scanned({ applicantId: liu, kind: 'other', title: '房屋租赁合同' }, 1);
    const r = await d.call('scans.finish', { documentId: v.id }, token);
    const pagesOf = async (materialId: number) => (await d.call('materials.forApplicant', { applicantId: liu }, token)).find((x) => x.id === materialId)!.pages;
    expect(await failure(d.call('scans.setStatus', { documentId: v.id, status: 'open' }, token))).toEqual({
      code: 'INVALID_STATE',
      message: '“房屋租赁合同”已存入申请人赵大勇的材料库（材料“房屋租赁合同”），不能重新打开：材料库中的材料存入后不再改动。如需补拍页面，请新建扫描件，完成后另存为一份材料。',
    });
    expect(await failure(d.call('scans.addPage', { documentId: v.id, ...page() }, token))).toEqual({
      code: 'INVALID_STATE',
      message: '“房屋租赁合同”已存入申请人赵大勇的材料库（材料“房屋租赁合同”），不能添加页面；如需补拍或重拍，请新建扫描件。',
    });
    expect(await failure(d.call('scans.deletePage', { pageId: r.document.pages[0]!.id }, token))).toEqual({
      code: 'INVALID_STATE',
      message: '“房屋租赁合同”已存入申请人赵大勇的材料库（材料“房屋租赁合同”），不能删除页面；如需补拍或重拍，请新建扫描件。',
    });
    const now = await d.call('scans.getDocument', { documentId: v.id }, token);
    expect(now).toMatchObject({ status: 'done', material: { id: r.material.id } });
    expect(now.pages.map((p) => p.id)).toEqual(r.document.pages.map((p) => p.id));
    expect(await pagesOf(r.material.id)).toBe(1);

    // A scan closed without 完成 (scans.setStatus, as intake's own scans are) files nothing and reopens as before.
    const plain = await scanned({ applicantId: liu, kind: 'other', title: '结婚证' }, 1);
    expect((await d.call('scans.setStatus', { documentId: plain.id, status: 'done' }, token)).material).toBeNull();
    expect(await failure(d.call('scans.addPage', { documentId: plain.id, ...page() }, token))).toEqual({ code: 'INVALID_STATE', message: '“结婚证”已完成，不能添加页面；如需修改，请先重新打开。' });
    expect((await d.call('scans.setStatus', { documentId: plain.id, status: 'open' }, token)).status).toBe('open');
  });

  it('the 有效期 and certificate given at the start are kept with the scan (继续 finds them) and 完成 files with them unless it names another date', async () => {
    const v = await scanned({ applicantId: wang, kind: 'certificate', title: '出生医学证明', validUntil: '2031-06-30' }, 1);
    expect(v).toMatchObject({ validUntil: '2031-06-30', certificate: { code: 'ZM-420325-0001', name: '出生医学证明' }, material: null });
    // 继续: the page reads the scan again.
    expect(await d.call('scans.getDocument', { documentId: v.id }, token)).toMatchObject({ validUntil: '2031-06-30', certificate: { code: 'ZM-420325-0001', name: '出生医学证明' } });
    expect((await d.call('scans.listDocuments', { applicantId: wang, status: 'open' }, token)).find((x) => x.id === v.id)!.validUntil).toBe('2031-06-30');
    const r = await d.call('scans.finish', { documentId: v.id }, token);
    expect(r.material).toEqual({ id: r.material.id, certificate: { code: 'ZM-420325-0001', name: '出生医学证明' }, validUntil: '2031-06-30' });
    expect((await d.call('materials.forApplicant', { applicantId: wang }, token)).find((x) => x.id === r.material.id)).toMatchObject({ validUntil: '2031-06-30', valid: true });
    // The same date named again is the same 完成.
    expect((await d.call('scans.finish', { documentId: v.id, validUntil: '2031-06-30' }, token)).alreadyFinished).toBe(true);

    // A date given at 完成 wins over the one typed at the start, and is the one kept.
    const w2 = await scanned({ applicantId: wang, kind: 'other', title: '居住证', validUntil: '2031-06-30' }, 1);
    expect(w2.certificate).toBeNull(); // no catalog certificate has that name: 未指定证明
    const r2 = await d.call('scans.finish', { documentId: w2.id, validUntil: '2029-12-31' }, token);
    expect(r2.material.validUntil).toBe('2029-12-31');
    expect(r2.document.validUntil).toBe('2029-12-31');
    expect(await failure(d.call('scans.createDocument', { applicantId: wang, kind: 'other', title: '错误日期', validUntil: '2031/06/30' }, token))).toMatchObject({ code: 'BAD_INPUT' });
  });
});
