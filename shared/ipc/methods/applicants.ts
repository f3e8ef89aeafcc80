/**
 * Applicants: persons (居民身份证) and organisations (统一社会信用代码) with their contact — phone and
 * address — and, for an organisation, its signer (法定代表人 or 经办人), the person who commits for
 * it and whom the credit check covers too. ID numbers and phones leave the main process masked;
 * the full values only through audited reveals.
 */
import { z } from 'zod';
import { normaliseAddress } from '../../rules/address';
import {
  APPLICANT_KINDS,
  applicantChangeProblems,
  applicantProblems,
  SIGNER_ROLES,
  type FieldProblem,
  type SignerRole,
} from '../../rules/applicant-fields';
import { method, trimmed } from '../method';

export { SIGNER_ROLES, SIGNER_ROLE_LABELS, type SignerRole } from '../../rules/applicant-fields';

export const ID_TYPES = ['resident_id', 'uscc'] as const;
export type IdType = (typeof ID_TYPES)[number];
export const ID_TYPE_LABELS: Record<IdType, string> = { resident_id: '居民身份证', uscc: '统一社会信用代码' };

/*
 * The schemas below only take the shape (strings, trimmed); what makes a field right or wrong, and
 * its message, is the one rule of shared/rules/applicant-fields.ts that the form checks with too.
 * All checks run in one refinement at the top, so a refusal names every wrong field at once, as
 * the form does.
 */

function refuse(ctx: z.RefinementCtx, problems: FieldProblem[]): void {
  for (const p of problems) ctx.addIssue({ code: 'custom', path: p.path, message: p.message });
}

/** Optional: '' (or absent) means 未登记; stored trimmed, inner whitespace removed. */
const Address = z.string().transform(normaliseAddress);

/** The organisation's signer (法定代表人 or 经办人); its role is checked by the rule with the rest. */
export const SignerInput = z
  .object({
    role: z.custom<SignerRole>((v) => typeof v === 'string'),
    name: z.string().trim(),
    idType: z.literal('resident_id').default('resident_id'),
    idNumber: z.string().trim().toUpperCase(),
    phone: z.string().trim(),
  })
  .strict();
export type SignerInput = z.input<typeof SignerInput>;

/** A person (居民身份证, GB 11643) or an organisation (统一社会信用代码, GB 32100) with its signer. */
export const ApplicantInput = z
  .object({
    kind: z.enum(APPLICANT_KINDS).default('person'),
    name: z.string().trim().describe('姓名或单位名称'),
    idType: z.enum(ID_TYPES),
    idNumber: z.string().trim().toUpperCase(),
    phone: z.string().trim(),
    address: Address.optional(),
    signer: SignerInput.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.kind === 'person') !== (v.idType === 'resident_id')) {
      ctx.addIssue({ code: 'custom', path: ['idType'], message: '个人使用居民身份证，单位使用统一社会信用代码' });
      return;
    }
    refuse(ctx, applicantProblems(v));
  });
export type ApplicantInput = z.input<typeof ApplicantInput>;

export const SignerView = z.object({
  role: z.enum(SIGNER_ROLES),
  name: z.string(),
  idNumberMasked: z.string(),
  phoneMasked: z.string(),
});

export const ApplicantView = z.object({
  id: z.number().int(),
  kind: z.enum(['person', 'organisation']),
  name: z.string(),
  idType: z.enum(ID_TYPES),
  idNumberMasked: z.string(),
  phoneMasked: z.string(),
  /** null: 地址未登记 (applicants registered before addresses were taken). */
  address: z.string().nullable(),
  signer: SignerView.nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string().nullable(),
});
export type ApplicantView = z.infer<typeof ApplicantView>;

/** One unrepaired record that bars a commitment, with whom it concerns. */
export const CreditBlockView = z.object({
  subject: z.enum(['applicant', 'signer']),
  /** 申请人 / 法定代表人 / 经办人 */
  roleLabel: z.string(),
  name: z.string(),
  idNumberMasked: z.string(),
  kind: z.enum(['bad_credit', 'false_commitment']),
  severity: z.string(),
  reason: z.string(),
  source: z.string(),
  recordedAt: z.string(),
  /** The whole sentence, as the commitment step shows and refuses with. */
  message: z.string(),
});
export type CreditBlockView = z.infer<typeof CreditBlockView>;

/**
 * The age of this desk's copy of the hall's data (docs/hub.md, "Offline"), given only when the desk
 * has a hub: `syncedAt` null when it never read the hub's feed to its end; `message` says it in
 * Chinese (全厅数据更新于 …).
 */
export const HallCopyView = z.object({ syncedAt: z.string().nullable(), message: z.string() });
export type HallCopyView = z.infer<typeof HallCopyView>;

const Id = z.number().int().positive();

export const applicantsMethods = {
  'applicants.update': method({
    access: ['clerk', 'assistant', 'supervisor'],
    input: z
      .object({
        id: Id,
        /** Absent: unchanged. */
        phone: z.string().trim().optional(),
        /** Absent: unchanged; '' is refused (an address once known is corrected, not erased). */
        address: Address.optional(),
        signer: SignerInput.optional(),
      })
      .strict()
      .superRefine((v, ctx) => refuse(ctx, applicantChangeProblems(v))),
    output: ApplicantView,
  }),
  'applicants.revealPhone': method({
    access: ['clerk', 'assistant', 'supervisor'],
    input: z.object({ id: Id, who: z.enum(['applicant', 'signer']).default('applicant'), reason: trimmed(100) }).strict(),
    output: z.object({ phone: z.string() }),
  }),
  /** What the signed-in user may see of this applicant (electron/services/cases/case-access.ts applicantAccess). */
  'applicants.access': method({
    access: 'session',
    input: z.object({ id: Id }).strict(),
    output: z.object({ revealId: z.boolean(), materials: z.boolean(), allCases: z.boolean(), note: z.string().nullable() }),
  }),
  'applicants.creditStatus': method({
    access: 'session',
    input: z.object({ id: Id }).strict(),
    output: z.object({ eligible: z.boolean(), blocks: z.array(CreditBlockView), signerMissing: z.boolean(), hallCopy: HallCopyView.optional() }),
  }),
};
