import { randomUUID } from 'node:crypto';
import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import { currentEpoch } from '../../store/epoch';
import { hallCopyMessage } from '../../../shared/rules/hall-copy';
import { laterCaughtUp } from './hall-copy-clock';

/**
 * Hall records other than cases, written on this desk and shared through the hub (docs/hub.md,
 * "Hall records"): credit records (hall-owned, append-only — a record, later its repair) and
 * applicants (shared). Each change is queued, inside the transaction that makes it, as an entry of
 * `hall_record_outbox` for every hub target; the pusher (hall-records-push.ts) sends them.
 */

export type HallRecordKind = 'credit' | 'applicant' | 'user' | 'catalog_version' | 'calendar_year' | 'material' | 'assistance_request' | 'verification_task' | 'task_assignment';

interface HallConfig {
  /** The hub targets this desk pushes to (those the sender serves, zone-filtered). */
  targetIds: readonly string[];
  /** Told (after the writing transaction) that entries were queued: the pusher goes at once. */
  onQueued: () => void;
}

const configs = new WeakMap<Db, HallConfig>();

/** The audit log's entity type of each kind. */
const AUDIT_ENTITY: Record<HallRecordKind, string> = { credit: 'credit', applicant: 'applicant', user: 'user', catalog_version: 'catalog_version', calendar_year: 'calendar', material: 'material', assistance_request: 'assistance', verification_task: 'verification', task_assignment: 'verification' };

/** Set by the sender (sync/sender.ts) for the store it serves. */
export function configureHallRecords(db: Db, c: HallConfig): void {
  configs.set(db, c);
}

export function hallTargetIds(db: Db): readonly string[] {
  return configs.get(db)?.targetIds ?? [];
}

/**
 * Queues one change of a record for every hub target. Its base is the hub version the local copy
 * is at — or, while an earlier change of the same record still waits, "after that one" (NULL: the
 * version the hub gives it, known when it is acknowledged), so one desk's successive edits never
 * conflict with each other.
 */
export function enqueueHallRecord(w: WriteContext, kind: HallRecordKind, recordId: string, body: Record<string, unknown>): number[] {
  const cfg = configs.get(w.db);
  if (!cfg || cfg.targetIds.length === 0) return [];
  const ids: number[] = [];
  for (const targetId of cfg.targetIds) {
    const waiting = w.db.prepare(`SELECT 1 FROM hall_record_outbox WHERE target_id = ? AND kind = ? AND record_id = ? AND state <> 'acknowledged'`).get(targetId, kind, recordId);
    const base = waiting ? null : localVersion(w.db, targetId, kind, recordId);
    ids.push(insertHallEntry(w, targetId, kind, recordId, base, body));
  }
  w.audit({ action: 'hub.recordQueued', entityType: AUDIT_ENTITY[kind], entityId: null, detail: { kind, recordId, entries: ids } });
  setImmediate(cfg.onQueued); // after this transaction: the pusher then finds the entries committed
  return ids;
}

/** One entry of `hall_record_outbox` (its idempotency key made here, never changed); its id. */
export function insertHallEntry(w: WriteContext, targetId: string, kind: HallRecordKind, recordId: string, base: number | null, body: Record<string, unknown>): number {
  const key = `rec/${kind}/${recordId}/${targetId}/${randomUUID()}/e${currentEpoch(w.db).epoch}`;
  return Number(
    w.db
      .prepare(`INSERT INTO hall_record_outbox (target_id, kind, record_id, base_version, body, idempotency_key, state, created_at) VALUES (?, ?, ?, ?, ?, ?, 'pending', ?)`)
      .run(targetId, kind, recordId, base, JSON.stringify(body), key, w.at.toISOString()).lastInsertRowid,
  );
}

/** The hub version the local copy of a record is at (0: none yet). */
export function localVersion(db: Db, targetId: string, kind: string, recordId: string): number {
  return (db.prepare('SELECT version FROM hall_record_versions WHERE target_id = ? AND kind = ? AND record_id = ?').get(targetId, kind, recordId) as { version: number } | undefined)?.version ?? 0;
}

export function setLocalVersion(db: Db, targetId: string, kind: string, recordId: string, version: number): void {
  db.prepare(
    `INSERT INTO hall_record_versions (target_id, kind, record_id, version) VALUES (?, ?, ?, ?)
     ON CONFLICT (target_id, kind, record_id) DO UPDATE SET version = MAX(version, excluded.version)`,
  ).run(targetId, kind, recordId, version);
}

// ------------------------------------------------------------------ credit records

/** A credit record as the hall shares it. */
export interface CreditBody {
  idType: string;
  idNumber: string;
  name: string;
  kind: 'bad_credit' | 'false_commitment';
  severity: string;
  reason: string;
  source: string;
  documentNo: string | null;
  decidedOn: string | null;
  recordedAt: string;
  repairedAt: string | null;
  repairNote: string | null;
}

interface CreditRow {
  id: number;
  hall_key: string | null;
  id_type: string;
  id_number: string;
  name: string;
  kind: CreditBody['kind'];
  severity: string;
  reason: string;
  source: string;
  document_no: string | null;
  decided_on: string | null;
  recorded_at: string;
  repaired_at: string | null;
  repair_note: string | null;
}

export function creditBody(r: CreditRow): CreditBody {
  return {
    idType: r.id_type,
    idNumber: r.id_number,
    name: r.name,
    kind: r.kind,
    severity: r.severity,
    reason: r.reason,
    source: r.source,
    documentNo: r.document_no,
    decidedOn: r.decided_on,
    recordedAt: r.recorded_at,
    repairedAt: r.repaired_at,
    repairNote: r.repair_note,
  };
}

/**
 * Inside the transaction that recorded or repaired a credit record: gives it its hall id (the
 * first time) and queues it for the hub. Call after every change of a credit record.
 */
export function shareCreditRecord(w: WriteContext, creditId: number): void {
  if (hallTargetIds(w.db).length === 0) return;
  const r = creditWithHallKey(w, creditId);
  enqueueHallRecord(w, 'credit', r.hallKey, r.body as unknown as Record<string, unknown>);
}

/** Gives a credit record its hall id (the first time) and returns it as the hall shares it. */
export function creditWithHallKey(w: WriteContext, creditId: number): { hallKey: string; body: CreditBody } {
  w.db.prepare('UPDATE credit_records SET hall_key = COALESCE(hall_key, ?) WHERE id = ?').run(randomUUID(), creditId);
  const r = w.db.prepare('SELECT * FROM credit_records WHERE id = ?').get(creditId) as CreditRow;
  return { hallKey: r.hall_key!, body: creditBody(r) };
}

// ------------------------------------------------------------------ the age of the hall copy

export interface HallCopy {
  /** When this desk last read the hall feed to its end; null: never. */
  syncedAt: string | null;
  /** 全厅数据更新于 … (or that it never was), for the intake and commitment screens. */
  message: string;
}

/** null when this desk has no hub. Several hub targets: the oldest copy counts. */
export function hallCopy(db: Db, now: Date): HallCopy | null {
  const ids = hallTargetIds(db);
  if (ids.length === 0) return null;
  let oldest: string | null = null;
  for (const id of ids) {
    const at = laterCaughtUp(db, id, (db.prepare('SELECT caught_up_at FROM hall_sync_state WHERE target_id = ?').get(id) as { caught_up_at: string } | undefined)?.caught_up_at ?? null);
    if (at === null) return { syncedAt: null, message: hallCopyMessage(null, now) };
    if (oldest === null || at < oldest) oldest = at;
  }
  return { syncedAt: oldest, message: hallCopyMessage(oldest, now) };
}

/** `{ hallCopy }` for an answer, or nothing when this desk has no hub. */
export function hallCopyField(db: Db, now: Date): { hallCopy?: HallCopy } {
  const c = hallCopy(db, now);
  return c ? { hallCopy: c } : {};
}
