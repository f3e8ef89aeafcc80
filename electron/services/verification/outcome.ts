import type { WriteContext } from '../../store/write';
import { AppError } from '../../app/app-error';
import { CASE_STATUS_LABELS, findTransition, type CaseStatus } from '../../../shared/rules/case-states';
import type { Consequence } from '../../../shared/ipc/methods/verification';
import { loadTask, type TaskRow } from './task-rows';
import { enqueueStatusChange, reasonWithBasis } from '../sync/status-change';
import { endItems, transition } from '../cases/case-state';
import { severityForMeasures, type Measures } from '../../../shared/rules/verification-consequences';
import { orderRectification } from './rectifications';
import type { Role } from '../../../shared/domain/roles';
import { mayRecordOutcome, outcomeAssignee } from '../../../shared/rules/outcome-authority';
import { shareCreditRecord } from '../hub/hall-records';

export interface OutcomeRequest {
  outcome: 'true' | 'false' | 'unable';
  note: string;
  consequence?: Consequence | null;
  /** Set when the outcome comes from a field result (the assistant who worked it, their checklist…). */
  field?: Record<string, unknown>;
}

/** Refuses a hall-side outcome by anyone but a supervisor or the task's assignee (shared/rules/outcome-authority.ts). */
export function refuseUnlessAssignee(t: Pick<TaskRow, 'id' | 'assigned_to' | 'checked_out_by'>, userId: number | null, role: Role): void {
  const task = { assignedTo: t.assigned_to, checkedOutBy: t.checked_out_by };
  if (mayRecordOutcome(role, userId, task)) return;
  const assignee = outcomeAssignee(task);
  throw new AppError(
    'FORBIDDEN',
    assignee === null ? '该核查任务尚未分派，请管理员先分派后再录入结论。' : '该核查任务已分派给其他人员，只有被分派人或管理员可以录入结论。',
    { taskId: t.id, assignee, userId },
  );
}

/** What a false commitment does to the case: revoke a decision, terminate a case in progress, refuse a draft. */
function caseActionFor(status: CaseStatus): { to: CaseStatus; action: string } | null {
  const to: CaseStatus | null = status === 'completed' ? 'revoked' : status === 'accepted' || status === 'verifying' ? 'terminated' : status === 'draft' ? 'rejected' : null;
  if (!to) return null;
  const t = findTransition(status, to);
  return t ? { to, action: t.action } : null;
}

/**
 * Records a verification outcome, inside the caller's audited transaction:
 * true → passed; false → the case terminated or its decision revoked (legal
 * basis and reason) and every target the case was destined for told so through
 * the outbox (sync/status-change.ts), rectification/penalty noted, a 失信记录 on
 * the local credit list; unable → the task stays open and is escalated.
 */
export function applyOutcome(w: WriteContext, taskId: number, req: OutcomeRequest, opts: { viaField: true } | { viaField: false; role: Role }): TaskRow {
  const t = loadTask(w.db, taskId);
  if (t.status !== 'open') throw new AppError('INVALID_STATE', '该核查任务已有结论或不需核查。', { taskId, status: t.status });
  if (!opts.viaField) refuseUnlessAssignee(t, w.actor.userId, opts.role);
  if (!opts.viaField && t.checked_out_by && t.checked_out_by !== w.actor.userId) {
    throw new AppError('CONFLICT', `该任务已由${t.checked_out_name ?? '他人'}领取外勤，结论须由其外勤结果带回。`, { taskId, holder: t.checked_out_by });
  }
  const at = w.at.toISOString();
  const result: Record<string, unknown> = { note: req.note, ...(req.field ? { field: req.field } : {}) };
  let status: TaskRow['status'] = 'open';

  if (req.outcome === 'true') status = 'passed';
  if (req.outcome === 'false') {
    const c = req.consequence;
    if (!c) {
      throw new AppError('BAD_INPUT', '承诺不实须填写法律依据、理由和失信程度。', { taskId }, { consequence: '请填写法律依据、理由和失信程度' });
    }
    status = 'failed';
    const told = { reason: `告知承诺不实：${c.reason}`, legalBasis: c.legalBasis };
    const severity = c.measures ? severityForMeasures(c.measures) : c.severity!;
    if (c.measures) Object.assign(result, { measures: applyMeasures(w, t, c.measures, told) });
    else {
      // Older field results carry no measures: the whole case ends, as before.
      const act = caseActionFor(t.case_status as CaseStatus);
      if (act) {
        transition(w, t.case_id, act.to, { reason: reasonWithBasis(told), audit: { byVerification: taskId } });
        // The vertical systems that have (or are about to get) the case are told, in this same transaction.
        enqueueStatusChange(w, t.case_id, { previousStatus: t.case_status, status: act.to, statusLabel: CASE_STATUS_LABELS[act.to], action: act.action, ...told, at });
      }
      Object.assign(result, { caseAction: act ? { from: t.case_status, to: act.to, action: act.action } : null });
    }
    const creditId = Number(
      w.db
        .prepare(
          `INSERT INTO credit_records (id_type, id_number, name, kind, severity, reason, source, recorded_at, created_by, verification_task_id)
           VALUES (?, ?, ?, 'false_commitment', ?, ?, ?, ?, ?, ?)`,
        )
          .run(t.id_type, t.id_number, t.applicant_name, severity, `${t.certificate}承诺不实：${c.reason}`, `事中事后核查 ${t.case_no}`, at, w.actor.userId, taskId).lastInsertRowid,
    );
    w.audit({ action: 'credit.record', entityType: 'credit', entityId: creditId, detail: { taskId, severity, caseNo: t.case_no } });
    shareCreditRecord(w, creditId); // to the hub: every window refuses the commitment from now on (docs/hub.md)
    Object.assign(result, { consequence: c, severity, creditRecordId: creditId });
  }

  w.db
    .prepare(
      `UPDATE verification_tasks SET status = ?, outcome = ?, outcome_at = ?, outcome_by = ?, result = ?,
         escalated_at = CASE WHEN ? = 'unable' THEN ? ELSE escalated_at END,
         checked_out_by = NULL, checkout_key = NULL
       WHERE id = ?`,
    )
    .run(status, req.outcome, at, w.actor.userId, JSON.stringify(result), req.outcome, at, taskId);
  w.audit({ action: 'verification.outcome', entityType: 'verification', entityId: taskId, detail: { outcome: req.outcome, caseNo: t.case_no, viaField: opts.viaField } });
  return loadTask(w.db, taskId);
}

/**
 * The proportionate measures chosen (shared/rules/verification-consequences.ts): only the chosen
 * items end (the case module decides whether the case itself does), and only the targets that take
 * those items are told; a rectification is ordered on the hall calendar; a referral is recorded.
 */
function applyMeasures(w: WriteContext, t: TaskRow, m: Measures, told: { reason: string; legalBasis: string }): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (m.endItems) {
    const ended = endItems(w, t.case_id, m.endItems.serviceItemIds, reasonWithBasis(told));
    const queued = enqueueStatusChange(w, t.case_id, {
      previousStatus: ended.previousStatus,
      status: ended.to,
      statusLabel: CASE_STATUS_LABELS[ended.to],
      action: ended.action,
      ...told,
      at: w.at.toISOString(),
      ...(ended.wholeCase ? {} : { items: ended.items.map(({ code, name, department }) => ({ code, name, department })) }),
    });
    out.endItems = { to: ended.to, action: ended.action, items: ended.items.map((i) => i.name), wholeCase: ended.wholeCase, told: queued.entries.map((e) => e.targetId) };
  }
  if (m.rectify) out.rectificationId = orderRectification(w, t.id, t.case_id, m.rectify.requirement, m.rectify.workingDays);
  if (m.refer) {
    out.referral = { to: m.refer.to, on: m.refer.on };
    w.audit({ action: 'verification.refer', entityType: 'verification', entityId: t.id, detail: { caseNo: t.case_no, to: m.refer.to, on: m.refer.on } });
  }
  return out;
}
