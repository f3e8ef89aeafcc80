/**
 * Contact phone numbers: a mainland mobile (11 digits, 1[3-9]…) or a landline with its area code
 * (0 + 2–3 digits, a hyphen optional, then 7–8 digits). Each way of getting it wrong has its own
 * message, so the clerk knows what to fix.
 */
export type PhoneProblem = 'empty' | 'chars' | 'mobile_length' | 'mobile_prefix' | 'landline_no_area' | 'landline_format';

export const PHONE_PROBLEM_MESSAGES: Record<PhoneProblem, string> = {
  empty: '请输入联系电话',
  chars: '联系电话只能包含数字和连字符“-”',
  mobile_length: '手机号码应为11位数字',
  mobile_prefix: '手机号码第二位应为3至9，请核对',
  landline_no_area: '固定电话须带区号，如 0719-3221234',
  landline_format: '固定电话应为区号（0开头，3至4位）加7至8位号码，如 0719-3221234',
};

export function checkPhone(raw: string): PhoneProblem | null {
  const p = raw.trim();
  if (!p) return 'empty';
  if (!/^[\d-]+$/.test(p)) return 'chars';
  if (p.startsWith('1')) {
    if (!/^\d{11}$/.test(p)) return 'mobile_length';
    return /^1[3-9]\d{9}$/.test(p) ? null : 'mobile_prefix';
  }
  if (!p.startsWith('0')) return 'landline_no_area';
  return /^0\d{2,3}-?\d{7,8}$/.test(p) ? null : 'landline_format';
}

/** Mainland mobile (11 digits starting with 1[3-9]) or a landline with its area code. */
export function isValidPhone(raw: string): boolean {
  return checkPhone(raw) === null;
}

/** 139****2345: phones leave the main process masked, like ID numbers. */
export function maskPhone(p: string): string {
  return p.length >= 7 ? p.slice(0, 3) + '****' + p.slice(-4) : '****';
}
