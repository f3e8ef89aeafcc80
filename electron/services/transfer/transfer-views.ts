import type { Db } from '../../store/open-store';
import { deskZone, reachableHere, type TransferCtx } from './transfer-context';

/** Entries carried to the peer, newest first, with where they stand. */
export function listWaiting(db: Db) {
  return db
    .prepare(
      `SELECT s.entry_id AS entryId, c.case_no AS caseNo, a.name AS applicantName, COALESCE(t.name, e.target_id) AS targetName,
              s.idempotency_key AS idempotencyKey, s.state, s.exports, s.last_seq AS lastSeq, s.received_at AS receivedAt
       FROM transfer_sent s JOIN outbox_entries e ON e.id = s.entry_id JOIN cases c ON c.id = e.case_id
       JOIN applicants a ON a.id = c.applicant_id LEFT JOIN sync_targets t ON t.id = e.target_id
       WHERE s.state <> 'acknowledged' ORDER BY s.entry_id DESC LIMIT 500`,
    )
    .all() as { entryId: number; caseNo: string; applicantName: string; targetName: string; idempotencyKey: string; state: 'exported' | 'received' | 'acknowledged' | 'parked'; exports: number; lastSeq: number; receivedAt: string | null }[];
}

/** How many outbox entries the next export would carry (not counting re-sends; "came from the peer" by key, as in export-bundle.ts). */
export function pendingExportCount(ctx: TransferCtx): number {
  const zone = deskZone(ctx.db);
  const away = ctx.targets.all().filter((t) => !reachableHere(t, zone)).map((t) => t.id);
  if (!away.length) return 0;
  return ctx.db
    .prepare(
      `SELECT COUNT(*) FROM outbox_entries e LEFT JOIN transfer_sent s ON s.entry_id = e.id
       WHERE e.state = 'pending' AND e.target_id IN (${away.map(() => '?').join(', ')}) AND s.entry_id IS NULL
         AND NOT EXISTS (SELECT 1 FROM transfer_received r WHERE r.idempotency_key = e.idempotency_key)`,
    )
    .pluck()
    .get(...away) as number;
}

interface Doc {
  items?: { name: string }[];
  commitments?: { certificateCode: string; digest: string; signedAt: string }[];
}

/** Cases that came from the peer desk, newest first, with their pages, commitments and the target's answer. */
export function listReceivedCases(db: Db) {
  const rows = db
    .prepare(
      `SELECT tc.case_id, c.case_no, c.status, c.status_reason, tc.origin_case_no, a.name AS applicant_name, tc.document, tc.received_at,
              (SELECT e.state FROM outbox_entries e WHERE e.case_id = tc.case_id ORDER BY e.id DESC LIMIT 1) AS entry_state,
              (SELECT COALESCE(t.name, e.target_id) FROM outbox_entries e LEFT JOIN sync_targets t ON t.id = e.target_id WHERE e.case_id = tc.case_id ORDER BY e.id DESC LIMIT 1) AS target_name,
              (SELECT e.target_case_no FROM outbox_entries e WHERE e.case_id = tc.case_id ORDER BY e.id DESC LIMIT 1) AS target_case_no
       FROM transfer_cases tc JOIN cases c ON c.id = tc.case_id JOIN applicants a ON a.id = c.applicant_id
       ORDER BY tc.received_at DESC, tc.case_id DESC LIMIT 200`,
    )
    .all() as { case_id: number; case_no: string; status: string; status_reason: string | null; origin_case_no: string; applicant_name: string; document: string; received_at: string; entry_state: string | null; target_name: string | null; target_case_no: string | null }[];
  const files = db.prepare('SELECT sha256, name, kind, size FROM transfer_case_files WHERE case_id = ? ORDER BY kind, name');
  return rows.map((r) => {
    const doc = JSON.parse(r.document) as Doc;
    return {
      caseId: r.case_id,
      caseNo: r.case_no,
      originCaseNo: r.origin_case_no,
      applicantName: r.applicant_name,
      status: r.status,
      // A mirror's reason is where it came from, until a status change tells why it ended.
      statusReason: r.status === 'terminated' || r.status === 'revoked' ? r.status_reason : null,
      items: (doc.items ?? []).map((i) => i.name),
      pages: files.all(r.case_id) as { sha256: string; name: string; kind: string; size: number }[],
      commitments: (doc.commitments ?? []).map((c) => ({ certificateCode: c.certificateCode, digest: c.digest, signedAt: c.signedAt })),
      entryState: r.entry_state,
      targetName: r.target_name,
      targetCaseNo: r.target_case_no,
      receivedAt: r.received_at,
    };
  });
}
