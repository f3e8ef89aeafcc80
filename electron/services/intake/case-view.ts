import type { Db } from '../../store/open-store';
import type { CaseCertificateView, CaseView } from '../../../shared/ipc/methods/intake';
import type { CertificateMethod } from '../../../shared/domain/catalog';
import { allowedTransitions, type CaseStatus } from '../../../shared/rules/case-states';
import { caseFigures } from '../../../shared/rules/case-figures';
import { maskApplicantId } from '../applicants/applicants-service';
import { AppError } from '../../app/app-error';
import { hasCaseTargets } from '../sync/status-change';
import { TOLD_STATUSES } from '../../../shared/ipc/methods/intake';
import { answerLabel, certificateState, isAboutSomeoneElse, isResolved, type Applicability, type StoredState } from '../../../shared/rules/certificate-resolution';
import { maskIdNumber } from '../../../shared/rules/id-number';

export interface CaseRow {
  id: number;
  case_no: string;
  applicant_id: number;
  catalog_version_id: number;
  bundle_code: string | null;
  status: CaseStatus;
  status_reason: string | null;
  revision: number;
  created_at: string;
  created_by: number;
  updated_at: string;
  accepted_at: string | null;
}

export interface CaseCertRow {
  case_id: number;
  certificate_item_id: number;
  method: CertificateMethod;
  /** As stored; the state shown is certificateState(state, applicability). */
  state: StoredState;
  applicability: Applicability;
  resolution: string;
  needed_by: string;
  code: string;
  name: string;
  issuer: string;
  catalog_method: CertificateMethod;
  method_note: string;
  method_detail: string;
  legal_basis: string;
  subject: string;
  validity_months: number | null;
  trust_grade: 'A' | 'B' | 'C' | 'D';
}

export interface Resolution {
  choice?: 'commit' | 'present';
  withdrawn?: boolean;
  note?: string;
  /** 不涉及: the circumstance question and the answer that ruled the certificate out. */
  notApplicable?: { question: string; answer: string };
  /** 由本件产生: the earlier item of the case that produces it. */
  producedBy?: string;
}

const CERT_COLUMNS = `cc.*, ci.code, ci.name, ci.issuer, ci.method AS catalog_method, ci.method_note, ci.method_detail, ci.legal_basis, ci.subject, ci.validity_months, ci.trust_grade`;

/** A certificate the case does not ask for (不涉及, 由本件产生) takes no action at all. */
export function requireDemanded(row: CaseCertRow): void {
  const res = JSON.parse(row.resolution) as Resolution;
  if (row.applicability === 'not_applicable') {
    throw new AppError('INVALID_STATE', `“${row.name}”本办件不涉及（${res.notApplicable?.question ?? ''}：${res.notApplicable?.answer ?? ''}），无需办理。`, { certificate: row.code });
  }
  if (row.applicability === 'produced') {
    throw new AppError('INVALID_STATE', `“${row.name}”由本件“${res.producedBy ?? ''}”产生，不得要求申请人提交。`, { certificate: row.code });
  }
}

export function loadCase(db: Db, caseId: number): CaseRow {
  const row = db.prepare('SELECT * FROM cases WHERE id = ?').get(caseId) as CaseRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', '该办件不存在。', { caseId });
  return row;
}

export function loadCaseCert(db: Db, caseId: number, certificateItemId: number): CaseCertRow {
  const row = db
    .prepare(
      `SELECT ${CERT_COLUMNS}
       FROM case_certificates cc JOIN certificate_items ci ON ci.id = cc.certificate_item_id
       WHERE cc.case_id = ? AND cc.certificate_item_id = ?`,
    )
    .get(caseId, certificateItemId) as CaseCertRow | undefined;
  if (!row) throw new AppError('NOT_FOUND', '该办件不需要这项证明。', { caseId, certificateItemId });
  return row;
}

function stateText(c: CaseCertRow, res: Resolution, extra: { query?: { status: string } | null; request?: { due_at: string; status: string; reply_outcome: string | null } | null }): string {
  switch (certificateState(c.state, c.applicability)) {
    case 'not_applicable':
      return `不涉及（${res.notApplicable?.question ?? ''}：${res.notApplicable?.answer ?? ''}）`;
    case 'produced':
      return `由本件产生（${res.producedBy ?? ''}），无需提交`;
    case 'not_needed':
      return '已直接取消，无需提交，任何人不得再要求提供';
    case 'satisfied':
      if (c.method === 'commitment') return '已签署告知承诺书';
      if (c.method === 'data_sharing') return '已通过数据共享平台核验';
      if (c.method === 'dept_verification') return '部门核验已确认';
      return '已办妥';
    case 'presented':
      return '已核对原件并留存';
    case 'queued':
      return '共享平台暂不可达，查询已排队，可继续受理';
    case 'requested':
      return `已发起协查，${extra.request?.due_at.slice(0, 10) ?? ''} 前答复`;
    case 'pending':
      if (res.withdrawn) return '承诺已撤回，需提交证明原件';
      if (c.method === 'commitment') return res.choice === 'present' ? '申请人选择自行提交证明，待核对原件' : '待告知并由申请人选择';
      if (c.method === 'data_sharing') return extra.query?.status === 'not_found' ? '共享平台无此数据，可改为部门核验' : '待共享查询';
      if (c.method === 'dept_verification') return extra.request?.reply_outcome === 'denied' ? '协查未能证实，需提交证明原件' : '待发起协查';
      return '待核对原件（可复用材料库）';
  }
}

/**
 * A certificate's line on the applicant's receipt: the clerk's own wording, except where it speaks
 * to the clerk (a query queued while the platform was unreachable is, to the applicant, a query made).
 */
export function receiptOutcome(c: { state: CaseCertificateView['state']; stateText: string }): string {
  if (c.state === 'queued') return '已提交数据共享查询，由窗口跟进结果';
  return c.stateText;
}

/** Builds everything the intake screen needs for one case. */
export function buildCaseView(db: Db, caseId: number, now: Date): CaseView {
  const c = loadCase(db, caseId);
  const applicant = db.prepare('SELECT id, name, kind, id_type, id_number FROM applicants WHERE id = ?').get(c.applicant_id) as {
    id: number;
    name: string;
    kind: string;
    id_type: 'resident_id' | 'uscc';
    id_number: string;
  };
  const version = db.prepare('SELECT id, label FROM catalog_versions WHERE id = ?').get(c.catalog_version_id) as { id: number; label: string };
  const bundle = c.bundle_code
    ? ((db.prepare('SELECT name FROM bundles WHERE catalog_version_id = ? AND code = ?').get(c.catalog_version_id, c.bundle_code) as { name: string } | undefined)?.name ?? null)
    : null;
  const items = db
    .prepare(
      `SELECT si.id, si.code, si.name, si.department, si.time_limit_days FROM case_items ci JOIN service_items si ON si.id = ci.service_item_id
       WHERE ci.case_id = ? ORDER BY ci.position`,
    )
    .all(caseId) as { id: number; code: string; name: string; department: string; time_limit_days: number }[];
  const certRows = db
    .prepare(
      `SELECT ${CERT_COLUMNS}
       FROM case_certificates cc JOIN certificate_items ci ON ci.id = cc.certificate_item_id
       WHERE cc.case_id = ? ORDER BY CASE WHEN cc.method = 'cancelled' THEN 5 WHEN cc.applicability <> 'applies' THEN 4 ELSE 0 END, ci.code`,
    )
    .all(caseId) as CaseCertRow[];

  const commitmentQ = db.prepare('SELECT * FROM commitments WHERE case_id = ? AND certificate_item_id = ?');
  const taskQ = db.prepare('SELECT method, sampled, due_at, status FROM verification_tasks WHERE commitment_id = ? ORDER BY id DESC LIMIT 1');
  const queryQ = db.prepare('SELECT * FROM data_queries WHERE case_id = ? AND certificate_item_id = ? ORDER BY id DESC LIMIT 1');
  const requestQ = db.prepare('SELECT * FROM assistance_requests WHERE case_id = ? AND certificate_item_id = ? ORDER BY id DESC LIMIT 1');
  const subjectQ = db.prepare('SELECT name, id_number FROM case_subjects WHERE case_id = ? AND role = ?');
  const materialsQ = db.prepare(
    `SELECT m.id, m.title, m.trust_grade, cm.reused, (SELECT COUNT(*) FROM material_pages p WHERE p.material_id = m.id) AS pages
     FROM case_materials cm JOIN materials m ON m.id = cm.material_id WHERE cm.case_id = ? AND cm.certificate_item_id = ? ORDER BY m.id`,
  );

  const certificates: CaseCertificateView[] = certRows.map((r) => {
    const res = JSON.parse(r.resolution) as Resolution;
    const cm = commitmentQ.get(caseId, r.certificate_item_id) as
      | { id: number; digest_alg: string; digest: string; signed_at: string; withdraw_deadline: string; withdrawn_at: string | null }
      | undefined;
    const task = cm ? (taskQ.get(cm.id) as { method: string; sampled: number; due_at: string | null; status: string } | undefined) : undefined;
    const q = queryQ.get(caseId, r.certificate_item_id) as
      | { id: number; status: string; attempts: number; last_error: string | null; response: string | null }
      | undefined;
    const rq = requestQ.get(caseId, r.certificate_item_id) as
      | { id: number; department: string; mode: string; due_at: string; status: string; reply: string | null; reply_outcome: string | null }
      | undefined;
    const mats = materialsQ.all(caseId, r.certificate_item_id) as { id: number; title: string; trust_grade: string; reused: number; pages: number }[];
    const person = isAboutSomeoneElse(r.subject) ? (subjectQ.get(caseId, r.subject) as { name: string; id_number: string } | undefined) : undefined;
    return {
      certificateItemId: r.certificate_item_id,
      code: r.code,
      name: r.name,
      issuer: r.issuer,
      catalogMethod: r.catalog_method,
      method: r.method,
      methodNote: r.method_note,
      state: certificateState(r.state, r.applicability),
      stateText: stateText(r, res, { query: q ?? null, request: rq ?? null }),
      neededBy: JSON.parse(r.needed_by) as string[],
      subject: r.subject,
      subjectPerson: person ? { name: person.name, idNumberMasked: maskIdNumber(person.id_number) } : null,
      notApplicable: r.applicability === 'not_applicable' ? (res.notApplicable ?? null) : null,
      producedBy: r.applicability === 'produced' ? (res.producedBy ?? null) : null,
      validityMonths: r.validity_months,
      trustGrade: r.trust_grade,
      choice: res.choice ?? null,
      commitment: cm
        ? {
            id: cm.id,
            digestAlg: cm.digest_alg,
            digest: cm.digest,
            signedAt: cm.signed_at,
            withdrawDeadline: cm.withdraw_deadline,
            withdrawnAt: cm.withdrawn_at,
            verification: task ? { method: task.method, sampled: task.sampled === 1, dueAt: task.due_at, status: task.status } : null,
          }
        : null,
      query: q ? { id: q.id, status: q.status, attempts: q.attempts, lastError: q.last_error, summary: q.response ? summarise(q.response) : null } : null,
      request: rq
        ? {
            id: rq.id,
            department: rq.department,
            mode: rq.mode,
            dueAt: rq.due_at,
            status: rq.status,
            overdue: rq.status === 'open' && Date.parse(rq.due_at) < now.getTime(),
            reply: rq.reply,
            outcome: rq.reply_outcome,
          }
        : null,
      materials: mats.map((m) => ({ id: m.id, title: m.title, trustGrade: m.trust_grade, reused: m.reused === 1, pages: m.pages })),
    };
  });

  const blockers = certificates.filter((x) => !isResolved(x.state)).map((x) => `${x.name}：${x.stateText}`);
  const circumstances = (
    db.prepare('SELECT code, question, answer FROM case_circumstances WHERE case_id = ? ORDER BY rowid').all(caseId) as { code: string; question: string; answer: number }[]
  ).map((a) => ({ code: a.code, question: a.question, answer: answerLabel(a.answer === 1) }));
  const creator = db.prepare('SELECT display_name FROM users WHERE id = ?').get(c.created_by) as { display_name: string };
  return {
    id: c.id,
    caseNo: c.case_no,
    status: c.status,
    statusReason: c.status_reason,
    catalogVersion: version,
    bundleName: bundle,
    applicant: {
      id: applicant.id,
      name: applicant.name,
      kind: applicant.kind,
      idType: applicant.id_type,
      idNumberMasked: maskApplicantId(applicant.id_type, applicant.id_number),
    },
    items: items.map((i) => ({ id: i.id, code: i.code, name: i.name, department: i.department, timeLimitDays: i.time_limit_days })),
    certificates,
    circumstances,
    blockers,
    figures: caseFigures(
      certificates.map((x) => ({ method: x.method, state: x.state, choice: x.choice, reusedMaterial: x.materials.some((m) => m.reused) })),
    ),
    createdAt: c.created_at,
    createdBy: creator.display_name,
    acceptedAt: c.accepted_at,
    transitions: transitionsOf(db, caseId, c.status),
  };
}

/** The transitions the clerk may make; a termination or revocation of a case sent on asks for the legal basis. */
function transitionsOf(db: Db, caseId: number, status: CaseStatus): CaseView['transitions'] {
  const allowed = allowedTransitions(status);
  const told = allowed.some((t) => isToldStatus(t.to)) && hasCaseTargets(db, caseId);
  return allowed.map((t) => ({ to: t.to, action: t.action, needsReason: t.needsReason, needsLegalBasis: told && isToldStatus(t.to) }));
}

export function isToldStatus(s: CaseStatus): boolean {
  return (TOLD_STATUSES as readonly CaseStatus[]).includes(s);
}

function summarise(response: string): string {
  const r = JSON.parse(response) as { status: string; reference?: string; data?: Record<string, unknown> };
  if (r.status !== 'found') return '平台无此数据';
  const fields = Object.entries(r.data ?? {})
    .slice(0, 4)
    .map(([k, v]) => `${k}：${String(v)}`)
    .join('；');
  return `${fields}${r.reference ? `（凭证 ${r.reference}）` : ''}`;
}
