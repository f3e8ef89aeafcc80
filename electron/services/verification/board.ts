import type { Db } from '../../store/open-store';
import { BOARD_DEFAULT_STATES, TASK_STATES, type TaskState, type TaskView } from '../../../shared/ipc/methods/verification';
import { caseSearchCondition } from '../intake/case-search';
import { OVERDUE_SQL, TASK_SELECT, TASK_STATE_PREDICATES, TASK_STATE_SQL, toTaskView, type TaskRow } from './task-rows';

export interface BoardQuery {
  states?: TaskState[];
  mine?: boolean;
  overdueOnly?: boolean;
  query?: string;
  page: number;
  pageSize: number;
}

export interface BoardPage {
  tasks: TaskView[];
  total: number;
  page: number;
  pageSize: number;
  counts: Record<TaskState, number>;
  overdue: number;
}

/**
 * The board's order, as segments each read in order from one range of the index
 * `verification_tasks_board (status, due_at)`: open tasks first, by due date (so the overdue ones,
 * whose due dates have passed, come first), then the concluded ones (承诺不实 before 核查属实), then
 * 免于核查 and 已取消; within a segment by due date, then id (a task without a due date first).
 */
const SEGMENTS: readonly { status: string; states: readonly TaskState[] }[] = [
  { status: 'open', states: ['unassigned', 'assigned', 'in_field', 'escalated'] },
  { status: 'failed', states: ['failed'] },
  { status: 'passed', states: ['passed'] },
  { status: 'exempt', states: ['exempt'] },
  { status: 'cancelled', states: ['cancelled'] },
];

/**
 * The filters other than the state, as one condition on `verification_tasks t` with named
 * parameters, and the table reference to read `t` from: a search matches few tasks, so it is read
 * through the commitment index (the tasks of the matching cases' commitments), never by scanning a
 * state's range of the board index and testing each row.
 */
function otherFilters(db: Db, q: BoardQuery, userId: number, params: Record<string, unknown>, assistant: boolean): { from: string; where: string } {
  const where: string[] = [];
  // An assistant sees the tasks assigned to them or in their hands, and those nobody has yet (to take one): cases/case-access.ts.
  if (assistant) {
    where.push('(t.assigned_to = @me OR t.checked_out_by = @me OR (t.assigned_to IS NULL AND t.checked_out_by IS NULL))');
    params.me = userId;
  }
  if (q.mine) {
    where.push('(t.assigned_to = @me OR t.checked_out_by = @me)');
    params.me = userId;
  }
  if (q.overdueOnly) where.push(OVERDUE_SQL);
  const search = caseSearchCondition(db, q.query);
  if (search) {
    // Positional arguments of the search become named ones (a statement uses one kind).
    let n = 0;
    const sql = search.sql.replace(/\?/g, () => `@s${n++}`);
    search.args.forEach((a, i) => (params[`s${i}`] = a));
    where.push(`t.commitment_id IN (SELECT cm.id FROM commitments cm JOIN cases c ON c.id = cm.case_id WHERE ${sql})`);
  }
  return {
    from: search ? 'verification_tasks t INDEXED BY verification_tasks_commitment' : 'verification_tasks t',
    where: where.length ? where.join(' AND ') : '1 = 1',
  };
}

/**
 * One page of the verification board, filtered, counted and ordered in SQL: the counts per state
 * are one GROUP BY over the tasks (no row is loaded for them), the page is the ids of one ordered
 * LIMIT/OFFSET, and only the page's tasks are joined and turned into views.
 */
export function boardPage(db: Db, q: BoardQuery, now: Date, userId: number, assistant = false): BoardPage {
  const params: Record<string, unknown> = { now: now.toISOString() };
  const { from, where: filters } = otherFilters(db, q, userId, params, assistant);

  // Counts: the concluded states are their status (counted on the index alone); the open ones are
  // told apart by the state predicates, over the open tasks only.
  const counts = Object.fromEntries(TASK_STATES.map((s) => [s, 0])) as Record<TaskState, number>;
  const closed = db.prepare(`SELECT t.status AS state, count(*) AS n FROM ${from} WHERE t.status <> 'open' AND ${filters} GROUP BY t.status`).all(params);
  const open = db.prepare(`SELECT ${TASK_STATE_SQL} AS state, count(*) AS n FROM ${from} WHERE t.status = 'open' AND ${filters} GROUP BY 1`).all(params);
  for (const g of [...closed, ...open] as { state: TaskState; n: number }[]) counts[g.state] = g.n;
  const overdue = (db.prepare(`SELECT count(*) AS n FROM ${from} WHERE ${OVERDUE_SQL} AND ${filters}`).get(params) as { n: number }).n;

  const wanted = new Set(q.states?.length ? q.states : BOARD_DEFAULT_STATES);
  const total = [...wanted].reduce((sum, s) => sum + counts[s], 0);
  const lastPage = Math.max(1, Math.ceil(total / q.pageSize));
  const page = Math.min(q.page, lastPage);

  // The page: skip whole segments by their counts, then read the rest in index order.
  const ids: number[] = [];
  let skip = (page - 1) * q.pageSize;
  for (const seg of SEGMENTS) {
    if (ids.length === q.pageSize) break;
    const states = seg.states.filter((s) => wanted.has(s));
    const size = states.reduce((sum, s) => sum + counts[s], 0);
    if (size <= skip) {
      skip -= size;
      continue;
    }
    const inStates = states.length === seg.states.length ? '1 = 1' : states.map((s) => `(${TASK_STATE_PREDICATES[s]})`).join(' OR ');
    const got = db
      .prepare(`SELECT t.id FROM ${from} WHERE t.status = @status AND (${inStates}) AND ${filters} ORDER BY t.due_at, t.id LIMIT @limit OFFSET @offset`)
      .pluck()
      .all({ ...params, status: seg.status, limit: q.pageSize - ids.length, offset: skip }) as number[];
    ids.push(...got);
    skip = 0;
  }

  const rows = ids.length ? (db.prepare(`${TASK_SELECT} WHERE t.id IN (${ids.map(() => '?').join(',')})`).all(...ids) as TaskRow[]) : [];
  const byId = new Map(rows.map((r) => [r.id, r]));
  const tasks = ids.map((id) => toTaskView(db, byId.get(id)!, now));
  return { tasks, total, page, pageSize: q.pageSize, counts, overdue };
}
