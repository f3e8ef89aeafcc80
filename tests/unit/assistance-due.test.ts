import { describe, expect, it } from 'vitest';
import { assistanceOverdue, assistanceRepliedLate } from '../../shared/rules/assistance-due';

// The one due-date rule of a 协查 request (shared/rules/assistance-due.ts), used by the desk's own
// list, the case view and the hall's list alike.
describe('协查 due-date rule', () => {
  const dueAt = '2026-12-08T01:00:00.000Z'; // 09:00 China time

  it('an open request is overdue only once its due time has passed', () => {
    expect(assistanceOverdue({ status: 'open', dueAt }, new Date('2026-12-08T00:59:59.999Z'))).toBe(false);
    expect(assistanceOverdue({ status: 'open', dueAt }, new Date('2026-12-08T01:00:00.000Z'))).toBe(false);
    expect(assistanceOverdue({ status: 'open', dueAt }, new Date('2026-12-08T01:00:00.001Z'))).toBe(true);
  });

  it('a replied or cancelled request is never overdue', () => {
    expect(assistanceOverdue({ status: 'replied', dueAt }, new Date('2026-12-20T00:00:00.000Z'))).toBe(false);
    expect(assistanceOverdue({ status: 'cancelled', dueAt }, new Date('2026-12-20T00:00:00.000Z'))).toBe(false);
  });

  it('a reply after the due time is late; at or before it is not', () => {
    expect(assistanceRepliedLate({ dueAt, repliedAt: '2026-12-08T01:00:00.001Z' })).toBe(true);
    expect(assistanceRepliedLate({ dueAt, repliedAt: '2026-12-08T01:00:00.000Z' })).toBe(false);
    expect(assistanceRepliedLate({ dueAt, repliedAt: null })).toBe(false);
  });
});
