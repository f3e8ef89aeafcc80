/** Mainland mobile (11 digits starting with 1) or a landline with optional area code. */
export function isValidPhone(raw: string): boolean {
  const p = raw.trim();
  return /^1[3-9]\d{9}$/.test(p) || /^0\d{2,3}-?\d{7,8}$/.test(p);
}
