import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore, type Db } from '../../electron/store/open-store';
import { migrationChecksum } from '../../electron/store/migrations';
import { MIGRATIONS, sha256File, tempDir } from '../helpers/temp';
import { testDesk } from '../helpers/app';
import { openTestStore, unlockTestDataDir } from '../helpers/store';

const opened: Db[] = [];
afterEach(() => {
  while (opened.length) opened.pop()!.close();
});

/** A copy of the shipped migrations that a test may change. */
function migrationsCopy(): string {
  const dir = tempDir('desk-mig-');
  for (const f of fs.readdirSync(MIGRATIONS).filter((x) => x.endsWith('.sql'))) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(dir, f));
  return dir;
}

function freshStore(migrationsDir = MIGRATIONS) {
  const dir = tempDir();
  const file = path.join(dir, 'desk.sqlite');
  unlockTestDataDir(dir);
  const r = openStore({ file, migrationsDir, backupDir: path.join(dir, 'backups') });
  if (!r.ok) throw new Error(r.detail);
  r.db.close();
  return { dir, file };
}

function open(file: string, migrationsDir = MIGRATIONS) {
  unlockTestDataDir(path.dirname(file));
  const r = openStore({ file, migrationsDir, backupDir: path.join(path.dirname(file), 'backups') });
  if (r.ok) opened.push(r.db);
  return r;
}

describe('store: opening and migrations', () => {
  it('applies the numbered migrations in order, each recorded with its checksum, with WAL/FULL/foreign keys on', () => {
    const { file } = freshStore();
    const r = open(file);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const rows = r.db.prepare('SELECT version, name, checksum FROM schema_migrations ORDER BY version').all() as { version: number; name: string; checksum: string }[];
    const files = fs.readdirSync(MIGRATIONS).filter((f) => f.endsWith('.sql')).sort();
    expect(rows.map((x) => x.version)).toEqual(files.map((_, i) => i + 1));
    rows.forEach((row, i) => expect(row.checksum).toBe(migrationChecksum(fs.readFileSync(path.join(MIGRATIONS, files[i]!), 'utf8'))));
    expect(r.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(r.db.pragma('synchronous', { simple: true })).toBe(2); // FULL
    expect(r.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(r.db.pragma('busy_timeout', { simple: true })).toBe(5000);
  });

  it('applies a new migration to an existing store after backing it up', () => {
    const dir = migrationsCopy();
    const files = fs.readdirSync(dir).sort();
    const last = files[files.length - 1]!;
    const version = files.length;
    fs.rmSync(path.join(dir, last));
    const { file } = freshStore(dir);
    fs.copyFileSync(path.join(MIGRATIONS, last), path.join(dir, last));
    const r = open(file, dir);
    expect(r.ok && r.applied).toEqual([version]);
    const backups = fs.readdirSync(path.join(path.dirname(file), 'backups'));
    expect(backups).toHaveLength(1);
    expect(backups[0]).toMatch(new RegExp(`^before-migration-${String(version).padStart(4, '0')}-.*\\.sqlite$`));
  });

  it('refuses a changed, already-applied migration without touching the file', () => {
    const dir = migrationsCopy();
    const { file } = freshStore(dir);
    const before = sha256File(file);
    fs.appendFileSync(path.join(dir, '0001_core.sql'), '\n-- edited after release\n');
    const r = open(file, dir);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.kind).toBe('migration_changed');
    expect(!r.ok && r.message).toContain('不一致');
    expect(sha256File(file)).toBe(before);
  });

  it('does not treat CRLF line endings as a change', () => {
    const dir = migrationsCopy();
    const { file } = freshStore(dir);
    const p = path.join(dir, '0001_core.sql');
    fs.writeFileSync(p, fs.readFileSync(p, 'utf8').replace(/\n/g, '\r\n'));
    expect(open(file, dir).ok).toBe(true);
  });

  it('refuses a gap in the shipped migration files', () => {
    const dir = migrationsCopy();
    fs.renameSync(path.join(dir, '0002_catalog.sql'), path.join(dir, '0003_catalog.sql'));
    const target = path.join(tempDir(), 'desk.sqlite');
    const r = open(target, dir);
    expect(!r.ok && r.kind).toBe('migration_gap');
    expect(fs.existsSync(target)).toBe(false);
  });

  it('refuses a store whose applied migrations have a gap, without touching it', () => {
    const { file } = freshStore();
    const db = openTestStore(file);
    db.prepare('DELETE FROM schema_migrations WHERE version = 1').run();
    db.close();
    const before = sha256File(file);
    const r = open(file);
    expect(!r.ok && r.kind).toBe('migration_gap');
    expect(sha256File(file)).toBe(before);
  });

  it('refuses a database written by a newer version, without touching it', () => {
    const { file } = freshStore();
    const db = openTestStore(file);
    db.prepare(`INSERT INTO schema_migrations VALUES (99, 'from_the_future', 'abc', '2030-01-01T00:00:00Z')`).run();
    db.close();
    const before = sha256File(file);
    const r = open(file);
    expect(!r.ok && r.kind).toBe('newer_version');
    expect(!r.ok && r.message).toContain('更高版本');
    expect(sha256File(file)).toBe(before);
  });

  it('refuses a corrupt file with a clear message and never replaces it with an empty store', () => {
    const { file } = freshStore();
    const buf = fs.readFileSync(file);
    // Keep the header, scribble over the b-tree pages.
    for (let i = 4096; i < buf.length; i += 7) buf[i] = (buf[i]! + 97) & 0xff;
    fs.writeFileSync(file, buf);
    const before = sha256File(file);
    const r = open(file);
    expect(!r.ok && r.kind).toBe('corrupt');
    expect(!r.ok && r.message).toContain('损坏');
    expect(sha256File(file)).toBe(before);
  });

  it('refuses a file that is not a database at all', () => {
    const file = path.join(tempDir(), 'desk.sqlite');
    fs.writeFileSync(file, 'this is a spreadsheet, not a database'.repeat(200));
    const before = sha256File(file);
    const r = open(file);
    expect(!r.ok && r.kind).toBe('corrupt');
    expect(sha256File(file)).toBe(before);
  });

  it('refuses a foreign SQLite database', () => {
    const file = path.join(tempDir(), 'desk.sqlite');
    const db = new Database(file);
    db.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY)');
    db.close();
    const r = open(file);
    expect(!r.ok && r.kind).toBe('not_desk_db');
  });

  it('a refused store puts the app in recovery: status explains, everything else is refused', async () => {
    const { dir, file } = freshStore();
    fs.writeFileSync(file, Buffer.alloc(8192, 0x41));
    const before = sha256File(file);
    const desk = await testDesk({ dataDir: dir });
    expect(desk.app.state).toBe('recovery');
    const status = await desk.call('system.status', {});
    expect(status.state).toBe('recovery');
    expect(status.problem?.kind).toBe('corrupt');
    expect(status.problem?.dbPath).toBe(file);
    const r = await desk.raw('auth.signIn', { username: 'admin', password: 'x' });
    expect(r.ok === false && r.error.code).toBe('STORE_UNAVAILABLE');
    expect(sha256File(file)).toBe(before);
  });
});
