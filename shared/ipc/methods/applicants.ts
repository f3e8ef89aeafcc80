/**
 * Applicants: persons (居民身份证) and organisations (统一社会信用代码) with their contact — phone and
 * address — and, for an organisation, its signer (法定代表人 or 经办人), the person who commits for
 * it and whom the credit check covers too. ID numbers and phones leave the main process masked;
 * the full values only through audited reveals.
 */
import { z } from 'zod';
import { checkIdNumber, ID_PROBLEM_MESSAGES, type IdNumberProblem } from '../../rules/id-number';
import { checkUscc, USCC_PROBLEM_MESSAGES, type UsccProblem } from '../../rules/uscc';
import { checkPhone, PHONE_PROBLEM_MESSAGES } from '../../rules/phone';
import { ADDRESS_PROBLEM_MESSAGES, checkAddress, normaliseAddress } from '../../rules/address';
import { method, trimmed } from '../method';

export const ID_TYPES = ['resident_id', 'uscc'] as const;
export type IdType = (typeof ID_TYPES)[number];
export const ID_TYPE_LABELS: Record<IdType, string> = { resident_id: '居民身份证', uscc: '统一社会信用代码' };

export const SIGNER_ROLES = ['legal_rep', 'agent'] as const;
export type SignerRole = (typeof SIGNER_ROLES)[number];
export const SIGNER_ROLE_LABELS: Record<SignerRole, string> = { legal_rep: '法定代表人', agent: '经办人' };

const Phone = z
  .string()
  .trim()
  .superRefine((v, ctx) => {
    const p = checkPhone(v);
    if (p) ctx.addIssue({ code: 'custom', message: PHONE_PROBLEM_MESSAGES[p] });
  });

/** Optional: '' (or absent) means 未登记; anything else must be a visitable address. */
const Address = z
  .string()
  .max(200)
  .transform(normaliseAddress)
  .superRefine((v, ctx) => {
    const p = v ? checkAddress(v) : null;
    if (p) ctx.addIssue({ code: 'custom', message: ADDRESS_PROBLEM_MESSAGES[p] });
  });

export const SignerInput = z
  .object({
    role: z.enum(SIGNER_ROLES, { message: '请选择签署人身份（法定代表人或经办人）' }),
    name: z.string().trim().min(1, '请输入签署人姓名').max(50, '签署人姓名过长'),
    idType: z.literal('resident_id').default('resident_id'),
    idNumber: z.string().trim().toUpperCase(),
    phone: Phone,
  })
  .strict()
  .superRefine((v, ctx) => {
    const p = checkIdNumber(v.idNumber);
    if (p) ctx.addIssue({ code: 'custom', path: ['idNumber'], message: ID_PROBLEM_MESSAGES[p] });
  });
export type SignerInput = z.input<typeof SignerInput>;

/** A person (居民身份证, GB 11643) or an organisation (统一社会信用代码, GB 32100) with its signer. */
export const ApplicantInput = z
  .object({
    kind: z.enum(['person', 'organisation']).default('person'),
    name: trimmed(100).describe('姓名或单位名称'),
    idType: z.enum(ID_TYPES),
    idNumber: z.string().trim().toUpperCase(),
    phone: Phone,
    address: Address.optional(),
    signer: SignerInput.optional(),
  })
  .superRefine((v, ctx) => {
    if ((v.kind === 'person') !== (v.idType === 'resident_id')) {
      ctx.addIssue({ code: 'custom', path: ['idType'], message: '个人使用居民身份证，单位使用统一社会信用代码' });
      return;
    }
    const problem = v.idType === 'resident_id' ? checkIdNumber(v.idNumber) : checkUscc(v.idNumber);
    if (problem) {
      const message = v.idType === 'resident_id' ? ID_PROBLEM_MESSAGES[problem as IdNumberProblem] : USCC_PROBLEM_MESSAGES[problem as UsccProblem];
      ctx.addIssue({ code: 'custom', path: ['idNumber'], message });
    }
    if (v.kind === 'organisation' && !v.signer) {
      ctx.addIssue({ code: 'custom', path: ['signer'], message: '单位申请人须登记签署人（法定代表人或经办人）' });
    }
    if (v.kind === 'person' && v.signer) {
      ctx.addIssue({ code: 'custom', path: ['signer'], message: '个人申请人不登记签署人' });
    }
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
        phone: Phone.optional(),
        /** Absent: unchanged; '' is refused (an address once known is corrected, not erased). */
        address: Address.optional(),
        signer: SignerInput.optional(),
      })
      .strict()
      .superRefine((v, ctx) => {
        if (v.address !== undefined && v.address === '') ctx.addIssue({ code: 'custom', path: ['address'], message: '地址不能改为空，请填写正确的地址' });
        if (v.phone === undefined && v.address === undefined && v.signer === undefined) ctx.addIssue({ code: 'custom', message: '没有要修改的内容' });
      }),
    output: ApplicantView,
  }),
  'applicants.revealPhone': method({
    access: ['clerk', 'assistant', 'supervisor'],
    input: z.object({ id: Id, who: z.enum(['applicant', 'signer']).default('applicant'), reason: trimmed(100) }).strict(),
    output: z.object({ phone: z.string() }),
  }),
  'applicants.creditStatus': method({
    access: 'session',
    input: z.object({ id: Id }).strict(),
    output: z.object({ eligible: z.boolean(), blocks: z.array(CreditBlockView), signerMissing: z.boolean(), hallCopy: HallCopyView.optional() }),
  }),
};
