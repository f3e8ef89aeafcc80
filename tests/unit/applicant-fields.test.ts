import { describe, expect, it } from 'vitest';
import {
  APPLICANT_REQUIRED,
  applicantChangeProblems,
  applicantProblems,
  checkApplicantAddress,
  checkApplicantIdNumber,
  checkApplicantName,
  checkApplicantPhone,
  checkSignerIdNumber,
  checkSignerName,
  checkSignerPhone,
  checkSignerRole,
} from '../../shared/rules/applicant-fields';
import { ApplicantInput } from '../../shared/ipc/methods/applicants';

// Numbers checked by hand: GB 11643 check digits and a GB 32100 check character.
const LIU_ID = '420325199208154328'; // the demo ID card
const ZHAO_ID = '420325198507120019';
const ORG_CODE = '92420325MA4FXXK2P4';

describe('the applicant field rule (shared by the registration form and the contract)', () => {
  it('requires name, ID number and phone of both kinds, the address of neither, a signer of an organisation only', () => {
    expect(APPLICANT_REQUIRED).toEqual({
      person: { name: true, idNumber: true, phone: true, address: false, signer: false },
      organisation: { name: true, idNumber: true, phone: true, address: false, signer: true },
    });
  });

  it('names: empty and too long, in the words of each kind', () => {
    expect(checkApplicantName('person', '  ')).toBe('请输入姓名');
    expect(checkApplicantName('organisation', '')).toBe('请输入单位名称');
    expect(checkApplicantName('person', '刘晓梅')).toBeNull();
    expect(checkApplicantName('person', '阿'.repeat(50))).toBeNull();
    expect(checkApplicantName('person', '阿'.repeat(51))).toBe('姓名不能超过50个字');
    expect(checkApplicantName('organisation', '房'.repeat(100))).toBeNull();
    expect(checkApplicantName('organisation', '房'.repeat(101))).toBe('单位名称不能超过100个字');
  });

  it('ID numbers: a resident ID for a person, a unified social credit code for an organisation, one message per mistake', () => {
    const cases: [Parameters<typeof checkApplicantIdNumber>[0], string, string | null][] = [
      ['person', '', '请输入居民身份证号码'],
      ['person', LIU_ID, null],
      ['person', '42032520180512002x', null], // lower-case x is the same check character
      ['person', '4203251992081543', '身份证号码应为18位'],
      ['person', '4203251992081543A8', '身份证号码前17位应为数字，最后一位为数字或X'],
      ['person', '42032519930230001X', '身份证号码中的出生日期不存在'],
      ['person', '420325198507120010', '身份证号码校验位不正确，请核对是否录入有误'],
      ['person', ORG_CODE, '身份证号码前17位应为数字，最后一位为数字或X'],
      ['organisation', '', '请输入统一社会信用代码'],
      ['organisation', ORG_CODE, null],
      ['organisation', ' 92420325ma4fxxk2p4 ', null],
      ['organisation', '92420325MA4FXXK2P', '统一社会信用代码应为18位'],
      ['organisation', '92420325MA4FXXK2I4', '统一社会信用代码含有无效字符（不使用 I、O、Z、S、V）'],
      ['organisation', '92420325MA4FXXK2P5', '统一社会信用代码校验位不正确，请核对是否录入有误'],
      ['organisation', LIU_ID, '统一社会信用代码校验位不正确，请核对是否录入有误'],
    ];
    for (const [kind, raw, message] of cases) expect([kind, raw, checkApplicantIdNumber(kind, raw)]).toEqual([kind, raw, message]);
  });

  it('phones: required, a mobile or a landline with its area code', () => {
    const cases: [string, string | null][] = [
      ['', '请输入联系电话'],
      ['13972812345', null],
      ['0719-3221234', null],
      ['07193221234', null],
      ['12972812345', '手机号码第二位应为3至9，请核对'],
      ['1397281234', '手机号码应为11位数字'],
      ['3221234', '固定电话须带区号，如 0719-3221234'],
      ['0719-32', '固定电话应为区号（0开头，3至4位）加7至8位号码，如 0719-3221234'],
      ['139 7281 2345', '联系电话只能包含数字和连字符“-”'],
    ];
    for (const [raw, message] of cases) expect([raw, checkApplicantPhone(raw)]).toEqual([raw, message]);
  });

  it('addresses: optional, but one given must be visitable', () => {
    expect(checkApplicantAddress('')).toBeNull();
    expect(checkApplicantAddress('湖北省十堰市房县城关镇东街12号')).toBeNull();
    expect(checkApplicantAddress('湖北省十堰市房县')).toBe('地址须写明县（市、区）以下的详细地址：乡镇街道、村组或门牌号');
    expect(checkApplicantAddress('房县')).toBe('地址过短，请写明省市县及详细地址（乡镇街道、村组或门牌号）');
  });

  it('the signer: a role, a name, a resident ID and a phone, each with its own message', () => {
    expect(checkSignerRole('')).toBe('请选择签署人身份（法定代表人或经办人）');
    expect(checkSignerRole('boss')).toBe('请选择签署人身份（法定代表人或经办人）');
    expect(checkSignerRole('agent')).toBeNull();
    expect(checkSignerName(' ')).toBe('请输入签署人姓名');
    expect(checkSignerName('赵'.repeat(51))).toBe('签署人姓名不能超过50个字');
    expect(checkSignerIdNumber('')).toBe('请输入签署人身份证号码');
    expect(checkSignerIdNumber(ZHAO_ID)).toBeNull();
    expect(checkSignerIdNumber(ORG_CODE)).toBe('身份证号码前17位应为数字，最后一位为数字或X');
    expect(checkSignerPhone('')).toBe('请输入签署人电话');
    expect(checkSignerPhone('2872001122')).toBe('固定电话须带区号，如 0719-3221234');
  });

  it('a whole applicant: every wrong field at once, by the path the form names it', () => {
    expect(applicantProblems({ kind: 'person', name: '刘晓梅', idNumber: LIU_ID, phone: '13687190001' })).toEqual([]);
    expect(applicantProblems({ kind: 'person', name: '', idNumber: '123', phone: '', address: '房县' })).toEqual([
      { path: ['name'], message: '请输入姓名' },
      { path: ['idNumber'], message: '身份证号码应为18位' },
      { path: ['phone'], message: '请输入联系电话' },
      { path: ['address'], message: '地址过短，请写明省市县及详细地址（乡镇街道、村组或门牌号）' },
    ]);
    const org = { kind: 'organisation' as const, name: '房县青峰农业专业合作社', idNumber: ORG_CODE, phone: '0719-3229876' };
    expect(applicantProblems(org)).toEqual([{ path: ['signer'], message: '单位申请人须登记签署人（法定代表人或经办人）' }]);
    expect(applicantProblems({ ...org, signer: { role: '', name: '赵大勇', idNumber: '420325198507120010', phone: '' } })).toEqual([
      { path: ['signer', 'role'], message: '请选择签署人身份（法定代表人或经办人）' },
      { path: ['signer', 'idNumber'], message: '身份证号码校验位不正确，请核对是否录入有误' },
      { path: ['signer', 'phone'], message: '请输入签署人电话' },
    ]);
    expect(applicantProblems({ ...org, signer: { role: 'legal_rep', name: '赵大勇', idNumber: ZHAO_ID, phone: '13872001122' } })).toEqual([]);
    expect(applicantProblems({ kind: 'person', name: '刘晓梅', idNumber: LIU_ID, phone: '13687190001', signer: { role: 'agent', name: '赵大勇', idNumber: ZHAO_ID, phone: '13872001122' } })).toEqual([
      { path: ['signer'], message: '个人申请人不登记签署人' },
    ]);
  });

  it('a change: absent fields unchanged, given ones checked as at registration, an address not erased', () => {
    expect(applicantChangeProblems({})).toEqual([{ path: [], message: '没有要修改的内容' }]);
    expect(applicantChangeProblems({ phone: '13972812345' })).toEqual([]);
    expect(applicantChangeProblems({ phone: '', address: '' })).toEqual([
      { path: ['phone'], message: '请输入联系电话' },
      { path: ['address'], message: '地址不能改为空，请填写正确的地址' },
    ]);
  });

  it('the contract refuses with the same messages, naming every wrong field (not only the first)', () => {
    const r = ApplicantInput.safeParse({ kind: 'organisation', name: ' ', idType: 'uscc', idNumber: '92420325MA4FXXK2P5', phone: '3221234', signer: { role: '', name: '', idNumber: '', phone: '' } });
    expect(r.success).toBe(false);
    const fields = Object.fromEntries((r.error?.issues ?? []).map((i) => [i.path.join('.'), i.message]));
    expect(fields).toEqual({
      name: '请输入单位名称',
      idNumber: '统一社会信用代码校验位不正确，请核对是否录入有误',
      phone: '固定电话须带区号，如 0719-3221234',
      'signer.role': '请选择签署人身份（法定代表人或经办人）',
      'signer.name': '请输入签署人姓名',
      'signer.idNumber': '请输入签署人身份证号码',
      'signer.phone': '请输入签署人电话',
    });
  });
});
