import type pg from 'pg';
import { Refusal } from './server';

/**
 * The supervisor's hall-wide case list (issue 17; docs/hub.md, "Records, owners and offline"): the
 * latest revision of every case the hub holds (`hall_case_latest`, kept by a trigger on `cases`,
 * hub migration 0010), newest first — accepted time, else when the hub first held a draft — paged
 * by keyset, one SQL per page on the index `hall_case_latest_newest` (or `_window` for one window).
 * Read-only; the desk asks for its supervisor and audits each page.
 *
 * GET /v1/hall/case-list?window=<desk id>&status=<status>&acceptedFrom=<ISO>&acceptedTo=<ISO>&item=<text>&after=<cursor>&limit=<n>
 *   → { cases: [...], next: <cursor> | null, windows?: [{deskId, name}] (first page only) }
 */

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;

export interface HallListRow {
  caseNo: string;
  deskId: string;
  deskName: string;
  revision: number;
  receivedAt: string;
  document: unknown;
}

interface Cursor {
  sortAt: string;
  deskId: string;
  caseNo: string;
}

function encodeCursor(c: Cursor): string {
  return Buffer.from(JSON.stringify([c.sortAt, c.deskId, c.caseNo])).toString('base64url');
}

function decodeCursor(s: string): Cursor | null {
  try {
    const [sortAt, deskId, caseNo] = JSON.parse(Buffer.from(s, 'base64url').toString('utf8')) as unknown[];
    if (typeof sortAt !== 'string' || !PG_TIME.test(sortAt) || typeof deskId !== 'string' || typeof caseNo !== 'string') return null;
    return { sortAt, deskId, caseNo };
  } catch {
    return null;
  }
}

/** A timestamptz as PostgreSQL writes it (`::text`, microseconds kept: a cursor must not round). */
const PG_TIME = /^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d{1,6})?([+-]\d{2}(:?\d{2})?|Z)?$/;

const bad = (chinese: string, detail: string) => new Refusal(400, 'BAD_QUERY', chinese, detail);

/** ILIKE's own wildcards in the clerk's text are taken literally. */
const likeText = (s: string) => `%${s.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

export async function hallCaseList(
  pool: pg.Pool,
  url: URL,
  spend: (c: pg.Pool) => Promise<void>,
): Promise<{ status: number; json: { cases: HallListRow[]; next: string | null; windows?: { deskId: string; name: string }[] } }> {
  const q = url.searchParams;
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: (n: string) => string, v: unknown) => {
    args.push(v);
    where.push(sql(`$${args.length}`));
  };
  const text = (name: string, max: number) => {
    const v = q.get(name);
    if (v === null || v === '') return null;
    if (v.length > max) throw bad('查询条件过长。', `${name} longer than ${max}`);
    return v;
  };
  const time = (name: string) => {
    const v = text(name, 40);
    if (v !== null && Number.isNaN(Date.parse(v))) throw bad('受理日期无效。', `${name} is not an ISO time`);
    return v;
  };
  const window = text('window', 100);
  const status = text('status', 40);
  const from = time('acceptedFrom');
  const to = time('acceptedTo');
  const item = text('item', 100);
  const afterRaw = text('after', 600);
  const after = afterRaw === null ? null : decodeCursor(afterRaw);
  if (afterRaw !== null && !after) throw bad('翻页位置无效，请从第一页重新查询。', 'after is not a cursor of this list');
  const limit = q.get('limit') === null ? DEFAULT_LIMIT : Number(q.get('limit'));
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) throw bad('每页条数无效。', `limit must be 1-${MAX_LIMIT}`);

  if (window !== null) add((n) => `l.desk_id = ${n}`, window);
  if (status !== null) add((n) => `l.status = ${n}`, status);
  // An accepted case's sort_at is its accepted_at (the trigger's rule), so the range is also a range of the index.
  if (from !== null) add((n) => `l.accepted_at >= ${n}::timestamptz AND l.sort_at >= ${n}::timestamptz`, from);
  if (to !== null) add((n) => `l.accepted_at < ${n}::timestamptz AND l.sort_at < ${n}::timestamptz`, to);
  if (item !== null) add((n) => `l.items ILIKE ${n}`, likeText(item));
  if (after) {
    args.push(after.sortAt, after.deskId, after.caseNo);
    where.push(`(l.sort_at, l.desk_id, l.case_no) < ($${args.length - 2}::timestamptz, $${args.length - 1}, $${args.length})`);
  }
  args.push(limit + 1);
  await spend(pool);
  const rows = (
    await pool.query<{ case_no: string; desk_id: string; name: string; revision: number; received_at: Date; sort_at: string; document: unknown }>(
      `SELECT l.case_no, l.desk_id, d.name, l.revision, l.received_at, l.sort_at::text AS sort_at, l.document
       FROM hall_case_latest l JOIN desks d USING (desk_id)
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY l.sort_at DESC, l.desk_id DESC, l.case_no DESC LIMIT $${args.length}`,
      args,
    )
  ).rows;
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  const next = rows.length > limit && last ? encodeCursor({ sortAt: last.sort_at, deskId: last.desk_id, caseNo: last.case_no }) : null;
  const windows = after ? undefined : (await pool.query<{ desk_id: string; name: string }>('SELECT desk_id, name FROM desks ORDER BY name, desk_id')).rows.map((d) => ({ deskId: d.desk_id, name: d.name }));
  return {
    status: 200,
    json: {
      cases: page.map((r) => ({ caseNo: r.case_no, deskId: r.desk_id, deskName: r.name, revision: r.revision, receivedAt: r.received_at.toISOString(), document: r.document })),
      next,
      ...(windows ? { windows } : {}),
    },
  };
}
