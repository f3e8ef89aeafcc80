import type pg from 'pg';
import { Refusal, type Authed } from './server';

/**
 * A successor desk reads the dead desk's cases (docs/hub.md: a desk can die):
 * GET /v1/successor/cases?after=<case no>&limit=N → the latest revision of each case the desk it
 * succeeds pushed (drafts included), in case-number order after `after`; `predecessor` is null for
 * a desk that succeeds none. Only the successor enrolled for that desk may read them.
 */

const PAGE_MAX = 200;

export async function successorCases(pool: pg.Pool, a: Authed, url: URL, spend: (c: pg.Pool) => Promise<void>): Promise<{ status: number; json: unknown }> {
  const after = url.searchParams.get('after') ?? '';
  const limit = Math.min(PAGE_MAX, Number(url.searchParams.get('limit') ?? '50'));
  if (!Number.isInteger(limit) || limit < 1) throw new Refusal(400, 'BAD_CURSOR', '分页参数无效。', `bad limit ${url.searchParams.get('limit')}`);
  await spend(pool);
  const predecessor = (await pool.query<{ successor_of: string | null }>('SELECT successor_of FROM desks WHERE desk_id = $1', [a.desk.desk_id])).rows[0]?.successor_of ?? null;
  if (!predecessor) return { status: 200, json: { predecessor: null, items: [], next: after, more: false } };
  const rows = (
    await pool.query<{ case_no: string; revision: number; document: unknown }>(
      `SELECT DISTINCT ON (case_no) case_no, revision, document FROM cases
       WHERE desk_id = $1 AND case_no > $2 ORDER BY case_no, revision DESC LIMIT $3`,
      [predecessor, after, limit + 1],
    )
  ).rows;
  const items = rows.slice(0, limit).map((r) => ({ caseNo: r.case_no, revision: r.revision, document: r.document }));
  return { status: 200, json: { predecessor, items, next: items.length ? items[items.length - 1]!.caseNo : after, more: rows.length > limit } };
}
