import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { MIGRATIONS, tempDir } from '../helpers/temp';
import { dbFile, FAST_SENDER, httpTarget, queueClones, writeConfig } from '../helpers/sync-desks';

/**
 * migrations/0012_hub.sql rebuilds sync_targets (its kind CHECK gains 'hub') under deferred
 * foreign keys. On a store that already holds targets and outbox entries referring to them, the
 * upgrade keeps every row and every reference, and the rebuilt table still guards both.
 */
describe('desk migration 0012 (hub target kind)', () => {
  it('upgrades a store with queued outbox entries: targets and entries kept, references intact, hub kind accepted', async () => {
    // The store as a desk without 0012 left it, built by today's code: every shipped migration but
    // 0012, the later ones moved down one number so the set has no gap; then the same set with
    // 0012_hub.sql appended as the last version. (Later migrations add columns today's seed writes,
    // so a store of only 0001–0011 could not be seeded by today's code.) 0012 touches only
    // sync_targets and its own tables, so running it last tests exactly its SQL on a full store.
    const shipped = fs.readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
    const hubFile = shipped.find((f) => f.endsWith('_hub.sql'))!;
    const others = shipped.filter((f) => f !== hubFile);
    const numbered = (n: number, name: string) => `${String(n).padStart(4, '0')}_${name.replace(/^\d{4}_/, '')}`;
    const before = tempDir('hub-mig-before-');
    const after = tempDir('hub-mig-after-');
    others.forEach((f, i) => {
      fs.copyFileSync(path.join(MIGRATIONS, f), path.join(before, numbered(i + 1, f)));
      fs.copyFileSync(path.join(MIGRATIONS, f), path.join(after, numbered(i + 1, f)));
    });
    fs.copyFileSync(path.join(MIGRATIONS, hubFile), path.join(after, numbered(others.length + 1, hubFile)));
    expect(fs.readdirSync(before).some((f) => f.endsWith('_hub.sql'))).toBe(false);

    const dataDir = tempDir('hub-mig-desk-');
    // A target nobody listens on: the entries stay queued.
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [httpTarget('keyed', 'http://127.0.0.1:9', 'key')] });
    const old = await testDesk({ dataDir, migrationsDir: before });
    await queueClones(old.app, 4);
    await old.app.stopSync();
    old.app.close();
    const snapshot = (file: string) => {
      const db = openTestStore(file, { readonly: true });
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

    const upgraded = await testDesk({ dataDir, migrationsDir: after });
    await upgraded.app.stopSync();
    upgraded.app.close();
    expect(snapshot(dbFile(dataDir))).toEqual(was);

    const db = openTestStore(dbFile(dataDir));
    try {
      db.pragma('foreign_keys = ON');
      expect(db.prepare(`SELECT name FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`).get()).toEqual({ name: 'hub' });
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
