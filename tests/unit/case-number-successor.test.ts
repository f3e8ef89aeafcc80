import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../electron/store/open-store';
import { currentEpoch, epochTag } from '../../electron/store/epoch';
import { continueNumberingAfter, nextCaseNumber } from '../../electron/services/intake/case-number';
import { MIGRATIONS, tempDir } from '../helpers/temp';
import { unlockTestDataDir } from '../helpers/store';

/** The successor's numbering rule (intake/case-number.ts continueNumberingAfter), on a real store. */

function store() {
  const dir = tempDir('case-number-successor-');
  unlockTestDataDir(dir);
  const o = openStore({ file: path.join(dir, 'desk.sqlite'), migrationsDir: MIGRATIONS, backupDir: path.join(dir, 'backups') });
  if (!o.ok) throw new Error(o.detail);
  return o.db;
}

// 2026-12-06 10:00 China time.
const AT = new Date('2026-12-06T02:00:00Z');

describe('continueNumberingAfter', () => {
  it("raises each day's counter to the dead desk's highest number, never lowers it, and ignores numbers of another scheme", () => {
    const db = store();
    try {
      const mine = epochTag(currentEpoch(db).epoch);
      const other = mine === 'AAAA' ? 'BBBB' : 'AAAA';
      continueNumberingAfter(db, `420325-20261206-${other}-0007`, AT);
      continueNumberingAfter(db, `420325-20261206-${other}-0003`, AT); // lower: kept at 7
      continueNumberingAfter(db, `420325-20261205-${other}-0012`, AT);
      continueNumberingAfter(db, 'HALL-20261206-0099', AT); // before epoch tags: nothing to carry on from
      expect(db.prepare('SELECT day, last FROM case_number_seq ORDER BY day').all()).toEqual([
        { day: '20261205', last: 12 },
        { day: '20261206', last: 7 },
      ]);
      expect(nextCaseNumber(db, '420325', AT)).toBe(`420325-20261206-${mine}-0008`);
      expect(db.prepare('SELECT count(*) FROM store_epochs').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it("starts a new epoch when this store's tag is one the dead desk used, so no number can repeat", () => {
    const db = store();
    try {
      const mine = epochTag(currentEpoch(db).epoch);
      continueNumberingAfter(db, `420325-20261206-${mine}-0004`, AT);
      expect(db.prepare('SELECT count(*) FROM store_epochs').pluck().get()).toBe(2);
      const renewed = epochTag(currentEpoch(db).epoch);
      const next = nextCaseNumber(db, '420325', AT);
      expect(next).toBe(`420325-20261206-${renewed}-0005`);
      // One in a million: the renewed tag could equal the old one; then the sequence still differs.
      expect(next).not.toBe(`420325-20261206-${mine}-0004`);
    } finally {
      db.close();
    }
  });
});
