import type { Role } from '../domain/roles';

/**
 * Who may record a verification task's outcome at the hall: a supervisor, or the one person the
 * task is assigned to (or, if no one is, the assistant who took it into the field) — never a
 * colleague, never a clerk. The main side enforces it (verification/outcome.ts); the board shows
 * 录入结论 only where it holds.
 */
export function outcomeAssignee(task: { assignedTo: number | null; checkedOutBy: number | null }): number | null {
  return task.assignedTo ?? task.checkedOutBy;
}

export function mayRecordOutcome(role: Role, userId: number | null, task: { assignedTo: number | null; checkedOutBy: number | null }): boolean {
  if (role === 'supervisor') return true;
  const assignee = outcomeAssignee(task);
  return assignee !== null && assignee === userId;
}
