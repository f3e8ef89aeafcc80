// 完成 on the 高拍仪扫描 page (issue 16): a standalone scan belongs to an applicant — and, if the
// clerk chose one, to one of their cases not yet accepted — and is kept in the applicant's
// material library (intake/material-library.ts), where intake's 核对原件 drawer offers it for reuse.
//
// Every check is made again under the write lock, and the document's attachment, its closing and
// the material are one audited transaction: a refusal or a crash leaves the document as it was.
// No file is written here: the material's pages are the scan's pages, already stored durably.
//
// Idempotent (migrations/0025): the scan row names the material it became, in the same
// transaction. 完成 pressed twice, two calls at once, or a retry after a lost answer find that
// link and answer the material already filed — nothing is written, no second copy, no second
// audit entry — unless the repeat asks for something else (another applicant, case or 有效期),
// which is refused: the first 完成 is what was filed.
import type { CallContext } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import type { FileStore } from '../files/file-store';
import type { TrustGrade } from '../../../shared/domain/catalog';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../shared/rules/case-states';
import { currentCatalogVersion } from '../catalog/catalog-service';
import { fileMaterial } from '../intake/material-library';
import { livePages, loadDocument, type DocumentRow } from './scan-view';
import { materialLink } from './scan-link';

export interface FinishInput {
  documentId: number;
  applicantId?: number | undefined;
  caseId?: number | undefined;
  validUntil?: string | undefined;
}

export interface Finished {
  documentId: number;
  material: { id: number; certificate: { code: string; name: string } | null; validUntil: string | null };
  /** Filed by an earlier call: nothing written now. */
  alreadyFinished: boolean;
}

/** Thrown inside the write when the scan turns out to be filed already: the transaction writes nothing and the handler answers `finished`. */
export class AlreadyFinished extends Error {
  constructor(readonly finished: Finished) {
    super('scan already finished');
  }
}

interface CaseRow {
  id: number;
  case_no: string;
  applicant_id: number;
  status: CaseStatus;
  catalog_version_id: number;
}

/** The applicant the document goes under: the one it has, or the one chosen now (never another). */
function chosenApplicant(db: Db, d: DocumentRow, applicantId: number | undefined): { id: number; name: string } {
  const id = d.applicant_id ?? applicantId;
  if (id === undefined) {
    throw new AppError('BAD_INPUT', '请选择申请人：扫描件须保存在申请人名下，受理时才能选用。', { documentId: d.id }, { applicantId: '请选择申请人' });
  }
  const a = db.prepare('SELECT id, name FROM applicants WHERE id = ?').get(id) as { id: number; name: string } | undefined;
  if (!a) throw new AppError('NOT_FOUND', '该申请人不存在。', { applicantId: id });
  if (applicantId !== undefined && applicantId !== a.id) {
    throw new AppError('BAD_INPUT', `该扫描件已保存在申请人${a.name}名下，不能改到其他申请人名下。`, { documentId: d.id, applicantId: a.id, asked: applicantId });
  }
  return a;
}

/** The case it goes with: the one it has, or one chosen now — the applicant's and not yet accepted. */
function chosenCase(db: Db, d: DocumentRow, applicant: { id: number; name: string }, caseId: number | undefined): CaseRow | null {
  if (d.case_id !== null && caseId !== undefined && caseId !== d.case_id) {
    throw new AppError('BAD_INPUT', '该扫描件已随另一办件保存，不能改到其他办件。', { documentId: d.id, caseId: d.case_id, asked: caseId });
  }
  const id = d.case_id ?? caseId;
  if (id === undefined) return null;
  const c = db.prepare('SELECT id, case_no, applicant_id, status, catalog_version_id FROM cases WHERE id = ?').get(id) as CaseRow | undefined;
  if (!c) throw new AppError('NOT_FOUND', '该办件不存在。', { caseId: id });
  if (c.applicant_id !== applicant.id) {
    throw new AppError('BAD_INPUT', `办件 ${c.case_no} 不是申请人${applicant.name}的办件，不能关联。`, { documentId: d.id, caseId: c.id, applicantId: applicant.id, caseApplicantId: c.applicant_id }, { caseId: '该办件不属于所选申请人' });
  }
  // A case chosen now must still be at intake; one the document already had (intake's own scan) stays.
  if (d.case_id === null && c.status !== 'draft') {
    throw new AppError('INVALID_STATE', `办件 ${c.case_no} 的状态为“${CASE_STATUS_LABELS[c.status]}”，不能再添加材料；请选择该申请人未受理的办件，或不关联办件。`, { caseId: c.id, status: c.status }, { caseId: '该办件已不在收件阶段' });
  }
  return c;
}

type Certificate = { code: string; name: string; trustGrade: TrustGrade; validityMonths: number | null };

/** The catalog certificate named exactly like the document (in the case's catalog version, else the one in force), if exactly one. */
export function certificateNamed(db: Db, title: string, versionId: number | null): Certificate | null {
  if (versionId === null) return null;
  const rows = db
    .prepare('SELECT code, name, trust_grade AS trustGrade, validity_months AS validityMonths FROM certificate_items WHERE catalog_version_id = ? AND name = ?')
    .all(versionId, title) as Certificate[];
  return rows.length === 1 ? rows[0]! : null;
}

/** The certificate the scan was started for (its code, in `versionId`), else the one its name matches there. */
function certificateOf(db: Db, d: DocumentRow, versionId: number | null): Certificate | null {
  if (d.certificate_code !== null && versionId !== null) {
    const byCode = db
      .prepare('SELECT code, name, trust_grade AS trustGrade, validity_months AS validityMonths FROM certificate_items WHERE catalog_version_id = ? AND code = ?')
      .get(versionId, d.certificate_code) as Certificate | undefined;
    if (byCode) return byCode;
  }
  return certificateNamed(db, d.title, versionId);
}

/**
 * A repeated 完成 of a scan already filed: the material it became, if the call asks for nothing
 * else than the first 完成 did; a different applicant, case or 有效期 is refused in Chinese.
 */
export function repeatedFinish(db: Db, d: DocumentRow, input: FinishInput): Finished {
  const m = materialLink(db, d.material_id!);
  if (input.applicantId !== undefined && input.applicantId !== d.applicant_id) {
    throw new AppError('BAD_INPUT', `“${d.title}”已存入申请人${m.applicantName}的材料库，不能改到其他申请人名下。`, { documentId: d.id, applicantId: d.applicant_id, asked: input.applicantId });
  }
  if (input.caseId !== undefined && input.caseId !== d.case_id) {
    const where = d.case_id === null ? '未随办件保存' : `已随办件 ${(db.prepare('SELECT case_no FROM cases WHERE id = ?').pluck().get(d.case_id) as string | undefined) ?? ''} 保存`;
    throw new AppError('BAD_INPUT', `“${d.title}”已存入材料库，${where}，不能改到其他办件。`, { documentId: d.id, caseId: d.case_id, asked: input.caseId });
  }
  if (input.validUntil !== undefined && input.validUntil !== d.valid_until) {
    throw new AppError('BAD_INPUT', `“${d.title}”已按有效期至 ${d.valid_until ?? '长期'} 存入材料库，不能再改为 ${input.validUntil}。`, { documentId: d.id, validUntil: d.valid_until, asked: input.validUntil });
  }
  return { documentId: d.id, material: { id: m.id, certificate: m.certificate, validUntil: m.validUntil }, alreadyFinished: true };
}

export function finishScan(w: WriteContext, files: FileStore, input: FinishInput, ctx: CallContext): Finished {
  const d = loadDocument(w.db, input.documentId);
  if (d.material_id !== null) throw new AlreadyFinished(repeatedFinish(w.db, d, input));
  if (d.status !== 'open') throw new AppError('INVALID_STATE', `“${d.title}”已完成；如需修改，请先重新打开。`, { documentId: d.id });
  const pages = livePages(w.db, d.id);
  if (pages.length === 0) throw new AppError('INVALID_STATE', '文档还没有页面，不能完成。', { documentId: d.id });
  const applicant = chosenApplicant(w.db, d, input.applicantId);
  const kase = chosenCase(w.db, d, applicant, input.caseId);
  const certificate = certificateOf(w.db, d, kase ? kase.catalog_version_id : currentCatalogVersion(w.db, w.at));
  // The 有效期 given now, else the one typed when the scan was started.
  const typedUntil = input.validUntil ?? d.valid_until;
  const sizeOf = w.db.prepare('SELECT size, mime FROM files WHERE sha256 = ?');
  const { materialId, validUntil } = fileMaterial(w, files, {
    applicantId: applicant.id,
    certificate,
    title: d.title,
    validUntil: typedUntil,
    sourceCaseId: kase?.id ?? null,
    clerk: { id: ctx.user!.id, displayName: ctx.user!.displayName },
    pages: pages.map((p) => {
      const f = sizeOf.get(p.file_sha256) as { size: number; mime: string };
      return { sha256: p.file_sha256, size: f.size, mime: f.mime };
    }),
  });
  w.db
    .prepare(`UPDATE scan_documents SET applicant_id = ?, case_id = ?, status = 'done', material_id = ?, valid_until = ?, updated_at = ? WHERE id = ?`)
    .run(applicant.id, kase?.id ?? null, materialId, typedUntil, w.at.toISOString(), d.id);
  w.audit({
    action: 'scan.finish',
    entityType: 'scan_document',
    entityId: d.id,
    detail: {
      title: d.title,
      applicantId: applicant.id,
      caseId: kase?.id ?? null,
      caseNo: kase?.case_no ?? null,
      attached: { applicant: d.applicant_id === null, case: d.case_id === null && kase !== null },
      materialId,
      certificate: certificate?.code ?? null,
      validUntil,
      pages: pages.map((p) => p.file_sha256),
    },
  });
  return { documentId: d.id, material: { id: materialId, certificate: certificate ? { code: certificate.code, name: certificate.name } : null, validUntil }, alreadyFinished: false };
}
