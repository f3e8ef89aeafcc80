import type { FieldSpec } from './targets-config';
import { readPath } from './case-document';
import { chinaDate, chinaDateTime } from '../../../shared/rules/china-time';

/** China Standard Time (UTC+8, no daylight saving): the date and time on the target's screen. */
export function chinaTime(iso: string, withTime: boolean): string {
  if (Number.isNaN(Date.parse(iso))) return iso;
  return withTime ? chinaDateTime(iso) : chinaDate(iso);
}

/** The value of one field for a document, as the field spec declares it. */
export function fieldValue(doc: unknown, f: FieldSpec): unknown {
  let v: unknown = f.value !== undefined ? f.value : readPath(doc, f.from!);
  if (f.format && typeof v === 'string') v = chinaTime(v, f.format === 'datetime');
  if (Array.isArray(v) && f.join !== undefined) v = v.filter((x) => x !== undefined && x !== null).join(f.join);
  return v === undefined ? null : v;
}

/** The target's payload: each declared field under its name (dots in a name nest objects). */
export function mapPayload(doc: unknown, fields: readonly FieldSpec[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const keys = f.name.split('.');
    let into = out;
    for (const k of keys.slice(0, -1)) into = (into[k] ??= {}) as Record<string, unknown>;
    into[keys[keys.length - 1]!] = fieldValue(doc, f);
  }
  return out;
}

/** The fields of a manual target's screen, in its order, as copy-ready text. */
export function screenFields(doc: unknown, fields: readonly FieldSpec[]): { label: string; value: string; hint?: string }[] {
  return fields.map((f) => {
    const v = fieldValue(doc, f);
    const value = v === null ? '' : Array.isArray(v) ? v.join('、') : typeof v === 'object' ? JSON.stringify(v) : String(v);
    return { label: f.label ?? f.name, value, ...(f.hint ? { hint: f.hint } : {}) };
  });
}
