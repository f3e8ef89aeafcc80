import type { Db } from '../../store/open-store';
import type { AckRecord } from './bundle-format';

/**
 * What this desk currently has to say about an entry it received (from its outbox state). An entry
 * refused by the target and superseded here by a newer revision (its reason kept) is still told as
 * refused: the origin desk has it carried and waiting for an answer.
 */
export function currentAck(r: { idempotency_key: string; state: string; target_case_no: string | null; acknowledged_at: string | null; parked_reason: string | null }): AckRecord {
  if (r.state === 'acknowledged') return { key: r.idempotency_key, state: 'acknowledged', targetCaseNo: r.target_case_no, at: r.acknowledged_at };
  if (r.state === 'parked' || (r.state === 'superseded' && r.parked_reason !== null)) return { key: r.idempotency_key, state: 'parked', reason: r.parked_reason };
  return { key: r.idempotency_key, state: 'received' };
}

/** Acks the peer has not yet confirmed seeing in its current form, in key order (read in pages: nothing held open between them). */
export function* pendingAcks(db: Db, page = 500): Generator<AckRecord> {
  const next = db.prepare(
    `SELECT r.idempotency_key, r.ack_confirmed, e.state, e.target_case_no, e.acknowledged_at, e.parked_reason
     FROM transfer_received r JOIN outbox_entries e ON e.id = r.entry_id WHERE r.idempotency_key > ? ORDER BY r.idempotency_key LIMIT ?`,
  );
  for (let after = ''; ; ) {
    const rows = next.all(after, page) as { idempotency_key: string; ack_confirmed: string | null; state: string; target_case_no: string | null; acknowledged_at: string | null; parked_reason: string | null }[];
    for (const r of rows) {
      const ack = currentAck(r);
      if (JSON.stringify(ack) !== r.ack_confirmed) yield ack;
    }
    if (rows.length < page) return;
    after = rows[rows.length - 1]!.idempotency_key;
  }
}

const RANK = { exported: 0, received: 1, parked: 2, acknowledged: 3 } as const;

/**
 * On the sending desk: applies acks from the peer (statements prepared once). Only moves forward
 * (an older bundle's "received" does not undo an "acknowledged"); "acknowledged" closes the outbox
 * entry with the target's case number, "parked" parks it with the target's reason (the clerk can
 * resend) — unless a newer revision of it exists here (a status change written meanwhile,
 * docs/sync.md): then it is superseded by that one, the reason kept, as the sender does.
 */
export function ackApplier(db: Db): (a: AckRecord, at: string) => boolean {
  const sent = db.prepare('SELECT entry_id, state FROM transfer_sent WHERE idempotency_key = ?');
  const move = db.prepare('UPDATE transfer_sent SET state = ?, received_at = COALESCE(received_at, ?), remote_state_at = ?, remote_reason = ? WHERE entry_id = ?');
  const close = db.prepare(
    `UPDATE outbox_entries SET state = 'acknowledged', target_case_no = ?, acknowledged_at = ?, lease_owner = NULL, lease_until = NULL, last_error = NULL
     WHERE id = ? AND state NOT IN ('acknowledged', 'superseded')`,
  );
  const park = db.prepare(`UPDATE outbox_entries SET state = 'parked', parked_reason = ? WHERE id = ? AND state = 'pending'`);
  const newer = db
    .prepare(
      `SELECT n.id FROM outbox_entries e JOIN outbox_entries n ON n.case_id = e.case_id AND n.target_id = e.target_id AND n.kind = e.kind AND n.subject = e.subject
       WHERE e.id = ? AND n.revision > e.revision AND n.state <> 'superseded' ORDER BY n.revision DESC LIMIT 1`,
    )
    .pluck();
  const supersede = db.prepare(`UPDATE outbox_entries SET state = 'superseded', superseded_by = ?, parked_reason = ? WHERE id = ? AND state = 'pending'`);
  return (a, at) => {
    const s = sent.get(a.key) as { entry_id: number; state: keyof typeof RANK } | undefined;
    if (!s) return false;
    if (RANK[a.state] <= RANK[s.state] && !(a.state === 'acknowledged' && s.state === 'parked')) return false;
    if (s.state === 'acknowledged') return false;
    move.run(a.state, at, a.at ?? at, a.reason ?? null, s.entry_id);
    if (a.state === 'acknowledged') close.run(a.targetCaseNo ?? null, a.at ?? at, s.entry_id);
    else if (a.state === 'parked') {
      const reason = `经对端工作台转发时被目标系统退回：${a.reason ?? ''}`;
      const by = newer.get(s.entry_id) as number | undefined;
      if (by) supersede.run(by, reason, s.entry_id);
      else park.run(reason, s.entry_id);
    }
    return true;
  };
}

/** Which of the peer's bundles this desk has applied: contiguous through n, plus later ones. */
export function appliedFromPeer(db: Db): { through: number; also: number[] } {
  const seqs = db.prepare('SELECT DISTINCT seq FROM transfer_bundles_in ORDER BY seq').pluck().all() as number[];
  let through = 0;
  const also: number[] = [];
  for (const s of seqs) {
    if (s === through + 1 && also.length === 0) through = s;
    else also.push(s);
  }
  return { through, also };
}

/** Sequence numbers missing below the highest one applied (bundles lost or not yet carried over). */
export function gapsFromPeer(db: Db): number[] {
  const { through, also } = appliedFromPeer(db);
  if (!also.length) return [];
  const have = new Set(also);
  const gaps: number[] = [];
  for (let s = through + 1; s < also[also.length - 1]!; s++) if (!have.has(s)) gaps.push(s);
  return gaps;
}
