import path from 'node:path';
import type pg from 'pg';
import { loadMigrations, type MigrationFile } from '../electron/store/migrations';

/**
 * The hub's schema by numbered migrations (hub/migrations/NNNN_name.sql), with the desk's
 * refusals (electron/store/open-store.ts): a database written by a newer hub, a migration whose
 * checksum changed since it ran, a gap in the applied numbers — each refused before anything is
 * written. Pending migrations run one transaction each, under an advisory lock so two hub
 * processes starting together do not both migrate.
 */

export const HUB_MIGRATIONS_DIR = path.join(__dirname, 'migrations');

export type RefusalKind = 'newer_version' | 'migration_changed' | 'migration_gap';

const MESSAGES: Record<RefusalKind, string> = {
  newer_version: '全厅中心数据库由更高版本的中心程序写入，当前版本不能使用它，请安装最新版本。',
  migration_changed: '中心程序自带的数据库升级脚本与数据库已执行过的脚本不一致，已停止启动以保护数据。',
  migration_gap: '中心数据库的升级记录不连续，已停止启动以保护数据。',
};

export class HubSchemaRefused extends Error {
  constructor(
    readonly kind: RefusalKind,
    readonly detail: string,
  ) {
    super(`${MESSAGES[kind]}（${detail}）`);
  }
}

const LOCK_KEY = 0x70666468; // 'pfdh'

export async function migrate(pool: pg.Pool, dir = HUB_MIGRATIONS_DIR): Promise<{ schemaVersion: number; applied: number[] }> {
  const migrations = loadMigrations(dir);
  const c = await pool.connect();
  try {
    await c.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    await c.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, checksum TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())`);
    const rows = (await c.query<{ version: number; checksum: string }>('SELECT version, checksum FROM schema_migrations ORDER BY version')).rows;
    check(rows, migrations);
    const applied: number[] = [];
    for (const m of migrations.slice(rows.length)) {
      await c.query('BEGIN');
      try {
        await c.query(m.sql);
        await c.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [m.version, m.name, m.checksum]);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK');
        throw e;
      }
      applied.push(m.version);
    }
    return { schemaVersion: migrations.length, applied };
  } finally {
    await c.query('SELECT pg_advisory_unlock($1)', [LOCK_KEY]).catch(() => undefined);
    c.release();
  }
}

function check(rows: { version: number; checksum: string }[], migrations: MigrationFile[]): void {
  const max = Math.max(0, ...rows.map((r) => r.version));
  if (max > migrations.length) throw new HubSchemaRefused('newer_version', `database schema version ${max}, this hub knows up to ${migrations.length}`);
  rows.forEach((r, i) => {
    if (r.version !== i + 1) throw new HubSchemaRefused('migration_gap', `applied migrations skip version ${i + 1} (found ${r.version})`);
  });
  for (const r of rows) {
    const m = migrations[r.version - 1]!;
    if (m.checksum !== r.checksum) throw new HubSchemaRefused('migration_changed', `migration ${String(r.version).padStart(4, '0')}_${m.name} changed since it was applied`);
  }
}
