/**
 * Proportionate consequences of a false commitment (国办发〔2020〕42号: terminate, order
 * rectification within a deadline, revoke, refer; only the decisions that relied on the false
 * commitment fall) and the one rule for the credit record's severity that follows them.
 */
export type Severity = '轻微' | '一般' | '严重';

/** What a verification found false leads to; at least one is chosen. */
export interface Measures {
  /** 责令限期整改: a deadline in working days on the hall calendar. */
  rectify?: { requirement: string; workingDays: number };
  /** 终止办理 (in progress) / 撤销 (decided) of these items of the case only. */
  endItems?: { serviceItemIds: number[] };
  /** 移送: to whom, on which day. */
  refer?: { to: string; on: string };
}

/**
 * The credit record's severity follows the heaviest measure: 移送 → 严重 (a matter for another
 * authority); 终止/撤销 of items → 一般 (a decision fell); 责令限期整改 alone → 轻微 (put right).
 */
export function severityForMeasures(m: Measures): Severity {
  if (m.refer) return '严重';
  if (m.endItems && m.endItems.serviceItemIds.length > 0) return '一般';
  return '轻微';
}

export const VERIFICATION_SOURCES = ['sampled', 'complaint', 'routine', 'random'] as const;
export type VerificationSource = (typeof VERIFICATION_SOURCES)[number];
export const VERIFICATION_SOURCE_LABELS: Record<VerificationSource, string> = {
  sampled: '抽查',
  complaint: '投诉举报',
  routine: '日常监管',
  random: '双随机',
};
