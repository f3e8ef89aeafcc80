import type { Db } from '../../store/open-store';

/**
 * Finds applicants the way a clerk searches at the window, with an index for
 * each kind of query: a whole ID number or credit code (exact), the last
 * digits of one (an index on the last four characters), or a name (a prefix
 * range on the name index; only when no name starts with it, a contains-scan,
 * for organisation names typed from the middle).
 */
export function searchApplicantIds(db: Db, query: string, limit: number): number[] {
  const q = query.trim().toUpperCase();
  if (/^[0-9A-Z]{18}$/.test(q)) {
    return (db.prepare('SELECT id FROM applicants WHERE id_number = ?').all(q) as { id: number }[]).map((r) => r.id);
  }
  if (/^\d{3,16}[\dX]$/.test(q)) {
    return (
      db
        .prepare(`SELECT id FROM applicants WHERE substr(id_number, -4) = ? AND id_number LIKE ? ESCAPE '\\' ORDER BY id DESC LIMIT ?`)
        .all(q.slice(-4), `%${escapeLike(q)}`, limit) as { id: number }[]
    ).map((r) => r.id);
  }
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
