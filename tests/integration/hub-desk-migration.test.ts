import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { MIGRATIONS, tempDir } from '../helpers/temp';
import { dbFile, FAST_SENDER, httpTarget, queueClones, writeConfig } from './sync-support';

/**
 * migrations/0012_hub.sql rebuilds sync_targets (its kind CHECK gains 'hub') under deferred
 * foreign keys. On a store that already holds targets and outbox entries referring to them, the
 * upgrade keeps every row and every reference, and the rebuilt table still guards both.
 */
describe('desk migration 0012 (hub target kind)', () => {
  it('upgrades a store with queued outbox entries: targets and entries kept, references intact, hub kind accepted', async () => {
    const before = tempDir('hub-mig-0011-');
    for (const f of fs.readdirSync(MIGRATIONS)) if (/^00(0\d|1[01])_.*\.sql$/.test(f)) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(before, f));
    expect(fs.readdirSync(before).filter((f) => f.endsWith('.sql'))).toHaveLength(11);

    const dataDir = tempDir('hub-mig-desk-');
    // A target nobody listens on: the entries stay queued.
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [httpTarget('keyed', 'http://127.0.0.1:9', 'key')] });
    const old = await testDesk({ dataDir, migrationsDir: before });
    await queueClones(old.app, 4);
    await old.app.stopSync();
    old.app.close();
    const snapshot = (file: string) => {
      const db = new Database(file, { readonly: true });
      try {
        return {
          targets: db.prepare('SELECT id, name, kind, config FROM sync_targets ORDER BY id').all(),
          entries: db.prepare(`SELECT id, target_id, idempotency_key, state FROM outbox_entries ORDER BY id`).all(),
        };
      } finally {
        db.close();
      }
    };
    const was = snapshot(dbFile(dataDir));
    expect(was.entries.filter((e) => (e as { target_id: string }).target_id === 'keyed')).toHaveLength(5);

    const upgraded = await testDesk({ dataDir });
    await upgraded.app.stopSync();
    upgraded.app.close();
    expect(snapshot(dbFile(dataDir))).toEqual(was);

    const db = new Database(dbFile(dataDir));
    try {
      db.pragma('foreign_keys = ON');
      expect(db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get()).toEqual({ v: 12 });
      expect(db.pragma('foreign_key_check')).toEqual([]);
      expect(db.pragma('integrity_check')).toEqual([{ integrity_check: 'ok' }]);
      db.prepare(`INSERT INTO sync_targets (id, name, kind, config, updated_at) VALUES ('hub', '全厅中心', 'hub', '{}', 'now')`).run();
      expect(() => db.prepare(`INSERT INTO sync_targets (id, name, kind, config, updated_at) VALUES ('x', 'x', 'ftp', '{}', 'now')`).run()).toThrow(/CHECK constraint failed/);
      // The entries' references still point at the rebuilt table: a target in use cannot be deleted.
      expect(() => db.prepare(`DELETE FROM sync_targets WHERE id = 'keyed'`).run()).toThrow(/FOREIGN KEY constraint failed/);
    } finally {
      db.close();
    }
  });
});
