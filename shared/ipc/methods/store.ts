/**
 * Backups and restore (docs/backup-restore.md). In recovery mode — the store was refused — a
 * supervisor lists the backups and restores one through the recovery screen; there is no store to
 * sign in to, so the username and password are checked against the users of the chosen backup
 * (read-only). After a restore the sync screen shows what may have been delivered after the backup.
 */
import { z } from 'zod';
import { Empty, method } from '../method';

export const BACKUP_KIND_LABELS: Record<string, string> = {
  daily: '每日备份',
  'before-migration': '升级前备份',
  other: '其他备份',
};

export const BackupView = z.object({
  name: z.string(),
  kind: z.enum(['daily', 'before-migration', 'other']),
  takenAt: z.string(),
  size: z.number().int(),
  /** Read from the backup (read-only); null when it cannot be read (then it cannot be restored). */
  cases: z.number().int().nullable(),
  lastCaseAt: z.string().nullable(),
  problem: z.string().nullable(),
});
export type BackupView = z.infer<typeof BackupView>;

export const RestoreResult = z.object({
  backup: z.string(),
  movedAsideTo: z.string(),
  epochTag: z.string(),
  /** Entries the backup held as not yet acknowledged: they are now checked with the target (look-up or same-key re-send). */
  toResolve: z.number().int(),
});
export type RestoreResult = z.infer<typeof RestoreResult>;

export const RestoreNotice = z.object({
  restoredAt: z.string(),
  restoredBy: z.string(),
  backup: z.string(),
  backupTakenAt: z.string(),
  /** The case-number tag of the epoch the backup was taken in (numbers issued after the backup carry it too). */
  previousEpochTag: z.string(),
  entries: z.array(
    z.object({
      entryId: z.number().int(),
      caseNo: z.string(),
      applicantName: z.string(),
      targetName: z.string(),
      state: z.string(),
      targetCaseNo: z.string().nullable(),
    }),
  ),
  /** When the targets' look-ups were asked for the numbers issued after the backup (null: not yet — a target unreachable). */
  lookedUpAt: z.string().nullable(),
  /** Cases the targets hold under numbers the replaced store issued after the backup: not in this store. */
  foundAtTargets: z.array(z.object({ targetName: z.string(), caseNo: z.string(), targetCaseNo: z.string() })),
});
export type RestoreNotice = z.infer<typeof RestoreNotice>;

export const storeMethods = {
  /** Recovery mode only (a ready store refuses both). */
  'system.backups': method({ access: 'public', passive: true, input: Empty, output: z.array(BackupView) }),
  'system.restoreBackup': method({
    access: 'public',
    input: z
      .object({
        backup: z.string().min(1).max(200),
        username: z.string().trim().min(1, '请输入用户名').max(64),
        password: z.string().min(1, '请输入密码').max(256),
      })
      .strict(),
    output: RestoreResult,
  }),
  /** The last restore's notice for the sync screen (null when the store was never restored). */
  'sync.restoreNotice': method({ access: 'session', passive: true, input: Empty, output: RestoreNotice.nullable() }),
};
