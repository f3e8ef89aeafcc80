/**
 * 办结 needs every fact established (electron/services/cases/case-state.ts): it is refused, naming the
 * certificate, while a data-sharing query waits or answered "not found", while a 协查 waits or its reply
 * denied the fact, and after a commitment withdrawn after acceptance; it records the 办理结果.
 * The two 协查 reply methods are one path: the written reply without its scanned page is refused by both.
 */
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import type { CaseView } from '../../shared/ipc/methods/intake';
import type { CertificateMethod } from '../../shared/domain/catalog';

/** A platform that knows nobody: every query is answered "not found". */
let empty: RunningPlatform;
beforeAll(async () => {
  empty = await startDataSharingPlatform({ records: [] });
});
afterAll(async () => {
  await empty.close();
});

const SIG = signaturePng().toString('base64');

async function desk(): Promise<{ d: TestDesk; token: string }> {
  const d = await testDesk({ dataSharing: empty.url });
  return { d, token: (await d.signIn('zhangmin')).token };
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { code: (e as CallFailed).error.code, message: (e as CallFailed).error.message };
  }
  throw new Error('expected a refusal');
}

/** A case of one item that needs a certificate of `method`, for 王芳; the other certificates resolved, `method`'s left to the test. */
async function caseWith(d: TestDesk, token: string, method: CertificateMethod): Promise<{ v: CaseView; certName: string; certId: number }> {
  const items = await d.call('catalog.listServiceItems', {}, token);
  const item = items.find((i) => i.certificates.some((c) => c.method === method))!;
  const certName = item.certificates.find((c) => c.method === method)!.name;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((a) => a.name === '王芳')!;
  let v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, token);
  const certId = v.certificates.find((c) => c.name === certName)!.certificateItemId;
  for (const c of v.certificates) {
    if (c.certificateItemId === certId || c.state !== 'pending') continue;
    if (c.method === 'commitment') {
      v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
      v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
    } else if (c.method === 'dept_verification' || c.method === 'data_sharing') {
      if (c.method === 'data_sharing') v = await d.call('intake.switchToVerification', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
      else v = await d.call('intake.requestAssistance', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
      const rq = v.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.request!;
      v = await d.call('intake.recordAssistanceReply', { requestId: rq.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, token);
    } else {
      v = await d.call('intake.addMaterial', { caseId: v.id, certificateItemId: c.certificateItemId, title: c.name, pages: [{ mime: 'image/png', base64: SIG }] }, token);
    }
  }
  return { v, certName, certId };
}

const stateOf = (v: CaseView, certId: number) => v.certificates.find((c) => c.certificateItemId === certId)!.state;
const DECISION = '房卫决字〔2026〕第0042号';

describe('办结 refused while a fact is not established', () => {
  it('a data-sharing query queued, then answered "not found": refused naming the certificate both times', async () => {
    const { d, token } = await desk();
    const made = await caseWith(d, token, 'data_sharing');
    const { certName, certId } = made;
    let v = made.v;
    empty.setFault({ mode: 'error500' });
    try {
      v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: certId }, token);
    } finally {
      empty.setFault({ mode: 'none' });
    }
    expect(stateOf(v, certId)).toBe('queued');
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token); // a queued query does not hold acceptance
    const queued = await failure(d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: DECISION }, token));
    expect(queued.code).toBe('INVALID_STATE');
    expect(queued.message).toBe(`以下证明事项尚未确认，不能办结：“${certName}”（共享查询尚未完成）。`);

    v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: certId }, token);
    expect(stateOf(v, certId)).toBe('pending');
    const notFound = await failure(d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: DECISION }, token));
    expect(notFound.message).toBe(`以下证明事项尚未确认，不能办结：“${certName}”（共享平台答复“查无此数据”，事实尚未确认）。`);
    expect((await d.call('intake.get', { caseId: v.id }, token)).status).toBe('accepted');
  });

  it('a 协查 waiting, then denied (through intake or the 协查 tab, one path): refused naming the certificate', async () => {
    const { d, token } = await desk();
    const made = await caseWith(d, token, 'dept_verification');
    const { certName, certId } = made;
    let v = made.v;
    v = await d.call('intake.requestAssistance', { caseId: v.id, certificateItemId: certId }, token);
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
    const waiting = await failure(d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: DECISION }, token));
    expect(waiting.message).toBe(`以下证明事项尚未确认，不能办结：“${certName}”（协查尚未答复）。`);

    const requestId = v.certificates.find((c) => c.certificateItemId === certId)!.request!.id;
    // A written reply carries its scanned page, on the intake path as on the 协查 tab.
    const noScan = await failure(d.call('intake.recordAssistanceReply', { requestId, outcome: 'denied', reply: '复函：查无此人', channel: 'letter' }, token));
    expect(noScan).toEqual({ code: 'BAD_INPUT', message: '书面复函须附扫描件。' });
    const noScanTab = await failure(d.call('assistance.recordReply', { requestId, outcome: 'denied', reply: '复函：查无此人', channel: 'letter' }, token));
    expect(noScanTab).toEqual({ code: 'BAD_INPUT', message: '书面复函须附扫描件。' });

    v = await d.call('intake.recordAssistanceReply', { requestId, outcome: 'denied', reply: '县公安局电话答复：未能证实', channel: 'phone' }, token);
    expect(stateOf(v, certId)).toBe('pending');
    const denied = await failure(d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: DECISION }, token));
    expect(denied.message).toBe(`以下证明事项尚未确认，不能办结：“${certName}”（协查答复未能证实，事实尚未确认）。`);

    // Both reply methods write the same audit shape.
    const db = openTestStore(d.app.dbFile, { readonly: true });
    const audit = db.prepare(`SELECT detail FROM audit_log WHERE action = 'assistance.reply' ORDER BY seq DESC LIMIT 1`).get() as { detail: string };
    db.close();
    expect(Object.keys(JSON.parse(audit.detail) as object).sort()).toEqual(['caseId', 'channel', 'late', 'outcome', 'scan']);
  });

  it('a commitment withdrawn after acceptance: refused naming the certificate', async () => {
    const { d, token } = await desk();
    const made = await caseWith(d, token, 'commitment');
    const { certName, certId } = made;
    let v = made.v;
    v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: certId, choice: 'commit' }, token);
    v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: certId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
    const commitmentId = v.certificates.find((c) => c.certificateItemId === certId)!.commitment!.id;
    v = await d.call('intake.withdrawCommitment', { commitmentId, reason: '申请人撤回承诺' }, token);
    expect(stateOf(v, certId)).toBe('pending');
    const refused = await failure(d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: DECISION }, token));
    expect(refused.code).toBe('INVALID_STATE');
    expect(refused.message).toBe(`以下证明事项尚未确认，不能办结：“${certName}”（承诺已撤回，事实尚未确认）。`);
  });
});

describe('办结 records the 办理结果', () => {
  it('every certificate resolved: refused without the decision number, then completed with it, kept and audited', async () => {
    const { d, token } = await desk();
    const made = await caseWith(d, token, 'commitment');
    const { certId } = made;
    let v = made.v;
    v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: certId, choice: 'commit' }, token);
    v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: certId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
    v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
    const missing = await failure(d.call('intake.transition', { caseId: v.id, to: 'completed' }, token));
    expect(missing).toEqual({ code: 'BAD_INPUT', message: '办结须填写办理结果（决定文号或证照编号）。' });
    const revisionBefore = revisionOf(d, v.id);
    v = await d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: DECISION }, token);
    expect(v.status).toBe('completed');
    expect(v.statusReason).toBe(`办理结果：${DECISION}`);
    expect(revisionOf(d, v.id)).toBe(revisionBefore + 1);
    const db = openTestStore(d.app.dbFile, { readonly: true });
    const audit = db.prepare(`SELECT detail FROM audit_log WHERE action = 'case.transition' ORDER BY seq DESC LIMIT 1`).get() as { detail: string };
    db.close();
    expect(JSON.parse(audit.detail)).toMatchObject({ from: 'accepted', to: 'completed', decisionNo: DECISION });
  });
});

function revisionOf(d: TestDesk, caseId: number): number {
  const db = openTestStore(d.app.dbFile, { readonly: true });
  try {
    return (db.prepare('SELECT revision FROM cases WHERE id = ?').get(caseId) as { revision: number }).revision;
  } finally {
    db.close();
  }
}
