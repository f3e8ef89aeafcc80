import { describe, expect, it } from 'vitest';
import { formatAuditDetail } from '../../shared/domain/audit-detail';

describe('an audit detail as a supervisor reads it', () => {
  it('names known fields in Chinese, leaves out hashes and internal ids unless technical values are asked for', () => {
    const detail = JSON.stringify({ caseNo: 'FX-20261206-0001', reason: '材料不全', taskId: 12, sha256: 'a'.repeat(64), pages: ['b'.repeat(64), 'c'.repeat(64)], internalThing: 'x' });
    expect(formatAuditDetail(detail)).toBe('办件编号：FX-20261206-0001；原因：材料不全');
    expect(formatAuditDetail(detail, true)).toContain(`sha256：${'a'.repeat(64)}`);
    expect(formatAuditDetail('{}')).toBe('');
    expect(formatAuditDetail('not json')).toBe('');
    expect(formatAuditDetail(JSON.stringify({ ok: true, checked: 40 }))).toBe('结果：是；核对条数：40');
    // A data-sharing query's outcome in words; an assignment names the person, not their user id.
    expect(formatAuditDetail(JSON.stringify({ certificate: 'ZM-420325-0023', outcome: 'unreachable' }))).toBe('证明：ZM-420325-0023；结论：平台暂不可达');
    expect(formatAuditDetail(JSON.stringify({ assigneeId: 4, name: '陈静' }))).toBe('名称：陈静');
  });
});
