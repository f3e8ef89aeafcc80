import type { Db } from '../../store/open-store';
import { currentEpoch, epochTag, renewEpoch } from '../../store/epoch';
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

const CASE_NO = /^(.+)-(\d{8})-([0-9A-Z]{4})-(\d{4,})$/;

/**
 * After a successor desk took over a dead desk's cases (electron/services/hub/successor-restore.ts):
 * this store's numbering carries on after the dead desk's highest number of each day, and if this
 * store's epoch tag happens to be one the dead desk used (one in a million), a new epoch is started,
 * so no number issued here can equal one the dead desk issued. Call inside the import's transaction.
 */
export function continueNumberingAfter(db: Db, caseNo: string, at: Date): void {
  const m = CASE_NO.exec(caseNo);
  if (!m) return; // a number from before the epoch tag (or another scheme): nothing to carry on from
  db.prepare('INSERT INTO case_number_seq (day, last) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET last = max(last, excluded.last)').run(m[2], Number(m[4]));
  if (epochTag(currentEpoch(db).epoch) === m[3]) renewEpoch(db, at, { reason: 'successor_tag_collision', caseNo });
}
