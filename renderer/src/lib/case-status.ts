import type { CaseStatus } from '../../../shared/rules/case-states';

/** A case status's tag colour (办件查询, 申请人 › 办件). */
export const CASE_STATUS_COLORS: Record<CaseStatus, string> = {
  draft: 'default',
  accepted: 'blue',
  verifying: 'purple',
  completed: 'green',
  rejected: 'orange',
  terminated: 'red',
  revoked: 'red',
};
