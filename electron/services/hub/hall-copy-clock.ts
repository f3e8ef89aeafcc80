import type { Db } from '../../store/open-store';

/**
 * When each hub target's feed was last read to its end by this process, kept in memory between the
 * moments it is written to the store. A pull that brings nothing writes (and audits) its time at
 * most every EMPTY_PULL_RECORD_MS (hub-puller.ts), so an idle desk long-polling every 20 s does not
 * add thousands of audit entries a day; the age of the hall copy shown at intake and on the home
 * page is the later of the stored time and this one.
 */
export const EMPTY_PULL_RECORD_MS = 10 * 60_000;

const caughtUp = new WeakMap<Db, Map<string, string>>();

export function noteCaughtUp(db: Db, targetId: string, at: string): void {
  let m = caughtUp.get(db);
  if (!m) caughtUp.set(db, (m = new Map()));
  m.set(targetId, at);
}

/** The later of a stored time and the one noted in memory for this target (ISO strings compare in order). */
export function laterCaughtUp(db: Db, targetId: string, stored: string | null): string | null {
  const noted = caughtUp.get(db)?.get(targetId) ?? null;
  if (stored === null) return noted;
  if (noted === null) return stored;
  return noted > stored ? noted : stored;
}
