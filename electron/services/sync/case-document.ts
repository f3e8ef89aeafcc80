import type { Db } from '../../store/open-store';
import { METHOD_LABELS, type CertificateMethod } from '../../../shared/domain/catalog';
import { readHall } from '../system/hall';

/** A file the case refers to (content-addressed in the FileStore). */
export interface CaseFileRef {
  sha256: string;
  name: string;
  kind: 'scan' | 'commitment_pdf' | 'signature' | 'material' | 'evidence';
  size: number;
  mime: string;
}

/**
 * A change of the case's status after acceptance that the targets must be told of (终止办理 or
 * 撤销决定 after a false commitment was found): carried by the revision of the case document that
 * the change enqueued (status-change.ts), and by any later revision re-sent from it.
 */
export interface StatusChange {
  /** The case's status before and after ('accepted' → 'terminated', 'completed' → 'revoked'). */
  previousStatus: string;
  status: string;
  /** 终止 / 撤销 (shared/rules/case-states.ts). */
  statusLabel: string;
  /** The act: 终止办理 / 撤销决定. */
  action: string;
  legalBasis: string;
  reason: string;
  /** When the change was decided (ISO). */
  at: string;
  /** Set when only these items of the case ended (the others stand); unset = the whole case. */
  items?: { code: string; name: string; department: string }[];
}

/**
 * The case as the outbox sends it: one plain JSON document, snapshotted when
 * the entry is written, from which each target's field mapping picks its
 * payload (docs/sync.md lists the paths).
 */
export interface CaseDocument {
  caseNo: string;
  hall: { code: string; name: string; region: string };
  status: string;
  acceptedAt: string | null;
  acceptedBy: string | null;
  revision: number;
  applicant: { kind: string; name: string; idType: string; idNumber: string; phone: string };
  items: { code: string; name: string; department: string; kind: string; timeLimitDays: number }[];
  departments: string[];
  certificates: { code: string; name: string; method: CertificateMethod; methodLabel: string; state: string }[];
  commitments: { certificateCode: string; digest: string; digestAlg: string; signedAt: string; pdfSha256: string }[];
  files: CaseFileRef[];
  /** Set on a revision that tells the targets of a status change (absent on the acceptance's entries). */
  statusChange?: StatusChange;
}

export function buildCaseDocument(db: Db, caseId: number): CaseDocument {
  const c = db
    .prepare(
      `SELECT c.case_no, c.status, c.accepted_at, c.revision, u.display_name AS accepted_by,
              a.kind, a.name, a.id_type, a.id_number, a.phone
       FROM cases c JOIN applicants a ON a.id = c.applicant_id LEFT JOIN users u ON u.id = c.accepted_by WHERE c.id = ?`,
    )
    .get(caseId) as
    | { case_no: string; status: string; accepted_at: string | null; revision: number; accepted_by: string | null; kind: string; name: string; id_type: string; id_number: string; phone: string }
    | undefined;
  if (!c) throw new Error(`case ${caseId} does not exist`);
  const hall = readHall(db) ?? { code: '', name: '', region: '' };
  const items = db
    .prepare(
      `SELECT si.code, si.name, si.department, si.kind, si.time_limit_days AS timeLimitDays
       FROM case_items ci JOIN service_items si ON si.id = ci.service_item_id WHERE ci.case_id = ? ORDER BY ci.position`,
    )
    .all(caseId) as CaseDocument['items'];
  const certificates = (
    db
      .prepare(
        `SELECT ci.code, ci.name, cc.method, cc.state FROM case_certificates cc JOIN certificate_items ci ON ci.id = cc.certificate_item_id
         WHERE cc.case_id = ? ORDER BY ci.code`,
      )
      .all(caseId) as { code: string; name: string; method: CertificateMethod; state: string }[]
  ).map((x) => ({ ...x, methodLabel: METHOD_LABELS[x.method] }));
  const commitments = db
    .prepare(
      `SELECT ci.code AS certificateCode, cm.digest, cm.digest_alg AS digestAlg, cm.signed_at AS signedAt, cm.pdf_sha256 AS pdfSha256
       FROM commitments cm JOIN certificate_items ci ON ci.id = cm.certificate_item_id
       WHERE cm.case_id = ? AND cm.withdrawn_at IS NULL ORDER BY ci.code`,
    )
    .all(caseId) as CaseDocument['commitments'];
  return {
    caseNo: c.case_no,
    hall: { code: hall.code, name: hall.name, region: hall.region },
    status: c.status,
    acceptedAt: c.accepted_at,
    acceptedBy: c.accepted_by,
    revision: c.revision,
    applicant: { kind: c.kind, name: c.name, idType: c.id_type, idNumber: c.id_number, phone: c.phone },
    items,
    departments: [...new Set(items.map((i) => i.department))],
    certificates,
    commitments,
    files: caseFiles(db, caseId),
  };
}

/** Every file the case refers to: scanned pages, signed commitments, material pages, data-sharing evidence. */
export function caseFiles(db: Db, caseId: number): CaseFileRef[] {
  const rows = db
    .prepare(
      `SELECT sp.file_sha256 AS sha256, sd.title || '-' || (sp.position + 1) AS name, 'scan' AS kind
         FROM scan_pages sp JOIN scan_documents sd ON sd.id = sp.document_id
         WHERE sd.case_id = ? AND sp.deleted_at IS NULL
       UNION ALL
       SELECT cm.pdf_sha256, '告知承诺书-' || ci.code, 'commitment_pdf'
         FROM commitments cm JOIN certificate_items ci ON ci.id = cm.certificate_item_id WHERE cm.case_id = ? AND cm.withdrawn_at IS NULL
       UNION ALL
       SELECT cm.signature_sha256, '签名-' || ci.code, 'signature'
         FROM commitments cm JOIN certificate_items ci ON ci.id = cm.certificate_item_id WHERE cm.case_id = ? AND cm.withdrawn_at IS NULL
       UNION ALL
       SELECT mp.file_sha256, m.title || '-' || (mp.position + 1), 'material'
         FROM case_materials cmx JOIN materials m ON m.id = cmx.material_id JOIN material_pages mp ON mp.material_id = m.id WHERE cmx.case_id = ?
       UNION ALL
       SELECT q.evidence_sha256, '共享核验-' || ci.code, 'evidence'
         FROM data_queries q JOIN certificate_items ci ON ci.id = q.certificate_item_id WHERE q.case_id = ? AND q.evidence_sha256 IS NOT NULL`,
    )
    .all(caseId, caseId, caseId, caseId, caseId) as { sha256: string; name: string; kind: CaseFileRef['kind'] }[];
  const info = db.prepare('SELECT size, mime FROM files WHERE sha256 = ?');
  const seen = new Set<string>();
  const out: CaseFileRef[] = [];
  for (const r of rows) {
    if (seen.has(r.sha256)) continue;
    seen.add(r.sha256);
    const f = info.get(r.sha256) as { size: number; mime: string } | undefined;
    if (f) out.push({ ...r, size: f.size, mime: f.mime });
  }
  return out;
}

/** Reads a path like `applicant.name` or `items[].name` from a document. */
export function readPath(doc: unknown, p: string): unknown {
  let cur: unknown = doc;
  const parts = p.split('.');
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (part.endsWith('[]')) {
      const arr = (cur as Record<string, unknown> | null)?.[part.slice(0, -2)];
      if (!Array.isArray(arr)) return undefined;
      const rest = parts.slice(i + 1).join('.');
      return rest ? arr.map((x) => readPath(x, rest)) : arr;
    }
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[part];
  }
  return cur;
}
