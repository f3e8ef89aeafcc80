/**
 * Chinese resident ID number (GB 11643-1999): 17 digits and an ISO 7064
 * MOD 11-2 check character (0-9 or X). Pure functions, no I/O.
 */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK_CHARS = '10X98765432';

export function idCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * (WEIGHTS[i] ?? 0);
  return CHECK_CHARS[sum % 11] ?? '';
}

export type IdNumberProblem = 'length' | 'characters' | 'birth_date' | 'check_digit';

export const ID_PROBLEM_MESSAGES: Record<IdNumberProblem, string> = {
  length: '身份证号码应为18位',
  characters: '身份证号码前17位应为数字，最后一位为数字或X',
  birth_date: '身份证号码中的出生日期不存在',
  check_digit: '身份证号码校验位不正确，请核对是否录入有误',
};

/** Returns null when the number is valid, otherwise the first problem found. */
export function checkIdNumber(raw: string): IdNumberProblem | null {
  const id = normalizeIdNumber(raw);
  if (id.length !== 18) return 'length';
  if (!/^\d{17}[\dX]$/.test(id)) return 'characters';
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (
    y < 1900 ||
    date.getUTCFullYear() !== y ||
    date.getUTCMonth() !== m - 1 ||
    date.getUTCDate() !== d
  ) {
    return 'birth_date';
  }
  if (idCheckChar(id.slice(0, 17)) !== id[17]) return 'check_digit';
  return null;
}

export function normalizeIdNumber(raw: string): string {
  return raw.trim().toUpperCase();
}

/** Masks all but the first 3 and last 4 characters: 110***********123X. */
export function maskIdNumber(id: string): string {
  if (id.length <= 7) return '*'.repeat(id.length);
  return id.slice(0, 3) + '*'.repeat(id.length - 7) + id.slice(-4);
}
