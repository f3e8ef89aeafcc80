import { AppError } from '../../app/app-error';
import { materialLink } from './scan-link';
import type { Db } from '../../store/open-store';
import type { ScanCapture, ScanDocumentView, ScanKind, ScanMode, ScanPageView, ScanSheet } from '../../../shared/ipc/methods/scans';

export interface DocumentRow {
  id: number;
  applicant_id: number | null;
  case_id: number | null;
  kind: ScanKind;
  title: string;
  trust_grade: 'A' | 'B' | 'C' | 'D';
  trust_note: string;
  status: 'open' | 'done';
  created_at: string;
  created_by: number;
  updated_at: string;
  /** The material 完成 filed it as (migrations/0025), or null. */
  material_id: number | null;
  /** 有效期至 typed when it was started (or at 完成), or null. */
  valid_until: string | null;
  /** The catalog certificate its name matched when it was started, or null. */
  certificate_code: string | null;
}

export interface PageRow {
  id: number;
  document_id: number;
  position: number;
  file_sha256: string;
  original_sha256: string | null;
  thumb_sha256: string | null;
  width: number;
  height: number;
  mime: 'image/jpeg' | 'image/png';
  mode: ScanMode;
  corners: string | null;
  capture: string;
  replaces_page_id: number | null;
  created_at: string;
  created_by: number;
  deleted_at: string | null;
}

export interface PairRow {
  id: number;
  document_id: number;
  front_page_id: number;
  back_page_id: number;
}

export function loadDocument(db: Db, documentId: number): DocumentRow {
  const d = db.prepare('SELECT * FROM scan_documents WHERE id = ?').get(documentId) as DocumentRow | undefined;
  if (!d) throw new AppError('NOT_FOUND', '该扫描文档不存在。', { documentId });
  return d;
}

export function loadPage(db: Db, pageId: number): PageRow {
  const p = db.prepare('SELECT * FROM scan_pages WHERE id = ?').get(pageId) as PageRow | undefined;
  if (!p) throw new AppError('NOT_FOUND', '该页不存在。', { pageId });
  return p;
}

/** Live pages in order. */
export function livePages(db: Db, documentId: number): PageRow[] {
  return db.prepare('SELECT * FROM scan_pages WHERE document_id = ? AND deleted_at IS NULL ORDER BY position').all(documentId) as PageRow[];
}

export function livePairs(db: Db, documentId: number): PairRow[] {
  return db
    .prepare('SELECT id, document_id, front_page_id, back_page_id FROM scan_id_card_pairs WHERE document_id = ? AND removed_at IS NULL ORDER BY id')
    .all(documentId) as PairRow[];
}

/** The PDF's pages in order: each live page once, except that a pair is one sheet, where its first side stands. */
export function sheetsOf(pages: PageRow[], pairs: PairRow[]): ScanSheet[] {
  const pairOf = new Map<number, PairRow>();
  for (const p of pairs) {
    pairOf.set(p.front_page_id, p);
    pairOf.set(p.back_page_id, p);
  }
  const done = new Set<number>();
  const sheets: ScanSheet[] = [];
  for (const page of pages) {
    const pair = pairOf.get(page.id);
    if (!pair) sheets.push({ kind: 'page', pageId: page.id });
    else if (!done.has(pair.id)) {
      done.add(pair.id);
      sheets.push({ kind: 'id_card', pairId: pair.id, frontPageId: pair.front_page_id, backPageId: pair.back_page_id });
    }
  }
  return sheets;
}

export function buildDocumentView(db: Db, documentId: number): ScanDocumentView {
  const d = loadDocument(db, documentId);
  const userName = db.prepare('SELECT display_name FROM users WHERE id = ?').pluck();
  const nameOf = (id: number) => (userName.get(id) as string | undefined) ?? `#${id}`;
  const applicant = d.applicant_id === null ? null : (db.prepare('SELECT id, name FROM applicants WHERE id = ?').get(d.applicant_id) as { id: number; name: string });
  const kase = d.case_id === null ? null : (db.prepare('SELECT id, case_no AS caseNo FROM cases WHERE id = ?').get(d.case_id) as { id: number; caseNo: string });
  const pages = livePages(db, documentId);
  const pairs = livePairs(db, documentId);
  const pairOf = new Map<number, number>();
  for (const p of pairs) {
    pairOf.set(p.front_page_id, p.id);
    pairOf.set(p.back_page_id, p.id);
  }
  const sizeOf = db.prepare('SELECT size FROM files WHERE sha256 = ?').pluck();
  const pageViews: ScanPageView[] = pages.map((p) => ({
    id: p.id,
    position: p.position,
    sha256: p.file_sha256,
    mime: p.mime,
    size: (sizeOf.get(p.file_sha256) as number | undefined) ?? 0,
    width: p.width,
    height: p.height,
    mode: p.mode,
    corners: p.corners === null ? null : (JSON.parse(p.corners) as { x: number; y: number }[]),
    capture: JSON.parse(p.capture) as ScanCapture,
    originalSha256: p.original_sha256,
    hasThumb: p.thumb_sha256 !== null,
    replacesPageId: p.replaces_page_id,
    idCardPairId: pairOf.get(p.id) ?? null,
    createdAt: p.created_at,
    createdBy: nameOf(p.created_by),
  }));
  return {
    id: d.id,
    applicant,
    case: kase,
    kind: d.kind,
    title: d.title,
    trustGrade: d.trust_grade,
    trustNote: d.trust_note,
    status: d.status,
    validUntil: d.valid_until,
    certificate: d.certificate_code === null ? null : { code: d.certificate_code, name: d.title },
    material: d.material_id === null ? null : materialLink(db, d.material_id),
    pages: pageViews,
    idCardPairs: pairs.map((p) => ({ id: p.id, frontPageId: p.front_page_id, backPageId: p.back_page_id })),
    sheets: sheetsOf(pages, pairs),
    createdAt: d.created_at,
    createdBy: nameOf(d.created_by),
    updatedAt: d.updated_at,
  };
}
