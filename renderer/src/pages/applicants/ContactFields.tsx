import { Col, Form, Input, Radio, Row } from 'antd';
import type { Rule } from 'antd/es/form';
import { SIGNER_ROLE_LABELS, SIGNER_ROLES } from '../../../../shared/ipc/methods/applicants';
import { checkIdNumber, ID_PROBLEM_MESSAGES } from '../../../../shared/rules/id-number';
import { checkPhone, PHONE_PROBLEM_MESSAGES } from '../../../../shared/rules/phone';
import { ADDRESS_PROBLEM_MESSAGES, checkAddress } from '../../../../shared/rules/address';

/**
 * The contact part of the applicant form, the same at 申请人 and at intake: phone and address
 * checked by the shared rules (the main side checks them again), and an organisation's signer.
 */

export interface SignerValues {
  role?: 'legal_rep' | 'agent';
  name?: string;
  idNumber?: string;
  phone?: string;
}

export function phoneRule(required: boolean): Rule {
  return {
    validator: (_: unknown, v: string | undefined) => {
      if (!v?.trim()) return required ? Promise.reject(new Error(PHONE_PROBLEM_MESSAGES.empty)) : Promise.resolve();
      const p = checkPhone(v);
      return p ? Promise.reject(new Error(PHONE_PROBLEM_MESSAGES[p])) : Promise.resolve();
    },
  };
}

export const addressRule: Rule = {
  validator: (_: unknown, v: string | undefined) => {
    const p = v?.trim() ? checkAddress(v) : null;
    return p ? Promise.reject(new Error(ADDRESS_PROBLEM_MESSAGES[p])) : Promise.resolve();
  },
};

const signerIdRule: Rule = {
  validator: (_: unknown, v: string | undefined) => {
    if (!v) return Promise.reject(new Error('请输入签署人身份证号码'));
    const p = checkIdNumber(v);
    return p ? Promise.reject(new Error(ID_PROBLEM_MESSAGES[p])) : Promise.resolve();
  },
};

export function AddressField({ organisation }: { organisation: boolean }) {
  return (
    <Form.Item
      name="address"
      label={organisation ? '单位地址' : '住址'}
      rules={[addressRule]}
      extra="省市县及详细地址（乡镇街道、村组或门牌号），实地核查时按此前往；不知道可暂不填"
    >
      <Input placeholder="如：湖北省十堰市房县城关镇东街12号" maxLength={120} autoComplete="off" data-testid="applicant-address" />
    </Form.Item>
  );
}

/** The organisation's signer: who commits for it (法定代表人 or 经办人); the credit check covers them too. */
export function SignerFields({ prefix = 'signer' }: { prefix?: string }) {
  return (
    <fieldset style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: '8px 12px 0', marginBottom: 16 }} data-testid="signer-fields">
      <legend style={{ fontSize: 14, width: 'auto', padding: '0 6px', margin: 0, border: 0 }}>签署人（代表单位作出承诺的人）</legend>
      <Form.Item name={[prefix, 'role']} rules={[{ required: true, message: '请选择签署人身份（法定代表人或经办人）' }]}>
        <Radio.Group optionType="button" options={SIGNER_ROLES.map((r) => ({ value: r, label: SIGNER_ROLE_LABELS[r] }))} />
      </Form.Item>
      <Row gutter={12}>
        <Col span={10}>
          <Form.Item name={[prefix, 'name']} label="签署人姓名" rules={[{ required: true, whitespace: true, message: '请输入签署人姓名' }]}>
            <Input maxLength={50} />
          </Form.Item>
        </Col>
        <Col span={14}>
          <Form.Item name={[prefix, 'idNumber']} label="签署人身份证号码" required rules={[signerIdRule]}>
            <Input maxLength={18} autoComplete="off" />
          </Form.Item>
        </Col>
      </Row>
      <Form.Item name={[prefix, 'phone']} label="签署人电话" required rules={[phoneRule(true)]}>
        <Input placeholder="手机号或带区号的固定电话" autoComplete="off" />
      </Form.Item>
    </fieldset>
  );
}

/** The signer as the contract takes it. */
export function signerInput(s: SignerValues | undefined) {
  return { role: s?.role ?? ('' as never), name: s?.name ?? '', idType: 'resident_id' as const, idNumber: s?.idNumber ?? '', phone: s?.phone ?? '' };
}

