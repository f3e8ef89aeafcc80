/**
 * Case states and the transitions the main side allows. The UI shows only
 * allowed actions, but the main side refuses anything else by itself.
 */
export const CASE_STATUSES = ['draft', 'accepted', 'verifying', 'completed', 'rejected', 'terminated', 'revoked'] as const;
export type CaseStatus = (typeof CASE_STATUSES)[number];

export const CASE_STATUS_LABELS: Record<CaseStatus, string> = {
  draft: '草稿',
  accepted: '已受理',
  verifying: '待核验',
  completed: '办结',
  rejected: '不予受理',
  terminated: '终止',
  revoked: '撤销',
};

export interface Transition {
  from: CaseStatus;
  to: CaseStatus;
  action: string;
  /** The reason is required (不予受理, 终止, 撤销). */
  needsReason: boolean;
}

export const TRANSITIONS: readonly Transition[] = [
  { from: 'draft', to: 'accepted', action: '受理', needsReason: false },
  { from: 'draft', to: 'rejected', action: '不予受理', needsReason: true },
  { from: 'accepted', to: 'verifying', action: '转入核验', needsReason: false },
  { from: 'accepted', to: 'completed', action: '办结', needsReason: false },
  { from: 'accepted', to: 'terminated', action: '终止办理', needsReason: true },
  { from: 'verifying', to: 'completed', action: '办结', needsReason: false },
  { from: 'verifying', to: 'terminated', action: '终止办理', needsReason: true },
  { from: 'completed', to: 'revoked', action: '撤销决定', needsReason: true },
];

export function findTransition(from: CaseStatus, to: CaseStatus): Transition | undefined {
  return TRANSITIONS.find((t) => t.from === from && t.to === to);
}

export function allowedTransitions(from: CaseStatus): Transition[] {
  return TRANSITIONS.filter((t) => t.from === from);
}
