import type { Db } from '../../store/open-store';
import type { AuditEntryView, MethodInput } from '../../../shared/ipc/contract';
import { chinaDayStartIso } from '../../../shared/rules/china-time';
import { escapeLike } from '../applicants/applicant-search';

const DAY_MS = 86_400_000;

/**
 * One page of the audit log for a supervisor to read: newest first, with the person behind each
 * user name and what each entity is (a case's number, a user's name), filtered by person, action
 * (key or prefix), case number and China-time day range — all in SQL.
 */
export function listAudit(db: Db, q: MethodInput<'audit.list'>): AuditEntryView[] {
  const where: string[] = [];
  const args: Record<string, unknown> = { limit: q.limit ?? 100 };
  if (q.beforeSeq !== undefined) {
    where.push('a.seq < @beforeSeq');
    args.beforeSeq = q.beforeSeq;
  }
  if (q.actorId !== undefined) {
    where.push('a.actor_id = @actorId');
    args.actorId = q.actorId;
  }
  if (q.action) {
    where.push(`(a.action = @action OR a.action LIKE @actionPrefix ESCAPE '\\')`);
    args.action = q.action;
    args.actionPrefix = `${escapeLike(q.action.endsWith('.') ? q.action : `${q.action}.`)}%`;
  }
  if (q.caseNo) {
    const c = db.prepare('SELECT id FROM cases WHERE case_no = ?').get(q.caseNo) as { id: number } | undefined;
    if (!c) return [];
    where.push(`a.entity_type = 'case' AND a.entity_id = @caseId`);
    args.caseId = String(c.id);
  }
  if (q.fromDay) {
    where.push('a.at >= @from');
    args.from = chinaDayStartIso(q.fromDay);
  }
  if (q.toDay) {
    where.push('a.at < @to');
    args.to = new Date(Date.parse(chinaDayStartIso(q.toDay)) + DAY_MS).toISOString();
  }
  return db
    .prepare(
      `SELECT a.seq, a.at, a.actor_username AS actor, CASE WHEN a.actor_id IS NULL AND a.actor_username = 'system' THEN '系统' ELSE u.display_name END AS actorName, a.action, a.entity_type AS entityType, a.entity_id AS entityId,
              a.detail, a.hash,
              CASE a.entity_type
                WHEN 'case' THEN (SELECT c.case_no FROM cases c WHERE c.id = CAST(a.entity_id AS INTEGER))
                WHEN 'user' THEN (SELECT x.display_name FROM users x WHERE x.id = CAST(a.entity_id AS INTEGER))
                WHEN 'calendar' THEN a.entity_id || '年'
              END AS entityLabel
       FROM audit_log a LEFT JOIN users u ON u.id = a.actor_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY a.seq DESC LIMIT @limit`,
    )
    .all(args) as AuditEntryView[];
}
