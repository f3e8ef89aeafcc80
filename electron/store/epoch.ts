import { randomBytes } from 'node:crypto';
import type { Db } from './open-store';

/**
 * The store's epoch (migrations/0008_store_epoch.sql): a random 16-hex-digit id created with the
 * store and renewed by every restore. New case numbers carry a short tag of it and new outbox
 * idempotency keys carry all of it, so a store restored from a backup never issues again a case
 * number or key that may have been delivered after the backup was taken (docs/backup-restore.md).
 */

export interface StoreEpoch {
  seq: number;
  epoch: string;
  reason: 'created' | 'restored';
  startedAt: string;
}

export function currentEpoch(db: Db): StoreEpoch {
  const row = db.prepare('SELECT seq, epoch, reason, started_at FROM store_epochs ORDER BY seq DESC LIMIT 1').get() as
    | { seq: number; epoch: string; reason: StoreEpoch['reason']; started_at: string }
    | undefined;
  if (!row) throw new Error('store_epochs is empty: the store has no epoch');
  return { seq: row.seq, epoch: row.epoch, reason: row.reason, startedAt: row.started_at };
}

export function newEpochId(): string {
  return randomBytes(8).toString('hex');
}

/** Starts a new epoch; call inside the write transaction of a restore. */
export function renewEpoch(db: Db, at: Date, detail: Record<string, unknown>): string {
  const epoch = newEpochId();
  db.prepare(`INSERT INTO store_epochs (epoch, reason, started_at, detail) VALUES (?, 'restored', ?, ?)`).run(epoch, at.toISOString(), JSON.stringify(detail));
  return epoch;
}

// Crockford's base32 (no I, L, O, U): a tag a clerk can read aloud and type back.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

/** The 4-character tag of an epoch carried in case numbers (20 bits of it: one in a million for two epochs to share a tag). */
export function epochTag(epoch: string): string {
  const n = parseInt(epoch.slice(0, 5), 16);
  let out = '';
  for (let i = 3; i >= 0; i--) out += ALPHABET[(n >> (i * 5)) & 31];
  return out;
}
