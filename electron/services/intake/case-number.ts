import type { Db } from '../../store/open-store';
import { currentEpoch, epochTag } from '../../store/epoch';
import { chinaDate } from '../../../shared/rules/china-time';

/**
 * Readable, unique per hall and store epoch: <hall code>-<yyyymmdd>-<epoch tag>-<nnnn>, the day in
 * China time. The epoch tag (4 characters, renewed by every restore of a backup) keeps a restored
 * store from issuing again a number that was issued, and maybe delivered, after the backup was
 * taken. Call inside the write transaction.
 */
export function nextCaseNumber(db: Db, hallCode: string, at: Date): string {
  const day = chinaDate(at).replace(/-/g, '');
  db.prepare('INSERT INTO case_number_seq (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = last + 1').run(day);
  const { last } = db.prepare('SELECT last FROM case_number_seq WHERE day = ?').get(day) as { last: number };
  return `${hallCode}-${day}-${epochTag(currentEpoch(db).epoch)}-${String(last).padStart(4, '0')}`;
}
