import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { Logger } from '../../log/logger';
import type { Db } from '../../store/open-store';
import { listBackupInfos, verifyBackup } from '../../store/backups';
import { epochTag } from '../../store/epoch';
import { authenticateInBackup, describeBackup, findBackup, restoreBackup, type RestorePaths } from '../../store/restore';
import type { BackupView, RestoreNotice } from '../../../shared/ipc/methods/store';
import type { StoreProblem } from '../../../shared/ipc/contract';

/** The backups for the recovery screen, each read (read-only) for its case count; one that cannot be read says why. */
export function backupViews(backupDir: string): BackupView[] {
  return listBackupInfos(backupDir).map((b) => {
    try {
      verifyBackup(b.file);
      const d = describeBackup(b.file);
      return { name: b.name, kind: b.kind, takenAt: b.takenAt, size: b.size, cases: d.cases, lastCaseAt: d.lastCaseAt, problem: null };
    } catch (e) {
      return { name: b.name, kind: b.kind, takenAt: b.takenAt, size: b.size, cases: null, lastCaseAt: null, problem: `备份无法读取或已损坏（${e instanceof Error ? e.message.slice(0, 120) : String(e)}）` };
    }
  });
}

const MAX_FAILURES = 5;
const LOCK_MS = 15 * 60 * 1000;

/**
 * Recovery mode's restore: a supervisor of the chosen backup (checked against its users, read-only)
 * restores it; then `reopen` composes the app again on the restored store. Five wrong passwords
 * for a name refuse it for 15 minutes (in memory: recovery mode has no store to record it in).
 */
export function createRestoreService(o: { paths: RestorePaths; problem: StoreProblem; now: () => Date; logger: Logger; reopen: () => Promise<void> }): PartialHandlers {
  const failures = new Map<string, { n: number; until: number }>();
  let busy = false;
  return {
    'system.backups': () => backupViews(o.paths.backupDir),
    'system.restoreBackup': async ({ backup, username, password }) => {
      // A store written by a newer version is not damaged: the answer is a newer program, not an older copy.
      if (o.problem.kind === 'newer_version') throw new AppError('INVALID_STATE', '该数据库由更高版本的工作台写入，请安装最新版本后打开，不要从备份恢复（会丢失之后的办件）。');
      if (busy) throw new AppError('CONFLICT', '正在从备份恢复，请稍候。');
      const f = failures.get(username);
      if (f && f.until > o.now().getTime()) throw new AppError('ACCOUNT_LOCKED', '密码错误次数过多，请 15 分钟后再试。恢复未执行。', { username });
      const b = findBackup(o.paths.backupDir, backup);
      try {
        verifyBackup(b.file);
      } catch (e) {
        throw new AppError('INVALID_STATE', '所选备份文件无法读取或已损坏，不能用于恢复，请选择其他备份。', { backup, error: String(e) });
      }
      busy = true;
      try {
        let user;
        try {
          user = await authenticateInBackup(b.file, username, password);
        } catch (e) {
          const n = (f?.n ?? 0) + 1;
          failures.set(username, { n: n >= MAX_FAILURES ? 0 : n, until: n >= MAX_FAILURES ? o.now().getTime() + LOCK_MS : 0 });
          o.logger.warn('store.restoreRefused', { backup, username });
          throw e;
        }
        failures.delete(username);
        const r = restoreBackup(o.paths, b, user, o.now);
        o.logger.warn('store.restored', { backup: r.backup, by: user.username, movedAsideTo: r.movedAsideTo, moved: r.moved, epoch: r.epoch, previousEpoch: r.previousEpoch, toResolve: r.toResolve.length });
        if (r.checkpointError) o.logger.error('audit.checkpointFailed', { why: 'restore', error: r.checkpointError });
        await o.reopen();
        return { backup: r.backup, movedAsideTo: r.movedAsideTo, epochTag: epochTag(r.epoch), toResolve: r.toResolve.length };
      } finally {
        busy = false;
      }
    },
  };
}

/** The ready store's side: backups neither listed nor restored (see docs/backup-restore.md); the last restore's notice. */
export function createStoreService(o: { db: Db; backupDir: string }): PartialHandlers {
  return {
    // Public in recovery mode only (there is no one to sign in): a working desk does not show its backups to a signed-out page.
    'system.backups': () => {
      throw new AppError('INVALID_STATE', '备份列表只在数据库不可用（恢复模式）时显示。');
    },
    'system.restoreBackup': () => {
      throw new AppError(
        'INVALID_STATE',
        '数据库正常时不能在程序内从备份恢复：恢复会丢弃备份之后的全部办件。确需回退时，请先退出程序，将数据目录中的 desk.sqlite 移到别处保存，再启动程序，在恢复页面中选择备份。',
      );
    },
    'sync.restoreNotice': () => restoreNotice(o.db),
  };
}

export function restoreNotice(db: Db): RestoreNotice | null {
  const row = db.prepare(`SELECT seq, started_at, detail FROM store_epochs WHERE reason = 'restored' ORDER BY seq DESC LIMIT 1`).get() as
    | { seq: number; started_at: string; detail: string }
    | undefined;
  if (!row) return null;
  const d = JSON.parse(row.detail) as {
    backup: string;
    backupTakenAt: string;
    restoredByName?: string;
    restoredBy: string;
    previousEpoch: string;
    toResolve: number[];
    lookedUpAt?: string;
  };
  const foundAtTargets = db
    .prepare(
      `SELECT COALESCE(t.name, f.target_id) AS targetName, f.case_no AS caseNo, f.target_case_no AS targetCaseNo
         FROM restore_found_cases f LEFT JOIN sync_targets t ON t.id = f.target_id WHERE f.epoch_seq = ? ORDER BY f.case_no, f.target_id`,
    )
    .all(row.seq) as { targetName: string; caseNo: string; targetCaseNo: string }[];
  const entry = db.prepare(
    `SELECT e.id, c.case_no, a.name AS applicant_name, COALESCE(t.name, e.target_id) AS target_name, e.state, e.target_case_no
       FROM outbox_entries e JOIN cases c ON c.id = e.case_id JOIN applicants a ON a.id = c.applicant_id LEFT JOIN sync_targets t ON t.id = e.target_id
      WHERE e.id = ?`,
  );
  const entries = d.toResolve
    .map((id) => entry.get(id) as { id: number; case_no: string; applicant_name: string; target_name: string; state: string; target_case_no: string | null } | undefined)
    .filter((r) => r !== undefined)
    .map((r) => ({ entryId: r.id, caseNo: r.case_no, applicantName: r.applicant_name, targetName: r.target_name, state: r.state, targetCaseNo: r.target_case_no }));
  return {
    restoredAt: row.started_at,
    restoredBy: d.restoredByName ?? d.restoredBy,
    backup: d.backup,
    backupTakenAt: d.backupTakenAt,
    previousEpochTag: epochTag(d.previousEpoch),
    entries,
    lookedUpAt: d.lookedUpAt ?? null,
    foundAtTargets,
  };
}
