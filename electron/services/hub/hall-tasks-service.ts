import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { Db } from '../../store/open-store';
import { BOARD_DEFAULT_STATES, TASK_STATE_LABELS, type TaskState } from '../../../shared/ipc/methods/verification';
import type { HallAssignmentView, HallTaskView } from '../../../shared/ipc/methods/hall-tasks';
import { assignTask } from '../verification/assign';
import { hallCopyField } from './hall-records';
import { maskName, OWN_TASKS, ownDesk, requestAssignment, type OwnTaskRow } from './hall-tasks';
import { OVERDUE_SQL, TASK_STATE_PREDICATES, TASK_STATE_SQL } from '../verification/task-rows';

/**
 * The supervisor's 全厅 board and assignment across windows (docs/hub.md, "Verification tasks
 * across the hall"): this desk's tasks from its own tables and the other windows' as last pulled
 * (`hall_tasks`), one list filtered, counted, ordered and paged in SQL (bench/hall-tasks.bench.ts).
 */

interface AssignmentRow {
  request_id: string;
  assignee_name: string;
  by_name: string;
  from_window: string | null;
  state: HallAssignmentView['state'];
  message: string | null;
  requested_at: string;
  decided_at: string | null;
}

/** This desk's id when it has no card (no hub): its tasks are still listed. */
const LOCAL = 'local';

/**
 * The board's order, as the desk's own board (verification/board.ts): segments by status — open
 * first (the overdue ones lead, by due date), then 承诺不实, 核查属实, 免于核查, 已取消 — each read in
 * due-date order from the `(status, due_at)` index of both sources and merged.
 */
const SEGMENTS: readonly { status: string; states: readonly TaskState[] }[] = [
  { status: 'open', states: ['unassigned', 'assigned', 'in_field', 'escalated'] },
  { status: 'failed', states: ['failed'] },
  { status: 'passed', states: ['passed'] },
  { status: 'exempt', states: ['exempt'] },
  { status: 'cancelled', states: ['cancelled'] },
];

export interface HallBoardQuery {
  deskId?: string;
  states?: TaskState[];
  assignee?: string;
  overdueOnly?: boolean;
  page: number;
  pageSize: number;
}

/** The filters as a condition on each source (`verification_tasks t` here, `hall_tasks h` of the others); null: the source has none. */
function sourceFilters(db: Db, q: HallBoardQuery, own: string, params: Record<string, unknown>): { own: string | null; others: string | null } {
  let mine: string[] | null = [];
  let theirs: string[] | null = ['h.owner_desk <> @own'];
  if (q.deskId) {
    if (q.deskId === own) theirs = null;
    else {
      mine = null;
      theirs.push('h.owner_desk = @desk');
      params.desk = q.deskId;
    }
  }
  if (q.assignee) {
    const uid = (db.prepare('SELECT id FROM users WHERE username = ?').get(q.assignee) as { id: number } | undefined)?.id;
    if (uid === undefined) mine = null;
    else mine?.push('t.assigned_to = @uid');
    params.uid = uid ?? null;
    params.assignee = q.assignee;
    theirs?.push('h.assignee_username = @assignee');
  }
  if (q.overdueOnly) {
    mine?.push(OVERDUE_SQL);
    theirs?.push(`(h.status = 'open' AND h.due_at < @now)`);
  }
  return { own: mine && (mine.join(' AND ') || '1 = 1'), others: theirs && theirs.join(' AND ') };
}

export function hallBoardPage(db: Db, q: HallBoardQuery, now: Date): { tasks: HallTaskView[]; total: number; page: number; pageSize: number; overdue: number; windows: { deskId: string; name: string; own: boolean }[] } {
  const desk = ownDesk(db);
  const own = desk?.deskId ?? LOCAL;
  const ownWindow = desk?.name ?? '本窗口';
  const params: Record<string, unknown> = { own, now: now.toISOString() };
  const f = sourceFilters(db, q, own, params);
  const overdueOf = sourceFilters(db, { ...q, overdueOnly: true }, own, { ...params });

  // Counts per state on each source (index ranges, no joins), the overdue ones under the other filters.
  const counts = new Map<TaskState, number>();
  const add = (rows: { state: TaskState; n: number }[]) => rows.forEach((r) => counts.set(r.state, (counts.get(r.state) ?? 0) + r.n));
  if (f.own) add(db.prepare(`SELECT ${TASK_STATE_SQL} AS state, count(*) AS n FROM verification_tasks t WHERE ${f.own} GROUP BY 1`).all(params) as { state: TaskState; n: number }[]);
  if (f.others) add(db.prepare(`SELECT h.state, count(*) AS n FROM hall_tasks h WHERE ${f.others} GROUP BY h.state`).all(params) as { state: TaskState; n: number }[]);
  let overdue = 0;
  if (overdueOf.own) overdue += (db.prepare(`SELECT count(*) FROM verification_tasks t WHERE ${overdueOf.own}`).pluck().get(params) as number);
  if (overdueOf.others) overdue += (db.prepare(`SELECT count(*) FROM hall_tasks h WHERE ${overdueOf.others}`).pluck().get(params) as number);

  const wanted = new Set(q.states?.length ? q.states : BOARD_DEFAULT_STATES);
  const total = [...wanted].reduce((n, s) => n + (counts.get(s) ?? 0), 0);
  const page = Math.min(q.page, Math.max(1, Math.ceil(total / q.pageSize)));

  // The page: whole segments skipped by their counts; within one, both sources read in index order and merged.
  const picked: { own: number; id: number; key: string | null }[] = [];
  let skip = (page - 1) * q.pageSize;
  for (const seg of SEGMENTS) {
    if (picked.length === q.pageSize) break;
    const states = seg.states.filter((x) => wanted.has(x));
    const size = states.reduce((n, x) => n + (counts.get(x) ?? 0), 0);
    if (size <= skip) {
      skip -= size;
      continue;
    }
    const limit = q.pageSize - picked.length;
    const p: Record<string, unknown> = { ...params, status: seg.status, n: skip + limit, limit, offset: skip };
    const mineStates = states.length === seg.states.length ? '1 = 1' : states.map((x) => `(${TASK_STATE_PREDICATES[x]})`).join(' OR ');
    states.forEach((x, i) => (p[`st${i}`] = x));
    const theirStates = `h.state IN (${states.map((_, i) => `@st${i}`).join(', ')})`;
    const parts = [
      f.own && `SELECT * FROM (SELECT 1 AS own, t.id AS id, NULL AS key, t.due_at AS due FROM verification_tasks t WHERE t.status = @status AND (${mineStates}) AND ${f.own} ORDER BY t.due_at, t.id LIMIT @n)`,
      f.others && `SELECT * FROM (SELECT 0 AS own, h.task_id AS id, h.task_key AS key, h.due_at AS due FROM hall_tasks h WHERE h.status = @status AND ${theirStates} AND ${f.others} ORDER BY h.due_at, h.task_key LIMIT @n)`,
    ].filter(Boolean);
    picked.push(...(db.prepare(`${parts.join(' UNION ALL ')} ORDER BY due, own DESC, key, id LIMIT @limit OFFSET @offset`).all(p) as { own: number; id: number; key: string | null }[]));
    skip = 0;
  }

  const ownIds = picked.filter((x) => x.own === 1).map((x) => x.id);
  const theirKeys = picked.filter((x) => x.own === 0).map((x) => x.key!);
  const ownRows = new Map(
    (ownIds.length ? (db.prepare(`${OWN_TASKS} WHERE t.id IN (${ownIds.map(() => '?').join(',')})`).all(...ownIds) as OwnTaskRow[]) : []).map((r) => [r.task_id, r]),
  );
  const theirRows = new Map(
    (theirKeys.length ? (db.prepare(`SELECT * FROM hall_tasks WHERE task_key IN (${theirKeys.map(() => '?').join(',')})`).all(...theirKeys) as HallTaskRow[]) : []).map((r) => [r.task_key, r]),
  );
  const latest = db.prepare('SELECT * FROM hall_task_assignments WHERE task_key = ? ORDER BY requested_at DESC, rowid DESC LIMIT 1');
  const tasks = picked.map((x): HallTaskView => {
    const r = x.own === 1 ? ownRow(ownRows.get(x.id)!, own, ownWindow) : theirRows.get(x.key!)!;
    const a = latest.get(r.task_key) as AssignmentRow | undefined;
    const state = r.state as TaskState;
    return {
      taskKey: r.task_key,
      deskId: r.owner_desk,
      window: r.window ?? r.owner_desk,
      own: x.own === 1,
      taskId: r.task_id,
      caseNo: r.case_no,
      applicantName: r.applicant_masked,
      certificate: r.certificate,
      source: r.source,
      state,
      stateText: TASK_STATE_LABELS[state] ?? r.state,
      dueAt: r.due_at,
      overdue: r.status === 'open' && r.due_at !== null && r.due_at < now.toISOString(),
      assignee: r.assignee_username ? { username: r.assignee_username, name: r.assignee_name ?? r.assignee_username } : null,
      holder: r.holder_name,
      outcome: r.outcome,
      updatedAt: x.own === 1 ? null : r.updated_at,
      assignment: a
        ? { requestId: a.request_id, assigneeName: a.assignee_name, byName: a.by_name, fromWindow: a.from_window, state: a.state, message: a.message, requestedAt: a.requested_at, decidedAt: a.decided_at }
        : null,
    };
  });
  const others = (db.prepare('SELECT DISTINCT owner_desk FROM hall_tasks WHERE owner_desk <> ?').pluck().all(own) as string[]).map((d) => ({
    deskId: d,
    name: ((db.prepare('SELECT window FROM hall_tasks WHERE owner_desk = ? AND window IS NOT NULL LIMIT 1').pluck().get(d) as string | undefined) ?? d),
    own: false,
  }));
  others.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return { tasks, total, page, pageSize: q.pageSize, overdue, windows: [{ deskId: own, name: ownWindow, own: true }, ...others] };
}

/** A row of hall_tasks (another window's task, as last pulled). */
interface HallTaskRow {
  task_key: string;
  owner_desk: string;
  task_id: number;
  window: string | null;
  case_no: string;
  applicant_masked: string;
  certificate: string;
  source: string;
  state: string;
  status: string;
  due_at: string | null;
  assignee_username: string | null;
  assignee_name: string | null;
  holder_name: string | null;
  outcome: string | null;
  updated_at: string | null;
}

/** This desk's task in the same shape (its applicant's name masked as at other windows). */
function ownRow(r: OwnTaskRow, own: string, window: string): HallTaskRow {
  return {
    task_key: `${own}:${r.task_id}`,
    owner_desk: own,
    task_id: r.task_id,
    window,
    case_no: r.case_no,
    applicant_masked: maskName(r.applicant, r.id_type),
    certificate: r.certificate,
    source: r.source,
    state: r.state,
    status: r.status,
    due_at: r.due_at,
    assignee_username: r.assignee_username,
    assignee_name: r.assignee_name,
    holder_name: r.holder_name,
    outcome: r.outcome,
    updated_at: null,
  };
}

export function createHallTasksService(deps: Deps): PartialHandlers {
  const { db } = deps;
  return {
    'verification.hallBoard': (input) => {
      const now = deps.now();
      const assistants = db.prepare(`SELECT username, display_name AS name FROM users WHERE role = 'assistant' AND active = 1 ORDER BY display_name`).all() as { username: string; name: string }[];
      return { ...hallBoardPage(db, input, now), assistants, ...hallCopyField(db, now), now: now.toISOString() };
    },

    'verification.assignInHall': ({ taskKey, username }, ctx) => {
      const desk = ownDesk(db);
      const own = desk?.deskId ?? LOCAL;
      const u = db.prepare(`SELECT id, username, display_name FROM users WHERE username = ? AND role = 'assistant' AND active = 1`).get(username) as
        | { id: number; username: string; display_name: string }
        | undefined;
      if (!u) throw new AppError('BAD_INPUT', '只能分派给在岗的帮办代办员。', { username }, { username: '请选择帮办代办员' });
      if (taskKey.startsWith(`${own}:`)) {
        const taskId = Number(taskKey.slice(own.length + 1));
        if (!Number.isSafeInteger(taskId) || taskId <= 0) throw new AppError('NOT_FOUND', '该核查任务不存在。', { taskKey });
        deps.write(ctx.actor, (w) => assignTask(w, taskId, u.id));
        return { state: 'applied' as const, requestId: null, message: `已分派给${u.display_name}。` };
      }
      const t = db.prepare('SELECT owner_desk, window FROM hall_tasks WHERE task_key = ?').get(taskKey) as { owner_desk: string; window: string | null } | undefined;
      if (!t) throw new AppError('NOT_FOUND', '本机没有该核查任务的全厅记录。', { taskKey });
      const requestId = deps.write(ctx.actor, (w) =>
        requestAssignment(w, taskKey, t.owner_desk, { username: u.username, name: u.display_name }, { username: ctx.user!.username, name: ctx.user!.displayName }),
      );
      return { state: 'requested' as const, requestId, message: `已发送至${t.window ?? t.owner_desk}，待该窗口工作台办理后生效。` };
    },
  };
}
