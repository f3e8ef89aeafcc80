import { describe, expect, it } from 'vitest';
import { receiptOutcome } from '../../electron/services/intake/receipt-outcome';

// The receipt speaks to the applicant: the clerk's instruction for a queued query never appears on it.
describe('receipt outcome', () => {
  it('a queued data-sharing query reads as the hall checking it, with nothing to bring', () => {
    expect(receiptOutcome({ state: 'queued', stateText: '共享平台暂不可达，查询已排队，可继续受理' })).toBe('由窗口通过数据共享平台核验，无需申请人提交');
  });
  it('a 协查 in progress keeps its reply date and says nothing is to be brought', () => {
    expect(receiptOutcome({ state: 'requested', stateText: '已发起协查，2026-12-18 前答复' })).toBe('已发起协查，2026-12-18 前答复，无需申请人提交');
  });
  it('settled states read as on the window', () => {
    expect(receiptOutcome({ state: 'satisfied', stateText: '已签署告知承诺书' })).toBe('已签署告知承诺书');
    expect(receiptOutcome({ state: 'presented', stateText: '已核对原件并留存' })).toBe('已核对原件并留存');
  });
});
