import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { MIGRATIONS, tempDir } from '../helpers/temp';
import { dbFile, FAST_SENDER, httpTarget, writeConfig } from '../helpers/sync-desks';

/**
 * migrations/0018_hall_catalog.sql rebuilds hall_record_outbox (its kind CHECK gains
 * 'catalog_version' and 'calendar_year') and gives catalog versions a hall id. On a store that
 * already holds outbox entries, the upgrade keeps every row as it was; the rebuilt table still
 * refuses an unknown kind; a hall id is held by one version only.
 */
describe('desk migration 0018 (hall catalog)', () => {
  it('upgrades a store with hall record entries: rows kept, new kinds accepted, unknown kinds and a second version with the same hall id refused', async () => {
    const shipped = fs.readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
    const mine = shipped.find((f) => f.endsWith('_hall_catalog.sql') && !f.includes('placeholder'))!;
    expect(mine).toBe('0018_hall_catalog.sql');
    // The store as a desk left it before 0018 (every migration before it), then the same with 0018.
    const before = tempDir('hall-cat-mig-before-');
    const after = tempDir('hall-cat-mig-after-');
    for (const f of shipped.filter((f) => f < mine)) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(before, f));
    for (const f of shipped.filter((f) => f <= mine)) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(after, f));

    const dataDir = tempDir('hall-cat-mig-desk-');
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [httpTarget('keyed', 'http://127.0.0.1:9', 'key')] });
    // A store at that schema, without the demo hall (today's seed writes today's schema): the test writes the rows it needs.
    const old = await testDesk({ dataDir, migrationsDir: before, demo: false });
    await old.app.stopSync();
    old.app.close();
    let db = openTestStore(dbFile(dataDir));
    db.prepare(`INSERT INTO catalog_versions (label, effective_from, source, created_at) VALUES ('房县证明事项清单 2026年版', '2026-01-01T00:00:00.000Z', 'xlsx', '2026-12-01T00:00:00.000Z')`).run();
    const ins = db.prepare(
      `INSERT INTO hall_record_outbox (target_id, kind, record_id, base_version, body, idempotency_key, state, attempts, created_at) VALUES ('keyed', ?, ?, ?, '{"a":1}', ?, ?, ?, '2026-12-01T00:00:00.000Z')`,
    );
    ins.run('credit', 'c1', 0, 'k1', 'pending', 0);
    ins.run('applicant', 'resident_id:1', null, 'k2', 'unknown', 3);
    expect(() => ins.run('catalog_version', 'v1', 0, 'k3', 'pending', 0)).toThrow(/CHECK constraint failed/);
    const snapshot = () => db.prepare('SELECT * FROM hall_record_outbox ORDER BY id').all();
    const was = snapshot();
    db.close();

    const upgraded = await testDesk({ dataDir, migrationsDir: after });
    await upgraded.app.stopSync();
    upgraded.app.close();
    db = openTestStore(dbFile(dataDir));
    try {
      expect(snapshot()).toEqual(was);
      const add = db.prepare(
        `INSERT INTO hall_record_outbox (target_id, kind, record_id, base_version, body, idempotency_key, state, created_at) VALUES ('keyed', ?, ?, 0, '{}', ?, 'pending', '2026-12-01T00:00:00.000Z')`,
      );
      add.run('catalog_version', 'v1', 'k3');
      add.run('calendar_year', '2027', 'k4');
      expect(() => add.run('users', 'u1', 'k5')).toThrow(/CHECK constraint failed/);
      expect(db.prepare('SELECT kind FROM hall_record_outbox ORDER BY id').pluck().all()).toEqual(['credit', 'applicant', 'catalog_version', 'calendar_year']);
      // A hall id names one version.
      const v = db.prepare('SELECT id FROM catalog_versions ORDER BY id LIMIT 1').pluck().get() as number;
      db.prepare(`UPDATE catalog_versions SET hall_key = 'h-1' WHERE id = ?`).run(v);
      db.prepare(`INSERT INTO catalog_versions (label, effective_from, source, created_at, hall_key) VALUES ('copy', '2027-01-01T00:00:00.000Z', 'x', '2026-12-01T00:00:00.000Z', NULL)`).run();
      expect(() => db.prepare(`UPDATE catalog_versions SET hall_key = 'h-1' WHERE label = 'copy'`).run()).toThrow(/UNIQUE constraint failed/);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      db.close();
    }
  });
});
