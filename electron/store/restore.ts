import fs from 'node:fs';
import path from 'node:path';
import { verifyPassword } from '../services/auth/passwords';
import { AppError } from '../app/app-error';
import { writeTx } from './write';
import { currentEpoch, epochTag, renewEpoch } from './epoch';
import { signRestore } from '../services/audit/checkpoints';
import { listBackupInfos, verifyBackup, type BackupInfo } from './backups';
import { ensureDirDurably, fsyncDir, fsyncFile } from './durable-write';
import { openStore, preflight } from './open-store';
import { openDeskDb } from './store-cipher';
import { chinaDate } from '../../shared/rules/china-time';

/**
 * Restoring a backup through the app (docs/backup-restore.md). The store it replaces is moved
 * aside with its -wal and -shm into `<dataDir>/replaced/<time>/` — kept, never deleted — the
 * backup is copied in durably, opened (pending migrations applied as at any start-up), and in one
 * audited transaction a new epoch starts and the outbox entries the backup held as not yet
 * acknowledged become `unknown`, to be checked with their target before anything is re-sent.
 */

export interface RestorePaths {
  dataDir: string;
  dbFile: string;
  backupDir: string;
  migrationsDir: string;
}

export interface BackupUser {
  id: number;
  username: string;
  displayName: string;
}

export function findBackup(backupDir: string, name: string): BackupInfo {
  const b = listBackupInfos(backupDir).find((x) => x.name === name);
  if (!b) throw new AppError('NOT_FOUND', '所选备份不存在，请刷新备份列表后重选。', { backup: name });
  return b;
}

/** Reads one facts of a backup for the list: its cases and the last acceptance (read-only). */
export function describeBackup(file: string): { cases: number; lastCaseAt: string | null } {
  const db = openDeskDb(file, { readonly: true, fileMustExist: true });
  try {
    const r = db.prepare('SELECT COUNT(*) AS n, MAX(created_at) AS last FROM cases').get() as { n: number; last: string | null };
    return { cases: r.n, lastCaseAt: r.last };
  } finally {
    db.close();
  }
}

/**
 * A supervisor of the chosen backup: recovery mode has no readable store, so the username and
 * password are checked against the backup's own users table (read-only), the one that will be in
 * force once it is restored. Answers the same refusal for every mismatch.
 */
export async function authenticateInBackup(file: string, username: string, password: string): Promise<BackupUser> {
  const db = openDeskDb(file, { readonly: true, fileMustExist: true });
  let row: { id: number; username: string; display_name: string; role: string; active: number; password_hash: string } | undefined;
  try {
    row = db.prepare('SELECT id, username, display_name, role, active, password_hash FROM users WHERE username = ?').get(username) as typeof row;
  } finally {
    db.close();
  }
  const ok = row ? await verifyPassword(password, row.password_hash) : false;
  if (!row || !ok || row.role !== 'supervisor' || row.active !== 1) {
    throw new AppError('INVALID_CREDENTIALS', '用户名或密码错误，或该用户在所选备份中不是启用的管理员。恢复未执行。', { username, found: !!row, role: row?.role });
  }
  return { id: row.id, username: row.username, displayName: row.display_name };
}

const stampOf = (at: Date): string => at.toISOString().replace(/[:.]/g, '-');

/** Moves desk.sqlite and its -wal/-shm (those present) into a new folder; returns it. */
function moveAside(p: RestorePaths, at: Date): { dir: string; moved: string[] } {
  const dir = path.join(p.dataDir, 'replaced', stampOf(at));
  ensureDirDurably(dir);
  const moved: string[] = [];
  for (const suffix of ['', '-wal', '-shm', '-journal']) {
    const from = `${p.dbFile}${suffix}`;
    if (!fs.existsSync(from)) continue;
    fs.renameSync(from, path.join(dir, path.basename(from)));
    moved.push(path.basename(from));
  }
  fsyncDir(dir);
  fsyncDir(p.dataDir);
  return { dir, moved };
}

export interface RestoreOutcome {
  backup: string;
  backupTakenAt: string;
  movedAsideTo: string;
  moved: string[];
  epoch: string;
  previousEpoch: string;
  toResolve: number[];
  /** The signed restore line could not be appended to the audit checkpoints (the restore itself stands). */
  checkpointError?: string;
}

/**
 * Restores `backup` (checked and authenticated by the caller) as the store. The caller must have
 * closed any connection to the current store. Throws (and leaves the moved-aside files where
 * they are) if the restored copy cannot be opened.
 */
export function restoreBackup(p: RestorePaths, backup: BackupInfo, user: BackupUser, now: () => Date): RestoreOutcome {
  const at = now();
  // A copy beside the store first (fsynced, checked again), so the store's name only ever points at a whole file.
  const staging = path.join(p.dataDir, `.tmp-restore-${stampOf(at)}.sqlite`);
  fs.copyFileSync(backup.file, staging);
  let backupSchemaVersion: number;
  try {
    fsyncFile(staging);
    backupSchemaVersion = verifyBackup(staging).schemaVersion;
    // Refused before anything is moved: a backup this program could not open either (a newer schema, changed migrations).
    const refused = preflight(staging, p.migrationsDir);
    if (refused) throw new AppError('INVALID_STATE', `该备份同样无法由本程序打开：${refused.message} 恢复未执行。`, { backup: backup.name, kind: refused.kind, detail: refused.detail });
  } catch (e) {
    fs.rmSync(staging, { force: true });
    throw e;
  }
  const aside = moveAside(p, at);
  fs.renameSync(staging, p.dbFile);
  fsyncDir(p.dataDir);

  const opened = openStore({ file: p.dbFile, migrationsDir: p.migrationsDir, backupDir: p.backupDir, now });
  if (!opened.ok) throw new Error(`the restored backup ${backup.name} was refused: ${opened.kind} ${opened.detail}`);
  const db = opened.db;
  try {
    const previousEpoch = currentEpoch(db).epoch;
    const outcome = writeTx(db, { userId: user.id, username: user.username }, now, (w) => {
      // Entries not acknowledged when the backup was taken may have been delivered since: check first.
      const open = (
        w.db
          .prepare(
            `SELECT e.id FROM outbox_entries e JOIN sync_targets t ON t.id = e.target_id
              WHERE e.state IN ('pending', 'in_flight', 'retry_wait', 'unknown') AND e.kind = 'case' AND t.kind = 'http' ORDER BY e.id`,
          )
          .all() as { id: number }[]
      ).map((r) => r.id);
      const mark = w.db.prepare(
        `UPDATE outbox_entries SET state = 'unknown', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
           last_error = '已从备份恢复：备份之后可能已送达，将先向业务系统核对' WHERE id = ?`,
      );
      for (const id of open) mark.run(w.at.toISOString(), id);
      // Where each day's case-number sequence stood in the backup: the replaced store went on from there.
      const backupDay = chinaDate(backup.takenAt).replace(/-/g, '');
      const seqAtBackup = Object.fromEntries(
        (w.db.prepare('SELECT day, last FROM case_number_seq WHERE day >= ?').all(backupDay) as { day: string; last: number }[]).map((r) => [r.day, r.last]),
      );
      const hall = w.db.prepare('SELECT code FROM hall WHERE id = 1').get() as { code: string } | undefined;
      const detail = {
        backup: backup.name,
        backupSchemaVersion,
        hallCode: hall?.code ?? '',
        seqAtBackup,
        backupTakenAt: backup.takenAt,
        restoredBy: user.username,
        restoredByName: user.displayName,
        movedAsideTo: aside.dir,
        moved: aside.moved,
        previousEpoch,
        toResolve: open,
      };
      const epoch = renewEpoch(w.db, w.at, detail);
      w.audit({ action: 'store.restore', entityType: 'store', entityId: null, detail: { ...detail, epoch, epochTag: epochTag(epoch) } });
      return { backup: backup.name, backupTakenAt: backup.takenAt, movedAsideTo: aside.dir, moved: aside.moved, epoch, previousEpoch, toResolve: open };
    });
    // The audit checkpoints of the replaced store name entries the backup never had: sign that this restore replaced
    // that epoch (services/audit/checkpoints.ts). Committed already: a failure here is reported, not a failed restore.
    try {
      signRestore(db, p.dataDir, previousEpoch, now);
    } catch (e) {
      return { ...outcome, checkpointError: e instanceof Error ? e.message : String(e) };
    }
    return outcome;
  } finally {
    db.close();
  }
}
