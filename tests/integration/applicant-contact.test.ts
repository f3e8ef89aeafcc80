import { openTestStore } from '../helpers/store';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import type { CaseView } from '../../shared/ipc/methods/intake';

// Hand-checked numbers: USCC with a valid check character (GB 32100) and ID numbers (GB 11643).
const ORG_CODE = '92420325MA4FXXK2P4';
const ZHAO_ID = '420325198507120019'; // 赵大勇, on the demo credit list: 严重, 失信被执行人
const CLEAN_ID = '420325199208170512';
const SIG = signaturePng().toString('base64');

let platform: RunningPlatform;
beforeAll(async () => {
  platform = await startDataSharingPlatform();
});
afterAll(async () => {
  await platform.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'OK', message: '', fields: {} as Record<string, string> }),
    (e: CallFailed) => ({ code: e.error.code, message: e.error.message, fields: e.error.fields ?? {} }),
  );

function rowCount(d: TestDesk, sql: string): number {
  const db = openTestStore(path.join(d.dataDir, 'desk.sqlite'), { readonly: true });
  try {
    return (db.prepare(sql).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

const ORG = {
  kind: 'organisation' as const,
  name: '房县青峰农业专业合作社',
  idType: 'uscc' as const,
  idNumber: ORG_CODE,
  phone: '0719-3229876',
  address: '湖北省十堰市房县土城镇黄龙村三组',
};

describe('applicants: address, phone and an organisation’s signer', () => {
  it('refuses a bad phone or address with a specific Chinese message per mistake, and writes nothing', async () => {
    const d = await testDesk({ sync: false });
    const s = (await d.signIn('zhangmin')).token;
    const before = rowCount(d, 'SELECT COUNT(*) AS n FROM applicants');
    const auditBefore = rowCount(d, 'SELECT COUNT(*) AS n FROM audit_log');
    const person = { kind: 'person' as const, name: '李小红', idType: 'resident_id' as const, idNumber: CLEAN_ID };
    const cases: [Record<string, unknown>, string, string][] = [
      [{ phone: '12972812345' }, 'phone', '手机号码第二位应为3至9，请核对'],
      [{ phone: '1397281234' }, 'phone', '手机号码应为11位数字'],
      [{ phone: '3221234' }, 'phone', '固定电话须带区号，如 0719-3221234'],
      [{ phone: '0719-32' }, 'phone', '固定电话应为区号（0开头，3至4位）加7至8位号码，如 0719-3221234'],
      [{ phone: '139 7281 2345' }, 'phone', '联系电话只能包含数字和连字符“-”'],
      [{ phone: '13972812345', address: '湖北省十堰市房县' }, 'address', '地址须写明县（市、区）以下的详细地址：乡镇街道、村组或门牌号'],
      [{ phone: '13972812345', address: '城关镇东街12号院内' }, 'address', '地址须包含县（市、区）名称，如“湖北省十堰市房县城关镇东街12号”'],
      [{ phone: '13972812345', address: '房县' }, 'address', '地址过短，请写明省市县及详细地址（乡镇街道、村组或门牌号）'],
    ];
    for (const [extra, field, msg] of cases) {
      const r = await failure(d.call('applicants.create', { ...person, ...extra } as never, s));
      expect(r.code).toBe('BAD_INPUT');
      expect(r.fields[field]).toBe(msg);
    }
    // An organisation without its signer, or with a signer whose ID check digit is wrong.
    const noSigner = await failure(d.call('applicants.create', ORG, s));
    expect(noSigner.fields.signer).toBe('单位申请人须登记签署人（法定代表人或经办人）');
    const badSigner = await failure(
      d.call('applicants.create', { ...ORG, signer: { role: 'legal_rep', name: '赵大勇', idNumber: '420325198507120010', phone: '13872001122' } }, s),
    );
    expect(badSigner.fields['signer.idNumber']).toBe('身份证号码校验位不正确，请核对是否录入有误');
    const badSignerPhone = await failure(
      d.call('applicants.create', { ...ORG, signer: { role: 'legal_rep', name: '赵大勇', idNumber: ZHAO_ID, phone: '2872001122' } }, s),
    );
    expect(badSignerPhone.fields['signer.phone']).toBe('固定电话须带区号，如 0719-3221234');
    expect(rowCount(d, 'SELECT COUNT(*) AS n FROM applicants')).toBe(before);
    expect(rowCount(d, 'SELECT COUNT(*) AS n FROM audit_log')).toBe(auditBefore);

    // An edit with a bad address is refused the same way and changes nothing.
    const wang = (await d.call('applicants.list', { query: '王芳', limit: 5 }, s))[0]!;
    const badEdit = await failure(d.call('applicants.update', { id: wang.id, address: '东街12号' }, s));
    expect(badEdit.fields.address).toBe('地址过短，请写明省市县及详细地址（乡镇街道、村组或门牌号）');
    expect((await d.call('applicants.list', { query: '王芳', limit: 5 }, s))[0]!.address).toBe('湖北省十堰市房县城关镇东街12号');
    expect(rowCount(d, 'SELECT COUNT(*) AS n FROM audit_log')).toBe(auditBefore);
  });

  it('registers an organisation with its legal representative, masks both phones, edits and reveals with audit', async () => {
    const d = await testDesk({ sync: false });
    const s = (await d.signIn('zhangmin')).token;
    const admin = (await d.signIn('admin')).token;
    const org = await d.call('applicants.create', { ...ORG, signer: { role: 'legal_rep', name: '李明', idNumber: CLEAN_ID, phone: '13907195678' } }, s);
    expect(org.address).toBe('湖北省十堰市房县土城镇黄龙村三组');
    expect(org.phoneMasked).toBe('071****9876');
    expect(org.signer).toEqual({ role: 'legal_rep', name: '李明', idNumberMasked: '420***********0512', phoneMasked: '139****5678' });
    const listed = JSON.stringify(await d.call('applicants.list', { query: '青峰', limit: 5 }, s));
    expect(listed).not.toContain('13907195678');
    expect(listed).not.toContain(CLEAN_ID);

    const edited = await d.call('applicants.update', { id: org.id, phone: '13307190001', address: '湖北省十堰市房县城关镇房陵大道1号' }, s);
    expect(edited.phoneMasked).toBe('133****0001');
    expect(edited.address).toBe('湖北省十堰市房县城关镇房陵大道1号');
    expect(edited.updatedAt).not.toBeNull();
    expect((await d.call('applicants.revealPhone', { id: org.id, who: 'signer', reason: '电话核实' }, s)).phone).toBe('13907195678');

    const audit = await d.call('audit.list', { limit: 10 }, admin);
    const update = audit.find((e) => e.action === 'applicant.update')!;
    expect(JSON.parse(update.detail)).toEqual({
      name: '房县青峰农业专业合作社',
      changes: {
        phone: { from: '071****9876', to: '133****0001' },
        address: { from: '湖北省十堰市房县土城镇黄龙村三组', to: '湖北省十堰市房县城关镇房陵大道1号' },
      },
    });
    expect(update.actor).toBe('zhangmin');
    const reveal = audit.find((e) => e.action === 'applicant.revealPhone')!;
    expect(JSON.parse(reveal.detail)).toEqual({ who: 'signer', reason: '电话核实' });
    // The audit never holds a full phone or ID number.
    expect(audit.map((e) => e.detail).join('')).not.toContain('13907195678');
  });
});

describe('the credit check covers an organisation and its signer', () => {
  it('an organisation whose legal representative has a serious credit record is blocked at the applicant choice and at commitment, naming the signer', async () => {
    const d = await testDesk({ sync: false, dataSharing: platform.url });
    const s = (await d.signIn('zhangmin')).token;
    const org = await d.call('applicants.create', { ...ORG, signer: { role: 'legal_rep', name: '赵大勇', idNumber: ZHAO_ID, phone: '13872001122' } }, s);

    // The applicant choice: the block, naming who and why, from the same rule.
    const status = await d.call('applicants.creditStatus', { id: org.id }, s);
    expect(status.eligible).toBe(false);
    expect(status.blocks).toHaveLength(1);
    expect(status.blocks[0]).toMatchObject({ subject: 'signer', roleLabel: '法定代表人', name: '赵大勇', idNumberMasked: '420***********0019', severity: '严重', source: '信用中国（湖北十堰）' });
    expect(status.blocks[0]!.message).toBe('法定代表人赵大勇存在严重失信记录且尚未完成信用修复：拒不履行法院生效判决，被列为失信被执行人（信用中国（湖北十堰），2025-09-01）');

    // The commitment step refuses with the same sentence.
    const item = (await d.call('catalog.listServiceItems', {}, s)).find((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0)!;
    const v = await d.call('intake.start', { applicantId: org.id, serviceItemIds: [item.id] }, s);
    const elig = await d.call('intake.commitmentEligibility', { caseId: v.id }, s);
    expect(elig).toEqual({ eligible: false, reasons: [status.blocks[0]!.message] });
    const cert = v.certificates.find((c) => c.method === 'commitment')!;
    const refused = await failure(d.call('intake.recordChoice', { caseId: v.id, certificateItemId: cert.certificateItemId, choice: 'commit' }, s));
    expect(refused.code).toBe('NOT_ELIGIBLE');
    expect(refused.message).toContain('法定代表人赵大勇');

    // Replacing the signer by a clean 经办人 lifts the block; the organisation itself is clean.
    await d.call('applicants.update', { id: org.id, signer: { role: 'agent', name: '李明', idNumber: CLEAN_ID, phone: '13907195678' } }, s);
    expect(await d.call('applicants.creditStatus', { id: org.id }, s)).toEqual({ eligible: true, blocks: [], signerMissing: false });
    // The demo organisation (legal representative 李明, clean) may commit; a person with a record is named as 申请人.
    const zhao = (await d.call('applicants.list', { query: '赵大勇', limit: 5 }, s))[0]!;
    expect((await d.call('applicants.creditStatus', { id: zhao.id }, s)).blocks.map((b) => `${b.roleLabel}${b.name}`)).toEqual(['申请人赵大勇']);
  });
});

/** Takes `applicant` through 托育机构备案 with a commitment for 无犯罪记录证明 to 办结, so a verification task exists. */
async function caseWithCommitment(d: TestDesk, token: string, applicantId: number): Promise<CaseView> {
  const item = (await d.call('catalog.listServiceItems', {}, token)).find((i) => i.name === '托育机构备案')!;
  let v = await d.call('intake.start', { applicantId, serviceItemIds: [item.id] }, token);
  for (const c of v.certificates) {
    if (c.method === 'commitment') {
      v = await d.call('intake.recordChoice', { caseId: v.id, certificateItemId: c.certificateItemId, choice: 'commit' }, token);
      v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId: c.certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
    } else if (c.method === 'data_sharing') {
      v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
      if (v.certificates.find((x) => x.code === c.code)!.state === 'pending') v = await d.call('intake.switchToVerification', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
    } else if (c.method === 'dept_verification') {
      v = await d.call('intake.requestAssistance', { caseId: v.id, certificateItemId: c.certificateItemId }, token);
    } else if (c.method === 'retained') {
      v = await d.call('intake.addMaterial', { caseId: v.id, certificateItemId: c.certificateItemId, title: c.name, validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: SIG }] }, token);
    }
  }
  for (const r of await d.call('assistance.list', { openOnly: true }, token)) {
    if (r.caseId === v.id) await d.call('assistance.recordReply', { requestId: r.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, token);
  }
  v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
  return d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: '房卫决字〔2026〕第017号' }, token);
}

describe('the field task carries where to go and whom to call', () => {
  it('the signed field package and the assistant’s field work show the address and phone; without an address it is null (地址未登记)', async () => {
    const d = await testDesk({ sync: false, dataSharing: platform.url });
    const clerk = (await d.signIn('zhangmin')).token;
    const chen = (await d.signIn('chenjing')).token;
    const wang = (await d.call('applicants.list', { query: '王芳', limit: 5 }, clerk))[0]!;
    const noAddress = await d.call('applicants.create', { kind: 'person', name: '李小红', idType: 'resident_id', idNumber: CLEAN_ID, phone: '13607191111' }, clerk);
    expect(noAddress.address).toBeNull();

    const laptop = await testDesk({ sync: false });
    const lchen = (await laptop.signIn('chenjing')).token;
    const seen: { address: string | null; phone: string | null }[] = [];
    for (const a of [wang, noAddress]) {
      const v = await caseWithCommitment(d, clerk, a.id);
      const task = (await d.call('verification.board', {}, chen)).tasks.find((t) => t.caseId === v.id)!;
      const out = await d.call('verification.checkout', { taskId: task.id }, chen);
      const work = await laptop.call('field.import', { packageJson: out.packageJson }, lchen);
      seen.push({ address: work.applicantAddress, phone: work.applicantPhone });
    }
    expect(seen).toEqual([
      { address: '湖北省十堰市房县城关镇东街12号', phone: '13972812345' },
      { address: null, phone: '13607191111' },
    ]);
    // Carrying the full phone out is audited with the checkout.
    const admin = (await d.signIn('admin')).token;
    const checkouts = (await d.call('audit.list', { limit: 200 }, admin)).filter((e) => e.action === 'verification.checkout').map((e) => JSON.parse(e.detail).carries);
    expect(checkouts).toEqual([
      { address: false, fullPhone: true },
      { address: true, fullPhone: true },
    ]);
  });
});
