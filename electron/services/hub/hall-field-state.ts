import type { Db } from '../../store/open-store';

/**
 * What a desk remembers of its field work through the hub (docs/hub.md, "Field work through the
 * hub"), written in the transactions that change it:
 * - on the owning desk, per task: the offer as the hub last accepted it (so a task whose row has
 *   changed since — by any path — is offered again), who took it at the hub, and the package issued
 *   for that holder (kept, so a package the hub never received is sent again as it was);
 * - on the laptop, per task taken at the hub: for whom, the imported package, the result sent and
 *   whether the owning desk applied it (or took the task back).
 * Kept as JSON under `hallField.*` keys of `sync_meta` (no schema change); this module is the only
 * reader and writer of those keys.
 */

/** The part of a task the hub is told about; a change of any of it means the offer is stale. */
export interface OfferState {
  open: boolean;
  takeable: boolean;
  packageId: string | null;
  assignee: string | null;
  dueAt: string | null;
  caseNo: string;
  certificate: string;
}

export interface OfferRecord {
  taskKey: string;
  targetId: string;
  state: OfferState;
  offeredAt: string;
  /** The assistant who took it at the hub (as the hub named them) and when this desk learnt it. */
  holder: string | null;
  takenAt: string | null;
  /** The package issued for that holder (kept until the hub has it). */
  issuedPackageId: string | null;
  issuedPackage: unknown;
  packageSentAt: string | null;
  /** The hub's time of the holding the package was issued for (names it exactly). */
  lockTakenAt?: string | null;
  /** Why the package could not be issued (no such assistant here…), in Chinese. */
  refused: string | null;
}

export interface TakeRecord {
  taskKey: string;
  targetId: string;
  assistant: string;
  userId: number;
  caseNo: string;
  certificate: string;
  dueAt: string | null;
  window: string;
  takenAt: string;
  packageId: string | null;
  /** When the hub took the laptop's key registration for that package (hall-field-keys.ts); absent in records written before. */
  keySentAt?: string | null;
  sentResultId: string | null;
  sentAt: string | null;
  appliedAt: string | null;
  releasedAt: string | null;
}

const OFFER = 'hallField.offer.';
const TAKE = 'hallField.take.';

function put(db: Db, key: string, value: unknown): void {
  db.prepare('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, JSON.stringify(value));
}

function get<T>(db: Db, key: string): T | null {
  const r = db.prepare('SELECT value FROM sync_meta WHERE key = ?').get(key) as { value: string } | undefined;
  return r ? (JSON.parse(r.value) as T) : null;
}

function all<T>(db: Db, prefix: string): T[] {
  // The prefix has no LIKE wildcards but '_': escaped.
  return (db.prepare(`SELECT value FROM sync_meta WHERE key LIKE ? ESCAPE '\\' ORDER BY key`).all(`${prefix.replace(/_/g, '\\_')}%`) as { value: string }[]).map((r) => JSON.parse(r.value) as T);
}

export const offerRecord = (db: Db, taskId: number): OfferRecord | null => get<OfferRecord>(db, OFFER + taskId);
export const putOfferRecord = (db: Db, taskId: number, r: OfferRecord): void => put(db, OFFER + taskId, r);
/** Task id → record, for every task this desk ever offered. */
export function offerRecords(db: Db): Map<number, OfferRecord> {
  const rows = db.prepare(`SELECT key, value FROM sync_meta WHERE key LIKE 'hallField.offer.%'`).all() as { key: string; value: string }[];
  return new Map(rows.map((r) => [Number(r.key.slice(OFFER.length)), JSON.parse(r.value) as OfferRecord]));
}

export const takeRecord = (db: Db, taskKey: string): TakeRecord | null => get<TakeRecord>(db, TAKE + taskKey);
export const putTakeRecord = (db: Db, r: TakeRecord): void => put(db, TAKE + r.taskKey, r);
export const takeRecords = (db: Db): TakeRecord[] => all<TakeRecord>(db, TAKE);
