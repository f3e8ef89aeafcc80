/**
 * Intake at the window (收件/受理): a case for one applicant and one or more
 * service items, each needed certificate resolved by its method, the
 * material library, written commitments and acceptance.
 */
import { z } from 'zod';
import { method, Empty, trimmed } from '../method';
import { CERTIFICATE_METHODS } from '../../domain/catalog';
import { CASE_STATUSES } from '../../rules/case-states';
import { CERTIFICATE_STATES } from '../../rules/certificate-resolution';
import { checkIdNumber, ID_PROBLEM_MESSAGES } from '../../rules/id-number';
import { AssistanceReplyInput } from './verification';
import { HallCopyView } from './applicants';

const Id = z.number().int().positive();
const Base64 = (maxMb: number) => z.string().max(Math.ceil((maxMb * 1024 * 1024 * 4) / 3)).regex(/^[A-Za-z0-9+/=]*$/, '文件内容格式不正确');
const Worker = ['clerk', 'assistant', 'supervisor'] as const;
const Clerk = ['clerk', 'supervisor'] as const;

/** The states and which are resolved: shared/rules/certificate-resolution.ts. */
export const CertificateState = z.enum(CERTIFICATE_STATES);
export type CertificateState = z.infer<typeof CertificateState>;

export const CaseCertificateView = z.object({
  certificateItemId: z.number().int(),
  code: z.string(),
  name: z.string(),
  issuer: z.string(),
  /** The catalog's method, and the one in force (a data-sharing query may switch to 部门核验). */
  catalogMethod: z.enum(CERTIFICATE_METHODS),
  method: z.enum(CERTIFICATE_METHODS),
  methodNote: z.string(),
  state: CertificateState,
  stateText: z.string(),
  neededBy: z.array(z.string()),
  /** 证明对象 (申请人本人, 子女 …) and, when someone else, the person recorded for this case. */
  subject: z.string(),
  subjectPerson: z.object({ name: z.string(), idNumberMasked: z.string() }).nullable(),
  /** 不涉及: the circumstance answer that ruled it out; 由本件产生: the item of this case that produces it. */
  notApplicable: z.object({ question: z.string(), answer: z.string() }).nullable(),
  producedBy: z.string().nullable(),
  /** 有效期 for reuse in months (null = 长期) and the trust grade a kept copy gets. */
  validityMonths: z.number().int().nullable(),
  trustGrade: z.enum(['A', 'B', 'C', 'D']),
  choice: z.enum(['commit', 'present']).nullable(),
  commitment: z
    .object({
      id: z.number().int(),
      digestAlg: z.string(),
      digest: z.string(),
      signedAt: z.string(),
      withdrawDeadline: z.string(),
      withdrawnAt: z.string().nullable(),
      verification: z.object({ method: z.string(), sampled: z.boolean(), dueAt: z.string().nullable(), status: z.string() }).nullable(),
    })
    .nullable(),
  query: z.object({ id: z.number().int(), status: z.string(), attempts: z.number().int(), lastError: z.string().nullable(), summary: z.string().nullable() }).nullable(),
  request: z.object({ id: z.number().int(), department: z.string(), mode: z.string(), dueAt: z.string(), status: z.string(), overdue: z.boolean(), reply: z.string().nullable(), outcome: z.string().nullable() }).nullable(),
  materials: z.array(z.object({ id: z.number().int(), title: z.string(), trustGrade: z.string(), reused: z.boolean(), pages: z.number().int() })),
});
export type CaseCertificateView = z.infer<typeof CaseCertificateView>;

export const CaseFigures = z.object({
  total: z.number().int(),
  avoided: z.number().int(),
  /** Originals the applicant brings (checked and kept, or still to be checked); not queries nor 协查 under way. */
  originals: z.number().int(),
  byMethod: z.array(z.object({ key: z.string(), label: z.string(), count: z.number().int() })),
});
export type CaseFigures = z.infer<typeof CaseFigures>;

export const CaseView = z.object({
  id: z.number().int(),
  caseNo: z.string(),
  status: z.enum(CASE_STATUSES),
  statusReason: z.string().nullable(),
  catalogVersion: z.object({ id: z.number().int(), label: z.string() }),
  bundleName: z.string().nullable(),
  applicant: z.object({ id: z.number().int(), name: z.string(), kind: z.string(), idType: z.string(), idNumberMasked: z.string() }),
  items: z.array(z.object({ id: z.number().int(), code: z.string(), name: z.string(), department: z.string(), timeLimitDays: z.number().int() })),
  certificates: z.array(CaseCertificateView),
  /** The circumstance questions answered for this case (适用情形). */
  circumstances: z.array(z.object({ code: z.string(), question: z.string(), answer: z.string() })),
  /** Certificates that still block acceptance, with the reason. */
  blockers: z.array(z.string()),
  figures: CaseFigures,
  createdAt: z.string(),
  createdBy: z.string(),
  acceptedAt: z.string().nullable(),
  /** `needsLegalBasis`: a 终止办理/撤销决定 of a case already sent to a vertical system (docs/sync.md). */
  transitions: z.array(z.object({ to: z.enum(CASE_STATUSES), action: z.string(), needsReason: z.boolean(), needsLegalBasis: z.boolean() })),
});
export type CaseView = z.infer<typeof CaseView>;

export const CaseSummary = z.object({
  id: z.number().int(),
  caseNo: z.string(),
  status: z.enum(CASE_STATUSES),
  applicantName: z.string(),
  items: z.string(),
  /** A bundle case's name (出生“一件事”): the list shows it rather than the items' names. */
  bundleName: z.string().nullable(),
  createdAt: z.string(),
  overdueRequests: z.number().int(),
  avoided: z.number().int(),
  /** Due by the items' promised time limit (承诺时限), set on acceptance; null before it. */
  dueAt: z.string().nullable(),
  /** Accepted and not ended, and past its due date. */
  late: z.boolean(),
  /** Working days left after today on the hall calendar (0 = due today), while accepted or verifying and not late. */
  workingDaysLeft: z.number().int().nullable(),
});

export const MaterialView = z.object({
  id: z.number().int(),
  certificateCode: z.string().nullable(),
  /** The certificate's name in the catalog version validity is judged by; null: 未指定证明 (or a code that version lacks). */
  certificateName: z.string().nullable().optional(),
  title: z.string(),
  trustGrade: z.enum(['A', 'B', 'C', 'D']),
  trustNote: z.string(),
  validFrom: z.string(),
  validUntil: z.string().nullable(),
  valid: z.boolean(),
  pages: z.number().int(),
  sourceCaseNo: z.string().nullable(),
  createdAt: z.string(),
  /** The window that checked it, for a material from another desk of the hall (docs/hub.md); null: this desk. */
  fromWindow: z.string().nullable().optional(),
  /** The 高拍仪 scan it was filed from (scans.finish, migrations/0025): its name, who scanned it, when it was finished; null: not from a scan. */
  scan: z.object({ documentId: z.number().int(), title: z.string(), scannedBy: z.string(), finishedAt: z.string() }).nullable().optional(),
});
export type MaterialView = z.infer<typeof MaterialView>;

const CaseCert = { caseId: Id, certificateItemId: Id };

/** A certificate's subject other than the applicant: name and resident ID number (check digit checked). */
export const SubjectPerson = z.object({
  name: trimmed(50),
  idNumber: z
    .string()
    .trim()
    .toUpperCase()
    .superRefine((v, ctx) => {
      const problem = checkIdNumber(v);
      if (problem) ctx.addIssue({ code: 'custom', message: ID_PROBLEM_MESSAGES[problem] });
    }),
});
export type SubjectPerson = z.infer<typeof SubjectPerson>;

/** The statuses whose change is told to the vertical systems the case was sent to (docs/sync.md). */
export const TOLD_STATUSES = ['terminated', 'revoked'] as const;

export const TransitionInput = z
  .object({
    caseId: Id,
    to: z.enum(CASE_STATUSES),
    reason: z.string().trim().max(500, '理由不能超过 500 字').optional(),
    /** 依据: required (StatusChangeFacts) when a case already sent to a vertical system is terminated or revoked. */
    legalBasis: z.string().trim().min(1, '法律依据不能为空').max(300, '法律依据不能超过 300 字').optional(),
    /** 办理结果: the decision or licence number, required for 办结 (checked by the case module), kept for the archive. */
    decisionNo: z.string().trim().max(100, '办理结果不能超过 100 字').optional(),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.legalBasis !== undefined && !(TOLD_STATUSES as readonly string[]).includes(v.to)) {
      ctx.addIssue({ code: 'custom', path: ['legalBasis'], message: '只有终止办理或撤销决定需要填写法律依据' });
    }
  });
export type TransitionInput = z.infer<typeof TransitionInput>;

/**
 * What the vertical systems are told when a case sent to them is terminated or its decision
 * revoked by the clerk: both facts, with the messages the clerk sees.
 */
export const StatusChangeFacts = z.object({
  legalBasis: z.string({ error: '已推送至业务系统的办件，终止办理或撤销决定须填写法律依据' }).trim().min(1, '已推送至业务系统的办件，终止办理或撤销决定须填写法律依据').max(300, '法律依据不能超过 300 字'),
  reason: z.string({ error: '终止办理或撤销决定须填写理由' }).trim().min(1, '终止办理或撤销决定须填写理由').max(500, '理由不能超过 500 字'),
});


export const intakeMethods = {
  'catalog.guidePdf': method({
    access: 'session',
    input: z.object({ serviceItemId: Id }).strict(),
    output: z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() }),
  }),
  'catalog.bundles': method({
    access: 'session',
    input: Empty,
    output: z.array(z.object({ code: z.string(), name: z.string(), items: z.array(z.object({ id: z.number().int(), name: z.string() })) })),
  }),
  'intake.start': method({
    access: Worker,
    input: z
      .object({
        applicantId: Id,
        serviceItemIds: z.array(Id).min(1, '请至少选择一个事项').max(30),
        bundleCode: z.string().max(64).optional(),
        /** 适用情形 answers by circumstance code (是 = true); a question not answered takes the catalog's default. */
        circumstances: z.record(z.string().max(64), z.boolean()).optional(),
      })
      .strict(),
    output: CaseView,
  }),
  'intake.get': method({ access: 'session', input: z.object({ caseId: Id }).strict(), output: CaseView }),
  'intake.list': method({
    access: 'session',
    input: z
      .object({
        status: z.enum(CASE_STATUSES).optional(),
        query: z.string().trim().max(50).optional(),
        /** One applicant's cases (e.g. the 高拍仪扫描 page offers their cases at intake). */
        applicantId: Id.optional(),
        lateOnly: z.boolean().optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    output: z.array(CaseSummary),
  }),
  'intake.commitmentEligibility': method({
    access: Worker,
    input: z.object({ caseId: Id }).strict(),
    output: z.object({ eligible: z.boolean(), reasons: z.array(z.string()), hallCopy: HallCopyView.optional() }),
  }),
  'intake.commitmentNotice': method({
    access: 'session',
    input: z.object(CaseCert).strict(),
    output: z.object({
      certificateName: z.string(),
      templateVersion: z.string(),
      noticeText: z.string(),
      commitmentText: z.string(),
      verification: z.object({ method: z.string(), timeLimitDays: z.number().nullable(), samplingRatio: z.number().nullable() }),
    }),
  }),
  'intake.recordChoice': method({
    access: Worker,
    input: z.object({ ...CaseCert, choice: z.enum(['commit', 'present']) }).strict(),
    output: CaseView,
  }),
  'intake.signCommitment': method({
    access: Worker,
    input: z.object({ ...CaseCert, signatureKind: z.enum(['pad', 'screen', 'scanned_paper']), signaturePngBase64: Base64(5).min(100, '请先签名') }).strict(),
    output: CaseView,
  }),
  'intake.withdrawCommitment': method({
    access: Worker,
    input: z.object({ commitmentId: Id, reason: trimmed(200) }).strict(),
    output: CaseView,
  }),
  /** The commitment to print for a signature on paper (纸质签字): the case's facts and texts, blank signature lines; nothing is recorded. */
  'intake.commitmentPaperPdf': method({ access: Clerk, input: z.object(CaseCert).strict(), output: z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() }) }),
  'intake.commitmentPdf': method({ access: 'session', input: z.object({ commitmentId: Id }).strict(), output: z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() }) }),
  'intake.queryDataSharing': method({
    access: Worker,
    input: z
      .object({
        ...CaseCert,
        /** The person the certificate is about when it is not the applicant (the child for 预防接种); kept with the case. */
        subject: SubjectPerson.optional(),
      })
      .strict(),
    output: CaseView,
  }),
  'intake.switchToVerification': method({ access: Worker, input: z.object(CaseCert).strict(), output: CaseView }),
  'intake.requestAssistance': method({ access: Worker, input: z.object(CaseCert).strict(), output: CaseView }),
  'intake.recordAssistanceReply': method({
    access: Worker,
    input: AssistanceReplyInput,
    output: CaseView,
  }),
  'intake.attachMaterial': method({
    access: Worker,
    input: z.object({ ...CaseCert, materialId: Id }).strict(),
    output: CaseView,
  }),
  'intake.addMaterial': method({
    access: Worker,
    input: z
      .object({
        ...CaseCert,
        title: trimmed(100),
        validUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '有效期格式应为 YYYY-MM-DD').optional(),
        pages: z.array(z.object({ mime: z.enum(['image/jpeg', 'image/png']), base64: Base64(20) })).min(1, '请至少添加一页').max(50),
      })
      .strict(),
    output: CaseView,
  }),
  'materials.forApplicant': method({
    access: 'session',
    /** caseId: judge each material's validity by the certificate's 有效期 in that case's catalog version. */
    input: z.object({ applicantId: Id, caseId: Id.optional() }).strict(),
    output: z.array(MaterialView),
  }),
  'materials.page': method({
    access: 'session',
    input: z.object({ materialId: Id, position: z.number().int().min(0) }).strict(),
    output: z.object({ mime: z.string(), base64: z.string() }),
  }),
  'intake.transition': method({
    access: Clerk,
    input: TransitionInput,
    output: CaseView,
  }),
  /** 不予受理告知书 of a refused case (行政许可法 第三十二条), with its reason and the applicant's remedies. */
  'intake.rejectionNoticePdf': method({ access: 'session', input: z.object({ caseId: Id }).strict(), output: z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() }) }),
  'intake.receiptPdf': method({ access: 'session', input: z.object({ caseId: Id }).strict(), output: z.object({ fileName: z.string(), base64: z.string(), sha256: z.string() }) }),

  'credit.list': method({
    access: 'session',
    input: Empty,
    output: z.array(
      z.object({
        id: z.number().int(),
        name: z.string(),
        idNumberMasked: z.string(),
        kind: z.enum(['bad_credit', 'false_commitment']),
        severity: z.string(),
        reason: z.string(),
        source: z.string(),
        /** An outside record's document number and decision date. */
        documentNo: z.string().nullable(),
        decidedOn: z.string().nullable(),
        recordedAt: z.string(),
        repairedAt: z.string().nullable(),
      }),
    ),
  }),
  /** A credit record from outside (another agency's decision): source, document number, severity, date. */
  'credit.recordOutside': method({
    access: ['supervisor'],
    input: z
      .object({
        applicantId: Id,
        severity: z.enum(['轻微', '一般', '严重']),
        source: trimmed(100),
        documentNo: trimmed(100),
        decidedOn: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD'),
        reason: trimmed(300),
      })
      .strict(),
    output: z.object({ id: Id }),
  }),
  'credit.repair': method({ access: ['supervisor'], input: z.object({ id: Id, note: trimmed(200) }).strict(), output: z.object({ ok: z.literal(true) }) }),
} as const;
