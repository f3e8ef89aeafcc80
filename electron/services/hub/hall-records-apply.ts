import type { WriteContext } from '../../store/write';
import { AppError } from '../../app/app-error';
import { commitmentsCovered, creditRecordBars } from '../credit/credit-check';
import { openVerification } from '../verification/open-verification';
import { chinaDateTime } from '../../../shared/rules/china-time';
import type { FeedItem } from './hub-connector';
import { localVersion, setLocalVersion, type CreditBody, type HallRecordKind } from './hall-records';
import { applyApplicantBody } from './hall-applicants';
import { applyUserBody, withPendingChanges, type UserBody } from './hall-users';
import { applyCalendarYearBody, applyCatalogVersionBody, type CalendarYearBody, type CatalogVersionBody } from './hall-catalog';
import { applyMaterialBody } from './hall-materials';
import { applyAssistanceRequestBody } from './hall-assistance';
import { applyAssignmentBody, applyTaskBody } from './hall-tasks';

/**
 * Applies the hall records of a feed page on this desk (inside the page's transaction,
 * hub-puller.ts), idempotently: a version at or below the one the local copy is at changes nothing.
 * Credit records go into the local credit list, so the one eligibility rule (credit/credit-check.ts)
 * covers the whole hall; an arriving record that bars someone who committed here after the hub
 * already held it (this desk was offline and did not know) flags that commitment and opens its
 * verification. Applicants are applied unless a change of this desk's own still waits to be pushed
 * (its acknowledgement adopts the hub's current version instead: hall-records-push.ts).
 */

/** The body of a record's feed item (hub/records.ts feedBody). */
export interface RecordFeedBody {
  kind: HallRecordKind;
  recordId: string;
  version: number;
  body: Record<string, unknown>;
  /** When the hub first held the record. */
  firstAt: string;
  settled?: boolean;
}

const RECORD_KINDS = new Set<string>(['credit', 'applicant', 'user', 'catalog_version', 'calendar_year', 'material', 'assistance_request', 'verification_task', 'task_assignment']);

export function applyHallFeedItems(w: WriteContext, targetId: string, page: { items: FeedItem[]; more?: boolean }): void {
  const credits = new Map<number, { c: CreditBody; firstAt: string }>();
  for (const it of page.items) {
    if (!RECORD_KINDS.has(it.kind)) continue;
    const b = it.body as RecordFeedBody;
    try {
      // Its own savepoint: a version this desk cannot apply is skipped whole (and audited), never half-written, and never stops the feed.
      w.db.transaction(() => applyRecordVersion(w, targetId, b, it.ownerDesk, { onCredit: (id, c, firstAt) => credits.set(id, { c, firstAt }) }))();
    } catch (e) {
      w.audit({ action: 'hub.recordSkipped', entityType: 'sync_targets', entityId: targetId, detail: { seq: it.seq, kind: it.kind, key: it.key, error: String((e as Error)?.message ?? e) } });
    }
  }
  // After the whole page: a record and its repair in the same page bar no one (the repair came first for this desk).
  for (const [id, { c, firstAt }] of credits) if (creditRecordBars(w.db, id)) flagCommitmentsSignedAfter(w, id, c, firstAt);
  // Read to its end: the age of the hall copy shown at intake (全厅数据更新于 …).
  if (page.more === false) {
    w.db
      .prepare(`INSERT INTO hall_sync_state (target_id, caught_up_at) VALUES (?, ?) ON CONFLICT (target_id) DO UPDATE SET caught_up_at = excluded.caught_up_at`)
      .run(targetId, w.at.toISOString());
  }
}

/** Applies one version of a record if it is newer than the local copy; returns whether it did. */
export function applyRecordVersion(
  w: WriteContext,
  targetId: string,
  b: RecordFeedBody,
  ownerDesk: string,
  opts: { force?: boolean; onCredit?: (creditId: number, c: CreditBody, firstAt: string) => void } = {},
): boolean {
  if (!opts.force && b.version <= localVersion(w.db, targetId, b.kind, b.recordId)) return false;
  if (b.kind === 'applicant' || b.kind === 'calendar_year') {
    const waiting = w.db.prepare(`SELECT 1 FROM hall_record_outbox WHERE target_id = ? AND kind = ? AND record_id = ? AND state <> 'acknowledged'`).get(targetId, b.kind, b.recordId);
    if (waiting && !opts.force) return false;
    if (b.kind === 'applicant') applyApplicantBody(w, b.recordId, b.body, b.version);
    else applyCalendarYearBody(w, b.body as unknown as CalendarYearBody, ownerDesk);
  } else if (b.kind === 'user') {
    // This desk's own changes of the user still waiting to be pushed are laid over it, as the hub will (hall-users.ts).
    applyUserBody(w, b.recordId, withPendingChanges(w.db, targetId, b.recordId, b.body as unknown as UserBody));
  } else if (b.kind === 'catalog_version') {
    applyCatalogVersionBody(w, b.recordId, b.body as unknown as CatalogVersionBody, ownerDesk);
  } else if (b.kind === 'material') {
    applyMaterialBody(w, b.recordId, b.body, ownerDesk, b.version);
  } else if (b.kind === 'assistance_request') {
    applyAssistanceRequestBody(w, b.recordId, b.body, ownerDesk, b.version);
  } else if (b.kind === 'verification_task') {
    applyTaskBody(w, b.recordId, b.body);
  } else if (b.kind === 'task_assignment') {
    applyAssignmentBody(w, b.recordId, b.body);
  } else {
    const c = b.body as unknown as CreditBody;
    opts.onCredit?.(applyCredit(w, b.recordId, c, ownerDesk, b.firstAt), c, b.firstAt);
  }
  setLocalVersion(w.db, targetId, b.kind, b.recordId, b.version);
  return true;
}

/** A credit record from the hall: inserted once under its hall id; a repair applied once (append-only: never un-repaired). */
function applyCredit(w: WriteContext, hallKey: string, c: CreditBody, ownerDesk: string, firstAt: string): number {
  const had = w.db.prepare('SELECT id, repaired_at FROM credit_records WHERE hall_key = ?').get(hallKey) as { id: number; repaired_at: string | null } | undefined;
  let id: number;
  if (!had) {
    id = Number(
      w.db
        .prepare(
          `INSERT INTO credit_records (id_type, id_number, name, kind, severity, reason, source, recorded_at, repaired_at, repair_note, document_no, decided_on, hall_key, origin_desk, hub_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(c.idType, c.idNumber, c.name, c.kind, c.severity, c.reason, c.source, c.recordedAt, c.repairedAt, c.repairNote, c.documentNo, c.decidedOn, hallKey, ownerDesk, firstAt).lastInsertRowid,
    );
    w.audit({ action: 'hub.creditReceived', entityType: 'credit', entityId: id, detail: { hallKey, fromDesk: ownerDesk, kind: c.kind, severity: c.severity, repaired: c.repairedAt !== null, hubAt: firstAt } });
  } else {
    id = had.id;
    w.db.prepare('UPDATE credit_records SET hub_at = COALESCE(hub_at, ?) WHERE id = ?').run(firstAt, id);
    if (c.repairedAt && !had.repaired_at) {
      w.db.prepare('UPDATE credit_records SET repaired_at = ?, repair_note = ? WHERE id = ?').run(c.repairedAt, c.repairNote, id);
      w.audit({ action: 'hub.creditRepairReceived', entityType: 'credit', entityId: id, detail: { hallKey, fromDesk: ownerDesk, repairedAt: c.repairedAt } });
    }
  }
  return id;
}

/**
 * Commitments signed here after the hub already held this barring record: the desk could not know
 * (it was offline, or had not pulled yet). Each is flagged once and a verification is opened for it
 * (docs/verification.md: source 日常监管, the reason in its note) — or, if one is already open, the
 * flag points to it. A commitment of a case not yet accepted is flagged without a task (none can
 * be opened before acceptance); the audit says so.
 */
function flagCommitmentsSignedAfter(w: WriteContext, creditId: number, c: CreditBody, firstAt: string): void {
  const add = w.db.prepare('INSERT OR IGNORE INTO hall_credit_flags (commitment_id, credit_id, task_id, flagged_at, note) VALUES (?, ?, ?, ?, ?)');
  for (const commitmentId of commitmentsCovered(w.db, c.idType, c.idNumber, firstAt)) {
    if (w.db.prepare('SELECT 1 FROM hall_credit_flags WHERE commitment_id = ? AND credit_id = ?').get(commitmentId, creditId)) continue;
    const note = `全厅信用记录：${c.name}在本承诺签署前已被列入信用记录（${c.reason}，${c.source}；全厅中心 ${chinaDateTime(firstAt)} 收录），本机当时未同步，需核查该承诺。`;
    let taskId: number | null = null;
    let opened = false;
    try {
      taskId = openVerification(w, commitmentId, 'routine', note);
      opened = true;
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      taskId = (w.db.prepare(`SELECT id FROM verification_tasks WHERE commitment_id = ? AND status = 'open' ORDER BY id DESC LIMIT 1`).get(commitmentId) as { id: number } | undefined)?.id ?? null;
    }
    add.run(commitmentId, creditId, taskId, w.at.toISOString(), note);
    w.audit({ action: 'hub.commitmentFlagged', entityType: 'commitment', entityId: commitmentId, detail: { creditId, hubAt: firstAt, taskId, taskOpened: opened } });
  }
}
