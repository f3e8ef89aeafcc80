import type pg from 'pg';
import { Refusal } from './server';

/**
 * Cases across windows (issue 17; docs/hub.md, "Records, owners and offline"): any enrolled desk
 * may look up any case of the hall, read-only, from the latest revision the owning desk pushed
 * (drafts included: the hub keeps whole cases, hub-successor). The answer names the owning desk.
 *
 * GET /v1/hall/cases?caseNo=<no>                      → that case (every desk's numbers are unique)
 * GET /v1/hall/cases?idType=<type>&idNumber=<number>  → the applicant's cases, newest first (at most 50)
 */

const LIMIT = 50;

export interface HallCaseRow {
  caseNo: string;
  deskId: string;
  deskName: string;
  revision: number;
  receivedAt: string;
  document: unknown;
}

export async function hallCases(pool: pg.Pool, url: URL, spend: (c: pg.Pool) => Promise<void>): Promise<{ status: number; json: { cases: HallCaseRow[] } }> {
  const caseNo = url.searchParams.get('caseNo');
  const idType = url.searchParams.get('idType');
  const idNumber = url.searchParams.get('idNumber');
  const byCase = caseNo !== null && caseNo.length > 0 && caseNo.length <= 100;
  const byApplicant = idType !== null && idNumber !== null && idType.length > 0 && idNumber.length > 0 && idNumber.length <= 64;
  if (byCase === byApplicant) throw new Refusal(400, 'BAD_QUERY', '请按办件编号或申请人证件号码查询。', 'hall case lookup needs caseNo, or idType and idNumber');
  await spend(pool);
  const where = byCase ? 'c.case_no = $1' : `c.document->'applicant'->>'idType' = $1 AND c.document->'applicant'->>'idNumber' = $2`;
  const rows = (
    await pool.query<{ case_no: string; desk_id: string; name: string; revision: number; received_at: Date; document: unknown }>(
      `SELECT * FROM (
         SELECT DISTINCT ON (c.desk_id, c.case_no) c.case_no, c.desk_id, d.name, c.revision, c.received_at, c.document
         FROM cases c JOIN desks d USING (desk_id) WHERE ${where} ORDER BY c.desk_id, c.case_no, c.revision DESC
       ) latest ORDER BY received_at DESC LIMIT ${LIMIT}`,
      byCase ? [caseNo] : [idType, idNumber],
    )
  ).rows;
  return {
    status: 200,
    json: { cases: rows.map((r) => ({ caseNo: r.case_no, deskId: r.desk_id, deskName: r.name, revision: r.revision, receivedAt: r.received_at.toISOString(), document: r.document })) },
  };
}
