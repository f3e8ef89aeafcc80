import fs from 'node:fs';
import path from 'node:path';
import { inflateSync } from 'node:zlib';
import { createHash } from 'node:crypto';
import { openTestStore, testFileStore } from '../helpers/store';
import { PDFDocument, PDFName, PDFRawStream, type PDFPage } from 'pdf-lib';
import { beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { documentJpeg, withComment } from '../helpers/jpeg';
import { signaturePng } from '../helpers/png';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import type { MethodInput } from '../../shared/ipc/contract';
import type { ScanDocumentView } from '../../shared/ipc/methods/scans';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

// Real baseline JPEGs (decodable by Chromium and PDF readers), made once.
const PAGE = documentJpeg(640, 900, { seed: 3 });
const WIDE = documentJpeg(900, 600, { seed: 4 });
const CARD_FRONT = documentJpeg(856, 540, { seed: 5 });
const CARD_BACK = documentJpeg(856, 540, { seed: 6, gray: true });
const FRAME = documentJpeg(1024, 768, { seed: 7 });
const THUMB = documentJpeg(160, 224, { seed: 8 });
const PNG = signaturePng(400, 300);

let n = 0;
/** A different JPEG each call (a comment segment changes the bytes, not the picture). */
const variant = (jpeg: Buffer) => withComment(jpeg, `variant ${++n}`);

const capture = (over: Partial<MethodInput<'scans.addPage'>['capture']> = {}) => ({
  deviceLabel: 'USB Document Camera (1234:5678)',
  adapter: 'uvc',
  resolution: { width: 1024, height: 768 },
  rotation: 0 as const,
  trigger: 'manual' as const,
  blank: false,
  ...over,
});

function pageInput(bytes: Buffer, width: number, height: number, mime: 'image/jpeg' | 'image/png' = 'image/jpeg') {
  return { page: { mime, base64: bytes.toString('base64') }, width, height, mode: 'color' as const, capture: capture() };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => e.error.code,
  );
const message = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => e.error.message,
  );

let d: TestDesk;
let token: string;
let applicantId: number;

beforeAll(async () => {
  d = await testDesk();
  token = (await d.signIn('zhangmin')).token;
  applicantId = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!.id;
});

function filesOnDisk(dataDir: string): string[] {
  const root = path.join(dataDir, 'files');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((sub) => fs.readdirSync(path.join(root, sub)));
}

async function newDoc(kind: 'licence' | 'id_card' | 'certificate' | 'other' = 'licence', title = '营业执照'): Promise<ScanDocumentView> {
  return d.call('scans.createDocument', { applicantId, kind, title }, token);
}

describe('scans: documents and pages', () => {
  it('creates a document, adds, reorders, deletes and re-takes pages, every write audited with its SHA-256', async () => {
    let v = await newDoc();
    expect(v).toMatchObject({ kind: 'licence', title: '营业执照', status: 'open', trustGrade: 'B', applicant: { id: applicantId, name: '王芳' }, pages: [] });
    expect(v.trustNote).toMatch(/^经与原件核对无误，核对人：张敏，\d{4}-\d{2}-\d{2}$/);

    const p1 = variant(PAGE);
    v = await d.call(
      'scans.addPage',
      {
        documentId: v.id,
        ...pageInput(p1, 640, 900),
        original: { mime: 'image/jpeg', base64: FRAME.toString('base64') },
        thumb: { mime: 'image/jpeg', base64: THUMB.toString('base64') },
        corners: [
          { x: 12, y: 20 },
          { x: 1000, y: 18 },
          { x: 1010, y: 760 },
          { x: 8, y: 750 },
        ],
        capture: capture({ trigger: 'auto' }),
      },
      token,
    );
    const p2 = variant(PAGE);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(p2, 640, 900) }, token);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(PNG, 400, 300, 'image/png'), mode: 'bw' }, token);
    expect(v.pages.map((p) => [p.position, p.sha256, p.mime])).toEqual([
      [0, sha(p1), 'image/jpeg'],
      [1, sha(p2), 'image/jpeg'],
      [2, sha(PNG), 'image/png'],
    ]);
    const [a, b, c] = v.pages as [ScanDocumentView['pages'][0], ScanDocumentView['pages'][0], ScanDocumentView['pages'][0]];
    expect(a).toMatchObject({ width: 640, height: 900, size: p1.length, originalSha256: sha(FRAME), hasThumb: true, mode: 'color', capture: { trigger: 'auto', blank: false } });
    expect(a.corners).toHaveLength(4);
    expect(c).toMatchObject({ mode: 'bw', hasThumb: false, originalSha256: null, corners: null });

    // The stored files are the exact bytes, under their hash; images come back as stored.
    for (const bytes of [p1, p2, PNG, FRAME, THUMB]) expect(testFileStore(d.dataDir).get(sha(bytes))).toEqual(bytes); // sealed at rest, opened with the desk's key
    expect(Buffer.from((await d.call('scans.pageImage', { pageId: a.id }, token)).base64, 'base64')).toEqual(p1);
    expect(await d.call('scans.pageImage', { pageId: a.id, thumb: true }, token)).toMatchObject({ sha256: sha(THUMB), thumb: true });
    expect(await d.call('scans.pageImage', { pageId: a.id, original: true }, token)).toMatchObject({ sha256: sha(FRAME), mime: 'image/jpeg' });
    // No thumbnail stored: the full page, flagged so the renderer scales it.
    expect(await d.call('scans.pageImage', { pageId: b.id, thumb: true }, token)).toMatchObject({ sha256: sha(p2), thumb: false });

    v = await d.call('scans.reorderPages', { documentId: v.id, pageIds: [c.id, a.id, b.id] }, token);
    expect(v.pages.map((p) => p.id)).toEqual([c.id, a.id, b.id]);
    expect(v.pages.map((p) => p.position)).toEqual([0, 1, 2]);

    v = await d.call('scans.deletePage', { pageId: a.id }, token);
    expect(v.pages.map((p) => [p.id, p.position])).toEqual([
      [c.id, 0],
      [b.id, 1],
    ]);
    // History: a deleted page's image can still be read.
    expect((await d.call('scans.pageImage', { pageId: a.id }, token)).sha256).toBe(sha(p1));

    const retake = variant(PAGE);
    v = await d.call('scans.retakePage', { pageId: b.id, ...pageInput(retake, 640, 900), mode: 'gray' }, token);
    const nb = v.pages[1]!;
    expect(nb).toMatchObject({ position: 1, sha256: sha(retake), replacesPageId: b.id, mode: 'gray' });
    expect(nb.id).not.toBe(b.id);
    expect(v.pages).toHaveLength(2);

    const listed = await d.call('scans.listDocuments', { applicantId }, token);
    expect(listed.find((x) => x.id === v.id)).toMatchObject({ pages: 2, coverPageId: c.id, trustGrade: 'B', createdBy: '张敏' });
    expect(await d.call('scans.getDocument', { documentId: v.id }, token)).toEqual(v);

    const db = openTestStore(d.app.dbFile, { readonly: true });
    try {
      const rows = db.prepare('SELECT id, position, deleted_at, replaces_page_id FROM scan_pages WHERE document_id = ? ORDER BY id').all(v.id) as { id: number; deleted_at: string | null }[];
      expect(rows).toHaveLength(4); // three added, one re-take; the deleted and the replaced rows stay
      expect(rows.filter((r) => r.deleted_at !== null).map((r) => r.id)).toEqual([a.id, b.id]);
      const audit = db.prepare(`SELECT action, entity_id, detail FROM audit_log WHERE action LIKE 'scan.%' ORDER BY seq`).all() as { action: string; entity_id: string; detail: string }[];
      // This document's entries: its own (entity = document) and its pages' (detail.documentId).
      const mine = audit.filter((e) => (e.action === 'scan.createDocument' || e.action === 'scan.reorderPages' ? Number(e.entity_id) : (JSON.parse(e.detail) as { documentId?: number }).documentId) === v.id);
      expect(mine.map((e) => e.action)).toEqual(['scan.createDocument', 'scan.addPage', 'scan.addPage', 'scan.addPage', 'scan.reorderPages', 'scan.deletePage', 'scan.retakePage']);
      const details = mine.map((e) => JSON.parse(e.detail) as Record<string, unknown>);
      expect(details[1]).toMatchObject({ sha256: sha(p1), originalSha256: sha(FRAME), thumbSha256: sha(THUMB), position: 0 });
      expect(details[4]!.sha256).toEqual([sha(PNG), sha(p1), sha(p2)]);
      expect(details[5]).toMatchObject({ sha256: sha(p1) });
      expect(details[6]).toMatchObject({ sha256: sha(retake), previousSha256: sha(p2), replacedPageId: b.id });
      expect(verifyAuditChain(db)).toMatchObject({ ok: true });
    } finally {
      db.close();
    }
  });

  it('links a document to a case and its applicant, and refuses a case of someone else', async () => {
    const items = await d.call('catalog.listServiceItems', {}, token);
    const kase = await d.call('intake.start', { applicantId, serviceItemIds: [items[0]!.id] }, token);
    const v = await d.call('scans.createDocument', { caseId: kase.id, kind: 'certificate', title: '证明原件' }, token);
    expect(v.case).toEqual({ id: kase.id, caseNo: kase.caseNo });
    expect(v.applicant?.id).toBe(applicantId);
    expect((await d.call('scans.listDocuments', { caseId: kase.id }, token)).map((x) => x.id)).toEqual([v.id]);
    const other = (await d.call('applicants.list', { limit: 50 }, token)).find((x) => x.id !== applicantId)!;
    expect(await message(d.call('scans.createDocument', { caseId: kase.id, applicantId: other.id, kind: 'other', title: 'x' }, token))).toBe('该办件不属于所选申请人。');
    expect(await code(d.call('scans.createDocument', { applicantId: 999_999, kind: 'other', title: 'x' }, token))).toBe('NOT_FOUND');
  });

  it('refuses bad images with specific messages, and writes no file and no row for them', async () => {
    const v = await newDoc('other', '拒绝测试');
    const before = filesOnDisk(d.dataDir).length;
    const add = (over: Partial<MethodInput<'scans.addPage'>>) => message(d.call('scans.addPage', { documentId: v.id, ...pageInput(variant(PAGE), 640, 900), ...over }, token));

    const junk = Buffer.from('GIF89a this is not a JPEG at all, just some bytes to look at'.repeat(20));
    expect(await add({ page: { mime: 'image/jpeg', base64: junk.toString('base64') } })).toBe('页面图像：不是 JPEG 或 PNG 图像（文件头不符），未保存。');
    expect(await add({ page: { mime: 'image/jpeg', base64: PNG.toString('base64') }, width: 400, height: 300 })).toBe('页面图像：声明为 JPEG，内容却是 PNG，未保存。');
    expect(await add({ width: 900, height: 640 })).toBe('页面图像的尺寸与声明不符（声明 900×640，实际 640×900 像素）。');
    const truncated = PAGE.subarray(0, PAGE.length - 2000);
    expect(await add({ page: { mime: 'image/jpeg', base64: truncated.toString('base64') } })).toBe('页面图像：JPEG 图像不完整（缺少结束标记），可能传输中断，未保存。');
    const pngCut = PNG.subarray(0, PNG.length - 20);
    expect(await add({ page: { mime: 'image/png', base64: pngCut.toString('base64') }, width: 400, height: 300 })).toBe('页面图像：PNG 图像不完整，可能传输中断，未保存。');
    const tiny = documentJpeg(40, 40);
    expect(await add({ page: { mime: 'image/jpeg', base64: tiny.toString('base64') }, width: 64, height: 64 })).toBe('页面图像太小（40×40 像素），无法辨认，请重新拍摄。');
    const strip = documentJpeg(1600, 64);
    expect(await add({ page: { mime: 'image/jpeg', base64: strip.toString('base64') }, width: 1600, height: 64 })).toContain('长宽比异常');
    // The declared size itself is checked by the contract.
    expect(await code(d.call('scans.addPage', { documentId: v.id, ...pageInput(variant(PAGE), 20, 900) }, token))).toBe('BAD_INPUT');
    expect(await add({ thumb: { mime: 'image/png', base64: junk.toString('base64') } })).toBe('缩略图：不是 JPEG 或 PNG 图像（文件头不符），未保存。');
    expect(await add({ original: { mime: 'image/jpeg', base64: PAGE.toString('base64') } })).toBe('原始画面的尺寸（640×900）与拍摄分辨率（1024×768）不符。');
    expect(await add({ page: { mime: 'image/jpeg', base64: '!!!notbase64!!!' } })).toContain('图像内容格式不正确（应为 base64）');

    expect(filesOnDisk(d.dataDir)).toHaveLength(before);
    expect((await d.call('scans.getDocument', { documentId: v.id }, token)).pages).toEqual([]);
  });

  it('refuses a wrong page set on reorder, foreign pages, stale pages and edits of a finished document', async () => {
    let v = await newDoc('other', '页序');
    for (let i = 0; i < 3; i++) v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(variant(PAGE), 640, 900) }, token);
    let other = await newDoc('other', '别人的文档');
    other = await d.call('scans.addPage', { documentId: other.id, ...pageInput(variant(PAGE), 640, 900) }, token);
    const [x, y, z] = v.pages.map((p) => p.id) as [number, number, number];
    const foreign = other.pages[0]!.id;

    expect(await message(d.call('scans.reorderPages', { documentId: v.id, pageIds: [x, y] }, token))).toBe('页序缺少本文档的 1 页，文档已被修改，请刷新后重试。');
    expect(await message(d.call('scans.reorderPages', { documentId: v.id, pageIds: [x, y, y] }, token))).toBe('页序中有重复的页。');
    expect(await message(d.call('scans.reorderPages', { documentId: v.id, pageIds: [x, y, foreign] }, token))).toBe('页序第 3 项不是本文档的页，已拒绝。');
    expect(await code(d.call('scans.reorderPages', { documentId: v.id, pageIds: [x, y, z, 999_999] }, token))).toBe('CONFLICT');
    expect(await message(d.call('scans.composeIdCard', { documentId: v.id, frontPageId: x, backPageId: foreign }, token))).toBe('所选反面不是本文档的页，已拒绝。');
    expect(await message(d.call('scans.composeIdCard', { documentId: v.id, frontPageId: x, backPageId: x }, token))).toBe('正面和反面不能是同一页。');
    expect(await code(d.call('scans.reorderPages', { documentId: 999_999, pageIds: [x] }, token))).toBe('NOT_FOUND');

    v = await d.call('scans.deletePage', { pageId: z }, token);
    expect(await message(d.call('scans.deletePage', { pageId: z }, token))).toBe('该页已删除或已被重拍，不能删除，请刷新后重试。');
    expect(await code(d.call('scans.retakePage', { pageId: z, ...pageInput(variant(PAGE), 640, 900) }, token))).toBe('INVALID_STATE');
    expect(await code(d.call('scans.reorderPages', { documentId: v.id, pageIds: [x, y, z] }, token))).toBe('CONFLICT');

    v = await d.call('scans.setStatus', { documentId: v.id, status: 'done' }, token);
    expect(v.status).toBe('done');
    expect(await message(d.call('scans.addPage', { documentId: v.id, ...pageInput(variant(PAGE), 640, 900) }, token))).toBe('“页序”已完成，不能添加页面；如需修改，请先重新打开。');
    expect(await code(d.call('scans.deletePage', { pageId: x }, token))).toBe('INVALID_STATE');
    v = await d.call('scans.setStatus', { documentId: v.id, status: 'open' }, token);
    v = await d.call('scans.reorderPages', { documentId: v.id, pageIds: [y, x] }, token);
    expect(v.pages.map((p) => p.id)).toEqual([y, x]);
  });

  it('lets clerks, assistants and supervisors scan; nobody without a session', async () => {
    for (const user of ['chenjing', 'admin', 'liuyang']) {
      const s = (await d.signIn(user)).token;
      const v = await d.call('scans.createDocument', { kind: 'other', title: `${user} 的扫描` }, s);
      const added = await d.call('scans.addPage', { documentId: v.id, ...pageInput(variant(PAGE), 640, 900) }, s);
      expect(added.pages).toHaveLength(1);
    }
    const r = await d.raw('scans.listDocuments', {});
    expect(r.ok ? 'OK' : r.error.code).toBe('UNAUTHENTICATED');
  });
});

/** Every content stream of a page, inflated. */
function contentOf(page: PDFPage): string {
  const contents = page.node.Contents();
  const streams = contents && 'asArray' in contents ? (contents as unknown as { asArray(): unknown[] }).asArray() : [contents];
  return streams
    .map((ref) => page.doc.context.lookup(ref as never) as PDFRawStream)
    .map((s) => {
      const filter = s.dict.get(PDFName.of('Filter'));
      return (filter ? inflateSync(Buffer.from(s.contents)) : Buffer.from(s.contents)).toString('latin1');
    })
    .join('\n');
}

describe('scans: ID-card composition and PDF export', () => {
  it('composes an ID card on one A4 page at true size and exports one PDF with JPEG pages passed through', async () => {
    let v = await newDoc('id_card', '王芳 身份证及营业执照');
    const front = variant(CARD_FRONT);
    const back = variant(CARD_BACK);
    const portrait = variant(PAGE);
    const wide = variant(WIDE);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(front, 856, 540) }, token);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(portrait, 640, 900) }, token);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(back, 856, 540) }, token);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(wide, 900, 600) }, token);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(PNG, 400, 300, 'image/png') }, token);
    const [f, , bk, w] = v.pages.map((x) => x.id) as [number, number, number, number];

    v = await d.call('scans.composeIdCard', { documentId: v.id, frontPageId: f, backPageId: bk }, token);
    const pairId = v.idCardPairs[0]!.id;
    expect(v.idCardPairs).toEqual([{ id: pairId, frontPageId: f, backPageId: bk }]);
    expect(v.pages.filter((x) => x.idCardPairId === pairId).map((x) => x.id)).toEqual([f, bk]);
    expect(v.sheets.map((s) => s.kind)).toEqual(['id_card', 'page', 'page', 'page']);
    expect(await message(d.call('scans.composeIdCard', { documentId: v.id, frontPageId: bk, backPageId: w }, token))).toBe('所选正面（第 3 页）已与其他页组合，请先拆分。');

    const out = await d.call('scans.exportPdf', { documentId: v.id }, token);
    const bytes = Buffer.from(out.base64, 'base64');
    expect(out.sha256).toBe(sha(bytes));
    expect(out.pages).toBe(4); // the pair counts once
    expect(out.fileName).toBe(`王芳_身份证及营业执照-${v.id}.pdf`);
    const pdf = await PDFDocument.load(bytes);
    expect(pdf.getPageCount()).toBe(4);
    expect(pdf.getTitle()).toBe('王芳 身份证及营业执照');

    // Pass-through: each stored JPEG is in the PDF byte for byte, once (no re-encoding).
    for (const jpeg of [front, back, portrait, wide]) {
      const at = bytes.indexOf(jpeg);
      expect(at).toBeGreaterThan(0);
      expect(bytes.indexOf(jpeg, at + 1)).toBe(-1);
    }
    const dct = pdf.context.enumerateIndirectObjects().filter(([, o]) => o instanceof PDFRawStream && o.dict.get(PDFName.of('Filter'))?.toString() === '/DCTDecode');
    expect(dct).toHaveLength(4);

    // Page sizes: the ID-card page is A4 portrait; the others are the image's aspect fitted to A4.
    const sizes = pdf.getPages().map((pg) => pg.getSize());
    expect(sizes[0]!.width).toBeCloseTo(595.28, 1);
    expect(sizes[0]!.height).toBeCloseTo(841.89, 1);
    const fills = (s: { width: number; height: number }, boxW: number, boxH: number) => Math.max(s.width / boxW, s.height / boxH);
    expect(sizes[1]!.width / sizes[1]!.height).toBeCloseTo(640 / 900, 3); // upright image: fitted to A4 portrait
    expect(fills(sizes[1]!, 595.28, 841.89)).toBeCloseTo(1, 4);
    expect(sizes[2]!.width / sizes[2]!.height).toBeCloseTo(900 / 600, 3); // wide image: fitted to A4 landscape
    expect(fills(sizes[2]!, 841.89, 595.28)).toBeCloseTo(1, 4);
    expect(sizes[3]!.width / sizes[3]!.height).toBeCloseTo(400 / 300, 3);
    expect(fills(sizes[3]!, 841.89, 595.28)).toBeCloseTo(1, 4);
    // Each side of the card drawn at 85.6 × 54 mm (242.65 × 153.07 pt), one above the other.
    const cms = [...contentOf(pdf.getPage(0)).matchAll(/([\d.-]+) ([\d.-]+) ([\d.-]+) ([\d.-]+) ([\d.-]+) ([\d.-]+) cm/g)].map((m) => m.slice(1).map(Number));
    // pdf-lib draws an image as translate · rotate · scale · skew; the scale is the drawn size.
    const scales = cms.filter(([a, b, c, dd, e, f]) => b === 0 && c === 0 && e === 0 && f === 0 && !(a === 1 && dd === 1));
    const moves = cms.filter(([a, b, c, dd, e, f]) => a === 1 && b === 0 && c === 0 && dd === 1 && (e !== 0 || f !== 0));
    expect(scales).toHaveLength(2);
    for (const [a, , , dd] of scales) {
      expect(a).toBeCloseTo((85.6 * 72) / 25.4, 1);
      expect(dd).toBeCloseTo((54 * 72) / 25.4, 1);
    }
    expect(moves).toHaveLength(2);
    expect(moves[0]![4]).toBeCloseTo((595.28 - (85.6 * 72) / 25.4) / 2, 1); // centred
    expect(moves[0]![5]).toBeGreaterThan(moves[1]![5]! + (54 * 72) / 25.4); // front above back, not overlapping

    // The same document exports to the same bytes.
    expect((await d.call('scans.exportPdf', { documentId: v.id }, token)).sha256).toBe(out.sha256);

    // A re-take of a side keeps the pair; deleting a side dissolves it; split undoes it.
    const front2 = variant(CARD_FRONT);
    v = await d.call('scans.retakePage', { pageId: f, ...pageInput(front2, 856, 540) }, token);
    const nf = v.pages[0]!.id;
    expect(v.idCardPairs).toEqual([{ id: pairId, frontPageId: nf, backPageId: bk }]);
    v = await d.call('scans.splitIdCard', { pairId }, token);
    expect(v.idCardPairs).toEqual([]);
    expect(v.sheets).toHaveLength(5);
    v = await d.call('scans.composeIdCard', { documentId: v.id, frontPageId: nf, backPageId: bk }, token);
    expect(v.sheets).toHaveLength(4);
    v = await d.call('scans.deletePage', { pageId: bk }, token);
    expect(v.idCardPairs).toEqual([]);
    expect(v.sheets.map((s) => s.kind)).toEqual(['page', 'page', 'page', 'page']);
    const after = await PDFDocument.load(Buffer.from((await d.call('scans.exportPdf', { documentId: v.id }, token)).base64, 'base64'));
    expect(after.getPageCount()).toBe(4);

    const db = openTestStore(d.app.dbFile, { readonly: true });
    try {
      const exports = db.prepare(`SELECT detail FROM audit_log WHERE action = 'scan.exportPdf' AND entity_id = ?`).all(String(v.id)) as { detail: string }[];
      expect(exports.map((e) => (JSON.parse(e.detail) as { sha256: string }).sha256)).toContain(out.sha256);
    } finally {
      db.close();
    }
  });

  it('refuses to export an empty document, and names a damaged page', async () => {
    let v = await newDoc('other', '损坏测试');
    expect(await message(d.call('scans.exportPdf', { documentId: v.id }, token))).toBe('文档还没有页面，不能导出。');
    const good = variant(PAGE);
    const bad = variant(PAGE);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(good, 640, 900) }, token);
    v = await d.call('scans.addPage', { documentId: v.id, ...pageInput(bad, 640, 900) }, token);
    const file = path.join(d.dataDir, 'files', sha(bad).slice(0, 2), sha(bad));
    const damaged = Buffer.from(bad);
    damaged[damaged.length - 100] = damaged[damaged.length - 100]! ^ 0xff;
    fs.writeFileSync(file, damaged);
    expect(await message(d.call('scans.exportPdf', { documentId: v.id }, token))).toBe('第 2 页的图像文件已损坏或丢失，不能导出；请重拍这些页。');
    expect(await message(d.call('scans.pageImage', { pageId: v.pages[1]!.id }, token))).toBe('该页的图像文件已损坏或丢失，请重拍该页。');
  });
});
