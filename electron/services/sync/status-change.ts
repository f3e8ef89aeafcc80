import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import { buildCaseDocument, type CaseDocument, type StatusChange } from './case-document';
import { insertEntry, supersedeUnsent, targetTakes, type EntryTarget } from './outbox';
import { TargetConfig } from './targets-config';

/**
 * Telling the targets that an accepted case was terminated or its decision revoked
 * (docs/sync.md, "A status change after acceptance"). Runs inside the transaction that changes
 * the case's status, so the change and its outbox entries exist together or not at all.
 *
 * For every target the case was destined for (it has case entries there), a new revision of the
 * case document carrying the change, under a new idempotency key. Entries of the case to that
 * target that have certainly not reached it — pending (and not carried to the peer desk),
 * waiting for a retry, or refused — are superseded by it: the new revision is the whole case as
 * it now stands, so the target learns of the case and of its end in one message, and never
 * receives an acceptance it would have to undo. Entries that may already be there (in flight,
 * unknown, carried to the peer desk) stay and go first: the sender sends one case's entries in
 * order, so the change follows them.
 */

/**
 * A case's status reason once its end is told to its targets: the reason with its legal basis, in
 * the same words on the desk that decided it and on the peer desk that mirrors it.
 */
export function reasonWithBasis(change: Pick<StatusChange, 'reason' | 'legalBasis'>): string {
  return `${change.reason}（依据：${change.legalBasis}）`;
}

export interface StatusChangeQueued {
  /** The new entries, one per target. */
  entries: { id: number; targetId: string; revision: number }[];
  /** The earlier entries the new ones replace. */
  superseded: { id: number; targetId: string; revision: number; state: string }[];
}

export function enqueueStatusChange(w: WriteContext, caseId: number, change: StatusChange): StatusChangeQueued {
  const out: StatusChangeQueued = { entries: [], superseded: [] };
  // Only some items ended (a proportionate consequence): only the targets that take one of them are told.
  const targets = caseTargetsOf(w.db, caseId).filter((t) => !change.items || takesAnyItem(t, change.items));
  if (targets.length === 0) return out;
  const doc: CaseDocument = { ...buildCaseDocument(w.db, caseId), statusChange: change };
  for (const t of targets) {
    const id = insertEntry(w, caseId, t, 'case', '', doc);
    const revision = (w.db.prepare('SELECT revision FROM outbox_entries WHERE id = ?').get(id) as { revision: number }).revision;
    out.entries.push({ id, targetId: t.id, revision });
    reuseUploads(w.db, caseId, t.id, id);
    for (const s of supersedeUnsent(w.db, caseId, t.id, id)) out.superseded.push({ ...s, targetId: t.id });
  }
  w.audit({
    action: 'sync.statusChange',
    entityType: 'case',
    entityId: caseId,
    detail: { caseNo: doc.caseNo, from: change.previousStatus, to: change.status, entries: out.entries, superseded: out.superseded },
  });
  return out;
}

/**
 * Does this target take one of these items (its `appliesTo`, as at acceptance: outbox.targetTakes)?
 * A target recorded without its configuration (carried by a transfer) is told: nothing says it does not.
 */
function takesAnyItem(t: EntryTarget, items: NonNullable<StatusChange['items']>): boolean {
  if (!('appliesTo' in t)) return true;
  const part = { items: items.map((i) => ({ code: i.code })), departments: [...new Set(items.map((i) => i.department))] } as unknown as CaseDocument;
  return targetTakes(t as TargetConfig, part);
}

/** Whether a status change of the case would be told to any target (it has case entries for one). */
export function hasCaseTargets(db: Db, caseId: number): boolean {
  return caseTargetsOf(db, caseId).length > 0;
}

/**
 * The targets the case has case entries for, with their configuration as last recorded in
 * `sync_targets` (a target since removed from sync-targets.json still gets the change: its
 * entries wait, like the ones already there, until it is declared again).
 */
function caseTargetsOf(db: Db, caseId: number): EntryTarget[] {
  const rows = db
    .prepare(
      `SELECT t.id, t.kind, t.config FROM sync_targets t
       WHERE t.kind <> 'data_sharing' AND EXISTS (SELECT 1 FROM outbox_entries e WHERE e.case_id = ? AND e.target_id = t.id AND e.kind = 'case')
       ORDER BY t.id`,
    )
    .all(caseId) as { id: string; kind: 'http' | 'manual'; config: string }[];
  return rows.map((r) => {
    const parsed = TargetConfig.safeParse(JSON.parse(r.config));
    // Targets recorded by a transfer import carry no configuration: enough to queue an entry.
    return parsed.success && parsed.data.id === r.id ? parsed.data : { id: r.id, kind: r.kind };
  });
}

/**
 * Files the target already holds from an earlier entry of the case (a complete upload, its file
 * id recorded) are referred to by that id again: a revocation does not upload the case's scans
 * a second time.
 */
function reuseUploads(db: Db, caseId: number, targetId: string, newId: number): void {
  db.prepare(
    `UPDATE outbox_files SET upload_id = p.upload_id, sent_bytes = p.sent_bytes, remote_file_id = p.remote_file_id
     FROM (SELECT f.sha256, f.upload_id, f.sent_bytes, f.remote_file_id FROM outbox_files f JOIN outbox_entries e ON e.id = f.entry_id
           WHERE e.case_id = ? AND e.target_id = ? AND e.id < ? AND f.remote_file_id IS NOT NULL) AS p
     WHERE outbox_files.entry_id = ? AND outbox_files.sha256 = p.sha256`,
  ).run(caseId, targetId, newId, newId);
}
