import type { WriteContext } from '../../store/write';
import { AppError } from '../../app/app-error';
import { loadTask } from './task-rows';

/** Who asked for an assignment made at another window (services/hub/hall-tasks.ts). */
export interface RemoteAssigner {
  /** The supervisor's user name and display name at the desk that asked. */
  by: string;
  byName: string;
  fromDesk: string;
  fromWindow: string | null;
  requestId: string;
}

/**
 * The one assignment rule (`verification.assign` at this desk, and an assignment asked by a
 * supervisor at another window, applied here): an open task not in anyone's hands, to an active
 * assistant. Changes the task row the same way whoever asked, and audits it (naming the remote
 * supervisor and their desk when it came through the hub).
 */
export function assignTask(w: WriteContext, taskId: number, userId: number, remote?: RemoteAssigner): { name: string } {
  const t = loadTask(w.db, taskId);
  if (t.status !== 'open') throw new AppError('INVALID_STATE', '该核查任务已有结论或不需核查，不能分派。');
  if (t.checked_out_by) throw new AppError('CONFLICT', `该任务已由${t.checked_out_name}领取外勤，须先收回才能改派。`);
  const u = w.db.prepare(`SELECT display_name FROM users WHERE id = ? AND role = 'assistant' AND active = 1`).get(userId) as { display_name: string } | undefined;
  if (!u) throw new AppError('BAD_INPUT', '只能分派给在岗的帮办代办员。', { userId }, { userId: '请选择帮办代办员' });
  w.db.prepare('UPDATE verification_tasks SET assigned_to = ?, assigned_at = ? WHERE id = ?').run(userId, w.at.toISOString(), taskId);
  w.audit({ action: 'verification.assign', entityType: 'verification', entityId: taskId, detail: { assigneeId: userId, name: u.display_name, ...(remote ? { remote } : {}) } });
  return { name: u.display_name };
}
