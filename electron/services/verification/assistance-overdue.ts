/**
 * When a 协查 request is overdue: still open after its due time. The one rule, in SQL for lists and
 * counts (a request row aliased `r`, the time as a parameter) and in code for a loaded row.
 */
export function assistanceOverdueSql(alias = 'r', nowParam = '?'): string {
  return `(${alias}.status = 'open' AND ${alias}.due_at < ${nowParam})`;
}

export function isAssistanceOverdue(r: { status: string; due_at: string }, now: Date): boolean {
  return r.status === 'open' && Date.parse(r.due_at) < now.getTime();
}
