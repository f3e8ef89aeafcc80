import type { WriteContext } from '../../store/write';
import { enqueueHallRecord, hallTargetIds } from './hall-records';
import { maskIdNumber } from '../../../shared/rules/id-number';

/**
 * Applicants are shared by the hall's desks (docs/hub.md): one record per person or organisation,
 * keyed by its ID (`<id type>:<id number>`, so two desks registering the same person meet on the
 * same record). A registration or an edit on any desk is pushed; the others apply the hub's
 * current version; concurrent edits are kept on the hub as a conflict for a supervisor.
 */

export interface ApplicantBody {
  kind: 'person' | 'organisation';
  name: string;
  idType: string;
  idNumber: string;
  phone: string;
  address: string | null;
  signerRole: string | null;
  signerName: string | null;
  signerIdType: string | null;
  signerIdNumber: string | null;
  signerPhone: string | null;
}

export interface ApplicantRow {
  kind: ApplicantBody['kind'];
  name: string;
  id_type: string;
  id_number: string;
  phone: string;
  address: string | null;
  signer_role: string | null;
  signer_name: string | null;
  signer_id_type: string | null;
  signer_id_number: string | null;
  signer_phone: string | null;
}

export const applicantRecordId = (idType: string, idNumber: string) => `${idType}:${idNumber}`;

/** Inside the transaction that registered or edited an applicant: queue it for the hub. */
export function shareApplicant(w: WriteContext, applicantId: number): void {
  if (hallTargetIds(w.db).length === 0) return;
  const r = w.db.prepare('SELECT * FROM applicants WHERE id = ?').get(applicantId) as ApplicantRow;
  enqueueHallRecord(w, 'applicant', applicantRecordId(r.id_type, r.id_number), applicantBody(r) as unknown as Record<string, unknown>);
}

/** An `applicants` row as the hall shares it. */
export function applicantBody(r: ApplicantRow): ApplicantBody {
  return {
    kind: r.kind,
    name: r.name,
    idType: r.id_type,
    idNumber: r.id_number,
    phone: r.phone,
    address: r.address,
    signerRole: r.signer_role,
    signerName: r.signer_name,
    signerIdType: r.signer_id_type,
    signerIdNumber: r.signer_id_number,
    signerPhone: r.signer_phone,
  };
}

/**
 * Applies the hall's version of an applicant (system write, audited). A new one is registered
 * under the hall's first supervisor — the desk has no user of the other window; the audit entry
 * names the version and where it came from.
 */
export function applyApplicantBody(w: WriteContext, recordId: string, raw: Record<string, unknown>, version: number): void {
  const b = raw as unknown as ApplicantBody;
  if (applicantRecordId(b.idType, b.idNumber) !== recordId) throw new Error(`applicant record ${recordId} carries the ID ${b.idType}:${maskIdNumber(b.idNumber)}`);
  const had = w.db.prepare('SELECT id FROM applicants WHERE id_type = ? AND id_number = ?').get(b.idType, b.idNumber) as { id: number } | undefined;
  const at = w.at.toISOString();
  let id: number;
  if (had) {
    id = had.id;
    w.db
      .prepare(
        `UPDATE applicants SET kind = ?, name = ?, phone = ?, address = ?, signer_role = ?, signer_name = ?, signer_id_type = ?, signer_id_number = ?, signer_phone = ?, updated_at = ? WHERE id = ?`,
      )
      .run(b.kind, b.name, b.phone, b.address, b.signerRole, b.signerName, b.signerIdType, b.signerIdNumber, b.signerPhone, at, id);
  } else {
    const by = w.db.prepare(`SELECT id FROM users WHERE role = 'supervisor' ORDER BY id LIMIT 1`).get() as { id: number } | undefined;
    if (!by) throw new Error('no supervisor on this desk to register a hall applicant under');
    id = Number(
      w.db
        .prepare(
          `INSERT INTO applicants (kind, name, id_type, id_number, phone, address, signer_role, signer_name, signer_id_type, signer_id_number, signer_phone, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(b.kind, b.name, b.idType, b.idNumber, b.phone, b.address, b.signerRole, b.signerName, b.signerIdType, b.signerIdNumber, b.signerPhone, at, by.id).lastInsertRowid,
    );
  }
  w.audit({ action: 'hub.applicantReceived', entityType: 'applicant', entityId: id, detail: { recordId: `${b.idType}:${maskIdNumber(b.idNumber)}`, version, created: !had } });
}
