import type { Db } from '../../store/open-store';
import { AppError } from '../../app/app-error';
import { maskApplicantId } from '../applicants/applicants-service';
import { TASK_STATE_LABELS, type TaskState, type TaskView } from '../../../shared/ipc/methods/verification';
import type { VerificationSource } from '../../../shared/rules/verification-consequences';
import { rectificationOfTask } from './rectifications';

/** One verification task joined with its commitment, case, applicant and certificate. */
export interface TaskRow {
  id: number;
  commitment_id: number;
  method: string;
  sampled: number;
  due_at: string | null;
  status: 'open' | 'exempt' | 'cancelled' | 'passed' | 'failed';
  source: VerificationSource;
  source_note: string | null;
  result: string;
  sample_seed: string | null;
  sample_ratio: number | null;
  sample_draw: number | null;
  assigned_to: number | null;
  assigned_name: string | null;
  checked_out_by: number | null;
  checked_out_name: string | null;
  checked_out_at: string | null;
  checkout_key: string | null;
  package_id: string | null;
  /** The laptop's key registered for the current package (field-key-register.ts). */
  field_key_alg: 'ed25519' | 'sm2-sm3' | null;
  field_public_key: string | null;
  escalated_at: string | null;
  outcome: 'true' | 'false' | 'unable' | null;
  outcome_at: string | null;
  case_id: number;
  case_no: string;
  case_status: string;
  certificate_item_id: number;
  certificate: string;
  certificate_code: string;
  issuer: string;
  legal_basis: string;
  method_detail: string;
  needed_by: string;
  applicant_id: number;
  applicant_name: string;
  id_type: 'resident_id' | 'uscc';
  id_number: string;
  /** Derived in SQL by TASK_STATE_SQL. */
  state: TaskState;
}

/**
 * The derived state of a task, as a predicate on `verification_tasks t` per state: the one
 * definition. The board filters and counts with these (in SQL, through the board indexes), and
 * TASK_STATE_SQL, which every task row carries, is built from them, in this order.
 */
export const TASK_STATE_PREDICATES: Readonly<Record<TaskState, string>> = {
  passed: `t.status = 'passed'`,
  failed: `t.status = 'failed'`,
  exempt: `t.status = 'exempt'`,
  cancelled: `t.status = 'cancelled'`,
  in_field: `t.status = 'open' AND t.checked_out_by IS NOT NULL`,
  escalated: `t.status = 'open' AND t.checked_out_by IS NULL AND t.escalated_at IS NOT NULL`,
  assigned: `t.status = 'open' AND t.checked_out_by IS NULL AND t.escalated_at IS NULL AND t.assigned_to IS NOT NULL`,
  unassigned: `t.status = 'open' AND t.checked_out_by IS NULL AND t.escalated_at IS NULL AND t.assigned_to IS NULL`,
};

export const TASK_STATE_SQL = `CASE ${Object.entries(TASK_STATE_PREDICATES)
  .map(([state, where]) => `WHEN ${where} THEN '${state}'`)
  .join(' ')} END`;

/** Open and past its due date (due dates and `now` are both ISO-8601 UTC strings, so they compare as text). */
export const OVERDUE_SQL = `(t.status = 'open' AND t.due_at < @now)`;

export const TASK_SELECT = `
  SELECT t.*, ${TASK_STATE_SQL} AS state, ua.display_name AS assigned_name, uc.display_name AS checked_out_name,
         c.id AS case_id, c.case_no, c.status AS case_status,
         cm.certificate_item_id, ci.name AS certificate, ci.code AS certificate_code, ci.issuer, ci.legal_basis, ci.method_detail,
         cc.needed_by, a.id AS applicant_id, a.name AS applicant_name, a.id_type, a.id_number
  FROM verification_tasks t
  JOIN commitments cm ON cm.id = t.commitment_id
  JOIN cases c ON c.id = cm.case_id
  JOIN applicants a ON a.id = cm.applicant_id
  JOIN certificate_items ci ON ci.id = cm.certificate_item_id
  JOIN case_certificates cc ON cc.case_id = cm.case_id AND cc.certificate_item_id = cm.certificate_item_id
  LEFT JOIN users ua ON ua.id = t.assigned_to
  LEFT JOIN users uc ON uc.id = t.checked_out_by`;

export function loadTask(db: Db, taskId: number): TaskRow {
  const row = db.prepare(`${TASK_SELECT} WHERE t.id = ?`).get(taskId) as TaskRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', '该核查任务不存在。', { taskId });
  return row;
}

/** Item names and their departments for the case's items that need this certificate. */
export function itemsOf(db: Db, r: Pick<TaskRow, 'case_id' | 'needed_by'>): { name: string; department: string }[] {
  const all = db
    .prepare('SELECT si.name, si.department FROM case_items x JOIN service_items si ON si.id = x.service_item_id WHERE x.case_id = ? ORDER BY x.position')
    .all(r.case_id) as { name: string; department: string }[];
  const needed = new Set(JSON.parse(r.needed_by) as string[]);
  const matched = all.filter((i) => needed.has(i.name));
  return matched.length ? matched : all;
}

/** Every item of the case, whether it relied on this certificate, and whether it still stands. */
export function caseItemsOf(db: Db, r: Pick<TaskRow, 'case_id' | 'needed_by'>): TaskView['caseItems'] {
  const needed = new Set(JSON.parse(r.needed_by) as string[]);
  const rows = db
    .prepare('SELECT si.id, si.name, si.department, x.status FROM case_items x JOIN service_items si ON si.id = x.service_item_id WHERE x.case_id = ? ORDER BY x.position')
    .all(r.case_id) as { id: number; name: string; department: string; status: 'active' | 'terminated' | 'revoked' }[];
  return rows.map((i) => ({ ...i, relied: needed.has(i.name) }));
}

export function toTaskView(db: Db, r: TaskRow, now: Date): TaskView {
  const state = r.state;
  const items = itemsOf(db, r);
  const rectification = rectificationOfTask(db, r.id, now);
  const evidence = db
    .prepare('SELECT position, kind, file_sha256, taken_at FROM verification_evidence WHERE task_id = ? ORDER BY position')
    .all(r.id) as { position: number; kind: 'photo' | 'signature'; file_sha256: string; taken_at: string }[];
  return {
    id: r.id,
    source: r.source,
    sourceNote: r.source_note,
    caseItems: caseItemsOf(db, r),
    rectification,
    caseId: r.case_id,
    caseNo: r.case_no,
    caseStatus: r.case_status,
    applicantName: r.applicant_name,
    idNumberMasked: maskApplicantId(r.id_type, r.id_number),
    certificate: r.certificate,
    items: items.map((i) => i.name),
    department: [...new Set(items.map((i) => i.department))].join('、'),
    method: r.method,
    dueAt: r.due_at,
    overdue: r.status === 'open' && r.due_at !== null && r.due_at < now.toISOString(), // as OVERDUE_SQL
    state,
    stateText: TASK_STATE_LABELS[state],
    assignedTo: r.assigned_to ? { id: r.assigned_to, name: r.assigned_name ?? '' } : null,
    checkedOutBy: r.checked_out_by ? { id: r.checked_out_by, name: r.checked_out_name ?? '' } : null,
    checkedOutAt: r.checked_out_at,
    sample:
      r.sample_seed !== null && r.sample_ratio !== null && r.sample_draw !== null
        ? { seed: r.sample_seed, ratio: r.sample_ratio, draw: r.sample_draw, sampled: r.sampled === 1 }
        : null,
    outcome: r.outcome,
    outcomeAt: r.outcome_at,
    result: JSON.parse(r.result) as Record<string, unknown>,
    evidence: evidence.map((e) => ({ position: e.position, kind: e.kind, sha256: e.file_sha256, takenAt: e.taken_at })),
  };
}
