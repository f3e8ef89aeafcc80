import type { Db } from './open-store';
import { appendAudit, type Actor, type AuditRecord } from '../services/audit/audit-chain';
import { progress } from '../log/progress';

export interface WriteContext {
  db: Db;
  actor: Actor;
  at: Date;
  /** Records what this write changed; at least one entry per write is required. */
  audit(rec: AuditRecord): void;
}

/**
 * Steps run at the end of every write on a store, inside its transaction, before it commits:
 * work that must go with any change of certain rows, whoever made it (a verification task's
 * summary queued for the hub: services/hub/hall-tasks.ts).
 */
const beforeCommit = new WeakMap<Db, ((w: WriteContext) => void)[]>();

export function onBeforeCommit(db: Db, step: (w: WriteContext) => void): void {
  beforeCommit.set(db, [...(beforeCommit.get(db) ?? []), step]);
}

/**
 * The only way services change records: one IMMEDIATE transaction that holds
 * the change and its audit entries. A write that records no audit entry is
 * rolled back, so no change of record can go unattributed. Reports `write.applied` (done, not
 * committed) and `write.committed` with the last audit action (log/progress.ts, for the kill tests).
 */
export function writeTx<T>(db: Db, actor: Actor, now: () => Date, fn: (w: WriteContext) => T): T {
  let action = '';
  const result = db
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
          action = rec.action;
        },
      };
      const result = fn(ctx);
      if (audited === 0) throw new Error('write without an audit entry was rolled back');
      // The write is named (progress marks) by its own last entry, not by what these steps add.
      const named = action;
      for (const step of beforeCommit.get(db) ?? []) step(ctx);
      action = named;
      progress('write.applied', action);
      return result;
    })
    .immediate();
  progress('write.committed', action);
  return result;
}
