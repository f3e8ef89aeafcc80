/**
 * The one due-date rule of a 协查 request (部门协查): its due time is set when it is sent (working
 * days on the hall calendar, intake's openAssistance); it is overdue while unanswered past that
 * time, and a reply recorded after it is late. Every list of requests — the desk's own, the hall's
 * (other windows' requests as their desks shared them), a case's view — flags with these. Lists and
 * counts in SQL (the case list's overdue requests, the home page's) use `assistanceOverdueSql`.
 */
export interface AssistanceDue {
  status: string;
  dueAt: string;
  repliedAt: string | null;
}

/** Unanswered past its due time. */
export function assistanceOverdue(r: Pick<AssistanceDue, 'status' | 'dueAt'>, now: Date): boolean {
  return r.status === 'open' && Date.parse(r.dueAt) < now.getTime();
}

/** The same rule as an SQL condition on a request row aliased `alias`, the time as the parameter `nowParam` (lists and counts). */
export function assistanceOverdueSql(alias = 'r', nowParam = '?'): string {
  return `(${alias}.status = 'open' AND ${alias}.due_at < ${nowParam})`;
}

/** Answered after its due time. */
export function assistanceRepliedLate(r: Pick<AssistanceDue, 'dueAt' | 'repliedAt'>): boolean {
  return r.repliedAt !== null && Date.parse(r.repliedAt) > Date.parse(r.dueAt);
}
