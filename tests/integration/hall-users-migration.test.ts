import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { MIGRATIONS, tempDir } from '../helpers/temp';
import { dbFile } from '../helpers/sync-desks';

/**
 * migrations/0017_hall_users.sql rebuilds hall_record_outbox (its kind CHECK gains 'user'). On a
 * store whose outbox holds entries in several states, the upgrade keeps every row as it was, the
 * indexes are back, and the rebuilt table accepts 'user' and still refuses an unknown kind.
 */
describe('desk migration 0017 (hall users)', () => {
  it('upgrades a store with queued hall records: every entry kept, indexes rebuilt, user kind accepted', async () => {
    const before = tempDir('users-mig-before-');
    for (const f of fs.readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f) && f < '0017')) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(before, f));
    expect(fs.readdirSync(before).sort().slice(-1)).toEqual(['0016_hub_successor.sql']);

    const dataDir = tempDir('users-mig-desk-');
    // A store at that schema, without the demo hall (today's seed writes today's schema): the rows below are all it needs.
    const old = await testDesk({ dataDir, migrationsDir: before, demo: false });
    await old.app.stopSync();
    old.app.close();
    let db = openTestStore(dbFile(dataDir));
    db.prepare(`INSERT INTO sync_targets (id, name, kind, config, updated_at) VALUES ('hub', '全厅中心', 'hub', '{}', '2026-12-01T00:00:00.000Z')`).run();
    const adder = () => db.prepare(
      `INSERT INTO hall_record_outbox (target_id, kind, record_id, base_version, body, idempotency_key, state, attempts, hub_version, outcome, created_at, acknowledged_at) VALUES ('hub', ?, ?, ?, ?, ?, ?, ?, ?, ?, '2026-12-01T08:00:00.000Z', ?)`,
    );
    let add = adder();
    add.run('credit', 'c-1', 0, '{"a":1}', 'k1', 'acknowledged', 1, 1, 'current', '2026-12-01T08:00:01.000Z');
    add.run('applicant', 'resident_id:1', 2, '{"b":2}', 'k2', 'unknown', 3, null, null, null);
    add.run('applicant', 'resident_id:1', null, '{"b":3}', 'k3', 'pending', 0, null, null, null);
    db.prepare(`INSERT INTO users (username, display_name, role, password_hash, created_at, updated_at) VALUES ('ma', '马', 'clerk', 'scrypt$x', 'now', 'now')`).run();
    expect(() => add.run('user', 'ma', 0, '{}', 'k4', 'pending', 0, null, null, null)).toThrow(/CHECK constraint failed/);
    const rows = () => db.prepare('SELECT * FROM hall_record_outbox ORDER BY id').all();
    const was = rows();
    expect(was).toHaveLength(3);
    db.close();

    const upgraded = await testDesk({ dataDir });
    await upgraded.app.stopSync();
    upgraded.app.close();

    db = openTestStore(dbFile(dataDir));
    try {
      db.pragma('foreign_keys = ON');
      add = adder();
      expect(db.prepare(`SELECT version, name FROM schema_migrations WHERE version = 17`).get()).toEqual({ version: 17, name: 'hall_users' });
      expect(rows()).toEqual(was);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'hall_record_outbox' AND sql IS NOT NULL ORDER BY name`).all()).toEqual([
        { name: 'hall_record_outbox_open' },
        { name: 'hall_record_outbox_record' },
      ]);
      expect(db.prepare(`SELECT name FROM sqlite_master WHERE name LIKE '%0017%'`).all()).toEqual([]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      add.run('user', 'ma', 0, '{}', 'k4', 'pending', 0, null, null, null);
      // Since 0020 a kind is any plain lower-case name (validated in code); anything else is refused.
      expect(() => add.run('Role-1', 'x', 0, '{}', 'k5', 'pending', 0, null, null, null)).toThrow(/CHECK constraint failed/);
      expect(() => add.run('user', 'ma', 0, '{}', 'k4', 'pending', 0, null, null, null)).toThrow(/UNIQUE constraint failed/);
    } finally {
      db.close();
    }
  });
});
