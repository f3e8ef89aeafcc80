import { describe, expect, it } from 'vitest';
import { receiptOutcome } from '../../electron/services/intake/case-view';

// Issue 16: the receipt is the applicant's; a line written for the clerk does not belong on it.
describe('a certificate on the receipt', () => {
  it('says a queued query was made, not that the platform was unreachable', () => {
    expect(receiptOutcome({ state: 'queued', stateText: '共享平台暂不可达，查询已排队，可继续受理' })).toBe('已提交数据共享查询，由窗口跟进结果');
  });
  it('keeps every other state as the clerk reads it', () => {
    expect(receiptOutcome({ state: 'presented', stateText: '已核对原件并留存' })).toBe('已核对原件并留存');
    expect(receiptOutcome({ state: 'requested', stateText: '已发起协查，2026-12-11 前答复' })).toBe('已发起协查，2026-12-11 前答复');
  });
});
