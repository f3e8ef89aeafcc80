import { describe, expect, it } from 'vitest';
import { allowedTransitions, findTransition, CASE_STATUSES } from '../../shared/rules/case-states';
import { isResolvedCertificateState, RESOLVED_CERTIFICATE_STATES } from '../../shared/rules/certificate-resolution';

/** The case's state machine and the resolved-certificate list, against tables written by hand. */
describe('case state machine', () => {
  it('allows exactly these moves, each with its action and whether a reason is required', () => {
    const expected: Record<string, [string, string, boolean][]> = {
      draft: [
        ['accepted', '受理', false],
        ['rejected', '不予受理', true],
      ],
      accepted: [
        ['verifying', '转入核验', false],
        ['completed', '办结', false],
        ['terminated', '终止办理', true],
      ],
      verifying: [
        ['completed', '办结', false],
        ['terminated', '终止办理', true],
      ],
      completed: [['revoked', '撤销决定', true]],
      rejected: [],
      terminated: [],
      revoked: [],
    };
    for (const from of CASE_STATUSES) {
      expect(allowedTransitions(from).map((t) => [t.to, t.action, t.needsReason])).toEqual(expected[from]);
    }
  });

  it('refuses the moves the rules forbid', () => {
    expect(findTransition('draft', 'completed')).toBeUndefined(); // no 办结 without 受理
    expect(findTransition('accepted', 'revoked')).toBeUndefined(); // only a decision can be revoked
    expect(findTransition('revoked', 'completed')).toBeUndefined();
    expect(findTransition('terminated', 'accepted')).toBeUndefined();
    expect(findTransition('completed', 'terminated')).toBeUndefined();
  });
});

describe('resolved certificate states (one list)', () => {
  it('not_needed, satisfied and presented are resolved; pending, queued and requested are not', () => {
    expect([...RESOLVED_CERTIFICATE_STATES]).toEqual(['not_needed', 'satisfied', 'presented']);
    expect(['not_needed', 'satisfied', 'presented', 'pending', 'queued', 'requested'].map(isResolvedCertificateState)).toEqual([true, true, true, false, false, false]);
  });
});
