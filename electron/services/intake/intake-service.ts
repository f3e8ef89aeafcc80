import { createHash } from 'node:crypto';
import type { Deps } from '../../app/deps';
import { assistanceOverdueSql } from '../../../shared/rules/assistance-due';
import { receiptOutcome } from './receipt-outcome';
import type { PartialHandlers, CallContext } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { Db } from '../../store/open-store';
import { shareAssistanceRequest } from '../hub/hall-assistance';
import type { WriteContext } from '../../store/write';
import { currentCatalogVersion } from '../catalog/catalog-service';
import { readHall } from '../system/hall';
import type { FileStore } from '../files/file-store';
import type { DataSharingConnector } from '../data-sharing/connector';
import type { DataQueries } from './data-queries';
import { commitmentIneligibility } from '../credit/credit-check';
import { hallCopyField } from '../hub/hall-records';
import { caseClock, caseDueAt, CASE_CLOCK_STATUSES, dueAfterWorkingDays } from '../calendar/due-dates';
import { bumpRevision, transition } from '../cases/case-state';
import { loadHallCalendar } from '../calendar/calendar-store';
import { CASE_STATUS_LABELS, findTransition, type CaseStatus } from '../../../shared/rules/case-states';
import { METHOD_LABELS, type CertificateMethod } from '../../../shared/domain/catalog';
import { ID_TYPE_LABELS } from '../../../shared/ipc/contract';
import { buildCaseView, isToldStatus, loadCase, loadCaseCert, requireDemanded, type CaseCertRow, type Resolution } from './case-view';
import { isReusable, reusableUntil } from '../../../shared/rules/material-validity';
import type { SubjectPerson } from '../../../shared/ipc/methods/intake';
import { maskIdNumber, normalizeIdNumber } from '../../../shared/rules/id-number';
import { nextCaseNumber } from './case-number';
import { commitmentDigest, templateSha256 } from './commitment-digest';
import { maskApplicantId } from '../applicants/applicants-service';
import { caseSearchCondition } from './case-search';
import { caseFigures } from '../../../shared/rules/case-figures';
import { enqueueCase } from '../sync/outbox';
import { enqueueStatusChange, hasCaseTargets, reasonWithBasis } from '../sync/status-change';
import { StatusChangeFacts } from '../../../shared/ipc/methods/intake';
import { newSampleDraw } from '../verification/sampling';
import { recordAssistanceReply, storeReplyScan } from '../verification/assistance-reply';
import { checkImageBase64, IMAGE_LIMITS } from '../images/image-check';
import type { TargetConfig } from '../sync/targets-config';
import { type PageSource } from '../hub/hall-materials';
import { fileMaterial } from './material-library';
import { chinaDate } from '../../../shared/rules/china-time';
import { assistantCaseCondition, refuseUnlessApplicantReadable, refuseUnlessCaseReadable } from '../cases/case-access';
import {
  answerLabel,
  answersWithDefaults,
  certificateState,
  isAboutSomeoneElse,
  planCertificates,
  questionsFor,
  type Applicability,
  type CertificateCondition,
  type StoredState,
} from '../../../shared/rules/certificate-resolution';

export interface IntakeDeps extends Deps {
  files: FileStore;
  dataSharing: DataSharingConnector;
  /** The sync targets an accepted case goes to (electron/services/sync); unset = none. */
  syncTargets?: { caseTargets(): readonly TargetConfig[]; get(id: string): TargetConfig | undefined };
  /** A material page's bytes: this desk's file, else the hall's from the hub (hub/hall-materials.ts); unset = this desk's only. */
  pages?: PageSource;
}

interface CommitmentDetail {
  templateVersion?: string;
  noticeText?: string;
  commitmentText?: string;
  verification?: { method?: string; timeLimitDays?: number; samplingRatio?: number };
}

const WITHDRAW_WORKING_DAYS = 3;

function detail<T>(row: CaseCertRow): T {
  return JSON.parse(row.method_detail) as T;
}

function requireStatus(db: Db, caseId: number, allowed: CaseStatus[], doing: string) {
  const c = loadCase(db, caseId);
  if (!allowed.includes(c.status)) {
    throw new AppError('INVALID_STATE', `办件当前为“${CASE_STATUS_LABELS[c.status]}”，不能${doing}。`, { caseId, status: c.status, doing });
  }
  return c;
}

function requireMethod(row: CaseCertRow, methods: CertificateMethod[], doing: string) {
  if (!methods.includes(row.method)) {
    throw new AppError('INVALID_STATE', `“${row.name}”的处理方式为${METHOD_LABELS[row.method]}，不能${doing}。`, { certificate: row.code, method: row.method, doing });
  }
}

/** The legal basis and reason of a status change told to the targets, or the schema's Chinese refusal. */
function statusChangeFacts(legalBasis: string | undefined, reason: string | undefined): { legalBasis: string; reason: string } {
  const parsed = StatusChangeFacts.safeParse({ legalBasis, reason });
  if (parsed.success) return parsed.data;
  const fields: Record<string, string> = {};
  for (const issue of parsed.error.issues) fields[issue.path.join('.') || '_'] ??= issue.message;
  throw new AppError('BAD_INPUT', `${Object.values(fields).join('；')}。`, {}, fields);
}

/** The case's status reason; a legal basis given is kept with it, as a verification outcome does. */
function statusReason(reason: string | undefined, legalBasis: string | undefined): string | null {
  if (!reason) return null;
  return legalBasis ? reasonWithBasis({ reason, legalBasis }) : reason;
}

function setCert(w: WriteContext, caseId: number, certId: number, state: string, resolution: Resolution, method?: CertificateMethod) {
  w.db
    .prepare('UPDATE case_certificates SET state = ?, resolution = ?, method = COALESCE(?, method), updated_at = ? WHERE case_id = ? AND certificate_item_id = ?')
    .run(state, JSON.stringify(resolution), method ?? null, w.at.toISOString(), caseId, certId);
  bumpRevision(w, caseId);
}

/** A signature image's bytes (the contract's own limit on `signaturePngBase64`: 5 MB). */
const SIGNATURE_MAX_BYTES = 5 * 1024 * 1024;

function applicantOf(db: Db, caseId: number) {
  return db
    .prepare('SELECT a.id, a.name, a.kind, a.id_type, a.id_number FROM cases c JOIN applicants a ON a.id = c.applicant_id WHERE c.id = ?')
    .get(caseId) as { id: number; name: string; kind: string; id_type: 'resident_id' | 'uscc'; id_number: string };
}

export function createIntakeService(deps: IntakeDeps, queries: DataQueries): PartialHandlers {
  const { db, files } = deps;
  const view = (caseId: number) => buildCaseView(db, caseId, deps.now());
  const clerkName = (ctx: CallContext) => ctx.user!.displayName;

  function ineligibility(caseId: number): string[] {
    return commitmentIneligibility(db, applicantOf(db, caseId).id);
  }

  /** Keeps the person a certificate is about (its 证明对象, e.g. the child) with the case, audited; the ID number stays unmasked only in the store. */
  function recordSubject(caseId: number, certificateItemId: number, person: SubjectPerson, ctx: CallContext) {
    deps.write(ctx.actor, (w) => {
      requireStatus(w.db, caseId, ['draft', 'accepted', 'verifying'], '登记证明对象');
      const row = loadCaseCert(w.db, caseId, certificateItemId);
      requireDemanded(row);
      if (!isAboutSomeoneElse(row.subject)) throw new AppError('BAD_INPUT', `“${row.name}”的证明对象为申请人本人，无需另填。`);
      const idNumber = normalizeIdNumber(person.idNumber);
      w.db
        .prepare(
          `INSERT INTO case_subjects (case_id, role, name, id_type, id_number, recorded_at, recorded_by) VALUES (?, ?, ?, 'resident_id', ?, ?, ?)
           ON CONFLICT (case_id, role) DO UPDATE SET name = excluded.name, id_number = excluded.id_number, recorded_at = excluded.recorded_at, recorded_by = excluded.recorded_by`,
        )
        .run(caseId, row.subject, person.name, idNumber, w.at.toISOString(), ctx.user!.id);
      bumpRevision(w, caseId);
      w.audit({ action: 'case.subject', entityType: 'case', entityId: caseId, detail: { role: row.subject, name: person.name, idNumber: maskIdNumber(idNumber), certificate: row.code } });
    });
  }

  return {
    'catalog.bundles': () => {
      const version = currentCatalogVersion(db, deps.now());
      const bundles = db.prepare('SELECT id, code, name FROM bundles WHERE catalog_version_id = ? ORDER BY code').all(version ?? -1) as { id: number; code: string; name: string }[];
      const items = db.prepare(
        'SELECT si.id, si.name FROM bundle_items bi JOIN service_items si ON si.id = bi.service_item_id WHERE bi.bundle_id = ? ORDER BY bi.position',
      );
      return bundles.map((b) => ({ code: b.code, name: b.name, items: items.all(b.id) as { id: number; name: string }[] }));
    },

    'intake.start': ({ applicantId, serviceItemIds, bundleCode, circumstances }, ctx) => {
      const hall = readHall(db);
      if (!hall) throw new AppError('INVALID_STATE', '尚未设置大厅信息。');
      const caseId = deps.write(ctx.actor, (w) => {
        const version = currentCatalogVersion(w.db, w.at);
        if (version === null) throw new AppError('INVALID_STATE', '当前没有生效的证明事项清单，请管理员导入。');
        if (!w.db.prepare('SELECT 1 FROM applicants WHERE id = ?').get(applicantId)) throw new AppError('NOT_FOUND', '该申请人不存在。');
        const unique = [...new Set(serviceItemIds)];
        const items = unique.map((id) => {
          const it = w.db.prepare('SELECT id, name FROM service_items WHERE id = ? AND catalog_version_id = ?').get(id, version) as { id: number; name: string } | undefined;
          if (!it) throw new AppError('NOT_FOUND', '所选事项不在当前生效的清单中，请刷新后重选。', { serviceItemId: id, version });
          return it;
        });
        const caseNo = nextCaseNumber(w.db, hall.code, w.at);
        const iso = w.at.toISOString();
        const id = Number(
          w.db
            .prepare(
              `INSERT INTO cases (case_no, applicant_id, catalog_version_id, bundle_code, status, created_at, created_by, updated_at)
               VALUES (?, ?, ?, ?, 'draft', ?, ?, ?)`,
            )
            .run(caseNo, applicantId, version, bundleCode ?? null, iso, ctx.user!.id, iso).lastInsertRowid,
        );
        items.forEach((it, pos) => w.db.prepare('INSERT INTO case_items (case_id, service_item_id, position) VALUES (?, ?, ?)').run(id, it.id, pos));
        const planned = planCaseCertificates(w, id, version, items, circumstances ?? {});
        w.audit({ action: 'case.create', entityType: 'case', entityId: id, detail: { caseNo, items: items.map((i) => i.name), certificates: planned.count, circumstances: planned.answers, notApplicable: planned.notApplicable, produced: planned.produced } });
        return id;
      });
      return view(caseId);
    },

    'intake.get': ({ caseId }, ctx) => {
      refuseUnlessCaseReadable(db, ctx.user!, caseId);
      return view(caseId);
    },

    'intake.list': ({ status, query, applicantId, lateOnly, limit }, ctx) => {
      const now = deps.now();
      // Each kind of query through an index: a case number (prefix range), or the applicant's name or ID digits.
      const search = caseSearchCondition(db, query);
      let where = search?.sql ?? '1 = 1';
      const args: unknown[] = [...(search?.args ?? [])];
      // An assistant lists only the cases they may read (cases/case-access.ts).
      if (ctx.user!.role === 'assistant') {
        where += ` AND ${assistantCaseCondition('c').replaceAll('@uid', '?')}`;
        args.push(ctx.user!.id, ctx.user!.id, ctx.user!.id);
      }
      if (status) {
        where += ' AND c.status = ?';
        args.push(status);
      }
      if (applicantId !== undefined) {
        where += ' AND c.applicant_id = ?';
        args.push(applicantId);
      }
      if (lateOnly) {
        where += ` AND c.status IN (${CASE_CLOCK_STATUSES.map(() => '?').join(',')}) AND c.due_at < ?`;
        args.push(...CASE_CLOCK_STATUSES, now.toISOString());
      }
      const rows = db
        .prepare(
          `SELECT c.id, c.case_no, c.status, c.created_at, c.due_at, a.name AS applicant_name,
                  (SELECT group_concat(si.name, '、') FROM case_items ci JOIN service_items si ON si.id = ci.service_item_id WHERE ci.case_id = c.id) AS items,
                  (SELECT b.name FROM bundles b WHERE b.catalog_version_id = c.catalog_version_id AND b.code = c.bundle_code) AS bundle_name,
                  (SELECT COUNT(*) FROM assistance_requests r INDEXED BY assistance_case WHERE r.case_id = c.id AND ${assistanceOverdueSql('r')}) AS overdue
           FROM cases c JOIN applicants a ON a.id = c.applicant_id
           WHERE ${where} ORDER BY c.id DESC LIMIT ?`,
        )
        .all(now.toISOString(), ...args, limit) as {
        id: number;
        case_no: string;
        status: CaseStatus;
        created_at: string;
        due_at: string | null;
        applicant_name: string;
        items: string | null;
        bundle_name: string | null;
        overdue: number;
      }[];
      const calendar = loadHallCalendar(db);
      const certs = db.prepare(
        `SELECT cc.method, cc.state, cc.applicability, cc.resolution, EXISTS (SELECT 1 FROM case_materials m WHERE m.case_id = cc.case_id AND m.certificate_item_id = cc.certificate_item_id AND m.reused = 1) AS reused
         FROM case_certificates cc WHERE cc.case_id = ?`,
      );
      return rows.map((r) => ({
        id: r.id,
        caseNo: r.case_no,
        status: r.status,
        applicantName: r.applicant_name,
        items: r.items ?? '',
        bundleName: r.bundle_name,
        createdAt: r.created_at,
        overdueRequests: r.overdue,
        ...caseClock(r.status, r.due_at, now, calendar),
        avoided: caseFigures(
          (certs.all(r.id) as { method: CertificateMethod; state: StoredState; applicability: Applicability; resolution: string; reused: number }[]).map((c) => ({
            method: c.method,
            state: certificateState(c.state, c.applicability),
            choice: (JSON.parse(c.resolution) as Resolution).choice ?? null,
            reusedMaterial: c.reused === 1,
          })),
        ).avoided,
      }));
    },

    'intake.commitmentEligibility': ({ caseId }) => {
      loadCase(db, caseId);
      const reasons = ineligibility(caseId);
      return { eligible: reasons.length === 0, reasons, ...hallCopyField(db, deps.now()) };
    },

    'intake.commitmentNotice': ({ caseId, certificateItemId }) => {
      const row = loadCaseCert(db, caseId, certificateItemId);
      requireMethod(row, ['commitment'], '查看告知承诺书');
      const d = detail<CommitmentDetail>(row);
      return {
        certificateName: row.name,
        templateVersion: d.templateVersion ?? 'v1',
        noticeText: d.noticeText ?? '',
        commitmentText: d.commitmentText ?? '',
        verification: { method: d.verification?.method ?? '免于核查', timeLimitDays: d.verification?.timeLimitDays ?? null, samplingRatio: d.verification?.samplingRatio ?? null },
      };
    },

    'intake.recordChoice': ({ caseId, certificateItemId, choice }, ctx) => {
      deps.write(ctx.actor, (w) => {
        requireStatus(w.db, caseId, ['draft'], '更改承诺选择');
        const row = loadCaseCert(w.db, caseId, certificateItemId);
        requireDemanded(row);
        requireMethod(row, ['commitment'], '选择承诺');
        const signed = w.db.prepare('SELECT 1 FROM commitments WHERE case_id = ? AND certificate_item_id = ? AND withdrawn_at IS NULL').get(caseId, certificateItemId);
        if (signed) throw new AppError('INVALID_STATE', '承诺书已签署；如需改为提交证明，请先撤回承诺。');
        if (choice === 'commit') {
          const reasons = ineligibility(caseId);
          if (reasons.length) throw new AppError('NOT_ELIGIBLE', `该申请人暂不适用告知承诺：${reasons.join('；')}。请提交证明原件。`, { caseId });
        }
        const res = JSON.parse(row.resolution) as Resolution;
        setCert(w, caseId, certificateItemId, 'pending', { ...res, choice });
        w.audit({ action: 'case.commitmentChoice', entityType: 'case', entityId: caseId, detail: { certificate: row.code, choice } });
      });
      return view(caseId);
    },

    'intake.signCommitment': async ({ caseId, certificateItemId, signatureKind, signaturePngBase64 }, ctx) => {
      // Checks first (read-only), then the slow parts (files, PDF) outside the transaction, then one write.
      const c = requireStatus(db, caseId, ['draft'], '签署承诺书');
      const row = loadCaseCert(db, caseId, certificateItemId);
      requireDemanded(row);
      requireMethod(row, ['commitment'], '签署承诺书');
      if ((JSON.parse(row.resolution) as Resolution).choice !== 'commit') throw new AppError('INVALID_STATE', '请先由申请人选择“承诺”。');
      const reasons = ineligibility(caseId);
      if (reasons.length) throw new AppError('NOT_ELIGIBLE', `该申请人暂不适用告知承诺：${reasons.join('；')}。`);
      const { bytes: signature, mime: sigMime } = checkImageBase64(signaturePngBase64, '签名图像', { maxBytes: SIGNATURE_MAX_BYTES, maxPixels: IMAGE_LIMITS.signatureMaxPixels });
      const d = detail<CommitmentDetail>(row);
      if (!d.noticeText || !d.commitmentText) throw new AppError('INVALID_STATE', `清单中“${row.name}”缺少告知承诺书格式文本，请管理员补充。`);
      const template = { templateVersion: d.templateVersion ?? 'v1', noticeText: d.noticeText, commitmentText: d.commitmentText };
      const a = applicantOf(db, caseId);
      const hall = readHall(db)!;
      const items = view(caseId).items.map((i) => i.name);
      const signedAt = deps.now();
      const withdrawDeadline = dueAfterWorkingDays(db, signedAt, WITHDRAW_WORKING_DAYS);
      const signatureSha = files.put(signature);
      const tplSha = templateSha256(template);
      const digest = commitmentDigest({
        caseNo: c.case_no,
        certificateCode: row.code,
        certificateItemId,
        applicant: { idType: a.id_type, idNumber: a.id_number, name: a.name },
        signedAt: signedAt.toISOString(),
        templateVersion: template.templateVersion,
        templateSha256: tplSha,
        signatureSha256: signatureSha,
      });
      const pdfB64 = await deps.runInWorker<string>('documents.commitmentPdf', {
        hall: { name: hall.name },
        caseNo: c.case_no,
        applicant: { name: a.name, idLabel: ID_TYPE_LABELS[a.id_type], idNumberMasked: maskApplicantId(a.id_type, a.id_number) },
        certificate: { code: row.code, name: row.name, issuer: row.issuer, legalBasis: row.legal_basis },
        serviceItems: items,
        template: { version: template.templateVersion, noticeText: template.noticeText, commitmentText: template.commitmentText },
        verification: {
          method: d.verification?.method ?? '免于核查',
          timeLimitDays: d.verification?.timeLimitDays ?? null,
          samplingRatio: d.verification?.samplingRatio ?? null,
        },
        signaturePngBase64: signaturePngBase64,
        signatureKind,
        signedAt: signedAt.toISOString(),
        digest: { alg: 'SHA-256', value: digest },
        clerk: { displayName: clerkName(ctx) },
        withdrawDeadline: withdrawDeadline.toISOString(),
      });
      const pdf = Buffer.from(pdfB64, 'base64');
      const pdfSha = files.put(pdf);
      const plan = d.verification ?? {};
      const exempt = !plan.method || plan.method === '免于核查';
      // Seeded, recorded draw: reproducible from the task's sample_seed (services/verification/sampling.ts).
      const draw = exempt ? null : newSampleDraw(plan.samplingRatio ?? 1);
      const sampled = draw?.sampled ?? false;
      deps.write(ctx.actor, (w) => {
        requireStatus(w.db, caseId, ['draft'], '签署承诺书');
        if (w.db.prepare('SELECT 1 FROM commitments WHERE case_id = ? AND certificate_item_id = ? AND withdrawn_at IS NULL').get(caseId, certificateItemId)) {
          throw new AppError('CONFLICT', '该证明的承诺书已签署。');
        }
        files.record(w.db, signatureSha, signature.length, sigMime, w.at);
        files.record(w.db, pdfSha, pdf.length, 'application/pdf', w.at);
        // A withdrawn commitment stays on record; within the same case the applicant then presents the certificate.
        if (w.db.prepare('SELECT 1 FROM commitments WHERE case_id = ? AND certificate_item_id = ?').get(caseId, certificateItemId)) {
          throw new AppError('INVALID_STATE', '该证明的承诺已撤回，本办件中不能再次承诺，请提交证明原件。');
        }
        const commitmentId = Number(
          w.db
            .prepare(
              `INSERT INTO commitments (case_id, certificate_item_id, applicant_id, template_version, template_sha256, signature_sha256, signature_kind,
                 pdf_sha256, digest_alg, digest, signed_at, withdraw_deadline, created_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'SHA-256', ?, ?, ?, ?)`,
            )
            .run(caseId, certificateItemId, a.id, template.templateVersion, tplSha, signatureSha, signatureKind, pdfSha, digest, signedAt.toISOString(), withdrawDeadline.toISOString(), ctx.user!.id)
            .lastInsertRowid,
        );
        w.db
          .prepare('INSERT INTO verification_tasks (commitment_id, method, sampled, due_at, status, created_at, sample_seed, sample_ratio, sample_draw) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
          .run(
            commitmentId,
            exempt ? '免于核查' : plan.method,
            sampled ? 1 : 0,
            exempt || !sampled ? null : dueAfterWorkingDays(w.db, signedAt, plan.timeLimitDays ?? 20).toISOString(),
            exempt || !sampled ? 'exempt' : 'open',
            w.at.toISOString(),
            draw?.seed ?? null,
            draw?.ratio ?? null,
            draw?.draw ?? null,
          );
        setCert(w, caseId, certificateItemId, 'satisfied', { choice: 'commit' });
        w.audit({
          action: 'commitment.sign',
          entityType: 'commitment',
          entityId: commitmentId,
          detail: { caseNo: c.case_no, certificate: row.code, digest, pdf: pdfSha, signature: signatureSha, signatureKind, sampled },
        });
      });
      return view(caseId);
    },

    'intake.withdrawCommitment': ({ commitmentId, reason }, ctx) => {
      const caseId = deps.write(ctx.actor, (w) => {
        const cm = w.db.prepare('SELECT * FROM commitments WHERE id = ?').get(commitmentId) as
          | { id: number; case_id: number; certificate_item_id: number; withdraw_deadline: string; withdrawn_at: string | null }
          | undefined;
        if (!cm) throw new AppError('NOT_FOUND', '该承诺书不存在。');
        if (cm.withdrawn_at) throw new AppError('INVALID_STATE', '该承诺已撤回。');
        if (Date.parse(cm.withdraw_deadline) < w.at.getTime()) {
          throw new AppError('INVALID_STATE', `已超过撤回期限（${chinaDate(cm.withdraw_deadline)}），不能撤回。`);
        }
        requireStatus(w.db, cm.case_id, ['draft', 'accepted'], '撤回承诺');
        w.db.prepare('UPDATE commitments SET withdrawn_at = ?, withdraw_reason = ? WHERE id = ?').run(w.at.toISOString(), reason, cm.id);
        w.db.prepare(`UPDATE verification_tasks SET status = 'cancelled' WHERE commitment_id = ? AND status IN ('open', 'exempt')`).run(cm.id);
        setCert(w, cm.case_id, cm.certificate_item_id, 'pending', { choice: 'present', withdrawn: true });
        w.audit({ action: 'commitment.withdraw', entityType: 'commitment', entityId: cm.id, detail: { reason } });
        return cm.case_id;
      });
      return view(caseId);
    },

    'intake.commitmentPaperPdf': async ({ caseId, certificateItemId }, ctx) => {
      const c = requireStatus(db, caseId, ['draft'], '打印承诺书');
      const row = loadCaseCert(db, caseId, certificateItemId);
      requireDemanded(row);
      requireMethod(row, ['commitment'], '打印承诺书');
      const d = detail<CommitmentDetail>(row);
      if (!d.noticeText || !d.commitmentText) throw new AppError('INVALID_STATE', `清单中“${row.name}”缺少告知承诺书格式文本，请管理员补充。`);
      const a = applicantOf(db, caseId);
      const base64 = await deps.runInWorker<string>('documents.paperCommitmentPdf', {
        hall: { name: readHall(db)!.name },
        caseNo: c.case_no,
        applicant: { name: a.name, idLabel: ID_TYPE_LABELS[a.id_type], idNumberMasked: maskApplicantId(a.id_type, a.id_number) },
        certificate: { code: row.code, name: row.name, issuer: row.issuer, legalBasis: row.legal_basis },
        serviceItems: view(caseId).items.map((i) => i.name),
        template: { version: d.templateVersion ?? 'v1', noticeText: d.noticeText, commitmentText: d.commitmentText },
        verification: { method: d.verification?.method ?? '免于核查', timeLimitDays: d.verification?.timeLimitDays ?? null, samplingRatio: d.verification?.samplingRatio ?? null },
        clerk: { displayName: clerkName(ctx) },
        printedAt: deps.now().toISOString(),
      });
      return { fileName: `告知承诺书（待签字）-${c.case_no}-${row.code}.pdf`, base64, sha256: createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex') };
    },

    'intake.commitmentPdf': ({ commitmentId }, ctx) => {
      const cm = db
        .prepare('SELECT cm.pdf_sha256, cm.case_id, c.case_no, ci.code FROM commitments cm JOIN cases c ON c.id = cm.case_id JOIN certificate_items ci ON ci.id = cm.certificate_item_id WHERE cm.id = ?')
        .get(commitmentId) as { pdf_sha256: string; case_id: number; case_no: string; code: string } | undefined;
      if (!cm) throw new AppError('NOT_FOUND', '该承诺书不存在。');
      refuseUnlessCaseReadable(db, ctx.user!, cm.case_id);
      return { fileName: `告知承诺书-${cm.case_no}-${cm.code}.pdf`, base64: files.get(cm.pdf_sha256).toString('base64'), sha256: cm.pdf_sha256 };
    },

    'intake.queryDataSharing': async ({ caseId, certificateItemId, subject }, ctx) => {
      if (subject) recordSubject(caseId, certificateItemId, subject, ctx);
      await queries.run(caseId, certificateItemId, ctx.actor);
      return view(caseId);
    },

    'intake.switchToVerification': ({ caseId, certificateItemId }, ctx) => {
      deps.write(ctx.actor, (w) => {
        requireStatus(w.db, caseId, ['draft', 'accepted', 'verifying'], '改为部门核验');
        const row = loadCaseCert(w.db, caseId, certificateItemId);
        requireDemanded(row);
        requireMethod(row, ['data_sharing'], '改为部门核验');
        if (row.state === 'satisfied') throw new AppError('INVALID_STATE', '该证明已通过共享平台核验，无需改为部门核验。');
        w.db.prepare(`UPDATE data_queries SET status = 'cancelled' WHERE case_id = ? AND certificate_item_id = ? AND status = 'queued'`).run(caseId, certificateItemId);
        const requestId = openAssistance(w, caseId, row, { department: row.issuer, mode: '部门协查', timeLimitDays: 5 });
        setCert(w, caseId, certificateItemId, 'requested', {}, 'dept_verification');
        w.audit({ action: 'case.switchToVerification', entityType: 'case', entityId: caseId, detail: { certificate: row.code, requestId } });
      });
      return view(caseId);
    },

    'intake.requestAssistance': ({ caseId, certificateItemId }, ctx) => {
      deps.write(ctx.actor, (w) => {
        requireStatus(w.db, caseId, ['draft', 'accepted', 'verifying'], '发起协查');
        const row = loadCaseCert(w.db, caseId, certificateItemId);
        requireDemanded(row);
        requireMethod(row, ['dept_verification'], '发起协查');
        if (row.state !== 'pending') throw new AppError('INVALID_STATE', `“${row.name}”当前不需要再发起协查。`);
        const d = detail<{ verifyingDepartment?: string; timeLimitDays?: number; mode?: string }>(row);
        const requestId = openAssistance(w, caseId, row, { department: d.verifyingDepartment ?? row.issuer, mode: d.mode ?? '部门协查', timeLimitDays: d.timeLimitDays ?? 5 });
        setCert(w, caseId, certificateItemId, 'requested', {});
        w.audit({ action: 'assistance.request', entityType: 'assistance', entityId: requestId, detail: { caseId, certificate: row.code } });
      });
      return view(caseId);
    },

    'intake.recordAssistanceReply': (input, ctx) => {
      // The one 协查 reply path (services/verification/assistance-reply.ts), as the 协查 tab's.
      const scan = storeReplyScan(files, input);
      const caseId = deps.write(ctx.actor, (w) => recordAssistanceReply(w, files, input, scan));
      return view(caseId);
    },

    'intake.attachMaterial': async ({ caseId, certificateItemId, materialId }, ctx) => {
      // A material checked at another window: its pages are brought to this desk first, so the case holds every file it refers to.
      if (deps.pages) for (const p of hallPagesMissingHere(db, files, materialId)) await deps.pages(p);
      deps.write(ctx.actor, (w) => {
        requireStatus(w.db, caseId, ['draft'], '添加材料');
        const row = loadCaseCert(w.db, caseId, certificateItemId);
        requireAttachable(row);
        const a = applicantOf(w.db, caseId);
        const m = w.db.prepare('SELECT * FROM materials WHERE id = ?').get(materialId) as
          | { id: number; applicant_id: number; valid_from: string; valid_until: string | null; source_case_id: number | null; title: string; certificate_code: string | null }
          | undefined;
        if (!m || m.applicant_id !== a.id) throw new AppError('NOT_FOUND', '材料库中没有该申请人的这份材料。');
        if (m.certificate_code !== null && m.certificate_code !== row.code) throw new AppError('INVALID_STATE', `“${m.title}”不是“${row.name}”，不能用于该证明。`);
        // The certificate's validity (有效期) counts from the day the material was presented.
        const until = reusableUntil(m.valid_from, m.valid_until, row.validity_months);
        if (!isReusable(chinaDate(w.at), m.valid_from, m.valid_until, row.validity_months)) {
          throw new AppError('INVALID_STATE', `“${m.title}”于 ${m.valid_from} 提交，已于 ${until} 超过有效期，不能复用，请核对新的原件。`, { materialId: m.id, until });
        }
        w.db.prepare('INSERT OR IGNORE INTO case_materials (case_id, certificate_item_id, material_id, reused) VALUES (?, ?, ?, ?)').run(caseId, certificateItemId, m.id, m.source_case_id === caseId ? 0 : 1);
        setCert(w, caseId, certificateItemId, 'presented', JSON.parse(row.resolution) as Resolution);
        w.audit({ action: 'material.reuse', entityType: 'case', entityId: caseId, detail: { certificate: row.code, materialId: m.id } });
      });
      return view(caseId);
    },

    'intake.addMaterial': ({ caseId, certificateItemId, title, validUntil, pages }, ctx) => {
      requireStatus(db, caseId, ['draft'], '添加材料');
      const row = loadCaseCert(db, caseId, certificateItemId);
      requireAttachable(row);
      // Every page checked before any is stored: a bad third page leaves no file behind.
      const checked = pages.map((p, i) => checkImageBase64(p.base64, `第${i + 1}页`, { declaredMime: p.mime }));
      const stored = checked.map(({ bytes, mime }) => ({ sha: files.put(bytes), size: bytes.length, mime }));
      deps.write(ctx.actor, (w) => {
        requireStatus(w.db, caseId, ['draft'], '添加材料');
        const a = applicantOf(w.db, caseId);
        // Into the applicant's library (material-library.ts), and onto this certificate of the case.
        const { materialId, validUntil: until } = fileMaterial(w, files, {
          applicantId: a.id,
          certificate: { code: row.code, trustGrade: row.trust_grade, validityMonths: row.validity_months },
          title,
          validUntil: validUntil ?? null,
          sourceCaseId: caseId,
          clerk: { id: ctx.user!.id, displayName: clerkName(ctx) },
          pages: stored.map((s) => ({ sha256: s.sha, size: s.size, mime: s.mime })),
        });
        w.db.prepare('INSERT INTO case_materials (case_id, certificate_item_id, material_id, reused) VALUES (?, ?, ?, 0)').run(caseId, certificateItemId, materialId);
        setCert(w, caseId, certificateItemId, 'presented', JSON.parse(row.resolution) as Resolution);
        w.audit({ action: 'material.add', entityType: 'material', entityId: materialId, detail: { caseId, certificate: row.code, trustGrade: row.trust_grade, validUntil: until, pages: stored.map((s) => s.sha) } });
      });
      return view(caseId);
    },

    'materials.forApplicant': ({ applicantId, caseId }, ctx) => {
      refuseUnlessApplicantReadable(db, ctx.user!, applicantId);
      const today = chinaDate(deps.now());
      // Each certificate's validity (有效期) in the case's catalog version, else in the version in force.
      const version = caseId !== undefined ? loadCase(db, caseId).catalog_version_id : currentCatalogVersion(db, deps.now());
      const certificateOf = db.prepare('SELECT name, validity_months FROM certificate_items WHERE catalog_version_id = ? AND code = ?');
      const certificate = (code: string | null) => (code === null ? undefined : (certificateOf.get(version ?? -1, code) as { name: string; validity_months: number | null } | undefined));
      const validity = (code: string | null) => certificate(code)?.validity_months ?? null;
      const rows = db
        .prepare(
          `SELECT m.*, COALESCE(c.case_no, m.source_case_no) AS case_no, (SELECT COUNT(*) FROM material_pages p WHERE p.material_id = m.id) AS pages,
                  s.id AS scan_id, s.title AS scan_title, s.updated_at AS scan_finished_at, su.display_name AS scan_by
           FROM materials m LEFT JOIN cases c ON c.id = m.source_case_id
             LEFT JOIN scan_documents s ON s.material_id = m.id LEFT JOIN users su ON su.id = s.created_by
           WHERE m.applicant_id = ? ORDER BY m.id DESC`,
        )
        .all(applicantId) as {
        id: number;
        certificate_code: string | null;
        title: string;
        trust_grade: 'A' | 'B' | 'C' | 'D';
        trust_note: string;
        valid_from: string;
        valid_until: string | null;
        case_no: string | null;
        pages: number;
        created_at: string;
        origin_window: string | null;
        origin_desk: string | null;
        scan_id: number | null;
        scan_title: string | null;
        scan_finished_at: string | null;
        scan_by: string | null;
      }[];
      return rows.map((m) => ({
        id: m.id,
        certificateCode: m.certificate_code,
        certificateName: certificate(m.certificate_code)?.name ?? null,
        title: m.title,
        trustGrade: m.trust_grade,
        trustNote: m.trust_note,
        validFrom: m.valid_from,
        validUntil: reusableUntil(m.valid_from, m.valid_until, validity(m.certificate_code)),
        valid: isReusable(today, m.valid_from, m.valid_until, validity(m.certificate_code)),
        pages: m.pages,
        sourceCaseNo: m.case_no,
        createdAt: m.created_at,
        fromWindow: m.origin_desk === null ? null : (m.origin_window ?? m.origin_desk),
        scan: m.scan_id === null ? null : { documentId: m.scan_id, title: m.scan_title!, scannedBy: m.scan_by ?? '', finishedAt: m.scan_finished_at! },
      }));
    },

    'materials.page': async ({ materialId, position }, ctx) => {
      const owner = db.prepare('SELECT applicant_id FROM materials WHERE id = ?').get(materialId) as { applicant_id: number } | undefined;
      if (owner) refuseUnlessApplicantReadable(db, ctx.user!, owner.applicant_id);
      const p = db
        .prepare('SELECT f.sha256, f.size, f.mime FROM material_pages mp JOIN files f ON f.sha256 = mp.file_sha256 WHERE mp.material_id = ? AND mp.position = ?')
        .get(materialId, position) as { sha256: string; size: number; mime: string } | undefined;
      if (!p) throw new AppError('NOT_FOUND', '该页不存在。');
      // A page checked at another window comes from the hub the first time (hub/hall-materials.ts).
      const bytes = deps.pages ? await deps.pages(p) : files.get(p.sha256);
      return { mime: p.mime, base64: bytes.toString('base64') };
    },

    'intake.transition': ({ caseId, to, reason, legalBasis, decisionNo }, ctx) => {
      deps.write(ctx.actor, (w) => {
        const c = loadCase(w.db, caseId);
        const t = findTransition(c.status, to);
        // A case already sent to a vertical system tells it of its end: legal basis and reason both.
        const told = t && isToldStatus(to) && hasCaseTargets(w.db, caseId) ? statusChangeFacts(legalBasis, reason) : null;
        if (t && to === 'accepted') {
          const blockers = buildCaseView(w.db, caseId, w.at).blockers;
          if (blockers.length) throw new AppError('INVALID_STATE', `还有证明未办妥，不能受理：${blockers.join('；')}`, { caseId });
        }
        // The case's own time limit (承诺时限) runs from acceptance, in working days on the hall calendar.
        const dueAt = t && to === 'accepted' ? caseDueAt(w.db, caseId, w.at).toISOString() : undefined;
        // The case module checks the state machine, the reason, and for 办结 every certificate and the 办理结果.
        const done = transition(w, caseId, to, {
          reason: statusReason(reason, legalBasis),
          decisionNo,
          dueAt,
          audit: { reason: reason ?? null, ...(legalBasis ? { legalBasis } : {}) },
        });
        // The vertical systems the case was sent to are told, in this same transaction.
        if (told) {
          enqueueStatusChange(w, caseId, {
            previousStatus: c.status,
            status: to,
            statusLabel: CASE_STATUS_LABELS[to],
            action: done.transition.action,
            legalBasis: told.legalBasis,
            reason: told.reason,
            at: w.at.toISOString(),
          });
        }
        // The outbox entries are written in the acceptance transaction: accepted means queued for every target.
        if (to === 'accepted' && deps.syncTargets) enqueueCase(w, caseId, deps.syncTargets.caseTargets());
      });
      return view(caseId);
    },

    'intake.rejectionNoticePdf': async ({ caseId }, ctx) => {
      refuseUnlessCaseReadable(db, ctx.user!, caseId);
      const v = view(caseId);
      if (v.status !== 'rejected') throw new AppError('INVALID_STATE', '只有不予受理的办件才能出具不予受理告知书。');
      const { updated_at: rejectedAt } = db.prepare('SELECT updated_at FROM cases WHERE id = ?').get(caseId) as { updated_at: string };
      const hall = readHall(db)!;
      const base64 = await deps.runInWorker<string>('documents.rejectionNoticePdf', {
        hall: { name: hall.name, region: hall.region },
        caseNo: v.caseNo,
        appliedAt: v.createdAt,
        rejectedAt,
        applicant: { name: v.applicant.name, idLabel: ID_TYPE_LABELS[v.applicant.idType as 'resident_id' | 'uscc'], idNumberMasked: v.applicant.idNumberMasked },
        items: v.items.map((i) => ({ name: i.name, department: i.department })),
        reason: v.statusReason ?? '',
        clerk: { displayName: clerkName(ctx) },
      });
      return { fileName: `不予受理告知书-${v.caseNo}.pdf`, base64, sha256: createHash('sha256').update(Buffer.from(base64, 'base64')).digest('hex') };
    },

    'intake.receiptPdf': async ({ caseId }, ctx) => {
      refuseUnlessCaseReadable(db, ctx.user!, caseId);
      const v = view(caseId);
      if (v.status === 'draft' || v.status === 'rejected') throw new AppError('INVALID_STATE', '办件受理后才能出具受理回执。');
      const hall = readHall(db)!;
      const base64 = await deps.runInWorker<string>('documents.receiptPdf', {
        hall: { name: hall.name, region: hall.region },
        caseNo: v.caseNo,
        acceptedAt: v.acceptedAt ?? v.createdAt,
        applicant: { name: v.applicant.name, idLabel: ID_TYPE_LABELS[v.applicant.idType as 'resident_id' | 'uscc'], idNumberMasked: v.applicant.idNumberMasked },
        items: v.items.map((i) => ({ name: i.name, department: i.department, timeLimitDays: i.timeLimitDays })),
        certificates: v.certificates.map((x) => ({ name: x.name, methodLabel: METHOD_LABELS[x.method], outcome: receiptOutcome(x) })),
        figures: { total: v.figures.total, avoided: v.figures.avoided, byMethod: v.figures.byMethod.map((m) => ({ label: m.label, count: m.count })) },
        clerk: { displayName: v.createdBy },
      });
      const bytes = Buffer.from(base64, 'base64');
      const { createHash } = await import('node:crypto');
      return { fileName: `受理回执-${v.caseNo}.pdf`, base64, sha256: createHash('sha256').update(bytes).digest('hex') };
    },
  };
}

/**
 * The certificates of a new case: merged over its items, each decided by the shared rule
 * (shared/rules/certificate-resolution.ts) — 不涉及 by the clerk's circumstance answers (kept with the
 * case), 由本件产生 when an earlier item produces it — and written with the answer that led there.
 */
function planCaseCertificates(w: WriteContext, caseId: number, version: number, items: { id: number; name: string }[], given: Record<string, boolean>) {
  const questions = (
    w.db.prepare('SELECT code, question, default_answer FROM catalog_circumstances WHERE catalog_version_id = ? ORDER BY position').all(version) as {
      code: string;
      question: string;
      default_answer: number;
    }[]
  ).map((q) => ({ code: q.code, question: q.question, defaultAnswer: q.default_answer === 1 }));
  for (const code of Object.keys(given)) {
    if (!questions.some((q) => q.code === code)) throw new AppError('BAD_INPUT', '适用情形不在当前生效的清单中，请刷新后重选。', { code, version });
  }
  const certsOf = w.db.prepare(
    `SELECT c.id, c.method, c.circumstance_code, c.applies_when_answer FROM service_item_certificates sc JOIN certificate_items c ON c.id = sc.certificate_item_id
     WHERE sc.service_item_id = ? ORDER BY sc.position`,
  );
  const outputsOf = w.db.prepare('SELECT certificate_item_id FROM service_item_outputs WHERE service_item_id = ?');
  const conditions = new Map<number, CertificateCondition & { method: CertificateMethod }>();
  const caseItems = items.map((it) => {
    const certs = certsOf.all(it.id) as { id: number; method: CertificateMethod; circumstance_code: string | null; applies_when_answer: number | null }[];
    for (const c of certs) {
      conditions.set(c.id, { id: c.id, method: c.method, circumstanceCode: c.circumstance_code, appliesWhen: c.applies_when_answer === null ? null : c.applies_when_answer === 1 });
    }
    return { name: it.name, certificateIds: certs.map((c) => c.id), produces: (outputsOf.all(it.id) as { certificate_item_id: number }[]).map((o) => o.certificate_item_id) };
  });
  // Only the questions the case's certificates depend on are asked and kept.
  const asked = questionsFor(conditions.values(), questions);
  const answers = answersWithDefaults(asked, given);
  const plans = planCertificates(caseItems, conditions, asked, answers);
  const insAnswer = w.db.prepare('INSERT INTO case_circumstances (case_id, code, question, answer) VALUES (?, ?, ?, ?)');
  for (const q of asked) insAnswer.run(caseId, q.code, q.question, answers.get(q.code) ? 1 : 0);
  const ins = w.db.prepare(
    'INSERT INTO case_certificates (case_id, certificate_item_id, method, state, resolution, needed_by, applicability, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const codeOf = w.db.prepare('SELECT code FROM certificate_items WHERE id = ?');
  const notApplicable: { certificate: string; question: string; answer: string }[] = [];
  const produced: { certificate: string; producedBy: string }[] = [];
  for (const [certId, plan] of plans) {
    const method = conditions.get(certId)!.method;
    const code = (codeOf.get(certId) as { code: string }).code;
    let resolution: Resolution = {};
    if (plan.applicability === 'not_applicable') {
      resolution = { notApplicable: { question: plan.question, answer: answerLabel(plan.answer) } };
      notApplicable.push({ certificate: code, question: plan.question, answer: answerLabel(plan.answer) });
    } else if (plan.applicability === 'produced') {
      resolution = { producedBy: plan.producedBy };
      produced.push({ certificate: code, producedBy: plan.producedBy });
    }
    const state = method === 'cancelled' || plan.applicability !== 'applies' ? 'not_needed' : 'pending';
    ins.run(caseId, certId, method, state, JSON.stringify(resolution), JSON.stringify(plan.neededBy), plan.applicability, w.at.toISOString());
  }
  return {
    count: plans.size,
    answers: Object.fromEntries(asked.map((q) => [q.question, answerLabel(answers.get(q.code)!)])),
    notApplicable,
    produced,
  };
}

function requireAttachable(row: CaseCertRow) {
  requireDemanded(row);
  if (row.method === 'cancelled') throw new AppError('INVALID_STATE', `“${row.name}”已直接取消，任何人不得要求提交或附加。`, { certificate: row.code });
  const res = JSON.parse(row.resolution) as Resolution;
  if (row.method === 'commitment' && res.choice !== 'present') throw new AppError('INVALID_STATE', `“${row.name}”适用告知承诺；申请人选择自行提交证明后才能附加原件。`);
}

function openAssistance(w: WriteContext, caseId: number, row: CaseCertRow, r: { department: string; mode: string; timeLimitDays: number }): number {
  const open = w.db.prepare(`SELECT id FROM assistance_requests WHERE case_id = ? AND certificate_item_id = ? AND status = 'open'`).get(caseId, row.certificate_item_id);
  if (open) throw new AppError('INVALID_STATE', '该证明已有未答复的协查请求。');
  const id = Number(
    w.db
      .prepare(
        `INSERT INTO assistance_requests (case_id, certificate_item_id, department, mode, due_at, status, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, 'open', ?, ?)`,
      )
      .run(caseId, row.certificate_item_id, r.department, r.mode, dueAfterWorkingDays(w.db, w.at, r.timeLimitDays).toISOString(), w.at.toISOString(), w.actor.userId)
      .lastInsertRowid,
  );
  shareAssistanceRequest(w, id);
  return id;
}

/** The pages of a material (one from another window) whose bytes this desk does not hold yet. */
function hallPagesMissingHere(db: Db, files: FileStore, materialId: number): { sha256: string; size: number; mime: string }[] {
  const pages = db
    .prepare(`SELECT f.sha256, f.size, f.mime FROM material_pages mp JOIN files f ON f.sha256 = mp.file_sha256 JOIN materials m ON m.id = mp.material_id WHERE mp.material_id = ? AND m.origin_desk IS NOT NULL`)
    .all(materialId) as { sha256: string; size: number; mime: string }[];
  return pages.filter((p) => !files.holds(p.sha256));
}
