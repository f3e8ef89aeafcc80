import type { Db } from '../../store/open-store';
import { searchApplicantIds } from '../applicants/applicant-search';

/** Applicants a name or ID search may match at most (the case list and the verification board). */
const APPLICANT_MATCHES = 500;

/**
 * The one meaning of the case search box (case list, verification board): text that starts like a
 * case number (`420325-…`) is a prefix of `cases.case_no` (a range on its unique index); a run of
 * digits or letters ("0002") is part of a case number anywhere in it, or the applicant's ID number
 * digits; anything else is the applicant's name (applicant-search.ts). Returns a condition on
 * the `cases` row aliased `c`, or null for an empty query.
 */
export function caseSearchCondition(db: Db, query: string | undefined): { sql: string; args: unknown[] } | null {
  const q = query?.trim() ?? '';
  if (!q) return null;
  if (/^[0-9A-Z]+-/i.test(q)) return { sql: 'c.case_no >= ? AND c.case_no < ?', args: [q.toUpperCase(), `${q.toUpperCase()}~`] };
  const ids = searchApplicantIds(db, q, APPLICANT_MATCHES);
  const applicant = `c.applicant_id IN (${ids.map(() => '?').join(',') || 'NULL'})`;
  // Part of a case number as the clerk reads it off a receipt ("0002", "20261206-…"): letters, digits
  // and hyphens only (no LIKE wildcards), matched anywhere in the number, or the applicant as above.
  if (/^[0-9A-Z-]+$/i.test(q)) return { sql: `(instr(c.case_no, ?) > 0 OR ${applicant})`, args: [q.toUpperCase(), ...ids] };
  return { sql: applicant, args: ids };
}
