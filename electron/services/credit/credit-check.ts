import type { Db } from '../../store/open-store';
import type { CreditBlockView } from '../../../shared/ipc/methods/applicants';
import { SIGNER_ROLE_LABELS, type SignerRole } from '../../../shared/ipc/methods/applicants';
import { maskIdNumber } from '../../../shared/rules/id-number';
import { maskUscc } from '../../../shared/rules/uscc';

interface Subject {
  subject: 'applicant' | 'signer';
  roleLabel: string;
  name: string;
  idType: string;
  idNumber: string;
}

/**
 * Whom the credit check covers for an applicant: the applicant, and for an organisation also its
 * signer (法定代表人/经办人), who commits in its name.
 */
function subjectsOf(db: Db, applicantId: number): { subjects: Subject[]; signerMissing: boolean } {
  const a = db
    .prepare('SELECT kind, name, id_type, id_number, signer_role, signer_name, signer_id_type, signer_id_number FROM applicants WHERE id = ?')
    .get(applicantId) as
    | { kind: string; name: string; id_type: string; id_number: string; signer_role: SignerRole | null; signer_name: string | null; signer_id_type: string | null; signer_id_number: string | null }
    | undefined;
  if (!a) return { subjects: [], signerMissing: false };
  const subjects: Subject[] = [{ subject: 'applicant', roleLabel: a.kind === 'organisation' ? '申请单位' : '申请人', name: a.name, idType: a.id_type, idNumber: a.id_number }];
  if (a.kind === 'organisation' && a.signer_role && a.signer_name && a.signer_id_number) {
    subjects.push({ subject: 'signer', roleLabel: SIGNER_ROLE_LABELS[a.signer_role], name: a.signer_name, idType: a.signer_id_type ?? 'resident_id', idNumber: a.signer_id_number });
  }
  return { subjects, signerMissing: a.kind === 'organisation' && subjects.length === 1 };
}

/** THE rule of which credit records bar a commitment: unrepaired, and serious or a past false commitment (SQL over credit_records). */
const BARS_COMMITMENT = `repaired_at IS NULL AND (kind = 'false_commitment' OR severity = '严重')`;

/** Does this credit record (by id) bar its subject from committing? */
export function creditRecordBars(db: Db, creditId: number): boolean {
  return db.prepare(`SELECT 1 FROM credit_records WHERE id = ? AND ${BARS_COMMITMENT}`).get(creditId) !== undefined;
}

/**
 * Commitments signed on this desk after `signedAfter` (not withdrawn) by someone a credit record
 * on (idType, idNumber) covers: the applicant, or an organisation's signer — whom commitmentBlocks checks.
 */
export function commitmentsCovered(db: Db, idType: string, idNumber: string, signedAfter: string): number[] {
  return db
    .prepare(
      `SELECT cm.id FROM commitments cm JOIN applicants a ON a.id = cm.applicant_id
       WHERE cm.withdrawn_at IS NULL AND cm.signed_at > ?
         AND ((a.id_type = ? AND a.id_number = ?) OR (a.kind = 'organisation' AND COALESCE(a.signer_id_type, 'resident_id') = ? AND a.signer_id_number = ?))
       ORDER BY cm.id`,
    )
    .pluck()
    .all(signedAfter, idType, idNumber, idType, idNumber) as number[];
}

/**
 * THE rule of who may not commit (告知承诺) until their credit is repaired (国办发〔2020〕42号):
 * an unrepaired serious bad-credit record, or an unrepaired past false commitment, of the
 * applicant or — for an organisation — of its signer. The applicant choice at intake and the
 * commitment step both call this.
 */
export function commitmentBlocks(db: Db, applicantId: number): { blocks: CreditBlockView[]; signerMissing: boolean } {
  const { subjects, signerMissing } = subjectsOf(db, applicantId);
  const q = db.prepare(
    `SELECT kind, severity, reason, source, recorded_at FROM credit_records
     WHERE id_type = ? AND id_number = ? AND ${BARS_COMMITMENT}
     ORDER BY recorded_at, id`,
  );
  const blocks: CreditBlockView[] = [];
  for (const s of subjects) {
    const rows = q.all(s.idType, s.idNumber) as { kind: 'bad_credit' | 'false_commitment'; severity: string; reason: string; source: string; recorded_at: string }[];
    for (const r of rows) {
      const what = r.kind === 'false_commitment' ? '曾作出虚假承诺且尚未完成信用修复' : '存在严重失信记录且尚未完成信用修复';
      blocks.push({
        subject: s.subject,
        roleLabel: s.roleLabel,
        name: s.name,
        idNumberMasked: s.idType === 'uscc' ? maskUscc(s.idNumber) : maskIdNumber(s.idNumber),
        kind: r.kind,
        severity: r.severity,
        reason: r.reason,
        source: r.source,
        recordedAt: r.recorded_at,
        message: `${s.roleLabel}${s.name}${what}：${r.reason}（${r.source}，${r.recorded_at.slice(0, 10)}）`,
      });
    }
  }
  return { blocks, signerMissing };
}

/** The sentences the commitment step refuses with (empty: may commit). */
export function commitmentIneligibility(db: Db, applicantId: number): string[] {
  return commitmentBlocks(db, applicantId).blocks.map((b) => b.message);
}
