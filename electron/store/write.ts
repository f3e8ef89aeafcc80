import type { Db } from './open-store';
import { appendAudit, type Actor, type AuditRecord } from '../services/audit/audit-chain';

export interface WriteContext {
  db: Db;
  actor: Actor;
  at: Date;
  /** Records what this write changed; at least one entry per write is required. */
  audit(rec: AuditRecord): void;
}

/**
 * The only way services change records: one IMMEDIATE transaction that holds
 * the change and its audit entries. A write that records no audit entry is
 * rolled back, so no change of record can go unattributed.
 */
export function writeTx<T>(db: Db, actor: Actor, now: () => Date, fn: (w: WriteContext) => T): T {
  return db
    .transaction(() => {
      const at = now();
      let audited = 0;
      const ctx: WriteContext = {
        db,
        actor,
        at,
        audit(rec) {
          appendAudit(db, actor, at, rec);
          audited++;
        },
      };
      const result = fn(ctx);
      if (audited === 0) throw new Error('write without an audit entry was rolled back');
      return result;
    })
    .immediate();
}
