/**
 * Fault settings of one target and the decisions they drive. Rates are shares in [0, 1];
 * the 422 rate is deterministic on sha256(externalRef), so a test can predict which payloads
 * a target refuses (`refusedByRate`).
 */
import { createHash } from 'node:crypto';
import type { Faults, Reject422 } from './types';

/** Checks a control request's faults; returns a Chinese reason on the first bad one. */
export function parseFaults(body: Record<string, unknown>): { ok: true; faults: Faults } | { ok: false; message: string } {
  const f: Faults = {};
  const rate = (k: 'rate5xx' | 'rate429' | 'dropAfterCommitRate') => {
    const v = body[k];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) return `${k} 须为 0 到 1 之间的数`;
    f[k] = v;
    return null;
  };
  const count = (k: 'delayMs' | 'retryAfterS' | 'cutUploadAfterBytes' | 'cutUploadTimes') => {
    const v = body[k];
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) return `${k} 须为非负整数`;
    f[k] = v;
    return null;
  };
  const seed = () => {
    const v = body.seed;
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) return 'seed 须为整数';
    f.seed = v;
    return null;
  };
  const skew = () => {
    const v = body.clockSkewS;
    if (v === undefined) return null;
    if (typeof v !== 'number' || !Number.isInteger(v)) return 'clockSkewS 须为整数（秒，可为负）';
    f.clockSkewS = v;
    return null;
  };
  const bool = (k: 'refuse' | 'honourIdempotency' | 'holdAnswers') => {
    const v = body[k];
    if (v === undefined) return null;
    if (typeof v !== 'boolean') return `${k} 须为 true 或 false`;
    f[k] = v;
    return null;
  };
  const errors = [
    rate('rate5xx'),
    rate('rate429'),
    rate('dropAfterCommitRate'),
    count('delayMs'),
    count('retryAfterS'),
    count('cutUploadAfterBytes'),
    count('cutUploadTimes'),
    bool('refuse'),
    bool('honourIdempotency'),
    bool('holdAnswers'),
    skew(),
    seed(),
  ].filter((e): e is string => e !== null);
  if (errors.length) return { ok: false, message: errors[0]! };
  if (body.reject422 !== undefined) {
    const r = body.reject422 as Partial<Record<string, unknown>> | null;
    if (r && typeof r.rate === 'number' && r.rate >= 0 && r.rate <= 1) f.reject422 = { rate: r.rate };
    else if (r && typeof r.field === 'string' && typeof r.pattern === 'string') {
      try {
        new RegExp(r.pattern);
      } catch {
        return { ok: false, message: `reject422.pattern 不是有效的正则表达式：${r.pattern}` };
      }
      f.reject422 = { field: r.field, pattern: r.pattern };
    } else return { ok: false, message: 'reject422 须为 {rate} 或 {field, pattern}' };
  }
  const unknown = Object.keys(body).filter((k) => k !== 'target' && !KNOWN.has(k));
  if (unknown.length) return { ok: false, message: `未知的故障项：${unknown.join('、')}` };
  return { ok: true, faults: f };
}

const KNOWN = new Set([
  'refuse',
  'delayMs',
  'rate5xx',
  'rate429',
  'retryAfterS',
  'reject422',
  'dropAfterCommitRate',
  'cutUploadAfterBytes',
  'cutUploadTimes',
  'honourIdempotency',
  'holdAnswers',
  'clockSkewS',
  'seed',
]);

/** A number in [0, 1) from sha256(externalRef): the same ref always lands in the same place. */
export function refPosition(externalRef: string): number {
  return createHash('sha256').update(externalRef, 'utf8').digest().readUInt32BE(0) / 0x1_0000_0000;
}

/** Whether a `reject422: {rate}` fault refuses this externalRef (exported so tests can predict it). */
export function refusedByRate(externalRef: string, rate: number): boolean {
  return refPosition(externalRef) < rate;
}

export interface Refusal {
  code: string;
  message: string;
  field: string;
}

/** The 422 a target gives this payload under a reject422 fault, or null. */
export function refusal422(rule: Reject422 | undefined, externalRef: string, payload: Record<string, unknown>): Refusal | null {
  if (!rule) return null;
  if ('rate' in rule) {
    return refusedByRate(externalRef, rule.rate)
      ? { code: 'validation_failed', message: '申请人证件信息与本系统登记信息不一致，请核对后重新提交', field: 'applicant' }
      : null;
  }
  const value = fieldValue(payload, rule.field);
  const text = typeof value === 'string' ? value : value === undefined ? '' : JSON.stringify(value);
  return new RegExp(rule.pattern).test(text)
    ? { code: 'field_invalid', message: `字段“${rule.field}”的内容不符合本系统的填写要求`, field: rule.field }
    : null;
}

/** A payload field by its name, or by a dotted path into nested objects ('applicant.name'). */
function fieldValue(payload: Record<string, unknown>, field: string): unknown {
  if (field in payload) return payload[field];
  let v: unknown = payload;
  for (const k of field.split('.')) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined;
  return v;
}

/** Numbers in [0, 1): Math.random, or a fixed sequence from a seed (mulberry32) when a test needs to repeat a run. */
export function randomSource(seed: number | undefined): () => number {
  if (seed === undefined) return Math.random;
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 0x1_0000_0000;
  };
}
