import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import { AppError } from '../../app/app-error';
import { CASE_STATUS_LABELS, findTransition, type CaseStatus, type Transition } from '../../../shared/rules/case-states';
import { RESOLVED_CERTIFICATE_STATES } from '../../../shared/rules/certificate-resolution';

/**
 * The case as one module: the ONLY code that writes a case's status, revision and due date, and
 * the only place that decides "every certificate is resolved". Callers (intake, data sharing,
 * 协查 replies, verification outcomes, transfer import, the calendar's backfill) call these named
 * functions inside their own audited write; tests/unit/case-writes.test.ts fails on any
 * `UPDATE cases SET` or `revision = revision` elsewhere in electron/.
 */

/** Why a certificate of the case is not resolved, in the clerk's words. */
const UNRESOLVED_WHY: Record<string, string> = {
  pending: '尚未办妥',
  queued: '共享查询尚未完成',
  requested: '协查尚未答复',
};

export interface UnresolvedCertificate {
  certificateItemId: number;
  code: string;
  name: string;
  state: string;
  /** Chinese: what is missing (e.g. 承诺已撤回，需提交证明原件). */
  why: string;
}

/** Every certificate of the case whose state is not in RESOLVED_CERTIFICATE_STATES, in catalog order. */
export function unresolvedCertificates(db: Db, caseId: number): UnresolvedCertificate[] {
  const rows = db
    .prepare(
      `SELECT cc.certificate_item_id, cc.state, cc.resolution, cc.method, ci.code, ci.name,
              (SELECT q.status FROM data_queries q WHERE q.case_id = cc.case_id AND q.certificate_item_id = cc.certificate_item_id ORDER BY q.id DESC LIMIT 1) AS query_status,
              (SELECT r.reply_outcome FROM assistance_requests r WHERE r.case_id = cc.case_id AND r.certificate_item_id = cc.certificate_item_id ORDER BY r.id DESC LIMIT 1) AS reply_outcome
       FROM case_certificates cc JOIN certificate_items ci ON ci.id = cc.certificate_item_id
       WHERE cc.case_id = ? AND cc.state NOT IN (${RESOLVED_CERTIFICATE_STATES.map(() => '?').join(',')})
       ORDER BY cc.rowid`,
    )
    .all(caseId, ...RESOLVED_CERTIFICATE_STATES) as {
    certificate_item_id: number;
    state: string;
    resolution: string;
    method: string;
    code: string;
    name: string;
    query_status: string | null;
    reply_outcome: string | null;
  }[];
  return rows.map((r) => ({ certificateItemId: r.certificate_item_id, code: r.code, name: r.name, state: r.state, why: unresolvedWhy(r) }));
}

function unresolvedWhy(r: { state: string; resolution: string; method: string; query_status: string | null; reply_outcome: string | null }): string {
  if (r.state !== 'pending') return UNRESOLVED_WHY[r.state] ?? '尚未办妥';
  const res = JSON.parse(r.resolution) as { withdrawn?: boolean };
  if (res.withdrawn) return '承诺已撤回，事实尚未确认';
  if (r.method === 'data_sharing' && r.query_status === 'not_found') return '共享平台答复“查无此数据”，事实尚未确认';
  if (r.reply_outcome === 'denied') return '协查答复未能证实，事实尚未确认';
  return '尚未办妥';
}

/** The Chinese refusal of 办结 naming each unresolved certificate, or null when every one is resolved. */
export function completionBlocker(db: Db, caseId: number): string | null {
  const open = unresolvedCertificates(db, caseId);
  if (open.length === 0) return null;
  return `以下证明事项尚未确认，不能办结：${open.map((c) => `“${c.name}”（${c.why}）`).join('；')}。`;
}

/** One change of record of the case: its revision goes up (the outbox sends each revision once). */
export function bumpRevision(w: WriteContext, caseId: number): void {
  w.db.prepare('UPDATE cases SET revision = revision + 1, updated_at = ? WHERE id = ?').run(w.at.toISOString(), caseId);
}

export interface TransitionFacts {
  /** The status reason kept on the case (with its legal basis when given). */
  reason?: string | null;
  /** 办理结果 (decision or licence number): required for 办结, kept for the archive. */
  decisionNo?: string;
  /** The case's own due date, set on acceptance (ISO). */
  dueAt?: string;
  /** Extra detail for the case.transition audit entry (legal basis, the verification task…). */
  audit?: Record<string, unknown>;
}

export interface TransitionDone {
  from: CaseStatus;
  caseNo: string;
  transition: Transition;
}

/**
 * Moves the case to `to` if the state machine (shared/rules/case-states.ts) allows it and, for
 * 办结, every certificate is resolved and the 办理结果 is given; writes status, reason, acceptance,
 * due date and revision, and the case.transition audit entry. Throws the Chinese refusal otherwise.
 */
export function transition(w: WriteContext, caseId: number, to: CaseStatus, facts: TransitionFacts = {}): TransitionDone {
  const c = w.db.prepare('SELECT case_no, status FROM cases WHERE id = ?').get(caseId) as { case_no: string; status: CaseStatus } | undefined;
  if (!c) throw new AppError('NOT_FOUND', '该办件不存在。', { caseId });
  const t = findTransition(c.status, to);
  if (!t) {
    throw new AppError('INVALID_STATE', `办件当前为“${CASE_STATUS_LABELS[c.status]}”，不能改为“${CASE_STATUS_LABELS[to]}”。`, { caseId, from: c.status, to });
  }
  if (t.needsReason && !facts.reason) throw new AppError('BAD_INPUT', `${t.action}须填写理由。`, {}, { reason: `${t.action}须填写理由` });
  let reason = facts.reason ?? null;
  if (to === 'completed') {
    const blocker = completionBlocker(w.db, caseId);
    if (blocker) throw new AppError('INVALID_STATE', blocker, { caseId, unresolved: unresolvedCertificates(w.db, caseId).map((u) => u.code) });
    const decisionNo = facts.decisionNo?.trim();
    if (!decisionNo) throw new AppError('BAD_INPUT', '办结须填写办理结果（决定文号或证照编号）。', { caseId }, { decisionNo: '请填写决定文号或证照编号' });
    reason = `办理结果：${decisionNo}`;
  }
  const at = w.at.toISOString();
  w.db
    .prepare(
      `UPDATE cases SET status = ?, status_reason = ?, revision = revision + 1, updated_at = ?,
         accepted_at = CASE WHEN ? = 'accepted' THEN ? ELSE accepted_at END,
         accepted_by = CASE WHEN ? = 'accepted' THEN ? ELSE accepted_by END,
         due_at = COALESCE(?, due_at)
       WHERE id = ?`,
    )
    .run(to, reason, at, to, at, to, w.actor.userId, facts.dueAt ?? null, caseId);
  w.audit({
    action: 'case.transition',
    entityType: 'case',
    entityId: caseId,
    detail: {
      caseNo: c.case_no,
      from: c.status,
      to,
      reason: facts.reason ?? null,
      ...(to === 'completed' ? { decisionNo: facts.decisionNo!.trim() } : {}),
      ...(facts.dueAt ? { dueAt: facts.dueAt } : {}),
      ...facts.audit,
    },
  });
  return { from: c.status, caseNo: c.case_no, transition: t };
}

/**
 * A newer revision from the peer desk (transfer import) tells of a status change: the mirror case
 * takes the origin's status, reason and revision as they are (the origin's state machine decided).
 * Returns the status it had, or null when nothing changed.
 */
export function mirrorStatusFromPeer(w: WriteContext, caseId: number, status: CaseStatus, reason: string, revision: number): CaseStatus | null {
  const from = (w.db.prepare('SELECT status FROM cases WHERE id = ?').get(caseId) as { status: CaseStatus }).status;
  if (from === status) return null;
  w.db.prepare('UPDATE cases SET status = ?, status_reason = ?, revision = ?, updated_at = ? WHERE id = ?').run(status, reason, revision, w.at.toISOString(), caseId);
  return from;
}

/** The calendar's backfill: the due date of a case accepted before the calendar existed (only where none is set). */
export function backfillDueAt(w: WriteContext): (caseId: number, dueAt: string) => void {
  const set = w.db.prepare('UPDATE cases SET due_at = ? WHERE id = ? AND due_at IS NULL');
  return (caseId, dueAt) => void set.run(dueAt, caseId);
}

export interface EndedItems {
  /** 终止 (case in progress) or 撤销 (decided). */
  to: 'terminated' | 'revoked';
  action: string;
  items: { id: number; code: string; name: string; department: string }[];
  /** Every item of the case has now ended: the case itself moved (transition above). */
  wholeCase: boolean;
  previousStatus: CaseStatus;
}

/**
 * A proportionate consequence: only these items of the case end (终止 while the case is in
 * progress, 撤销 once decided); the others stand. When no item is left standing, the case itself
 * moves through transition(). Bumps the revision and audits case.itemsEnded.
 */
export function endItems(w: WriteContext, caseId: number, serviceItemIds: number[], reason: string): EndedItems {
  const c = w.db.prepare('SELECT case_no, status FROM cases WHERE id = ?').get(caseId) as { case_no: string; status: CaseStatus } | undefined;
  if (!c) throw new AppError('NOT_FOUND', '该办件不存在。', { caseId });
  const to: 'terminated' | 'revoked' | null = c.status === 'completed' ? 'revoked' : c.status === 'accepted' || c.status === 'verifying' ? 'terminated' : null;
  if (!to) throw new AppError('INVALID_STATE', `办件当前为“${CASE_STATUS_LABELS[c.status]}”，不能终止或撤销其中的事项。`, { caseId, status: c.status });
  const rows = w.db
    .prepare(
      `SELECT si.id, si.code, si.name, si.department, ci.status FROM case_items ci JOIN service_items si ON si.id = ci.service_item_id
       WHERE ci.case_id = ? ORDER BY ci.position`,
    )
    .all(caseId) as { id: number; code: string; name: string; department: string; status: string }[];
  const wanted = new Set(serviceItemIds);
  const picked = rows.filter((r) => wanted.has(r.id));
  if (picked.length !== wanted.size) throw new AppError('BAD_INPUT', '所选事项不属于该办件。', { caseId, serviceItemIds });
  const gone = picked.filter((r) => r.status !== 'active');
  if (gone.length) throw new AppError('INVALID_STATE', `“${gone.map((r) => r.name).join('、')}”已终止或撤销。`, { caseId });
  const at = w.at.toISOString();
  const set = w.db.prepare('UPDATE case_items SET status = ?, status_reason = ?, status_at = ? WHERE case_id = ? AND service_item_id = ?');
  for (const r of picked) set.run(to, reason, at, caseId, r.id);
  const standing = rows.filter((r) => r.status === 'active' && !wanted.has(r.id)).length;
  const action = to === 'revoked' ? '撤销决定' : '终止办理';
  const items = picked.map(({ id, code, name, department }) => ({ id, code, name, department }));
  w.audit({ action: 'case.itemsEnded', entityType: 'case', entityId: caseId, detail: { caseNo: c.case_no, to, items: items.map((i) => i.code), standing, reason } });
  if (standing === 0) transition(w, caseId, to, { reason, audit: { items: items.map((i) => i.code) } });
  else bumpRevision(w, caseId);
  return { to, action, items, wholeCase: standing === 0, previousStatus: c.status };
}
