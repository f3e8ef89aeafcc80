/**
 * Verification tasks across the hall on the hub (docs/hub.md, "Verification tasks across the
 * hall"). Two record kinds, both 'hall-latest' (their one writer at a time pushes in order):
 * - `verification_task`, id `<desk>:<task id>`: the task's summary, pushed only by the desk that
 *   owns the case (electron/services/hub/hall-tasks.ts);
 * - `task_assignment`, id a UUID: a supervisor's assignment of a task to an assistant, asked by any
 *   desk (state 'requested') and answered by the desk owning the task ('applied' or 'refused').
 * What every desk needs to apply them is checked here, and who may push which version.
 */

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;
const TASK_STATES = ['unassigned', 'assigned', 'in_field', 'escalated', 'passed', 'failed', 'exempt', 'cancelled'];

/** Why a version of one of these kinds cannot be taken from this desk (null: it can, or it is another kind). */
export function hallTaskProblem(kind: string, recordId: string, b: Record<string, unknown>, deskId: string): string | null {
  if (kind === 'verification_task') {
    if (!recordId.startsWith(`${deskId}:`)) return `verification_task ${recordId} belongs to another desk than ${deskId}`;
    if (!Number.isSafeInteger(b.taskId) || `${deskId}:${String(b.taskId)}` !== recordId) return `verification_task ${recordId} carries another task id`;
    if (!isText(b.caseNo) || !isText(b.certificate) || !isText(b.source) || !TASK_STATES.includes(b.state as string) || !isText(b.updatedAt)) {
      return 'verification_task needs taskId, caseNo, certificate, source, state and updatedAt';
    }
    return null;
  }
  if (kind === 'task_assignment') {
    const taskKey = b.taskKey;
    if (!isText(taskKey) || !isText(b.ownerDesk) || !(taskKey as string).startsWith(`${b.ownerDesk as string}:`)) return 'task_assignment needs taskKey and its ownerDesk';
    const assignee = b.assignee as { username?: unknown; name?: unknown } | null;
    const by = b.by as { username?: unknown; name?: unknown } | null;
    if (!isText(assignee?.username) || !isText(assignee?.name) || !isText(by?.username) || !isText(by?.name) || !isText(b.fromDesk) || !isText(b.requestedAt)) {
      return 'task_assignment needs assignee, by, fromDesk and requestedAt';
    }
    if (b.state === 'requested') return b.fromDesk === deskId ? null : `task_assignment ${recordId} asked on behalf of another desk`;
    if (b.state === 'applied' || b.state === 'refused') {
      if (b.ownerDesk !== deskId) return `task_assignment ${recordId} answered by ${deskId}, not by the owning desk`;
      return isText(b.decidedAt) && (b.state === 'applied' || isText(b.message)) ? null : 'an answered task_assignment needs decidedAt (and a message when refused)';
    }
    return 'task_assignment state must be requested, applied or refused';
  }
  return null;
}
