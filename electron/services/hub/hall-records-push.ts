import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { backoffMs } from '../sync/backoff';
import { ConnectorFailure, type Failure } from '../sync/http-connector';
import type { HubConnector, RecordAnswer } from './hub-connector';
import { applyRecordVersion } from './hall-records-apply';
import { localVersion, setLocalVersion, type HallRecordKind } from './hall-records';
import { uploadMaterialPages } from './hall-materials';

/**
 * Sends `hall_record_outbox` entries to a hub (docs/hub.md, "Hall records"), with the case
 * outbox's exactly-once rules: an entry is leased (owner, until, attempt) in a committed claim
 * before it is sent; a lease that ran out or was held by an earlier process means "maybe sent"
 * (unknown) and the entry is re-sent under the same idempotency key, which the hub answers as a
 * duplicate with what it stored; an answer is believed only when signed by the pinned hub key.
 * One record's entries go in order (a change waits for the earlier one of the same record).
 * Delivery bookkeeping is written directly; an acknowledgement (a change of what the desk holds)
 * goes through the audited write path.
 */

interface Entry {
  id: number;
  target_id: string;
  kind: HallRecordKind;
  record_id: string;
  base_version: number | null;
  body: string;
  idempotency_key: string;
  state: string;
  attempts: number;
}

export interface PusherConfig {
  leaseMs: number;
  backoffBaseMs: number;
  backoffMaxMs: number;
}

const BATCH = 8;

export class HallRecordPusher {
  private readonly busy = new Set<string>();
  /** Leases left by an earlier process are recovered at this pusher's first run (its own never outlive a request: leaseMs > requestTimeoutMs). */
  private recovered = false;

  constructor(
    private readonly deps: Pick<Deps, 'db' | 'write' | 'now' | 'logger'>,
    private readonly owner: string,
    private readonly cfg: PusherConfig,
  ) {}

  /** Leases of an earlier process, or run out: maybe sent → unknown, to be re-sent under the same key. */
  recover(): number {
    const now = this.deps.now().toISOString();
    return this.deps.db
      .prepare(
        `UPDATE hall_record_outbox SET state = 'unknown', next_attempt_at = ?, lease_owner = NULL, lease_until = NULL,
           last_error = COALESCE(last_error, '发送过程中断，是否送达未知，将以同一幂等键重发核对')
         WHERE state = 'in_flight' AND (lease_owner IS NOT ? OR lease_until < ?)`,
      )
      .run(now, this.owner, now).changes;
  }

  /** Sends what may go now to this hub, until nothing is left (one run per target at a time). */
  async push(hub: HubConnector): Promise<number> {
    const targetId = hub.target.id;
    if (this.busy.has(targetId)) return 0;
    if (!this.recovered) {
      this.recovered = true;
      this.recover();
    }
    // A read first (the open-entries index): most ticks find nothing and take no write lock.
    if (!this.deps.db.prepare(`SELECT 1 FROM hall_record_outbox WHERE target_id = ? AND state <> 'acknowledged' AND state <> 'parked' LIMIT 1`).get(targetId)) return 0;
    this.busy.add(targetId);
    let sent = 0;
    try {
      for (;;) {
        const batch = this.claim(targetId);
        if (batch.length === 0) break;
        const results = await Promise.all(batch.map((e) => this.send(hub, e)));
        sent += results.filter(Boolean).length;
        if (results.some((ok) => !ok)) break; // a failure: the rest waits for its retry time
      }
    } finally {
      this.busy.delete(targetId);
    }
    return sent;
  }

  private claim(targetId: string): Entry[] {
    const db = this.deps.db;
    const nowMs = this.deps.now().getTime();
    const now = new Date(nowMs).toISOString();
    return db
      .transaction(() => {
        const rows = db
          .prepare(
            `SELECT * FROM hall_record_outbox e
             WHERE e.target_id = ? AND (e.state = 'pending' OR (e.state IN ('retry_wait', 'unknown') AND e.next_attempt_at <= ?))
               AND NOT EXISTS (SELECT 1 FROM hall_record_outbox p WHERE p.target_id = e.target_id AND p.kind = e.kind AND p.record_id = e.record_id AND p.id < e.id AND p.state <> 'acknowledged')
               -- A material waits for its applicant's earlier entry: every desk must have the applicant before the material (hall-materials.ts).
               AND NOT (e.kind = 'material' AND EXISTS (SELECT 1 FROM hall_record_outbox p WHERE p.target_id = e.target_id AND p.kind = 'applicant'
                          AND p.record_id = json_extract(e.body, '$.applicant') AND p.id < e.id AND p.state <> 'acknowledged'))
             ORDER BY e.id LIMIT ?`,
          )
          .all(targetId, now, BATCH) as Entry[];
        const take = db.prepare(`UPDATE hall_record_outbox SET state = 'in_flight', lease_owner = ?, lease_until = ?, attempts = attempts + 1 WHERE id = ?`);
        for (const r of rows) take.run(this.owner, new Date(nowMs + this.cfg.leaseMs).toISOString(), r.id);
        return rows.map((r) => ({ ...r, attempts: r.attempts + 1 }));
      })
      .immediate();
  }

  /** The base the hub compares with: as written, or the version the hub gave this desk's previous change of the record. */
  private baseOf(e: Entry): number {
    if (e.base_version !== null) return e.base_version;
    const prev = this.deps.db
      .prepare(`SELECT hub_version FROM hall_record_outbox WHERE target_id = ? AND kind = ? AND record_id = ? AND id < ? AND state = 'acknowledged' ORDER BY id DESC LIMIT 1`)
      .get(e.target_id, e.kind, e.record_id, e.id) as { hub_version: number | null } | undefined;
    return prev?.hub_version ?? localVersion(this.deps.db, e.target_id, e.kind, e.record_id);
  }

  private async send(hub: HubConnector, e: Entry): Promise<boolean> {
    try {
      if (e.kind === 'material') await uploadMaterialPages(hub, JSON.parse(e.body) as Record<string, unknown>);
      const answer = await hub.pushRecord({ kind: e.kind, recordId: e.record_id, baseVersion: this.baseOf(e), body: JSON.parse(e.body) as Record<string, unknown>, idempotencyKey: e.idempotency_key });
      this.acknowledge(e, answer);
      return true;
    } catch (err) {
      const f: Failure = err instanceof ConnectorFailure ? err.failure : { kind: 'retry', status: 0, retryAfterMs: null, message: `发送失败：${(err as Error).message}` };
      if (!(err instanceof ConnectorFailure)) this.deps.logger.error('hub.recordSendError', { entry: e.id, error: String((err as Error)?.stack ?? err) });
      this.fail(e, f);
      return false;
    }
  }

  /**
   * The hub stored it (or had it: a duplicate). In one audited transaction, if this claim still
   * holds the entry: acknowledged with the hub's version and outcome; the local copy's version
   * moves on; a change the hub did not take as current (a conflict kept for the supervisor, or an
   * append-only record's late repeat) makes this desk adopt the hub's current version.
   */
  private acknowledge(e: Entry, a: RecordAnswer): void {
    this.deps.write(SYSTEM_ACTOR, (w) => {
      const held = w.db
        .prepare(
          `UPDATE hall_record_outbox SET state = 'acknowledged', hub_version = ?, outcome = ?, acknowledged_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
           WHERE id = ? AND state = 'in_flight' AND lease_owner = ? AND attempts = ?`,
        )
        .run(a.version, a.outcome, w.at.toISOString(), e.id, this.owner, e.attempts).changes;
      if (held === 0) {
        // Recovered meanwhile (lease ran out): it will be re-sent under its key and answered as a duplicate.
        w.audit({ action: 'hub.recordAcknowledged', entityType: 'hall_record_outbox', entityId: e.id, detail: { kind: e.kind, recordId: e.record_id, version: a.version, outcome: a.outcome, leaseLost: true } });
        return;
      }
      const more = () => w.db.prepare(`SELECT 1 FROM hall_record_outbox WHERE target_id = ? AND kind = ? AND record_id = ? AND state <> 'acknowledged'`).get(e.target_id, e.kind, e.record_id);
      if (a.outcome === 'current' && e.kind === 'user' && !more()) {
        // A user change on a stale base became current merged onto the hub's version (hub/users.ts): take what the hub holds.
        applyRecordVersion(w, e.target_id, { kind: e.kind, recordId: e.record_id, version: a.current.version, body: a.current.body as Record<string, unknown>, firstAt: w.at.toISOString() }, 'hub', { force: true });
      } else if (a.outcome === 'current') setLocalVersion(w.db, e.target_id, e.kind, e.record_id, a.version);
      else {
        if (!more()) applyRecordVersion(w, e.target_id, { kind: e.kind, recordId: e.record_id, version: a.current.version, body: a.current.body as Record<string, unknown>, firstAt: w.at.toISOString() }, 'hub', { force: true });
      }
      w.audit({
        action: 'hub.recordAcknowledged',
        entityType: 'hall_record_outbox',
        entityId: e.id,
        detail: { kind: e.kind, recordId: e.record_id, version: a.version, outcome: a.outcome, via: a.duplicate ? 'duplicate' : 'answer', current: a.current.version },
      });
    });
  }

  /** A failed attempt: waits (not sent, busy), stays unknown (maybe sent), or is parked (refused). */
  private fail(e: Entry, f: Failure): void {
    const nowMs = this.deps.now().getTime();
    const next = new Date(nowMs + backoffMs(e.attempts, { baseMs: this.cfg.backoffBaseMs, maxMs: this.cfg.backoffMaxMs }, f.kind === 'retry' ? f.retryAfterMs : null)).toISOString();
    const where = `WHERE id = ? AND state = 'in_flight' AND lease_owner = ? AND attempts = ?`;
    const db = this.deps.db;
    if (f.kind === 'rejected') {
      this.deps.write(SYSTEM_ACTOR, (w) => {
        w.db.prepare(`UPDATE hall_record_outbox SET state = 'parked', last_error = ?, lease_owner = NULL, lease_until = NULL ${where}`).run(f.message, e.id, this.owner, e.attempts);
        w.audit({ action: 'hub.recordParked', entityType: 'hall_record_outbox', entityId: e.id, detail: { kind: e.kind, recordId: e.record_id, reason: f.message } });
      });
      return;
    }
    const unknown = f.kind === 'maybe_sent' || e.state === 'unknown';
    db.prepare(`UPDATE hall_record_outbox SET state = ?, next_attempt_at = ?, last_error = ?, lease_owner = NULL, lease_until = NULL ${where}`).run(
      unknown ? 'unknown' : 'retry_wait',
      next,
      f.message,
      e.id,
      this.owner,
      e.attempts,
    );
  }
}
