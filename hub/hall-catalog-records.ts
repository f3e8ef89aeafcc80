/**
 * The hall's catalog versions and calendar years as hall records (docs/hub.md, "Records, owners
 * and offline"): what a pushed body must hold for every desk to apply it. A version a desk could
 * not apply would be skipped there (audited) and the desks would drift apart, so the hub refuses
 * it first. The desks' side: electron/services/hub/hall-catalog.ts.
 */

const isText = (v: unknown) => typeof v === 'string' && v.length > 0;
const isArray = (v: unknown): v is unknown[] => Array.isArray(v);
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** A catalog version: its label, the instant it starts applying, and the whole catalog (items, certificates, circumstances, bundles). */
export function catalogVersionProblem(recordId: string, b: Record<string, unknown>): string | null {
  if (!/^[0-9a-f-]{36}$/.test(recordId)) return `catalog version id ${recordId} is not a UUID`;
  if (!isText(b.label) || !isText(b.effectiveFrom) || Number.isNaN(Date.parse(b.effectiveFrom as string)) || typeof b.source !== 'string' || typeof b.note !== 'string') {
    return 'catalog version needs label, effectiveFrom (ISO time), source and note';
  }
  const c = b.catalog as Record<string, unknown> | null;
  if (typeof c !== 'object' || c === null || !isArray(c.serviceItems) || !isArray(c.certificates) || !isArray(c.circumstances) || !isArray(c.bundles)) {
    return 'catalog version needs catalog.serviceItems, certificates, circumstances and bundles';
  }
  if (c.serviceItems.length === 0) return 'catalog version has no service items';
  const certs = new Set(c.certificates.map((x) => (x as { code?: unknown }).code));
  for (const s of c.serviceItems as { code?: unknown; name?: unknown; timeLimitDays?: unknown; certificates?: unknown; produces?: unknown }[]) {
    if (!isText(s.code) || !isText(s.name) || !Number.isInteger(s.timeLimitDays) || (s.timeLimitDays as number) < 0 || !isArray(s.certificates) || !isArray(s.produces)) {
      return `catalog service item ${String(s.code)} needs code, name, timeLimitDays, certificates and produces`;
    }
    const missing = [...s.certificates, ...s.produces].find((code) => !certs.has(code));
    if (missing !== undefined) return `catalog service item ${String(s.code)} names certificate ${String(missing)}, which the version does not have`;
  }
  return null;
}

/** A calendar year: the year (its record id), the notice it came from, and every listed day of it. */
export function calendarYearProblem(recordId: string, b: Record<string, unknown>): string | null {
  if (!Number.isInteger(b.year) || String(b.year) !== recordId || (b.year as number) < 2000 || (b.year as number) > 2100) return `calendar record ${recordId} carries another year`;
  if (!isText(b.source) || !isArray(b.days)) return 'calendar year needs source and days';
  const seen = new Set<string>();
  for (const d of b.days as { date?: unknown; kind?: unknown; name?: unknown; note?: unknown }[]) {
    if (typeof d.date !== 'string' || !DATE.test(d.date) || !d.date.startsWith(`${recordId}-`) || !['holiday', 'workday'].includes(d.kind as string) || typeof d.name !== 'string' || (d.note !== null && typeof d.note !== 'string')) {
      return `calendar year ${recordId} has a bad day ${JSON.stringify(d).slice(0, 80)}`;
    }
    if (seen.has(d.date)) return `calendar year ${recordId} lists ${d.date} twice`;
    seen.add(d.date);
  }
  return null;
}
