/**
 * The applicant registration rule, in ONE place: which fields each kind of applicant (个人 / 单位)
 * must give, and the check of every field with its own Chinese message. The registration form
 * (renderer/src/pages/applicants/ApplicantForm.tsx, at 申请人登记 and at 受理办件's applicant
 * step) checks each field with these functions as the clerk types; the contract
 * (shared/ipc/methods/applicants.ts) refuses with the same functions on the main side. The form
 * and the server cannot disagree, and a message is written once.
 *
 * The phone is required for both kinds: under 告知承诺 the hall must reach the applicant when a
 * 协查 reply, a verification result or a rectification (整改) notice comes, and a field visit calls
 * ahead. An applicant without a phone of their own gives a relative's mobile or a landline with
 * its area code (村/居委会, employer) — the phone rule accepts both.
 */
import { checkIdNumber, ID_PROBLEM_MESSAGES } from './id-number';
import { checkUscc, USCC_PROBLEM_MESSAGES } from './uscc';
import { checkPhone, PHONE_PROBLEM_MESSAGES } from './phone';
import { ADDRESS_PROBLEM_MESSAGES, checkAddress } from './address';

export const APPLICANT_KINDS = ['person', 'organisation'] as const;
export type ApplicantKind = (typeof APPLICANT_KINDS)[number];
export const APPLICANT_KIND_LABELS: Record<ApplicantKind, string> = { person: '个人', organisation: '单位' };

export const SIGNER_ROLES = ['legal_rep', 'agent'] as const;
export type SignerRole = (typeof SIGNER_ROLES)[number];
export const SIGNER_ROLE_LABELS: Record<SignerRole, string> = { legal_rep: '法定代表人', agent: '经办人' };

/** The labels of the form's fields, per kind (the messages below use the same words). */
export const APPLICANT_FIELD_LABELS: Record<ApplicantKind, { name: string; idNumber: string; phone: string; address: string }> = {
  person: { name: '姓名', idNumber: '居民身份证号码', phone: '联系电话', address: '住址' },
  organisation: { name: '单位名称', idNumber: '统一社会信用代码', phone: '联系电话', address: '单位地址' },
};
export const SIGNER_FIELD_LABELS = { role: '签署人身份', name: '签署人姓名', idNumber: '签署人身份证号码', phone: '签署人电话' } as const;

/** Which fields each kind must give (the form marks these; the checks below refuse them empty). */
export const APPLICANT_REQUIRED: Record<ApplicantKind, { name: boolean; idNumber: boolean; phone: boolean; address: boolean; signer: boolean }> = {
  person: { name: true, idNumber: true, phone: true, address: false, signer: false },
  organisation: { name: true, idNumber: true, phone: true, address: false, signer: true },
};

export const NAME_MAX: Record<ApplicantKind, number> = { person: 50, organisation: 100 };
export const SIGNER_NAME_MAX = 50;

export const APPLICANT_MESSAGES = {
  nameEmpty: { person: '请输入姓名', organisation: '请输入单位名称' },
  nameLong: { person: `姓名不能超过${NAME_MAX.person}个字`, organisation: `单位名称不能超过${NAME_MAX.organisation}个字` },
  idEmpty: { person: '请输入居民身份证号码', organisation: '请输入统一社会信用代码' },
  signerMissing: '单位申请人须登记签署人（法定代表人或经办人）',
  signerOnPerson: '个人申请人不登记签署人',
  signerRole: '请选择签署人身份（法定代表人或经办人）',
  signerNameEmpty: '请输入签署人姓名',
  signerNameLong: `签署人姓名不能超过${SIGNER_NAME_MAX}个字`,
  signerIdEmpty: '请输入签署人身份证号码',
  signerPhoneEmpty: '请输入签署人电话',
  addressErased: '地址不能改为空，请填写正确的地址',
  nothingChanged: '没有要修改的内容',
} as const;

/** Each check takes the field as typed and returns null when it is right, else the message. */

export function checkApplicantName(kind: ApplicantKind, raw: string): string | null {
  const v = raw.trim();
  if (!v) return APPLICANT_MESSAGES.nameEmpty[kind];
  return [...v].length > NAME_MAX[kind] ? APPLICANT_MESSAGES.nameLong[kind] : null;
}

/** 居民身份证 (GB 11643) for a person, 统一社会信用代码 (GB 32100) for an organisation. */
export function checkApplicantIdNumber(kind: ApplicantKind, raw: string): string | null {
  if (!raw.trim()) return APPLICANT_MESSAGES.idEmpty[kind];
  if (kind === 'person') {
    const p = checkIdNumber(raw);
    return p ? ID_PROBLEM_MESSAGES[p] : null;
  }
  const p = checkUscc(raw);
  return p ? USCC_PROBLEM_MESSAGES[p] : null;
}

export function checkApplicantPhone(raw: string): string | null {
  const p = checkPhone(raw);
  return p ? PHONE_PROBLEM_MESSAGES[p] : null;
}

/** Optional: empty means 地址未登记; anything else must be an address one can visit. */
export function checkApplicantAddress(raw: string): string | null {
  const p = raw.trim() ? checkAddress(raw) : null;
  return p ? ADDRESS_PROBLEM_MESSAGES[p] : null;
}

export function checkSignerRole(raw: string): string | null {
  return (SIGNER_ROLES as readonly string[]).includes(raw) ? null : APPLICANT_MESSAGES.signerRole;
}

export function checkSignerName(raw: string): string | null {
  const v = raw.trim();
  if (!v) return APPLICANT_MESSAGES.signerNameEmpty;
  return [...v].length > SIGNER_NAME_MAX ? APPLICANT_MESSAGES.signerNameLong : null;
}

export function checkSignerIdNumber(raw: string): string | null {
  if (!raw.trim()) return APPLICANT_MESSAGES.signerIdEmpty;
  const p = checkIdNumber(raw);
  return p ? ID_PROBLEM_MESSAGES[p] : null;
}

export function checkSignerPhone(raw: string): string | null {
  return raw.trim() ? checkApplicantPhone(raw) : APPLICANT_MESSAGES.signerPhoneEmpty;
}

export interface SignerFields {
  role: string;
  name: string;
  idNumber: string;
  phone: string;
}

export interface ApplicantFields {
  kind: ApplicantKind;
  name: string;
  idNumber: string;
  phone: string;
  address?: string | undefined;
  signer?: SignerFields | undefined;
}

/** A field's problem: `path` as the form names the field (['signer', 'phone']). */
export interface FieldProblem {
  path: string[];
  message: string;
}

function collect(out: FieldProblem[], path: string[], message: string | null): void {
  if (message) out.push({ path, message });
}

export function signerProblems(s: SignerFields): FieldProblem[] {
  const out: FieldProblem[] = [];
  collect(out, ['signer', 'role'], checkSignerRole(s.role));
  collect(out, ['signer', 'name'], checkSignerName(s.name));
  collect(out, ['signer', 'idNumber'], checkSignerIdNumber(s.idNumber));
  collect(out, ['signer', 'phone'], checkSignerPhone(s.phone));
  return out;
}

/** Every problem of a new applicant, field by field (empty: it may be registered). */
export function applicantProblems(a: ApplicantFields): FieldProblem[] {
  const out: FieldProblem[] = [];
  collect(out, ['name'], checkApplicantName(a.kind, a.name));
  collect(out, ['idNumber'], checkApplicantIdNumber(a.kind, a.idNumber));
  collect(out, ['phone'], checkApplicantPhone(a.phone));
  collect(out, ['address'], checkApplicantAddress(a.address ?? ''));
  if (a.kind === 'organisation' && !a.signer) collect(out, ['signer'], APPLICANT_MESSAGES.signerMissing);
  if (a.kind === 'person' && a.signer) collect(out, ['signer'], APPLICANT_MESSAGES.signerOnPerson);
  if (a.kind === 'organisation' && a.signer) out.push(...signerProblems(a.signer));
  return out;
}

/**
 * Every problem of a change to a registered applicant (name, kind and ID number never change):
 * an absent field is unchanged; a phone or signer given is checked as at registration; an address
 * once known is corrected, not erased.
 */
export function applicantChangeProblems(c: { phone?: string | undefined; address?: string | undefined; signer?: SignerFields | undefined }): FieldProblem[] {
  const out: FieldProblem[] = [];
  if (c.phone === undefined && c.address === undefined && c.signer === undefined) return [{ path: [], message: APPLICANT_MESSAGES.nothingChanged }];
  if (c.phone !== undefined) collect(out, ['phone'], checkApplicantPhone(c.phone));
  if (c.address !== undefined) collect(out, ['address'], c.address.trim() ? checkApplicantAddress(c.address) : APPLICANT_MESSAGES.addressErased);
  if (c.signer) out.push(...signerProblems(c.signer));
  return out;
}
