import { recordWitnessedHead } from '../audit/witnessed-heads';
import type { WriteContext } from '../../store/write';
import type { AckRecord, EntryRecord } from './bundle-format';
import type { StagedBundle } from './bundle-reader';
import { ackApplier, gapsFromPeer } from './acks';
import { forEachLine } from './line-reader';
import { ZONE_LABEL } from './transfer-context';
import type { CaseDocument } from '../sync/case-document';
import { reasonWithBasis } from '../sync/status-change';
import { progress } from '../../log/progress';
import { mirrorStatusFromPeer } from '../cases/case-state';
import type { CaseStatus } from '../../../shared/rules/case-states';

export interface Applied {
  status: 'applied';
  bundleId: string;
  seq: number;
  entriesNew: number;
  entriesKnown: number;
  files: number;
  acks: number;
  gaps: number[];
}

export interface ApplyOptions {
  catalog: number;
  user: number;
  senderDesk: string;
  senderZone: 'intranet' | 'extranet';
}

/** Thrown inside the transaction when another importer applied the bundle first. */
export class AlreadyApplied extends Error {}

/**
 * Applies a verified, staged bundle inside the caller's write transaction: the bundle row, each
 * entry by its idempotency key (read line by line from the staging folder), each ack, the peer's
 * confirmations, one audit entry. Every statement is prepared once, so a bundle of any size costs
 * a constant amount of memory; SQLite spills the transaction's pages to the WAL beyond its cache.
 */
export function applyStaged(w: WriteContext, s: StagedBundle, o: ApplyOptions): Applied {
  const { db } = w;
  const b = s.body;
  const at = w.at.toISOString();
  if (db.prepare('SELECT 1 FROM transfer_bundles_in WHERE bundle_id = ?').get(b.bundleId)) throw new AlreadyApplied();
  db.prepare(
    `INSERT INTO transfer_bundles_in (bundle_id, seq, prev_hash, manifest_hash, created_at, applied_at, entries_new, entries_known, files, acks, peer_applied)
     VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
  ).run(b.bundleId, b.seq, b.prevHash, s.manifestHash, b.createdAt, at, b.counts.files, b.counts.acks, JSON.stringify(b.peerApplied));

  // The files are in the store already (placeFiles); their rows go in with the entries that refer to them.
  let entriesNew = 0;
  let entriesKnown = 0;
  const entry = entryApplier(w, o, b.bundleId);
  forEachLine(s.entriesFile, (line) => {
    if (entry(JSON.parse(line) as EntryRecord)) entriesNew++;
    else entriesKnown++;
    progress('import.entry');
  });

  let acks = 0;
  const ack = ackApplier(db);
  forEachLine(s.acksFile, (line) => {
    if (ack(JSON.parse(line) as AckRecord, at)) acks++;
  });

  // The peer says which of our bundles it applied: those bundles, and the acks they carried, arrived.
  const seen = (seq: number) => seq <= b.peerApplied.through || b.peerApplied.also.includes(seq);
  const outs = db.prepare('SELECT seq FROM transfer_bundles_out WHERE confirmed_at IS NULL').pluck().all() as number[];
  const confirm = db.prepare('UPDATE transfer_bundles_out SET confirmed_at = ? WHERE seq = ?');
  const confirmAcks = db.prepare('UPDATE transfer_received SET ack_confirmed = ack_sent WHERE ack_seq = ?');
  for (const seq of outs.filter(seen)) {
    confirm.run(at, seq);
    confirmAcks.run(seq);
  }

  db.prepare('UPDATE transfer_bundles_in SET entries_new = ?, entries_known = ? WHERE bundle_id = ?').run(entriesNew, entriesKnown, b.bundleId);
  // The peer's latest signed audit head, witnessed here (services/audit/witnessed-heads.ts).
  const auditHead = b.auditHead ? { seq: b.auditHead.seq, witnessed: recordWitnessedHead(db, b.sender.deskId, b.auditHead, 'bundle', b.bundleId, at) } : null;
  w.audit({ action: 'transfer.import', entityType: 'transfer_bundle', entityId: b.bundleId, detail: { seq: b.seq, sender: b.sender.deskId, entriesNew, entriesKnown, files: b.counts.files, acks, auditHead } });
  return { status: 'applied', bundleId: b.bundleId, seq: b.seq, entriesNew, entriesKnown, files: b.counts.files, acks, gaps: gapsFromPeer(db) };
}

const STATUSES = ['accepted', 'verifying', 'completed', 'rejected', 'terminated', 'revoked'];

/** The mirror case's status reason for a revision telling of a status change, worded as on the origin desk. */
const changeReason = (doc: Partial<CaseDocument>): string | null => (doc.statusChange ? reasonWithBasis(doc.statusChange) : null);

/** One entry from the peer: the case mirrored here, the entry queued in this desk's outbox under the same key. */
function entryApplier(w: WriteContext, o: ApplyOptions, bundleId: string): (e: EntryRecord) => boolean {
  const { db } = w;
  const at = w.at.toISOString();
  const q = {
    known: db.prepare('SELECT 1 FROM outbox_entries WHERE idempotency_key = ?'),
    file: db.prepare('INSERT OR IGNORE INTO files (sha256, size, mime, created_at) VALUES (?, ?, ?, ?)'),
    target: db.prepare(`INSERT OR IGNORE INTO sync_targets (id, name, kind, config, updated_at) VALUES (?, ?, ?, '{}', ?)`),
    mirror: db.prepare('SELECT case_id, revision FROM transfer_cases WHERE origin_desk = ? AND origin_case_no = ?'),
    applicant: db.prepare('SELECT id FROM applicants WHERE id_type = ? AND id_number = ?').pluck(),
    newApplicant: db.prepare('INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    newCase: db.prepare(
      `INSERT INTO cases (case_no, applicant_id, catalog_version_id, status, revision, created_at, created_by, updated_at, accepted_at, status_reason)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    newMirror: db.prepare('INSERT INTO transfer_cases (case_id, origin_desk, origin_case_no, document, revision, received_at) VALUES (?, ?, ?, ?, ?, ?)'),
    newerMirror: db.prepare('UPDATE transfer_cases SET document = ?, revision = ? WHERE case_id = ?'),
    // Refused earlier revisions of the case to this target: the newer one replaces them (as on the origin desk).
    parkedBefore: db.prepare(
      `SELECT id, revision FROM outbox_entries WHERE case_id = ? AND target_id = ? AND kind = ? AND subject = ? AND revision < ? AND state = 'parked' ORDER BY id`,
    ),
    supersede: db.prepare(`UPDATE outbox_entries SET state = 'superseded', superseded_by = ? WHERE id = ? AND state = 'parked'`),
    caseFile: db.prepare('INSERT OR IGNORE INTO transfer_case_files (case_id, sha256, name, kind, size) VALUES (?, ?, ?, ?, ?)'),
    outbox: db.prepare(
      `INSERT INTO outbox_entries (case_id, target_id, kind, subject, revision, idempotency_key, document, state, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
    ),
    outboxFile: db.prepare('INSERT OR IGNORE INTO outbox_files (entry_id, sha256, name, kind, size) VALUES (?, ?, ?, ?, ?)'),
    received: db.prepare('INSERT INTO transfer_received (idempotency_key, entry_id, bundle_id, received_at) VALUES (?, ?, ?, ?)'),
  };
  const zone = ZONE_LABEL[o.senderZone];
  /** A newer revision telling of a status change (终止/撤销): the mirror case shows it, with its reason. */
  const mirrorStatusChange = (caseId: number, doc: Partial<CaseDocument>, originCaseNo: string) => {
    const c = doc.statusChange;
    if (!c || !STATUSES.includes(c.status)) return;
    const reason = changeReason(doc)!;
    const from = mirrorStatusFromPeer(w, caseId, c.status as CaseStatus, reason, doc.revision ?? 1);
    if (from === null) return;
    w.audit({ action: 'transfer.caseStatus', entityType: 'case', entityId: caseId, detail: { originCaseNo, originDesk: o.senderDesk, from, to: c.status, reason, bundleId } });
  };
  return (e) => {
    for (const f of e.files) q.file.run(f.sha256, f.size, f.mime, at);
    if (q.known.get(e.key)) return false;
    const doc = JSON.parse(e.document) as Partial<CaseDocument>;
    const kind = ['http', 'manual', 'data_sharing'].includes(e.target.kind) ? e.target.kind : 'manual';
    q.target.run(e.target.id, e.target.name, kind, at);

    let tc = q.mirror.get(o.senderDesk, e.caseNo) as { case_id: number; revision: number } | undefined;
    if (!tc) {
      const a = doc.applicant ?? { kind: 'person', name: '（未知）', idType: 'unknown', idNumber: e.caseNo, phone: '' };
      const applicantId =
        (q.applicant.get(a.idType, a.idNumber) as number | undefined) ??
        Number(q.newApplicant.run(a.kind === 'organisation' ? 'organisation' : 'person', a.name, a.idType, a.idNumber, a.phone ?? '', at, o.user).lastInsertRowid);
      const status = STATUSES.includes(doc.status ?? '') ? doc.status! : 'accepted';
      const caseId = Number(
        q.newCase.run(`${e.caseNo}（${zone}）`, applicantId, o.catalog, status, doc.revision ?? 1, at, o.user, at, doc.acceptedAt ?? at, changeReason(doc) ?? `由${zone}工作台 ${o.senderDesk} 转来`)
          .lastInsertRowid,
      );
      q.newMirror.run(caseId, o.senderDesk, e.caseNo, e.document, e.revision, at);
      tc = { case_id: caseId, revision: e.revision };
      w.audit({ action: 'transfer.caseReceived', entityType: 'case', entityId: caseId, detail: { originCaseNo: e.caseNo, originDesk: o.senderDesk, bundleId } });
    } else if (e.kind === 'case' && e.revision > tc.revision) {
      q.newerMirror.run(e.document, e.revision, tc.case_id);
      mirrorStatusChange(tc.case_id, doc, e.caseNo);
    }
    for (const f of e.files) q.caseFile.run(tc.case_id, f.sha256, f.name, f.kind, f.size);

    const entryId = Number(q.outbox.run(tc.case_id, e.target.id, e.kind, e.subject, e.revision, e.key, e.document, e.createdAt).lastInsertRowid);
    for (const f of e.outboxFiles) q.outboxFile.run(entryId, f.sha256, f.name, f.kind, f.size);
    const replaced = q.parkedBefore.all(tc.case_id, e.target.id, e.kind, e.subject, e.revision) as { id: number; revision: number }[];
    for (const r of replaced) q.supersede.run(entryId, r.id);
    if (replaced.length) {
      w.audit({ action: 'transfer.superseded', entityType: 'case', entityId: tc.case_id, detail: { entryId, revision: e.revision, superseded: replaced, bundleId } });
    }
    q.received.run(e.key, entryId, bundleId, at);
    return true;
  };
}
