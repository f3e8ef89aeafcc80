import type { Db } from '../../store/open-store';
import { chinaDate } from '../../../shared/rules/china-time';

/** Readable, unique per hall: <hall code>-<yyyymmdd>-<nnnn>, the day in China time. Call inside the write transaction. */
export function nextCaseNumber(db: Db, hallCode: string, at: Date): string {
  const day = chinaDate(at).replace(/-/g, '');
  db.prepare('INSERT INTO case_number_seq (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = last + 1').run(day);
  const { last } = db.prepare('SELECT last FROM case_number_seq WHERE day = ?').get(day) as { last: number };
  return `${hallCode}-${day}-${String(last).padStart(4, '0')}`;
}
