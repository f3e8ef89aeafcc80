import { randomUUID } from 'node:crypto';
import type { Db } from '../../store/open-store';
import { onBeforeCommit, type WriteContext } from '../../store/write';
import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { AppError } from '../../app/app-error';
import { readDeskCard } from '../transfer/desk-keys';
import { TASK_STATE_SQL } from '../verification/task-rows';
import { assignTask } from '../verification/assign';
import { enqueueHallRecord, hallTargetIds } from './hall-records';

/**
 * Verification tasks across the hall (docs/hub.md, "Verification tasks across the hall").
 *
 * - Every change of a task row, whoever makes it, is marked by the store's triggers
 *   (migrations/0022_hall_tasks.sql) and, at the end of the same write (store/write.ts
 *   onBeforeCommit), the task's summary is queued as a hall record of kind `verification_task`,
 *   id `<desk>:<task id>`, owned by this desk. Tasks from before the hub: all queued once per hub
 *   target (`seedHallTasks`, on the sender's tick).
 * - Other desks apply the summaries into `hall_tasks` (the 全厅 board reads it beside its own tasks).
 * - A supervisor at any desk assigns any window's task: a record of kind `task_assignment` (asked:
 *   'requested'), applied once by the owning desk with the one assignment rule
 *   (verification/assign.ts) or refused in Chinese, and answered ('applied' / 'refused') by a new
 *   version of the same record, which reaches the asking desk through the feed.
 */

export interface TaskBody {
  taskId: number;
  caseNo: string;
  /** The owning desk's name (its card). */
  window: string | null;
  applicant: string;
  certificate: string;
  source: string;
  state: string;
  status: string;
  dueAt: string | null;
  assignee: { username: string; name: string } | null;
  holder: string | null;
  outcome: string | null;
  updatedAt: string;
}

export interface AssignmentBody {
  taskKey: string;
  ownerDesk: string;
  assignee: { username: string; name: string };
  by: { username: string; name: string };
  fromDesk: string;
  fromWindow: string | null;
  requestedAt: string;
  state: 'requested' | 'applied' | 'refused';
  message: string | null;
  decidedAt: string | null;
}

interface Desk {
  deskId: string;
  name: string;
}

const dataDirs = new WeakMap<Db, string>();
const desks = new WeakMap<Db, Desk | null>();

/** Set by the composition root: where this desk's card is, and the step that queues changed tasks in every write. */
export function configureHallTasks(db: Db, dataDir: string): void {
  dataDirs.set(db, dataDir);
  onBeforeCommit(db, queueChangedTasks);
}

/** This desk as the hub knows it (its card); null when it has none. */
export function ownDesk(db: Db): Desk | null {
  if (!desks.has(db) || desks.get(db) === null) {
    const dir = dataDirs.get(db);
    const card = dir ? readDeskCard(dir) : null;
    desks.set(db, card ? { deskId: card.deskId, name: card.name } : null);
  }
  return desks.get(db) ?? null;
}

/** A person's name shown at other windows: the family name only (王*); an organisation's in full. */
export function maskName(name: string, idType: string): string {
  if (idType === 'uscc') return name;
  const chars = [...name];
  return chars.length <= 1 ? name : chars[0] + '*'.repeat(chars.length - 1);
}

/** This desk's tasks with what the board and the summaries need, as rows of one SELECT (the board adds its WHERE). */
export const OWN_TASKS = `
  SELECT t.id AS task_id, c.case_no, a.name AS applicant, a.id_type, ci.name AS certificate, t.source, ${TASK_STATE_SQL} AS state, t.status, t.due_at,
         ua.username AS assignee_username, ua.display_name AS assignee_name, uc.display_name AS holder_name, t.outcome
  FROM verification_tasks t
  JOIN commitments cm ON cm.id = t.commitment_id
  JOIN cases c ON c.id = cm.case_id
  JOIN applicants a ON a.id = cm.applicant_id
  JOIN certificate_items ci ON ci.id = cm.certificate_item_id
  LEFT JOIN users ua ON ua.id = t.assigned_to
  LEFT JOIN users uc ON uc.id = t.checked_out_by`;

export interface OwnTaskRow {
  task_id: number;
  case_no: string;
  applicant: string;
  id_type: string;
  certificate: string;
  source: string;
  state: string;
  status: string;
  due_at: string | null;
  assignee_username: string | null;
  assignee_name: string | null;
  holder_name: string | null;
  outcome: string | null;
}

function taskBody(db: Db, taskId: number, desk: Desk, at: string): TaskBody | null {
  const r = db.prepare(`${OWN_TASKS} WHERE t.id = ?`).get(taskId) as OwnTaskRow | undefined;
  if (!r) return null;
  return {
    taskId: r.task_id,
    caseNo: r.case_no,
    window: desk.name,
    applicant: maskName(r.applicant, r.id_type),
    certificate: r.certificate,
    source: r.source,
    state: r.state,
    status: r.status,
    dueAt: r.due_at,
    assignee: r.assignee_username ? { username: r.assignee_username, name: r.assignee_name ?? r.assignee_username } : null,
    holder: r.holder_name,
    outcome: r.outcome,
    updatedAt: at,
  };
}

/**
 * The before-commit step of every write: the tasks this write changed (marked by the triggers) are
 * queued for the hub, and their marks cleared. A summary not yet sent is replaced by the newer one
 * (a task changed ten times while the hub is away travels once, as it is last).
 */
function queueChangedTasks(w: WriteContext): void {
  const ids = w.db.prepare('SELECT task_id FROM hall_task_dirty ORDER BY task_id').pluck().all() as number[];
  if (ids.length === 0) return;
  w.db.prepare('DELETE FROM hall_task_dirty').run();
  const desk = ownDesk(w.db);
  if (!desk || hallTargetIds(w.db).length === 0) return; // no hub: queued all at once when one is configured (seedHallTasks)
  const superseded = w.db.prepare(`DELETE FROM hall_record_outbox WHERE kind = 'verification_task' AND record_id = ? AND state = 'pending' AND attempts = 0`);
  for (const id of ids) {
    const body = taskBody(w.db, id, desk, w.at.toISOString());
    if (!body) continue;
    const key = `${desk.deskId}:${id}`;
    superseded.run(key);
    enqueueHallRecord(w, 'verification_task', key, body as unknown as Record<string, unknown>);
  }
}

/** Tasks queued per tick when a hub is first configured (a big store's tasks go in many short writes). */
const SEED_BATCH = 500;

/**
 * Tasks from before the hub (or before this version): every task is queued once per hub target, so
 * the hall's board is complete — in batches of SEED_BATCH tasks by id, one audited write per sender
 * tick, the position kept in `sync_meta` (`hall_tasks_seeded:<target>`: the last id, then 'done').
 * Cheap once done (one read).
 */
export function seedHallTasks(deps: Pick<Deps, 'db' | 'write'>): number {
  const targets = hallTargetIds(deps.db);
  if (targets.length === 0 || !ownDesk(deps.db)) return 0;
  const meta = deps.db.prepare('SELECT value FROM sync_meta WHERE key = ?').pluck();
  const open = targets.map((t) => ({ key: `hall_tasks_seeded:${t}`, at: meta.get(`hall_tasks_seeded:${t}`) as string | undefined })).filter((x) => x.at !== 'done');
  if (open.length === 0) return 0;
  const after = Math.min(...open.map((x) => (x.at === undefined ? 0 : Number(x.at))));
  return deps.write(SYSTEM_ACTOR, (w) => {
    const ids = w.db.prepare('SELECT id FROM verification_tasks WHERE id > ? ORDER BY id LIMIT ?').pluck().all(after, SEED_BATCH) as number[];
    const mark = w.db.prepare('INSERT OR IGNORE INTO hall_task_dirty (task_id) VALUES (?)');
    for (const id of ids) mark.run(id);
    const done = ids.length < SEED_BATCH;
    const at = done ? 'done' : String(ids[ids.length - 1]);
    for (const x of open) w.db.prepare('INSERT OR REPLACE INTO sync_meta (key, value) VALUES (?, ?)').run(x.key, at);
    w.audit({ action: 'hub.tasksSeeded', entityType: 'sync_targets', entityId: open.map((x) => x.key.slice('hall_tasks_seeded:'.length)).join(','), detail: { after, tasks: ids.length, done } });
    return ids.length; // queued by the before-commit step of this very write
  });
}

// ------------------------------------------------------------------ applied from the feed

/** Another window's task summary, as its owner last pushed it (this desk's own are read from its tables). */
export function applyTaskBody(w: WriteContext, taskKey: string, raw: Record<string, unknown>): void {
  const ownerDesk = taskKey.slice(0, taskKey.lastIndexOf(':')); // the key names its owner (the hub checks it is the pushing desk)
  if (ownDesk(w.db)?.deskId === ownerDesk) return;
  const b = raw as unknown as TaskBody;
  w.db
    .prepare(
      `INSERT INTO hall_tasks (task_key, owner_desk, task_id, window, case_no, applicant_masked, certificate, source, state, status, due_at, assignee_username, assignee_name, holder_name, outcome, updated_at, received_at)
       VALUES (@taskKey, @ownerDesk, @taskId, @window, @caseNo, @applicant, @certificate, @source, @state, @status, @dueAt, @au, @an, @holder, @outcome, @updatedAt, @receivedAt)
       ON CONFLICT (task_key) DO UPDATE SET window = excluded.window, case_no = excluded.case_no, applicant_masked = excluded.applicant_masked, certificate = excluded.certificate,
         source = excluded.source, state = excluded.state, status = excluded.status, due_at = excluded.due_at, assignee_username = excluded.assignee_username,
         assignee_name = excluded.assignee_name, holder_name = excluded.holder_name, outcome = excluded.outcome, updated_at = excluded.updated_at, received_at = excluded.received_at`,
    )
    .run({
      taskKey,
      ownerDesk,
      taskId: b.taskId,
      window: b.window,
      caseNo: b.caseNo,
      applicant: b.applicant ?? '',
      certificate: b.certificate,
      source: b.source,
      state: b.state,
      status: b.status ?? (['passed', 'failed', 'exempt', 'cancelled'].includes(b.state) ? b.state : 'open'),
      dueAt: b.dueAt,
      au: b.assignee?.username ?? null,
      an: b.assignee?.name ?? null,
      holder: b.holder,
      outcome: b.outcome,
      updatedAt: b.updatedAt,
      receivedAt: w.at.toISOString(),
    });
}

function upsertAssignment(db: Db, requestId: string, b: AssignmentBody): void {
  db.prepare(
    `INSERT INTO hall_task_assignments (request_id, task_key, owner_desk, assignee_username, assignee_name, by_username, by_name, from_desk, from_window, requested_at, state, message, decided_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (request_id) DO UPDATE SET state = excluded.state, message = excluded.message, decided_at = excluded.decided_at
     WHERE hall_task_assignments.state = 'requested'`,
  ).run(requestId, b.taskKey, b.ownerDesk, b.assignee.username, b.assignee.name, b.by.username, b.by.name, b.fromDesk, b.fromWindow, b.requestedAt, b.state, b.message, b.decidedAt);
}

/**
 * An assignment from the feed. Every desk keeps it (the board shows it on the task); the desk that
 * owns the task applies a request once — with the one assignment rule, or refuses it in Chinese —
 * and answers with a new version of the record; the desk that asked records the answer.
 */
export function applyAssignmentBody(w: WriteContext, requestId: string, raw: Record<string, unknown>): void {
  const b = raw as unknown as AssignmentBody;
  const desk = ownDesk(w.db);
  const had = w.db.prepare('SELECT state FROM hall_task_assignments WHERE request_id = ?').get(requestId) as { state: string } | undefined;
  if (b.state === 'requested') {
    if (had) return; // asked here, or already answered
    upsertAssignment(w.db, requestId, b);
    if (desk?.deskId === b.ownerDesk) answerAssignment(w, requestId, b, desk);
    return;
  }
  if (had && had.state !== 'requested') return; // answered before (this desk answered it, or applied the answer)
  upsertAssignment(w.db, requestId, b);
  if (desk?.deskId === b.fromDesk) {
    w.audit({
      action: b.state === 'applied' ? 'verification.hallAssignApplied' : 'verification.hallAssignRefused',
      entityType: 'verification',
      entityId: b.taskKey,
      detail: { requestId, taskKey: b.taskKey, ownerDesk: b.ownerDesk, to: b.assignee.username, by: b.by.username, message: b.message },
    });
  }
}

/** On the owning desk: the request applied with the one rule (verification/assign.ts), or refused; either way answered once. */
function answerAssignment(w: WriteContext, requestId: string, b: AssignmentBody, desk: Desk): void {
  const remote = { by: b.by.username, byName: b.by.name, fromDesk: b.fromDesk, fromWindow: b.fromWindow, requestId };
  let state: 'applied' | 'refused' = 'applied';
  let message: string | null = null;
  try {
    w.db.transaction(() => {
      const taskId = b.taskKey.startsWith(`${desk.deskId}:`) ? Number(b.taskKey.slice(desk.deskId.length + 1)) : NaN;
      if (!Number.isSafeInteger(taskId)) throw new AppError('NOT_FOUND', '该核查任务不存在。');
      const u = w.db.prepare('SELECT id FROM users WHERE username = ?').get(b.assignee.username) as { id: number } | undefined;
      if (!u) throw new AppError('BAD_INPUT', `本窗口没有帮办代办员“${b.assignee.name}”（${b.assignee.username}），不能分派。`);
      assignTask(w, taskId, u.id, remote);
    })();
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    state = 'refused';
    message = e.userMessage;
    w.audit({ action: 'verification.assignRefused', entityType: 'verification', entityId: b.taskKey, detail: { ...remote, to: b.assignee.username, reason: message } });
  }
  const answer: AssignmentBody = { ...b, state, message, decidedAt: w.at.toISOString() };
  upsertAssignment(w.db, requestId, answer);
  enqueueHallRecord(w, 'task_assignment', requestId, answer as unknown as Record<string, unknown>);
}

/** Asked by a supervisor here for another window's task: kept here as asked, queued for the hub. */
export function requestAssignment(
  w: WriteContext,
  taskKey: string,
  ownerDesk: string,
  assignee: { username: string; name: string },
  by: { username: string; name: string },
): string {
  const desk = ownDesk(w.db);
  if (!desk || hallTargetIds(w.db).length === 0) throw new AppError('INVALID_STATE', '本工作台未接入全厅中心，不能分派其他窗口的核查任务。');
  const requestId = randomUUID();
  const body: AssignmentBody = { taskKey, ownerDesk, assignee, by, fromDesk: desk.deskId, fromWindow: desk.name, requestedAt: w.at.toISOString(), state: 'requested', message: null, decidedAt: null };
  upsertAssignment(w.db, requestId, body);
  enqueueHallRecord(w, 'task_assignment', requestId, body as unknown as Record<string, unknown>);
  w.audit({ action: 'verification.assignRequested', entityType: 'verification', entityId: taskKey, detail: { requestId, taskKey, ownerDesk, to: assignee.username, name: assignee.name } });
  return requestId;
}
