/**
 * The day's work for the signed-in user's home page (issue 16), each figure one SQL over this
 * desk's store: a clerk's cases today and what they wait for; a supervisor's desk figures and the
 * overdue work; an assistant's verification tasks (through the board's own query, so an assistant
 * sees exactly the tasks the board would show them).
 */
import type { Db } from '../../store/open-store';
import type { MethodOutput } from '../../../shared/ipc/contract';
import type { Role } from '../../../shared/domain/roles';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../shared/rules/case-states';
import { chinaDate, chinaDayStartIso } from '../../../shared/rules/china-time';
import { boardPage } from '../verification/board';
import { OVERDUE_SQL } from '../verification/task-rows';
import { assistanceOverdueSql } from '../../../shared/rules/assistance-due';
import { buildCaseView } from '../intake/case-view';

type HomeWork = MethodOutput<'home.work'>;

const LINES = 8;

export function homeWork(db: Db, user: { id: number; role: Role }, now: Date): HomeWork {
  const dayStart = chinaDayStartIso(chinaDate(now));
  const nowIso = now.toISOString();
  const supervisor = user.role === 'supervisor';
  // Whose cases the waiting figures cover: a clerk's own; a supervisor's whole desk.
  const scope = supervisor ? '1 = 1' : 'c.created_by = @me';
  const params = { me: user.id, dayStart, now: nowIso };
  const n = (sql: string) => (db.prepare(sql).get(params) as { n: number }).n;

  return {
    myCasesToday: myCasesToday(db, user.id, dayStart),
    waitingQueries: n(`SELECT COUNT(*) AS n FROM data_queries q JOIN cases c ON c.id = q.case_id WHERE q.status = 'queued' AND ${scope}`),
    assistance: {
      open: n(`SELECT COUNT(*) AS n FROM assistance_requests r JOIN cases c ON c.id = r.case_id WHERE r.status = 'open' AND ${scope}`),
      overdue: n(`SELECT COUNT(*) AS n FROM assistance_requests r JOIN cases c ON c.id = r.case_id WHERE ${assistanceOverdueSql('r', '@now')} AND ${scope}`),
      repliedToday: n(`SELECT COUNT(*) AS n FROM assistance_requests r JOIN cases c ON c.id = r.case_id WHERE r.status = 'replied' AND r.replied_at >= @dayStart AND ${scope}`),
    },
    tasks: tasks(db, user, now),
    deskToday: deskToday(db, dayStart, now),
  };
}

function myCasesToday(db: Db, me: number, dayStart: string): HomeWork['myCasesToday'] {
  const mine = `(c.created_by = @me OR c.accepted_by = @me) AND (c.created_at >= @dayStart OR c.accepted_at >= @dayStart)`;
  const counts = db
    .prepare(`SELECT COUNT(*) AS total, COALESCE(SUM(c.status = 'draft'), 0) AS drafts FROM cases c WHERE ${mine}`)
    .get({ me, dayStart }) as { total: number; drafts: number };
  const rows = db
    .prepare(
      `SELECT c.id, c.case_no, c.status, COALESCE(c.accepted_at, c.created_at) AS at, a.name AS applicant_name,
              (SELECT b.name FROM bundles b WHERE b.catalog_version_id = c.catalog_version_id AND b.code = c.bundle_code) AS bundle,
              (SELECT group_concat(si.name, '、') FROM case_items ci JOIN service_items si ON si.id = ci.service_item_id WHERE ci.case_id = c.id) AS items
       FROM cases c JOIN applicants a ON a.id = c.applicant_id
       WHERE ${mine} ORDER BY c.id DESC LIMIT ${LINES}`,
    )
    .all({ me, dayStart }) as { id: number; case_no: string; status: CaseStatus; at: string; applicant_name: string; bundle: string | null; items: string | null }[];
  return {
    total: counts.total,
    drafts: counts.drafts,
    accepted: counts.total - counts.drafts,
    lines: rows.map((r) => ({
      id: r.id,
      caseNo: r.case_no,
      applicantName: r.applicant_name,
      subject: r.bundle ?? r.items ?? '',
      status: r.status,
      statusLabel: CASE_STATUS_LABELS[r.status],
      at: r.at,
    })),
  };
}

function tasks(db: Db, user: { id: number; role: Role }, now: Date): HomeWork['tasks'] {
  const count = (where: string) =>
    (db.prepare(`SELECT COUNT(*) AS n FROM verification_tasks t WHERE ${where}`).get({ me: user.id, now: now.toISOString() }) as { n: number }).n;
  const mineWhere = `t.status = 'open' AND (t.assigned_to = @me OR t.checked_out_by = @me)`;
  const mine =
    user.role === 'assistant'
      ? boardPage(db, { states: ['assigned', 'in_field', 'escalated'], mine: true, page: 1, pageSize: LINES }, now, user.id, true).tasks
      : [];
  return {
    mine,
    myOpen: count(mineWhere),
    open: count(`t.status = 'open'`),
    overdue: count(OVERDUE_SQL),
    unassigned: count(`t.status = 'open' AND t.assigned_to IS NULL AND t.checked_out_by IS NULL`),
  };
}

function deskToday(db: Db, dayStart: string, now: Date): HomeWork['deskToday'] {
  const accepted = db.prepare(`SELECT id FROM cases WHERE accepted_at >= ? AND status <> 'draft'`).all(dayStart) as { id: number }[];
  const commitments = (db.prepare(`SELECT COUNT(*) AS n FROM commitments WHERE signed_at >= ?`).get(dayStart) as { n: number }).n;
  // The hall's reported figure, case by case through the one counting rule (shared/rules/case-figures.ts).
  const avoided = accepted.reduce((a, c) => a + buildCaseView(db, c.id, now).figures.avoided, 0);
  return { accepted: accepted.length, commitments, avoided };
}
