import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTestStore } from '../helpers/store';
import { testDesk, type TestDesk } from '../helpers/app';

/**
 * The main side refuses what the registration form refuses (tests/e2e/applicant-registration.spec.ts
 * types the same wrong organisation and person into both forms), with the same messages, naming
 * every wrong field at once, and writes nothing — no applicant, no audit record.
 */
function count(d: TestDesk, table: 'applicants' | 'audit_log'): number {
  const db = openTestStore(path.join(d.dataDir, 'desk.sqlite'), { readonly: true });
  try {
    return (db.prepare(`SELECT COUNT(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

describe('applicants.create and applicants.update refuse through the shared field rule', () => {
  it('refuses the wrong organisation and person of the e2e with the form’s messages, field by field, writing nothing', async () => {
    const d = await testDesk({ sync: false });
    const s = (await d.signIn('zhangmin')).token;
    const before = { applicants: count(d, 'applicants'), audit: count(d, 'audit_log') };

    const org = await d.raw(
      'applicants.create',
      {
        kind: 'organisation',
        name: '',
        idType: 'uscc',
        idNumber: '92420325MA4FXXK2P5',
        phone: '12972812345',
        address: '湖北省十堰市房县',
        signer: { role: '' as never, name: '赵大勇', idNumber: '420325198507120010', phone: '2872001122' },
      },
      s,
    );
    expect(org.ok === false && org.error.code).toBe('BAD_INPUT');
    expect(org.ok === false && org.error.fields).toEqual({
      name: '请输入单位名称',
      idNumber: '统一社会信用代码校验位不正确，请核对是否录入有误',
      phone: '手机号码第二位应为3至9，请核对',
      address: '地址须写明县（市、区）以下的详细地址：乡镇街道、村组或门牌号',
      'signer.role': '请选择签署人身份（法定代表人或经办人）',
      'signer.idNumber': '身份证号码校验位不正确，请核对是否录入有误',
      'signer.phone': '固定电话须带区号，如 0719-3221234',
    });

    const person = await d.raw('applicants.create', { kind: 'person', name: '李小红', idType: 'resident_id', idNumber: '42032519930230001X', phone: '' }, s);
    expect(person.ok === false && person.error.fields).toEqual({ idNumber: '身份证号码中的出生日期不存在', phone: '请输入联系电话' });

    // An edit: a phone given is checked as at registration; an address is not erased.
    const wang = (await d.call('applicants.list', { query: '王芳', limit: 5 }, s))[0]!;
    const edit = await d.raw('applicants.update', { id: wang.id, phone: '1397281234', address: '' }, s);
    expect(edit.ok === false && edit.error.fields).toEqual({ phone: '手机号码应为11位数字', address: '地址不能改为空，请填写正确的地址' });

    expect({ applicants: count(d, 'applicants'), audit: count(d, 'audit_log') }).toEqual(before);
  });

  it('registers what the form accepts, audited under the clerk', async () => {
    const d = await testDesk({ sync: false });
    const s = (await d.signIn('zhangmin')).token;
    const a = await d.call('applicants.create', { kind: 'person', name: '陈静怡', idType: 'resident_id', idNumber: '420325198803120523', phone: '0719-3221234', address: '湖北省十堰市房县军店镇下店子村二组' }, s);
    expect(a).toMatchObject({ kind: 'person', name: '陈静怡', idNumberMasked: '420***********0523', phoneMasked: '071****1234', createdBy: '张敏' });
    const db = openTestStore(path.join(d.dataDir, 'desk.sqlite'), { readonly: true });
    try {
      const row = db.prepare(`SELECT actor_username, entity_id FROM audit_log WHERE action = 'applicant.create' ORDER BY seq DESC LIMIT 1`).get();
      expect(row).toEqual({ actor_username: 'zhangmin', entity_id: String(a.id) });
    } finally {
      db.close();
    }
  });
});
