import type { Db } from '../../store/open-store';

/**
 * Finds applicants the way a clerk searches at the window, with an index for
 * each kind of query: a whole ID number or credit code (exact), its last four
 * characters exactly (an index on them), or a name (a prefix
 * range on the name index; only when no name starts with it, a contains-scan,
 * for organisation names typed from the middle).
 */
export function searchApplicantIds(db: Db, query: string, limit: number): number[] {
  const q = query.trim().toUpperCase();
  if (/^[0-9A-Z]{18}$/.test(q)) {
    return (db.prepare('SELECT id FROM applicants WHERE id_number = ?').all(q) as { id: number }[]).map((r) => r.id);
  }
  // Only the last four: a longer suffix would let someone without the audited reveal recover a
  // whole ID number a few characters at a time (security probe: 49 queries, no audit entry).
  if (/^\d{3}[\dX]$/.test(q)) {
    return (db.prepare('SELECT id FROM applicants WHERE substr(id_number, -4) = ? ORDER BY id DESC LIMIT ?').all(q, limit) as { id: number }[]).map((r) => r.id);
  }
  if (/^\d{5,17}X?$/.test(q)) return [];
  const prefix = db
    .prepare('SELECT id FROM applicants WHERE name >= ? AND name < ? ORDER BY name, id DESC LIMIT ?')
    .all(query.trim(), `${query.trim()}\u{10FFFF}`, limit) as { id: number }[];
  if (prefix.length > 0) return prefix.map((r) => r.id);
  return (
    db.prepare(`SELECT id FROM applicants WHERE name LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?`).all(`%${escapeLike(query.trim())}%`, limit) as { id: number }[]
  ).map((r) => r.id);
}

export function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
