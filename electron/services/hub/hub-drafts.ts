import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { buildCaseDocument } from '../sync/case-document';
import { insertEntry, type EntryTarget } from '../sync/outbox';
import { exportCaseRecord } from './case-record';

/**
 * The hub keeps every case of a desk, drafts included (docs/hub.md: a desk can die). The store's
 * triggers (migrations/0016_hub_successor.sql) mark a case in `hub_dirty_cases` in the transaction
 * of any change to its rows, whoever made it. Here, in one audited transaction, the marked cases
 * become outbox entries for the hub targets only — the vertical systems still get a case at its
 * acceptance and status changes, as before — and the marks are cleared:
 * - a case whose record equals the one in its latest hub entry gets no entry (acceptance and
 *   status changes already wrote one);
 * - a new entry supersedes the case's earlier hub entries that have not left the desk
 *   (outbox.ts insertEntry), so a draft edited ten times while the hub is away travels once, as it is now.
 * A case whose record cannot be read is left out (its mark cleared, so it does not stop the others
 * on every tick; its next change marks it again) and returned for the log.
 */
export function snapshotChangedCases(deps: Pick<Deps, 'db' | 'write'>, hubTargets: readonly EntryTarget[], limit = 50): { entries: number; failed: { caseId: number; error: string }[] } {
  const marked = deps.db.prepare('SELECT case_id FROM hub_dirty_cases ORDER BY case_id LIMIT ?').pluck().all(limit) as number[];
  if (marked.length === 0) return { entries: 0, failed: [] };
  return deps.write(SYSTEM_ACTOR, (w) => {
    const latest = w.db.prepare(`SELECT document FROM outbox_entries WHERE case_id = ? AND target_id = ? AND kind = 'case' ORDER BY revision DESC LIMIT 1`).pluck();
    const exists = w.db.prepare('SELECT 1 FROM cases WHERE id = ?').pluck();
    const unmark = w.db.prepare('DELETE FROM hub_dirty_cases WHERE case_id = ?');
    const written: number[] = [];
    const failed: { caseId: number; error: string }[] = [];
    for (const caseId of marked) {
      unmark.run(caseId);
      if (!exists.get(caseId)) continue;
      let record: ReturnType<typeof exportCaseRecord>;
      try {
        record = exportCaseRecord(w.db, caseId);
      } catch (e) {
        failed.push({ caseId, error: String((e as Error)?.message ?? e) });
        continue;
      }
      const json = JSON.stringify(record);
      for (const t of hubTargets) {
        const prev = latest.get(caseId, t.id) as string | undefined;
        if (prev !== undefined && JSON.stringify((JSON.parse(prev) as { record?: unknown }).record) === json) continue;
        const id = insertEntry(w, caseId, t, 'case', '', { ...buildCaseDocument(w.db, caseId), record });
        written.push(id);
      }
    }
    w.audit({ action: 'hub.casesSnapshot', entityType: 'sync_targets', entityId: hubTargets.map((t) => t.id).join(','), detail: { cases: marked.length, entries: written, ...(failed.length ? { failed } : {}) } });
    return { entries: written.length, failed };
  });
}
