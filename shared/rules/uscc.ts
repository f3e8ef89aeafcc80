/**
 * Unified social credit code (统一社会信用代码, GB 32100-2015): 18 characters
 * from 0-9 and A-Z without I, O, Z, S, V; the 18th is a MOD 31 check character.
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function usccCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CHARSET.indexOf(first17[i] ?? '') * (WEIGHTS[i] ?? 0);
  return CHARSET[(31 - (sum % 31)) % 31] ?? '';
}

export type UsccProblem = 'length' | 'characters' | 'check_char';

export const USCC_PROBLEM_MESSAGES: Record<UsccProblem, string> = {
  length: '统一社会信用代码应为18位',
  characters: '统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）',
  check_char: '统一社会信用代码校验位不正确，请核对是否录入有误',
};

export function checkUscc(raw: string): UsccProblem | null {
  const code = raw.trim().toUpperCase();
  if (code.length !== 18) return 'length';
  for (const ch of code) if (!CHARSET.includes(ch)) return 'characters';
  return usccCheckChar(code.slice(0, 17)) === code[17] ? null : 'check_char';
}

/** Organisation codes are public; masking keeps the screen consistent with ID numbers. */
export function maskUscc(code: string): string {
  return code.length === 18 ? code.slice(0, 6) + '********' + code.slice(-4) : code;
}
