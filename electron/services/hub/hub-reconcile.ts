import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import type { HubConnector } from './hub-connector';

/**
 * The desk's reconciliation with its hub (docs/hub.md "After a restore"): the hub's database may
 * have been restored from a backup older than the desk's state, so entries the hub acknowledged
 * may be gone from it. The desk asks how many of its cases the hub holds; when that is fewer
 * than the entries it has acknowledged there, it asks which of its acknowledged keys the hub
 * holds, batch by batch, and puts every one the hub lacks back into its outbox as pending, under
 * the same idempotency key (the hub stores it once; if it is there after all, it answers
 * `duplicate`). The count first keeps the check to one small request while nothing is missing.
 * An entry pushed but not yet acknowledged at the desk can make the hub's count look whole while a
 * restore lost an acknowledged one: the next reconciliation, once the acknowledgement is recorded,
 * sees the shortfall.
 */

export interface ReconcileResult {
  acknowledged: number;
  hubHolds: number;
  checked: number;
  requeued: number;
}

const BATCH = 500;

export async function reconcileHub(deps: Pick<Deps, 'db' | 'write'>, hub: HubConnector, opts: { batch?: number } = {}): Promise<ReconcileResult> {
  const targetId = hub.target.id;
  const acknowledged = (deps.db.prepare(`SELECT count(*) AS n FROM outbox_entries WHERE target_id = ? AND kind = 'case' AND state = 'acknowledged'`).get(targetId) as { n: number }).n;
  const hubHolds = await hub.caseCount();
  const r: ReconcileResult = { acknowledged, hubHolds, checked: 0, requeued: 0 };
  if (hubHolds >= acknowledged) return r;
  const page = deps.db.prepare(
    `SELECT id, case_id, idempotency_key AS key FROM outbox_entries WHERE target_id = ? AND kind = 'case' AND state = 'acknowledged' AND id > ? ORDER BY id LIMIT ?`,
  );
  for (let after = 0; ; ) {
    const rows = page.all(targetId, after, Math.min(opts.batch ?? BATCH, 1000)) as { id: number; case_id: number; key: string }[];
    if (rows.length === 0) break;
    after = rows[rows.length - 1]!.id;
    const held = await hub.heldKeys(rows.map((e) => e.key));
    r.checked += rows.length;
    const missing = rows.filter((e) => !held.has(e.key));
    if (missing.length) r.requeued += requeue(deps, targetId, missing);
  }
  return r;
}

/** Acknowledged entries the hub lacks go back to pending, each audited; an entry no longer acknowledged is left alone. */
function requeue(deps: Pick<Deps, 'write'>, targetId: string, entries: { id: number; case_id: number; key: string }[]): number {
  return deps.write(SYSTEM_ACTOR, (w) => {
    const up = w.db.prepare(
      `UPDATE outbox_entries SET state = 'pending', acknowledged_at = NULL, target_case_no = NULL, next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL,
         last_error = '全厅中心没有此件（中心数据库可能从较早的备份恢复），已重新排队推送'
       WHERE id = ? AND state = 'acknowledged'`,
    );
    let n = 0;
    for (const e of entries) {
      if (up.run(e.id).changes !== 1) continue;
      n++;
      w.audit({ action: 'hub.requeued', entityType: 'case', entityId: e.case_id, detail: { entryId: e.id, target: targetId, key: e.key } });
    }
    return n;
  });
}
