import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { epochTag } from '../../store/epoch';
import { chinaDate } from '../../../shared/rules/china-time';
import { HttpTargetConnector } from './http-connector';
import type { HttpTargetConfig, TargetConfig } from './targets-config';

/**
 * After a restore (docs/backup-restore.md): the replaced store went on issuing case numbers after
 * the backup was taken — same epoch tag, the day's sequence continuing from where the backup stood
 * — and may have delivered those cases. The restored store does not have them. This asks each HTTP
 * target's look-up (`GET /api/cases?externalRef=`) for exactly those numbers, day by day from the
 * backup's day to today, until three numbers in a row are held by no target, and records what the
 * targets hold (`restore_found_cases`) for the sync screen. Done once per restore; a target that
 * cannot be reached is asked again at the next start (or the next run).
 */

interface RestoreDetail {
  backupTakenAt: string;
  backupSchemaVersion?: number;
  hallCode?: string;
  seqAtBackup?: Record<string, number>;
  previousEpoch: string;
  lookedUpAt?: string;
}

const MISSES_TO_STOP = 3;
const MAX_PER_DAY = 5000;

/** The China days from `from` to `to`, as yyyymmdd. */
function daysBetween(from: Date, to: Date): string[] {
  const out: string[] = [];
  for (let t = from.getTime(); chinaDate(new Date(t)) <= chinaDate(to); t += 86_400_000) out.push(chinaDate(new Date(t)).replace(/-/g, ''));
  return [...new Set(out)];
}

export async function lookUpCasesAfterRestore(deps: Pick<Deps, 'db' | 'now' | 'logger' | 'write'>, targets: readonly TargetConfig[], timeoutMs: number): Promise<{ found: number } | null> {
  const row = deps.db.prepare(`SELECT seq, detail FROM store_epochs WHERE reason = 'restored' ORDER BY seq DESC LIMIT 1`).get() as { seq: number; detail: string } | undefined;
  if (!row) return null;
  const d = JSON.parse(row.detail) as RestoreDetail;
  if (d.lookedUpAt) return null;
  const http = targets.filter((t): t is HttpTargetConfig => t.kind === 'http').map((t) => new HttpTargetConnector(t, timeoutMs));
  const oldFormat = (d.backupSchemaVersion ?? 8) < 8; // numbers issued before the epoch existed carry no tag
  const tag = epochTag(d.previousEpoch);
  const caseNo = (day: string, seq: number) => `${d.hallCode || 'desk'}-${day}-${oldFormat ? '' : `${tag}-`}${String(seq).padStart(4, '0')}`;
  const found: { target: string; caseNo: string; targetCaseNo: string }[] = [];
  for (const day of daysBetween(new Date(d.backupTakenAt), deps.now())) {
    let misses = 0;
    for (let seq = (d.seqAtBackup?.[day] ?? 0) + 1; misses < MISSES_TO_STOP && seq <= MAX_PER_DAY; seq++) {
      const no = caseNo(day, seq);
      let held = false;
      for (const c of http) {
        // A target that cannot answer ends this run; it is asked again later (nothing recorded as done).
        const items = await c.lookup(no).catch((e: unknown) => {
          deps.logger.warn('restore.lookupFailed', { target: c.target.id, caseNo: no, error: e instanceof Error ? e.message : String(e) });
          return null;
        });
        if (items === null) return null;
        for (const i of items) {
          found.push({ target: c.target.id, caseNo: no, targetCaseNo: i.caseNo });
          held = true;
        }
      }
      misses = held ? 0 : misses + 1;
    }
  }
  deps.write(SYSTEM_ACTOR, (w) => {
    const ins = w.db.prepare('INSERT OR IGNORE INTO restore_found_cases (epoch_seq, target_id, case_no, target_case_no, found_at) VALUES (?, ?, ?, ?, ?)');
    for (const f of found) ins.run(row.seq, f.target, f.caseNo, f.targetCaseNo, w.at.toISOString());
    w.db.prepare(`UPDATE store_epochs SET detail = json_set(detail, '$.lookedUpAt', ?) WHERE seq = ?`).run(w.at.toISOString(), row.seq);
    w.audit({ action: 'store.restoreLookUp', entityType: 'store', entityId: null, detail: { epochSeq: row.seq, targets: http.map((c) => c.target.id), found: found.map((f) => `${f.target}:${f.caseNo}`) } });
  });
  deps.logger.info('restore.lookedUp', { found: found.length });
  return { found: found.length };
}
