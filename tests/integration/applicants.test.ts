import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CallFailed, testDesk } from '../helpers/app';
import { DEMO_CARD } from '../../electron/services/devices/id-card-reader';
import { usccCheckChar } from '../../shared/rules/uscc';
import { checkIdNumber } from '../../shared/rules/id-number';

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'OK',
    (e: CallFailed) => e.error.code,
  );

describe('applicants: persons and organisations, duplicates, the ID card reader', () => {
  it('registers an organisation by its unified social credit code (GB 32100) and masks it', async () => {
    const d = await testDesk();
    const s = await d.signIn('zhangmin');
    const valid = '93420325MA49XQ7R1' + usccCheckChar('93420325MA49XQ7R1');
    const wrong = valid.slice(0, 17) + (valid[17] === '0' ? '1' : '0');
    const refused = await d.raw('applicants.create', { kind: 'organisation', name: '房县青峰农业专业合作社', idType: 'uscc', idNumber: wrong, phone: '0719-3229876' }, s.token);
    expect(refused.ok === false && refused.error.fields?.idNumber).toBe('统一社会信用代码校验位不正确，请核对是否录入有误');
    // An organisation is registered with its signer (the person who commits for it, whom the credit check covers).
    const signer = { role: 'legal_rep' as const, name: '李明', idNumber: '420325199208170512', phone: '13907195678' };
    const org = await d.call('applicants.create', { kind: 'organisation', name: '房县青峰农业专业合作社', idType: 'uscc', idNumber: valid, phone: '0719-3229876', signer }, s.token);
    expect(org).toMatchObject({ kind: 'organisation', idType: 'uscc', idNumberMasked: `${valid.slice(0, 6)}********${valid.slice(-4)}` });
    // Already registered (the demo seed's restaurant company): the conflict names who it is.
    const dup = await d.raw('applicants.create', { kind: 'organisation', name: '别的名字', idType: 'uscc', idNumber: '91420325MA4F7XK2PW', phone: '0719-3229876', signer }, s.token);
    expect(dup.ok === false && dup.error.message).toContain('房县鑫源餐饮有限公司');
    // A person's ID type for an organisation is refused.
    expect(await code(d.call('applicants.create', { kind: 'organisation', name: '某单位', idType: 'resident_id', idNumber: '420325199003071238', phone: '13900000000' }, s.token))).toBe('BAD_INPUT');
  });

  it('warns about likely duplicates: same name and phone, or an ID number one character off', async () => {
    const d = await testDesk();
    const s = await d.signIn('zhangmin');
    const samePhone = await d.call('applicants.findSimilar', { name: '王芳', idNumber: '', phone: '13972812345' }, s.token);
    expect(samePhone.map((m) => m.reason)).toEqual(['姓名和联系电话相同']);
    const typo = await d.call('applicants.findSimilar', { name: '王小芳', idNumber: '42032519880623005X', phone: '' }, s.token);
    expect(typo[0]?.applicant.name).toBe('王芳');
    // Never where or by how much the numbers differ (security probe: that told a whole ID number back).
    expect(typo[0]?.reason).toBe('证件号码相近，可能与已登记的某人重复');
    expect(JSON.stringify(typo)).not.toContain('42032519880623004X'); // masked
  });

  it('searches by a whole ID number or its last four characters only: no longer suffix recovers a number', async () => {
    const d = await testDesk();
    const s = await d.signIn('chenjing'); // an assistant: may not reveal ID numbers
    const names = async (query: string) => (await d.call('applicants.list', { query, limit: 10 }, s.token)).map((a) => a.name);
    expect(await names('004X')).toEqual(['王芳']);
    expect(await names('42032519880623004X')).toEqual(['王芳']);
    // 王芳's number is 42032519880623004X: every longer suffix, right or wrong, finds no one.
    for (const suffix of ['3004X', '23004X', '623004X', '0623004X', '19880623004X', '2032519880623004X', '3104X']) expect(await names(suffix), suffix).toEqual([]);
  });

  it('reads the card on the simulated reader; no card and no device are told apart', async () => {
    const d = await testDesk();
    const s = await d.signIn('zhangmin');
    expect(checkIdNumber(DEMO_CARD.idNumber)).toBeNull(); // the simulator's card passes the desk's own check
    // Marked as the simulator's, so the page never passes it off as an applicant's real card.
    expect(await d.call('devices.readIdCard', {}, s.token)).toEqual({ status: 'card', card: DEMO_CARD, simulated: true });
    const sim = path.join(d.dataDir, 'devices', 'idcard-sim.json');
    fs.mkdirSync(path.dirname(sim), { recursive: true });
    fs.writeFileSync(sim, JSON.stringify({ status: 'no_card' }));
    expect((await d.call('devices.readIdCard', {}, s.token)).status).toBe('no_card');
    fs.writeFileSync(sim, JSON.stringify({ status: 'no_device' }));
    const r = await d.call('devices.readIdCard', {}, s.token);
    expect(r.status === 'no_device' && r.message).toContain('读卡器');
  });
});

describe('applicants: search at the window', () => {
  it('finds by name prefix, by a middle word of an organisation, by the last digits and by the whole number', async () => {
    const d = await testDesk();
    const s = await d.signIn('zhangmin');
    const names = async (query: string) => (await d.call('applicants.list', { query, limit: 10 }, s.token)).map((a) => a.name);
    expect(await names('王芳')).toEqual(['王芳']);
    expect(await names('王')).toEqual(['王芳']);
    expect(await names('鑫源')).toEqual(['房县鑫源餐饮有限公司']);
    expect(await names('004X')).toEqual(['王芳']);
    expect(await names('004x')).toEqual(['王芳']);
    expect(await names('42032519880623004X')).toEqual(['王芳']);
    expect(await names('91420325MA4F7XK2PW')).toEqual(['房县鑫源餐饮有限公司']);
    expect(await names('9999')).toEqual([]);
    expect(await names('100%')).toEqual([]); // LIKE wildcards are taken literally
  });
});
