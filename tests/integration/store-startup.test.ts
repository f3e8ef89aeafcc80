import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { openTestStore, unlockTestDataDir } from '../helpers/store';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type DeskApp } from '../../electron/app/create-app';
import { BackupScheduler, listBackupInfos, pruneBackups, verifyBackup, writeBackupSync } from '../../electron/store/backups';
import { FileStore } from '../../electron/services/files/file-store';
import { ROOT, sha256File, tempDir } from '../helpers/temp';

const apps: DeskApp[] = [];
afterEach(async () => {
  for (const a of apps.splice(0)) {
    await a.stopSync();
    a.close();
  }
});

async function open(dataDir: string, extra: { backups?: boolean } = {}): Promise<DeskApp> {
  const app = await createApp({ dataDir, sync: false, backups: extra.backups ?? false });
  apps.push(app);
  return app;
}

/** Every file under dir (relative path → sha256), to compare a folder byte for byte. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = sha256File(p);
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

/** A demo store with three stored files (written through the file store and recorded), closed. */
async function storeWithFiles(): Promise<{ dataDir: string; shas: string[] }> {
  const dataDir = tempDir('desk-startup-');
  const app = await open(dataDir);
  app.close();
  apps.pop();
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'));
  const files = new FileStore(path.join(dataDir, 'files'));
  const shas = ['第一页', '第二页', '第三页'].map((t) => {
    const bytes = Buffer.from(t, 'utf8');
    const sha = files.put(bytes);
    files.record(db, sha, bytes.length, 'text/plain', new Date());
    return sha;
  });
  db.close();
  return { dataDir, shas };
}

describe('store start-up: an empty or missing store where one should exist', () => {
  it('refuses a 0-byte desk.sqlite with recovery mode (kind empty) and deletes no file', async () => {
    const { dataDir, shas } = await storeWithFiles();
    fs.writeFileSync(path.join(dataDir, 'desk.sqlite'), '');
    for (const s of ['-wal', '-shm']) fs.rmSync(path.join(dataDir, `desk.sqlite${s}`), { force: true });
    const before = snapshot(path.join(dataDir, 'files'));
    expect(Object.keys(before)).toHaveLength(3);

    const app = await open(dataDir);
    expect(app.state).toBe('recovery');
    expect(app.problem?.kind).toBe('empty');
    expect(app.problem?.message).toContain('0 字节');
    expect(snapshot(path.join(dataDir, 'files'))).toEqual(before);
    for (const sha of shas) expect(fs.existsSync(path.join(dataDir, 'files', sha.slice(0, 2), sha))).toBe(true);
    expect(fs.statSync(path.join(dataDir, 'desk.sqlite')).size).toBe(0);
    // Only status and the backup methods answer.
    const r = await app.dispatcher.dispatch({ id: '1', method: 'auth.signIn', input: { username: 'admin', password: 'Desk@2026' } });
    expect(r.ok ? 'ok' : r.error.code).toBe('STORE_UNAVAILABLE');
  });

  it('refuses a missing desk.sqlite when files/ holds stored files (kind missing), even without the marker', async () => {
    const { dataDir } = await storeWithFiles();
    for (const s of ['', '-wal', '-shm', '.marker']) fs.rmSync(path.join(dataDir, `desk.sqlite${s}`), { force: true });
    const before = snapshot(dataDir);
    const app = await open(dataDir);
    expect(app.state).toBe('recovery');
    expect(app.problem?.kind).toBe('missing');
    expect(app.problem?.detail).toContain('stored file');
    expect(fs.existsSync(path.join(dataDir, 'desk.sqlite'))).toBe(false);
    const after = snapshot(dataDir);
    // The log and the data folder's lock (its holder is this app now) change by design; nothing else may.
    const notStore = (name: string) => name === path.join('logs', 'desk.log') || /^desk\.(lock|import\.lock)/.test(name);
    for (const snap of [before, after]) for (const name of Object.keys(snap)) if (notStore(name)) delete snap[name];
    expect(Object.keys(after).some((n) => n.startsWith('files'))).toBe(true);
    expect(after).toEqual(before);
  });

  it('refuses a missing desk.sqlite next to its marker, with no other evidence', async () => {
    const dataDir = tempDir('desk-startup-');
    (await open(dataDir)).close();
    apps.pop();
    expect(fs.existsSync(path.join(dataDir, 'desk.sqlite.marker'))).toBe(true);
    for (const s of ['', '-wal', '-shm']) fs.rmSync(path.join(dataDir, `desk.sqlite${s}`), { force: true });
    const app = await open(dataDir);
    expect(app.problem?.kind).toBe('missing');
  });

  it('starts a new store in an empty folder (and in one with a 0-byte file and nothing else), writing the marker', async () => {
    const a = tempDir('desk-startup-');
    expect((await open(a)).state).toBe('ready');
    const b = tempDir('desk-startup-');
    fs.writeFileSync(path.join(b, 'desk.sqlite'), '');
    expect((await open(b)).state).toBe('ready');
    expect(JSON.parse(fs.readFileSync(path.join(b, 'desk.sqlite.marker'), 'utf8'))).toMatchObject({ store: 'proof-free-desk', file: 'desk.sqlite' });
  });
});

describe('store start-up: the orphan sweep', () => {
  it("removes temp files and unreferenced files written in this store's epoch, keeps unreferenced files older than it", async () => {
    const { dataDir, shas } = await storeWithFiles();
    const root = path.join(dataDir, 'files');
    const files = new FileStore(root);
    const orphan = files.put(Buffer.from('崩溃前写下、未提交的页', 'utf8'));
    const foreign = files.put(Buffer.from('另一个库的页', 'utf8'));
    const old = new Date(Date.parse('2020-01-01T00:00:00Z'));
    fs.utimesSync(files.pathOf(foreign), old, old);
    const tmp = path.join(root, shas[0]!.slice(0, 2), '.tmp-abc');
    fs.writeFileSync(tmp, 'half');

    await open(dataDir);
    expect(fs.existsSync(files.pathOf(orphan))).toBe(false);
    expect(fs.existsSync(tmp)).toBe(false);
    expect(fs.existsSync(files.pathOf(foreign))).toBe(true);
    for (const sha of shas) expect(fs.existsSync(files.pathOf(sha))).toBe(true);
  });
});

describe('backups', () => {
  it('the app takes a backup at start-up when the last is older than a day: fsynced, verified, in backups/', async () => {
    const { dataDir } = await storeWithFiles();
    const backupDir = path.join(dataDir, 'backups');
    expect(listBackupInfos(backupDir)).toHaveLength(0);
    const app = await open(dataDir, { backups: true });
    // The scheduler runs in a worker; follow its progress in the log, not the clock.
    for (let i = 0; i < 600 && !app.logger.recent().some((e) => e.event === 'backup.taken' || e.event === 'backup.failed'); i++) await new Promise((r) => setTimeout(r, 50));
    const taken = listBackupInfos(backupDir);
    expect(taken.map((b) => b.kind)).toEqual(['daily']);
    // The schema the shipped migrations build: as many versions as numbered files in migrations/.
    const shipped = fs.readdirSync(path.join(ROOT, 'migrations')).filter((f) => /^\d{4}_.*\.sql$/.test(f)).length;
    expect(verifyBackup(taken[0]!.file).schemaVersion).toBe(shipped);
    const db = openTestStore(taken[0]!.file, { readonly: true });
    expect((db.prepare('SELECT COUNT(*) AS n FROM files').get() as { n: number }).n).toBe(3);
    db.close();
    expect(fs.readdirSync(backupDir).filter((f) => f.startsWith('.tmp-'))).toEqual([]);
  });

  it('writes the backup file and fsyncs it and its folder before it is renamed into place (strace)', () => {
    const { dataDir } = { dataDir: tempDir('desk-backup-') };
    unlockTestDataDir(dataDir);
    const db = openTestStore(path.join(dataDir, 'src.sqlite'));
    db.exec(`CREATE TABLE schema_migrations (version INTEGER); INSERT INTO schema_migrations VALUES (8);
             CREATE TABLE hall (id INTEGER); CREATE TABLE users (id INTEGER); CREATE TABLE audit_log (id INTEGER); CREATE TABLE cases (id INTEGER);`);
    db.close();
    const script = `require('${path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cjs', 'index.cjs').replace(/\\/g, '/')}');
      const b = require('${path.join(ROOT, 'electron', 'store', 'backups.ts').replace(/\\/g, '/')}');
      require('${path.join(ROOT, 'tests', 'helpers', 'store.ts').replace(/\\/g, '/')}').testStoreKey('${dataDir}/src.sqlite');
      b.writeBackupSync('${dataDir}/src.sqlite', '${dataDir}/backups', 'daily-2026-12-01T00-00-00-000Z.sqlite');`;
    const r = spawnSync('strace', ['-f', '-e', 'trace=openat,fsync,rename,renameat,renameat2', process.execPath, '-e', script], { encoding: 'utf8' });
    if (r.error) throw r.error;
    const lines = r.stderr.split('\n');
    const fdOf = (re: RegExp) => lines.filter((l) => re.test(l) && / = \d+$/.test(l)).map((l) => Number(/ = (\d+)$/.exec(l)![1]));
    const renameAt = lines.findIndex((l) => /rename.*\.tmp-daily-.*daily-2026/.test(l));
    expect(renameAt).toBeGreaterThan(-1);
    // An fsync of the temp file (opened after VACUUM INTO wrote it) before the rename, and of the folder after it.
    const tmpFds = fdOf(/openat\(.*backups\/\.tmp-daily-[^"]*\.sqlite", O_RDWR/);
    expect(lines.slice(0, renameAt).some((l) => tmpFds.some((fd) => new RegExp(`fsync\\(${fd}\\)`).test(l)))).toBe(true);
    const dirFds = fdOf(/openat\(.*backups", O_RDONLY/);
    expect(lines.slice(renameAt).some((l) => dirFds.some((fd) => new RegExp(`fsync\\(${fd}\\)`).test(l)))).toBe(true);
    expect(fs.readdirSync(path.join(dataDir, 'backups'))).toEqual(['daily-2026-12-01T00-00-00-000Z.sqlite']);
  });

  it('a backup that fails its check is removed and never listed', () => {
    const dataDir = tempDir('desk-backup-');
    unlockTestDataDir(dataDir);
    const db = openTestStore(path.join(dataDir, 'other.sqlite'));
    db.exec('CREATE TABLE notes (t TEXT)');
    db.close();
    expect(() => writeBackupSync(path.join(dataDir, 'other.sqlite'), path.join(dataDir, 'backups'), 'daily-2026-12-01T00-00-00-000Z.sqlite')).toThrow(/schema_migrations missing/);
    expect(fs.readdirSync(path.join(dataDir, 'backups'))).toEqual([]);
  });

  it('prunes daily backups older than 14 days, keeps the pre-migration ones; the scheduler takes one a day', async () => {
    const { dataDir } = await storeWithFiles();
    const dbFile = path.join(dataDir, 'desk.sqlite');
    const backupDir = path.join(dataDir, 'backups');
    const names = [
      'daily-2026-11-01T02-00-00-000Z.sqlite',
      'daily-2026-11-15T02-00-00-000Z.sqlite',
      'daily-2026-11-17T04-00-00-000Z.sqlite',
      'before-migration-0008-2026-10-01T02-00-00-000Z.sqlite',
    ];
    for (const n of names) writeBackupSync(dbFile, backupDir, n);
    let clock = new Date('2026-12-01T03:00:00Z');
    const log: string[] = [];
    const s = new BackupScheduler({ dbFile, backupDir, now: () => clock, take: async (name) => writeBackupSync(dbFile, backupDir, name), log: (e) => log.push(e) });
    await s.checkNow();
    expect(listBackupInfos(backupDir).map((b) => b.name)).toEqual([
      'daily-2026-12-01T03-00-00-000Z.sqlite',
      'daily-2026-11-17T04-00-00-000Z.sqlite',
      'before-migration-0008-2026-10-01T02-00-00-000Z.sqlite',
    ]);
    clock = new Date('2026-12-01T20:00:00Z'); // not a day later: nothing taken
    await s.checkNow();
    expect(listBackupInfos(backupDir)).toHaveLength(3);
    clock = new Date('2026-12-02T03:00:00Z');
    await s.checkNow();
    expect(listBackupInfos(backupDir).map((b) => b.name)).toEqual([
      'daily-2026-12-02T03-00-00-000Z.sqlite',
      'daily-2026-12-01T03-00-00-000Z.sqlite',
      'before-migration-0008-2026-10-01T02-00-00-000Z.sqlite',
    ]);
    expect(log).toEqual(['backup.taken', 'backup.pruned', 'backup.taken', 'backup.pruned']);
    // The newest daily backup is never pruned, however old.
    expect(pruneBackups(backupDir, new Date('2027-06-01T00:00:00Z'))).toEqual(['daily-2026-12-01T03-00-00-000Z.sqlite']);
    expect(listBackupInfos(backupDir).map((b) => b.kind)).toEqual(['daily', 'before-migration']);
  });
});
