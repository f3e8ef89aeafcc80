// A finished scan and the material it became (migrations/0025): `scan_documents.material_id`.
// One place for what the link means: the material's view on the scan, the rule that a filed scan
// is not reopened (the material library's pages do not change once filed: the hall may already
// hold them, a case may already cite them), and the words a change of a closed scan is refused with.
import { AppError } from '../../app/app-error';
import type { Db } from '../../store/open-store';
import type { ScanMaterialLink } from '../../../shared/ipc/methods/scans';
import type { DocumentRow } from './scan-view';

/** The material `materialId` as a scan shows it: name, certificate (named as in the newest catalog version having its code), 有效期, whose library. */
export function materialLink(db: Db, materialId: number): ScanMaterialLink {
  const m = db
    .prepare(
      `SELECT m.id, m.title, m.certificate_code AS code, m.valid_until AS validUntil, a.name AS applicantName,
              (SELECT ci.name FROM certificate_items ci WHERE ci.code = m.certificate_code ORDER BY ci.catalog_version_id DESC LIMIT 1) AS certificateName
       FROM materials m JOIN applicants a ON a.id = m.applicant_id WHERE m.id = ?`,
    )
    .get(materialId) as { id: number; title: string; code: string | null; validUntil: string | null; applicantName: string; certificateName: string | null } | undefined;
  if (!m) throw new AppError('NOT_FOUND', '扫描件对应的材料不存在。', { materialId });
  return {
    id: m.id,
    title: m.title,
    certificate: m.code === null ? null : { code: m.code, name: m.certificateName ?? m.code },
    validUntil: m.validUntil,
    applicantName: m.applicantName,
  };
}

/** Where a filed scan went, for a refusal: 申请人王芳的材料库（材料“出生医学证明”）. */
function filedWhere(db: Db, d: DocumentRow): string {
  const m = materialLink(db, d.material_id!);
  return `申请人${m.applicantName}的材料库（材料“${m.title}”）`;
}

/** Refuses `doing` on a closed scan, saying why: filed into the library (start a new scan), or merely closed (reopen it first). */
export function refuseUnlessOpen(db: Db, d: DocumentRow, doing: string): void {
  if (d.status === 'open') return;
  if (d.material_id !== null) {
    throw new AppError('INVALID_STATE', `“${d.title}”已存入${filedWhere(db, d)}，不能${doing}；如需补拍或重拍，请新建扫描件。`, { documentId: d.id, materialId: d.material_id, doing });
  }
  throw new AppError('INVALID_STATE', `“${d.title}”已完成，不能${doing}；如需修改，请先重新打开。`, { documentId: d.id, doing });
}

/** A scan filed as a material is not reopened: its pages are that material's, which stays as it was checked. */
export function refuseReopenOfFiled(db: Db, d: DocumentRow): void {
  if (d.material_id === null) return;
  throw new AppError(
    'INVALID_STATE',
    `“${d.title}”已存入${filedWhere(db, d)}，不能重新打开：材料库中的材料存入后不再改动。如需补拍页面，请新建扫描件，完成后另存为一份材料。`,
    { documentId: d.id, materialId: d.material_id },
  );
}
