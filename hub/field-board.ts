import type { Authed } from './server';
import type { FieldRelayContext } from './field-relay';

/**
 * What an assistant's laptop sees of the hall's field work (docs/hub.md, "Field work through the
 * hub"): the tasks it may take now, and where each task it holds stands (package issued, released
 * by the owning desk, its results received and applied there).
 */

type Answer = { status: number; json: unknown };

const LIST_MAX = 200;

/** Open, takeable offers the named assistant may take: assigned to them or to nobody, and not held (or held by this laptop). */
export async function takeableOffers(x: FieldRelayContext, a: Authed, url: URL): Promise<Answer> {
  const assistant = url.searchParams.get('assistant') ?? '';
  if (!assistant || assistant.length > 100) throw x.refuse(422, 'BAD_QUERY', '请求缺少帮办代办员。', 'offers needs ?assistant=');
  await x.spendNonce(x.pool);
  const rows = (
    await x.pool.query<{ task_key: string; case_no: string; certificate: string; due_at: string | null; assignee: string | null; window: string; holder_desk: string | null; holder_name: string | null }>(
      `SELECT o.task_key, o.case_no, o.certificate, o.due_at, o.assignee, d.name AS window, l.holder_desk, l.holder_name
       FROM field_offers o JOIN desks d ON d.desk_id = o.owner_desk
       LEFT JOIN field_locks l ON l.task_key = o.task_key AND l.released_at IS NULL
       WHERE o.open AND o.takeable AND (o.assignee IS NULL OR o.assignee = $1) AND (l.task_key IS NULL OR l.holder_desk = $2)
       ORDER BY o.due_at NULLS LAST, o.offered_at LIMIT $3`,
      [assistant, a.desk.desk_id, LIST_MAX],
    )
  ).rows;
  return {
    status: 200,
    json: {
      offers: rows.map((r) => ({ taskKey: r.task_key, caseNo: r.case_no, certificate: r.certificate, dueAt: r.due_at, assignee: r.assignee, window: r.window, heldHere: r.holder_desk !== null })),
    },
  };
}

/** Every lock this laptop holds or held: issued or not, released or not, and its results with whether the owning desk applied them. */
export async function heldByDesk(x: FieldRelayContext, a: Authed): Promise<Answer> {
  await x.spendNonce(x.pool);
  const rows = (
    await x.pool.query<{ task_key: string; holder_name: string; issued: boolean; released: boolean; open: boolean; results: { resultId: string; applied: boolean }[] | null }>(
      `SELECT l.task_key, l.holder_name, l.package IS NOT NULL AS issued, l.released_at IS NOT NULL AS released, o.open,
         (SELECT json_agg(json_build_object('resultId', r.result_id, 'applied', r.acked_at IS NOT NULL)) FROM field_results r WHERE r.task_key = l.task_key AND r.from_desk = $1) AS results
       FROM field_locks l JOIN field_offers o ON o.task_key = l.task_key
       WHERE l.holder_desk = $1 ORDER BY l.taken_at DESC LIMIT $2`,
      [a.desk.desk_id, LIST_MAX],
    )
  ).rows;
  return { status: 200, json: { locks: rows.map((r) => ({ taskKey: r.task_key, holder: r.holder_name, issued: r.issued, released: r.released, open: r.open, results: r.results ?? [] })) } };
}
