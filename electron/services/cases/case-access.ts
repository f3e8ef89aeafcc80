import type { Db } from '../../store/open-store';
import type { UserView } from '../../../shared/ipc/contract';
import { AppError } from '../../app/app-error';
import { ROLES_THAT_MAY_REVEAL_ID } from '../../../shared/domain/roles';

/**
 * Who may read a case and what hangs off it (its pages, scans, commitments, receipts, evidence):
 * window clerks and supervisors read every case of the desk; an assistant (帮办代办员) reads only
 * the cases they took in themselves (代办) and those with a verification task assigned to them or
 * in their hands — and an applicant's material library and scans only through such a case.
 * One rule for every handler that returns case data (security issue: assistants could read every
 * case, page and commitment).
 */

type Reader = Pick<UserView, 'id' | 'role'>;

const REFUSED = '该办件不在您代办或被分派的核查任务中，无权查看。';

/** SQL: the case `alias` is one the assistant `@uid` may read. */
export function assistantCaseCondition(alias: string): string {
  return `(${alias}.created_by = @uid OR EXISTS (SELECT 1 FROM commitments cm JOIN verification_tasks t ON t.commitment_id = cm.id WHERE cm.case_id = ${alias}.id AND (t.assigned_to = @uid OR t.checked_out_by = @uid)))`;
}

const readsAll = (r: Reader) => r.role !== 'assistant';

export function mayReadCase(db: Db, reader: Reader, caseId: number): boolean {
  if (readsAll(reader)) return true;
  return db.prepare(`SELECT 1 FROM cases c WHERE c.id = @caseId AND ${assistantCaseCondition('c')}`).get({ caseId, uid: reader.id }) !== undefined;
}

export function refuseUnlessCaseReadable(db: Db, reader: Reader, caseId: number): void {
  if (!mayReadCase(db, reader, caseId)) throw new AppError('FORBIDDEN', REFUSED, { caseId, userId: reader.id });
}

/** An applicant's materials and scans: through a case of theirs the assistant may read. */
export function mayReadApplicantMaterials(db: Db, reader: Reader, applicantId: number): boolean {
  if (readsAll(reader)) return true;
  return db.prepare(`SELECT 1 FROM cases c WHERE c.applicant_id = @applicantId AND ${assistantCaseCondition('c')} LIMIT 1`).get({ applicantId, uid: reader.id }) !== undefined;
}

export function refuseUnlessApplicantReadable(db: Db, reader: Reader, applicantId: number): void {
  if (!mayReadApplicantMaterials(db, reader, applicantId)) throw new AppError('FORBIDDEN', '该申请人不在您代办或被分派的核查任务中，无权查看其材料。', { applicantId, userId: reader.id });
}

/**
 * What `reader` may see of one applicant beyond the list's masked row (申请人登记 › the applicant's
 * drawer shows and hides by it; each read still enforces its own rule): the full ID number (its
 * role, shared/domain/roles.ts), the material library, whether the case list is all of theirs, and
 * what is held back, said in one line (null when nothing is).
 */
export function applicantAccess(db: Db, reader: Reader, applicantId: number): { revealId: boolean; materials: boolean; allCases: boolean; note: string | null } {
  const revealId = ROLES_THAT_MAY_REVEAL_ID.includes(reader.role);
  const materials = mayReadApplicantMaterials(db, reader, applicantId);
  const allCases = readsAll(reader);
  const held: string[] = [];
  if (!materials) held.push(allCases ? '材料库无权查看' : '材料库和办件仅在您代办或被分派核查其办件时可查看');
  else if (!allCases) held.push('办件只列出您代办或被分派核查的');
  if (!revealId) held.push('完整证件号码仅窗口人员和管理员可查看');
  return { revealId, materials, allCases, note: held.length ? `${held.join('；')}。` : null };
}

/** A scanned document: the assistant's own, or one of a case (or applicant) they may read. */
export function refuseUnlessDocumentReadable(db: Db, reader: Reader, documentId: number): void {
  if (readsAll(reader)) return;
  const d = db.prepare('SELECT created_by, case_id, applicant_id FROM scan_documents WHERE id = ?').get(documentId) as
    | { created_by: number; case_id: number | null; applicant_id: number | null }
    | undefined;
  if (!d || d.created_by === reader.id) return; // a missing one is the handler's NOT_FOUND
  if (d.case_id !== null) return refuseUnlessCaseReadable(db, reader, d.case_id);
  if (d.applicant_id !== null) return refuseUnlessApplicantReadable(db, reader, d.applicant_id);
  throw new AppError('FORBIDDEN', '该扫描件不是您建立的，无权查看。', { documentId, userId: reader.id });
}

/**
 * A verification task: the assistant it is assigned to or who holds it; one not yet assigned may be
 * looked at to be taken (not its evidence).
 */
export function refuseUnlessTaskReadable(db: Db, reader: Reader, taskId: number, what: 'task' | 'evidence'): void {
  if (readsAll(reader)) return;
  const t = db.prepare('SELECT assigned_to, checked_out_by FROM verification_tasks WHERE id = ?').get(taskId) as { assigned_to: number | null; checked_out_by: number | null } | undefined;
  if (!t) return;
  if (t.assigned_to === reader.id || t.checked_out_by === reader.id) return;
  if (what === 'task' && t.assigned_to === null && t.checked_out_by === null) return;
  throw new AppError('FORBIDDEN', '该核查任务未分派给您，无权查看。', { taskId, userId: reader.id });
}
