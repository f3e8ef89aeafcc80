/**
 * An applicant's address as ONE validated line ("湖北省十堰市房县城关镇东街12号"): the way the
 * ID card and the household register write it (the card reader gives one line, the clerk copies
 * one), and the way an assistant reads it on a field visit. Structured 省/市/县 pickers would need
 * a national division table the offline desk does not ship; the check below asks for what a visit
 * needs instead — a county-level unit (县/区/市/旗) followed by the place below it (乡镇街道, 村组,
 * 门牌号).
 */
export type AddressProblem = 'too_short' | 'too_long' | 'no_county' | 'no_detail';

export const ADDRESS_PROBLEM_MESSAGES: Record<AddressProblem, string> = {
  too_short: '地址过短，请写明省市县及详细地址（乡镇街道、村组或门牌号）',
  too_long: '地址不能超过120个字',
  no_county: '地址须包含县（市、区）名称，如“湖北省十堰市房县城关镇东街12号”',
  no_detail: '地址须写明县（市、区）以下的详细地址：乡镇街道、村组或门牌号',
};

const COUNTY = /(县|区|市|旗)/g;
const DETAIL = /(乡|镇|街道|街|路|道|巷|弄|村|组|社区|小区|号|栋|幢|单元|室|楼)/;

export function checkAddress(raw: string): AddressProblem | null {
  const a = raw.trim().replace(/\s+/g, '');
  if (a.length > 120) return 'too_long';
  if (a.length < 8) return 'too_short';
  const counties = [...a.matchAll(COUNTY)].filter((m) => m.index > 0);
  if (counties.length === 0) return 'no_county';
  // The detail: what follows a county-level unit names a place below it.
  if (counties.some((m) => { const rest = a.slice(m.index + 1); return rest.length >= 3 && DETAIL.test(rest); })) return null;
  return 'no_detail';
}

/** The address as stored: trimmed, inner whitespace removed. */
export function normaliseAddress(raw: string): string {
  return raw.trim().replace(/\s+/g, '');
}
