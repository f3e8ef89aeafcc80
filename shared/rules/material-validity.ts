/**
 * "一次提交，长期有效" within the certificate's validity: a material kept at the window may be
 * reused until the earlier of its own end date and the day its certificate's validity (有效期,
 * in months; null = 长期) runs out counted from the day it was presented.
 */

/** YYYY-MM-DD plus whole months; a day the month lacks becomes the month's last day (01-31 + 1 month = 02-28). */
export function addMonths(day: string, months: number): string {
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  const total = y * 12 + (m - 1) + months;
  const year = Math.floor(total / 12);
  const month = (total % 12) + 1;
  const last = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(Math.min(d, last)).padStart(2, '0')}`;
}

/** The last day a material may be reused, or null when it does not expire. */
export function reusableUntil(validFrom: string, validUntil: string | null, validityMonths: number | null): string | null {
  const byValidity = validityMonths === null ? null : addMonths(validFrom, validityMonths);
  if (byValidity === null) return validUntil;
  if (validUntil === null) return byValidity;
  return validUntil < byValidity ? validUntil : byValidity;
}

export function isReusable(today: string, validFrom: string, validUntil: string | null, validityMonths: number | null): boolean {
  const until = reusableUntil(validFrom, validUntil, validityMonths);
  return until === null || until >= today;
}
