import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import { AppError } from '../../app/app-error';
import type { RectificationView } from '../../../shared/ipc/methods/verification';
import { dueAfterWorkingDays } from '../calendar/due-dates';

/**
 * 责令限期整改 (migrations/0013): ordered with a verification outcome, due after N working days on
 * the hall calendar, flagged overdue while open past its due time, closed by a closing record.
 */
interface Row {
  id: number;
  task_id: number;
  case_id: number;
  case_no: string;
  applicant_name: string;
  certificate: string;
  requirement: string;
  working_days: number;
  ordered_at: string;
  due_at: string;
  closed_at: string | null;
  closing_note: string | null;
}

const SELECT = `SELECT r.*, c.case_no, a.name AS applicant_name, ci.name AS certificate
  FROM rectifications r JOIN cases c ON c.id = r.case_id
  JOIN verification_tasks t ON t.id = r.task_id JOIN commitments cm ON cm.id = t.commitment_id
  JOIN applicants a ON a.id = cm.applicant_id JOIN certificate_items ci ON ci.id = cm.certificate_item_id`;

function toView(r: Row, now: Date): RectificationView {
  return {
    id: r.id,
    taskId: r.task_id,
    caseId: r.case_id,
    caseNo: r.case_no,
    applicantName: r.applicant_name,
    certificate: r.certificate,
    requirement: r.requirement,
    workingDays: r.working_days,
    orderedAt: r.ordered_at,
    dueAt: r.due_at,
    overdue: r.closed_at === null && Date.parse(r.due_at) < now.getTime(),
    closedAt: r.closed_at,
    closingNote: r.closing_note,
  };
}

export function orderRectification(w: WriteContext, taskId: number, caseId: number, requirement: string, workingDays: number): number {
  const due = dueAfterWorkingDays(w.db, w.at, workingDays).toISOString();
  const id = Number(
    w.db
      .prepare('INSERT INTO rectifications (task_id, case_id, requirement, working_days, ordered_at, due_at, ordered_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(taskId, caseId, requirement, workingDays, w.at.toISOString(), due, w.actor.userId).lastInsertRowid,
  );
  w.audit({ action: 'rectification.order', entityType: 'verification', entityId: taskId, detail: { rectificationId: id, requirement, workingDays, dueAt: due } });
  return id;
}

export function closeRectification(w: WriteContext, id: number, note: string): void {
  const r = w.db.prepare('SELECT closed_at, task_id FROM rectifications WHERE id = ?').get(id) as { closed_at: string | null; task_id: number } | undefined;
  if (!r) throw new AppError('NOT_FOUND', '该整改记录不存在。');
  if (r.closed_at) throw new AppError('INVALID_STATE', '该整改已结束。');
  w.db.prepare('UPDATE rectifications SET closed_at = ?, closed_by = ?, closing_note = ? WHERE id = ?').run(w.at.toISOString(), w.actor.userId, note, id);
  w.audit({ action: 'rectification.close', entityType: 'verification', entityId: r.task_id, detail: { rectificationId: id, note } });
}

export function loadRectification(db: Db, id: number, now: Date): RectificationView {
  const r = db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as Row | undefined;
  if (!r) throw new AppError('NOT_FOUND', '该整改记录不存在。');
  return toView(r, now);
}

export function rectificationOfTask(db: Db, taskId: number, now: Date): RectificationView | null {
  const r = db.prepare(`${SELECT} WHERE r.task_id = ? ORDER BY r.id DESC LIMIT 1`).get(taskId) as Row | undefined;
  return r ? toView(r, now) : null;
}

/** Open ones first (overdue first, then by due date), then closed ones. */
export function listRectifications(db: Db, now: Date, openOnly: boolean): RectificationView[] {
  const rows = db.prepare(`${SELECT} ${openOnly ? 'WHERE r.closed_at IS NULL' : ''} ORDER BY r.closed_at IS NOT NULL, r.due_at, r.id`).all() as Row[];
  return rows.map((r) => toView(r, now));
}

/** How many rectifications are open past their deadline (the board's 整改逾期 figure), counted on the index. */
export function countOverdueRectifications(db: Db, now: Date): number {
  return db.prepare('SELECT COUNT(*) FROM rectifications WHERE closed_at IS NULL AND due_at < ?').pluck().get(now.toISOString()) as number;
}
