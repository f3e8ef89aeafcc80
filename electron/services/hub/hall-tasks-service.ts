import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { Db } from '../../store/open-store';
import { BOARD_DEFAULT_STATES, TASK_STATE_LABELS, type TaskState } from '../../../shared/ipc/methods/verification';
import type { HallAssignmentView, HallTaskView } from '../../../shared/ipc/methods/hall-tasks';
import { assignTask } from '../verification/assign';
import { hallCopyField } from './hall-records';
import { maskName, OWN_TASKS, ownDesk, requestAssignment } from './hall-tasks';

/**
 * The supervisor's 全厅 board and assignment across windows (docs/hub.md, "Verification tasks
 * across the hall"): this desk's tasks from its own tables and the other windows' as last pulled
 * (`hall_tasks`), one list filtered, counted, ordered and paged in SQL.
 */

interface BoardRow {
  task_key: string;
  desk_id: string;
  window: string | null;
  own: number;
  task_id: number;
  case_no: string;
  applicant: string;
  id_type: string | null;
  certificate: string;
  source: string;
  state: TaskState;
  status: string;
  due_at: string | null;
  assignee_username: string | null;
  assignee_name: string | null;
  holder_name: string | null;
  outcome: string | null;
  updated_at: string | null;
}

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

/** Every window's tasks as one relation, for the board's WHERE and ORDER BY. */
function rowsSql(): string {
  const own = OWN_TASKS.replace(
    /^\s*SELECT /,
    `SELECT @own || ':' || t.id AS task_key, @own AS desk_id, @ownWindow AS window, 1 AS own, NULL AS updated_at, `,
  );
  return `(${own}
    UNION ALL
    SELECT task_key, owner_desk AS desk_id, window, 0 AS own, updated_at, task_id, case_no, applicant_masked AS applicant, NULL AS id_type, certificate, source, state, status, due_at,
           assignee_username, assignee_name, holder_name, outcome
    FROM hall_tasks WHERE owner_desk <> @own)`;
}

/** Open first (overdue ones lead, by due date), then 承诺不实, 核查属实, 免于核查, 已取消 — as the desk's own board. */
const ORDER = `CASE status WHEN 'open' THEN 0 WHEN 'failed' THEN 1 WHEN 'passed' THEN 2 WHEN 'exempt' THEN 3 ELSE 4 END, due_at, window, task_id`;

export function hallBoardPage(
  db: Db,
  q: { deskId?: string; states?: TaskState[]; assignee?: string; overdueOnly?: boolean; page: number; pageSize: number },
  now: Date,
): { tasks: HallTaskView[]; total: number; page: number; pageSize: number; overdue: number; windows: { deskId: string; name: string; own: boolean }[] } {
  const desk = ownDesk(db);
  const params: Record<string, unknown> = { own: desk?.deskId ?? LOCAL, ownWindow: desk?.name ?? '本窗口', now: now.toISOString() };
  const where: string[] = [];
  if (q.deskId) {
    where.push('desk_id = @desk');
    params.desk = q.deskId;
  }
  const states = q.states?.length ? q.states : BOARD_DEFAULT_STATES;
  where.push(`state IN (${states.map((_, i) => `@st${i}`).join(', ')})`);
  states.forEach((s, i) => (params[`st${i}`] = s));
  if (q.assignee) {
    where.push('assignee_username = @assignee');
    params.assignee = q.assignee;
  }
  const overdueSql = `(status = 'open' AND due_at < @now)`;
  const from = `${rowsSql()} AS r`;
  const filters = where.join(' AND ');
  const counted = db.prepare(`SELECT count(*) AS n, coalesce(sum(${overdueSql}), 0) AS overdue FROM ${from} WHERE ${filters}`).get(params) as { n: number; overdue: number };
  const total = q.overdueOnly ? counted.overdue : counted.n;
  const all = q.overdueOnly ? `${filters} AND ${overdueSql}` : filters;
  const page = Math.min(q.page, Math.max(1, Math.ceil(total / q.pageSize)));
  const rows = db.prepare(`SELECT * FROM ${from} WHERE ${all} ORDER BY ${ORDER} LIMIT @limit OFFSET @offset`).all({ ...params, limit: q.pageSize, offset: (page - 1) * q.pageSize }) as BoardRow[];
  const latest = db.prepare('SELECT * FROM hall_task_assignments WHERE task_key = ? ORDER BY requested_at DESC, rowid DESC LIMIT 1');
  const tasks = rows.map((r): HallTaskView => {
    const a = latest.get(r.task_key) as AssignmentRow | undefined;
    return {
      taskKey: r.task_key,
      deskId: r.desk_id,
      window: r.window ?? r.desk_id,
      own: r.own === 1,
      taskId: r.task_id,
      caseNo: r.case_no,
      applicantName: r.own === 1 ? maskName(r.applicant, r.id_type ?? '') : r.applicant,
      certificate: r.certificate,
      source: r.source,
      state: r.state,
      stateText: TASK_STATE_LABELS[r.state] ?? r.state,
      dueAt: r.due_at,
      overdue: r.status === 'open' && r.due_at !== null && r.due_at < now.toISOString(),
      assignee: r.assignee_username ? { username: r.assignee_username, name: r.assignee_name ?? r.assignee_username } : null,
      holder: r.holder_name,
      outcome: r.outcome,
      updatedAt: r.updated_at,
      assignment: a
        ? { requestId: a.request_id, assigneeName: a.assignee_name, byName: a.by_name, fromWindow: a.from_window, state: a.state, message: a.message, requestedAt: a.requested_at, decidedAt: a.decided_at }
        : null,
    };
  });
  const others = db.prepare('SELECT owner_desk AS deskId, max(window) AS name FROM hall_tasks WHERE owner_desk <> ? GROUP BY owner_desk ORDER BY name').all(params.own) as { deskId: string; name: string | null }[];
  const windows = [{ deskId: params.own as string, name: params.ownWindow as string, own: true }, ...others.map((o) => ({ deskId: o.deskId, name: o.name ?? o.deskId, own: false }))];
  return { tasks, total, page, pageSize: q.pageSize, overdue: counted.overdue, windows };
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
