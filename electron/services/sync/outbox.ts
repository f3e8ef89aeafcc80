import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import { currentEpoch } from '../../store/epoch';
import type { OutboxEntryView, OutboxState } from '../../../shared/ipc/methods/sync';
import { buildCaseDocument, type CaseDocument } from './case-document';
import type { TargetConfig } from './targets-config';
import { exportCaseRecord } from '../hub/case-record';

/**
 * The outbox tables (migrations/0005_sync.sql): writing entries, reading
 * them for the clerk. The sender's own state changes live in sender-store.ts.
 */

export interface EntryRow {
  id: number;
  case_id: number;
  target_id: string;
  kind: 'case' | 'query';
  subject: string;
  revision: number;
  idempotency_key: string;
  document: string;
  state: OutboxState;
  attempts: number;
  next_attempt_at: string | null;
  lease_owner: string | null;
  lease_until: string | null;
  first_sent_at: string | null;
  last_error: string | null;
  parked_reason: string | null;
  target_case_no: string | null;
  created_at: string;
  acknowledged_at: string | null;
  superseded_by: number | null;
}

export const OPEN_STATES: OutboxState[] = ['pending', 'in_flight', 'retry_wait', 'unknown', 'parked'];

/**
 * `<hall>/<case no>/<target>[/q/<subject>]/r<revision>/e<store epoch>`. The epoch (renewed by every
 * restore of a backup, store/epoch.ts) keeps a restored store from reusing a key that was delivered
 * after the backup was taken. Keys are stored with their entry and never recomputed, so entries
 * written before the epoch existed keep their keys (without the `/e…` segment).
 */
export function idempotencyKey(hallCode: string, caseNo: string, targetId: string, kind: 'case' | 'query', subject: string, revision: number, epoch: string): string {
  return [hallCode || 'desk', caseNo, targetId, ...(kind === 'query' ? ['q', subject] : []), `r${revision}`, `e${epoch}`].join('/');
}

/** Does this target take this case (its `appliesTo`)? */
export function targetTakes(t: TargetConfig, doc: CaseDocument): boolean {
  if (t.kind === 'data_sharing') return false;
  const a = t.appliesTo;
  if (!a) return true;
  if (a.departments && !doc.departments.some((d) => a.departments!.includes(d))) return false;
  if (a.serviceItems && !doc.items.some((i) => a.serviceItems!.includes(i.code))) return false;
  return true;
}

/**
 * Inside the acceptance transaction: one entry per target that takes the case, with a snapshot
 * of the case and references to its files. Returns the new entry ids.
 */
export function enqueueCase(w: WriteContext, caseId: number, targets: readonly TargetConfig[]): number[] {
  const doc = buildCaseDocument(w.db, caseId);
  const ids: number[] = [];
  for (const t of targets) {
    if (!targetTakes(t, doc)) continue;
    ids.push(insertEntry(w, caseId, t, 'case', '', doc));
  }
  if (ids.length) w.audit({ action: 'sync.enqueue', entityType: 'case', entityId: caseId, detail: { caseNo: doc.caseNo, entries: ids, targets: targets.filter((t) => targetTakes(t, doc)).map((t) => t.id) } });
  return ids;
}

/** What insertEntry needs of a target (a target recorded by a transfer import has no more). */
export type EntryTarget = Pick<TargetConfig, 'id' | 'kind'> & { sendFiles?: boolean };

/** Inserts one entry (the next revision for its case, target and subject) with its file references. */
export function insertEntry(w: WriteContext, caseId: number, t: EntryTarget, kind: 'case' | 'query', subject: string, doc: CaseDocument | Record<string, unknown>): number {
  const prev = w.db
    .prepare('SELECT MAX(revision) AS r FROM outbox_entries WHERE case_id = ? AND target_id = ? AND kind = ? AND subject = ?')
    .get(caseId, t.id, kind, subject) as { r: number | null };
  const revision = (prev.r ?? 0) + 1;
  const caseNo = (w.db.prepare('SELECT case_no FROM cases WHERE id = ?').get(caseId) as { case_no: string }).case_no;
  const hall = w.db.prepare('SELECT code FROM hall WHERE id = 1').get() as { code: string } | undefined;
  // The hub keeps the whole case for a successor desk (docs/hub.md): its entries carry the case record too.
  if (t.kind === 'hub' && kind === 'case' && !('record' in doc)) doc = { ...doc, record: exportCaseRecord(w.db, caseId) };
  const id = Number(
    w.db
      .prepare(
        `INSERT INTO outbox_entries (case_id, target_id, kind, subject, revision, idempotency_key, document, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      )
      .run(caseId, t.id, kind, subject, revision, idempotencyKey(hall?.code ?? '', caseNo, t.id, kind, subject, revision, currentEpoch(w.db).epoch), JSON.stringify(doc), w.at.toISOString())
      .lastInsertRowid,
  );
  // Each hub entry carries the whole case: earlier ones that have not left the desk are pointless now.
  if (t.kind === 'hub' && kind === 'case') {
    const superseded = supersedeUnsent(w.db, caseId, t.id, id);
    if (superseded.length) w.audit({ action: 'sync.superseded', entityType: 'case', entityId: caseId, detail: { target: t.id, by: id, entries: superseded } });
  }
  if (t.kind === 'http' && t.sendFiles && kind === 'case') {
    const ins = w.db.prepare('INSERT OR IGNORE INTO outbox_files (entry_id, sha256, name, kind, size) VALUES (?, ?, ?, ?, ?)');
    for (const f of (doc as CaseDocument).files) ins.run(id, f.sha256, f.name, f.kind, f.size);
  }
  return id;
}

/**
 * Earlier entries of the case to this target that have not reached it become superseded by the
 * new entry. `parked` ones were refused (nothing stored); `retry_wait` ones met a refused
 * connection, a 5xx or 429 (nothing stored, per the protocol) or a cut upload before the case
 * was posted; `pending` ones were never sent — unless carried to the peer desk in a bundle
 * (`transfer_sent`), where that desk's sender may already have delivered them.
 */
export function supersedeUnsent(db: Db, caseId: number, targetId: string, newId: number): { id: number; revision: number; state: string }[] {
  const rows = db
    .prepare(
      `SELECT e.id, e.revision, e.state FROM outbox_entries e
       WHERE e.case_id = ? AND e.target_id = ? AND e.kind = 'case' AND e.id < ?
         AND (e.state IN ('retry_wait', 'parked') OR (e.state = 'pending' AND NOT EXISTS (SELECT 1 FROM transfer_sent s WHERE s.entry_id = e.id)))
       ORDER BY e.id`,
    )
    .all(caseId, targetId, newId) as { id: number; revision: number; state: string }[];
  const up = db.prepare(
    `UPDATE outbox_entries SET state = 'superseded', superseded_by = ?, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL
     WHERE id = ? AND state IN ('pending', 'retry_wait', 'parked')`,
  );
  for (const r of rows) up.run(newId, r.id);
  return rows;
}

export function loadEntry(db: Db, id: number): EntryRow | undefined {
  return db.prepare('SELECT * FROM outbox_entries WHERE id = ?').get(id) as EntryRow | undefined;
}

const VIEW_SQL = `SELECT e.*, c.case_no, a.name AS applicant_name, COALESCE(t.name, e.target_id) AS target_name,
    json_extract(e.document, '$.statusChange.action') AS status_change, tc.origin_case_no
  FROM outbox_entries e JOIN cases c ON c.id = e.case_id JOIN applicants a ON a.id = c.applicant_id
  LEFT JOIN sync_targets t ON t.id = e.target_id LEFT JOIN transfer_cases tc ON tc.case_id = e.case_id`;

type ViewRow = EntryRow & { case_no: string; applicant_name: string; target_name: string; status_change: string | null; origin_case_no: string | null };

function toView(db: Db, r: ViewRow): OutboxEntryView {
  const files = db.prepare('SELECT sha256, name, size, sent_bytes AS sentBytes FROM outbox_files WHERE entry_id = ? ORDER BY rowid').all(r.id) as OutboxEntryView['files'];
  return {
    id: r.id,
    caseId: r.case_id,
    caseNo: r.case_no,
    applicantName: r.applicant_name,
    targetId: r.target_id,
    targetName: r.target_name,
    revision: r.revision,
    idempotencyKey: r.idempotency_key,
    state: r.state,
    attempts: r.attempts,
    nextAttemptAt: r.next_attempt_at,
    lastError: r.last_error,
    parkedReason: r.parked_reason,
    targetCaseNo: r.target_case_no,
    createdAt: r.created_at,
    acknowledgedAt: r.acknowledged_at,
    statusChange: typeof r.status_change === 'string' ? r.status_change : null,
    originCaseNo: r.origin_case_no,
    files,
  };
}

export function entryView(db: Db, id: number): OutboxEntryView | null {
  const r = db.prepare(`${VIEW_SQL} WHERE e.id = ?`).get(id) as ViewRow | undefined;
  return r ? toView(db, r) : null;
}

export function listEntries(
  db: Db,
  f: { targetId?: string; caseId?: number; states?: OutboxState[]; limit: number },
): { entries: OutboxEntryView[]; total: number } {
  const where: string[] = [];
  const args: unknown[] = [];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    args.push(...values);
  };
  if (f.targetId) add('e.target_id = ?', f.targetId);
  if (f.caseId) add('e.case_id = ?', f.caseId);
  if (f.states?.length) add(`e.state IN (${f.states.map(() => '?').join(', ')})`, ...f.states);
  const w = where.length ? ` WHERE ${where.join(' AND ')}` : '';
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM outbox_entries e${w}`).get(...args) as { n: number }).n;
  const rows = db.prepare(`${VIEW_SQL}${w} ORDER BY e.id DESC LIMIT ?`).all(...args, f.limit) as ViewRow[];
  return { entries: rows.map((r) => toView(db, r)), total };
}

export interface TargetCounts {
  queueLength: number;
  parked: number;
  unknown: number;
  oldestWaitingAt: string | null;
}

export function targetCounts(db: Db, targetId: string): TargetCounts {
  const r = db
    .prepare(
      `SELECT SUM(state IN ('pending', 'in_flight', 'retry_wait', 'unknown')) AS queue,
              SUM(state = 'parked') AS parked, SUM(state = 'unknown') AS unknown,
              MIN(CASE WHEN state IN ('pending', 'in_flight', 'retry_wait', 'unknown') THEN created_at END) AS oldest
       FROM outbox_entries WHERE target_id = ? AND state NOT IN ('acknowledged', 'superseded')`,
    )
    .get(targetId) as { queue: number | null; parked: number | null; unknown: number | null; oldest: string | null };
  return { queueLength: r.queue ?? 0, parked: r.parked ?? 0, unknown: r.unknown ?? 0, oldestWaitingAt: r.oldest };
}

/** Files that an entry not yet acknowledged (or superseded) still refers to: never deleted. */
export function filesHeldByOutbox(db: Db): Set<string> {
  const rows = db
    .prepare(
      `SELECT DISTINCT f.sha256 FROM outbox_files f JOIN outbox_entries e ON e.id = f.entry_id WHERE e.state NOT IN ('acknowledged', 'superseded')`,
    )
    .pluck()
    .all() as string[];
  return new Set(rows);
}
