// The material library (一次提交，长期有效): one way to put a checked document into an applicant's
// library, for intake's 核对原件并留存 (intake.addMaterial) and for a finished standalone scan
// (scans.finish). The files are already stored (content-addressed, fsynced) by the caller; this
// records them and the material in the caller's audited transaction, and offers it to the hall.
import type { WriteContext } from '../../store/write';
import type { FileStore } from '../files/file-store';
import type { TrustGrade } from '../../../shared/domain/catalog';
import { shareMaterial } from '../hub/hall-materials';
import { reusableUntil } from '../../../shared/rules/material-validity';
import { chinaDate } from '../../../shared/rules/china-time';

/** The note a kept material carries for its trust grade (国办函〔2016〕108号). */
export function trustNote(grade: TrustGrade, clerk: string, day: string): string {
  switch (grade) {
    case 'A':
      return `电子证照，电子印章经核验有效，核验人：${clerk}，${day}`;
    case 'B':
      return `经与原件核对无误，核对人：${clerk}，${day}`;
    case 'C':
      return `申请人提供的影像，原件待核，收件人：${clerk}，${day}`;
    case 'D':
      return `申请人承诺提供，收件人：${clerk}，${day}`;
  }
}

export interface NewMaterial {
  applicantId: number;
  /** The catalog certificate it is (offered for that certificate), or null (offered for any, 未指定证明). */
  certificate: { code: string; trustGrade: TrustGrade; validityMonths: number | null } | null;
  title: string;
  /** The date the clerk read off the document, if any (YYYY-MM-DD). */
  validUntil: string | null;
  /** The case it was checked for (shown as 来自办件 …), or null. */
  sourceCaseId: number | null;
  clerk: { id: number; displayName: string };
  /** The stored files of its pages, in order. */
  pages: { sha256: string; size: number; mime: string }[];
}

/** Records a material and its pages in the transaction `w`; returns its id and the last day it may be reused (null: 长期). */
export function fileMaterial(w: WriteContext, files: FileStore, m: NewMaterial): { materialId: number; validUntil: string | null } {
  const day = chinaDate(w.at);
  const grade: TrustGrade = m.certificate?.trustGrade ?? 'B';
  // Reusable until the earlier of the date read off the document and the certificate's validity.
  const until = reusableUntil(day, m.validUntil, m.certificate?.validityMonths ?? null);
  const materialId = Number(
    w.db
      .prepare(
        `INSERT INTO materials (applicant_id, certificate_code, title, trust_grade, trust_note, valid_from, valid_until, source_case_id, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(m.applicantId, m.certificate?.code ?? null, m.title, grade, trustNote(grade, m.clerk.displayName, day), day, until, m.sourceCaseId, w.at.toISOString(), m.clerk.id).lastInsertRowid,
  );
  const addPage = w.db.prepare('INSERT INTO material_pages (material_id, position, file_sha256) VALUES (?, ?, ?)');
  m.pages.forEach((p, pos) => {
    files.record(w.db, p.sha256, p.size, p.mime, w.at);
    addPage.run(materialId, pos, p.sha256);
  });
  shareMaterial(w, materialId);
  return { materialId, validUntil: until };
}
