import { useEffect, useState } from 'react';
import { Alert, App, Button, Col, Form, Input, Radio, Row, Space, Tag, Typography } from 'antd';
import type { Rule } from 'antd/es/form';
import { IdcardOutlined, SaveOutlined } from '@ant-design/icons';
import type { ApplicantView } from '../../../../shared/ipc/contract';
import {
  APPLICANT_FIELD_LABELS,
  APPLICANT_KIND_LABELS,
  APPLICANT_KINDS,
  APPLICANT_MESSAGES,
  APPLICANT_REQUIRED,
  checkApplicantAddress,
  checkApplicantIdNumber,
  checkApplicantName,
  checkApplicantPhone,
  checkSignerIdNumber,
  checkSignerName,
  checkSignerPhone,
  checkSignerRole,
  NAME_MAX,
  SIGNER_FIELD_LABELS,
  SIGNER_ROLE_LABELS,
  SIGNER_ROLES,
  type ApplicantKind,
  type SignerRole,
} from '../../../../shared/rules/applicant-fields';
import { call, DeskCallError } from '../../ipc/client';
import { useDraft } from '../../drafts/use-draft';
import { readIdCard, type CardRead } from './id-card';

/**
 * THE applicant registration form, at 申请人登记 and at 受理办件's applicant step: a person
 * (居民身份证, 读取身份证 fills it) or an organisation (统一社会信用代码, with its signer), every field
 * checked by the one rule of shared/rules/applicant-fields.ts that the main side refuses with too.
 * In edit mode the same form changes a registered applicant's phone, address and signer (name,
 * kind and ID number never change; the ID number stays masked).
 */

interface SignerValues {
  role?: SignerRole;
  name?: string;
  idNumber?: string;
  phone?: string;
}

export interface ApplicantFormValues {
  kind?: ApplicantKind;
  name?: string;
  idNumber?: string;
  phone?: string;
  address?: string;
  /** Edit mode, organisation: whether the signer is replaced (or registered at last). */
  changeSigner?: boolean;
  signer?: SignerValues;
}

export type ApplicantFormMode = { kind: 'create'; draftId: string } | { kind: 'edit'; applicant: ApplicantView };

export interface ApplicantFormProps {
  /** The signed-in user (whose drafts these are). */
  owner: string;
  mode: ApplicantFormMode;
  submitLabel: string;
  onSaved: (a: ApplicantView) => void;
  /** An applicant already registered, found by 读取身份证 or offered by the duplicate warning. */
  onExisting?: (a: ApplicantView) => void;
  /** The duplicate warning's button (使用该申请人 at intake, 查看该申请人 at 申请人登记). */
  existingLabel?: string;
  onCancel?: () => void;
  /** A card the page read with its own 读取身份证 (受理办件's search card), to fill in. */
  card?: Extract<CardRead, { status: 'new' }> | null;
}

/** A check of the shared rule as a form rule: the message shown is the rule's own. */
function ruleOf(check: (v: string) => string | null): Rule {
  return {
    validator: (_: unknown, v: unknown) => {
      const m = check(typeof v === 'string' ? v : '');
      return m ? Promise.reject(new Error(m)) : Promise.resolve();
    },
  };
}

/** The signer as the contract takes it. */
function signerInput(s: SignerValues | undefined) {
  return { role: s?.role ?? ('' as SignerRole), name: s?.name ?? '', idType: 'resident_id' as const, idNumber: s?.idNumber ?? '', phone: s?.phone ?? '' };
}

/** The form fields the main side may name in a refusal ('signer.phone' → ['signer', 'phone']). */
const FIELD_PATHS = ['name', 'idNumber', 'phone', 'address', 'signer.role', 'signer.name', 'signer.idNumber', 'signer.phone'];

export function ApplicantForm({ owner, mode, submitLabel, onSaved, onExisting, existingLabel = '使用该申请人', onCancel, card }: ApplicantFormProps) {
  const { message } = App.useApp();
  const [form] = Form.useForm<ApplicantFormValues>();
  const editing = mode.kind === 'edit' ? mode.applicant : null;
  const draft = useDraft(owner, mode.kind === 'create' ? mode.draftId : 'applicant.edit');
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [similar, setSimilar] = useState<{ applicant: ApplicantView; reason: string }[]>([]);
  const watchedKind = Form.useWatch('kind', form);
  const kind: ApplicantKind = editing?.kind ?? watchedKind ?? 'person';
  const changeSigner = Form.useWatch('changeSigner', form) ?? false;
  const labels = APPLICANT_FIELD_LABELS[kind];
  const required = APPLICANT_REQUIRED[kind];

  // A card read by the page: its values, kept as the draft too.
  useEffect(() => {
    if (!card) return;
    form.setFieldsValue(card.values);
    void draft.save(form.getFieldsValue() as Record<string, unknown>);
    // Once per card read.
  }, [card]);

  // The draft, once read from IndexedDB (never over a card just read).
  useEffect(() => {
    if (mode.kind === 'create' && draft.ready && draft.restored && !card) form.setFieldsValue(draft.restored as ApplicantFormValues);
    // Once the draft is read.
  }, [draft.ready, draft.restored]);

  async function readCard() {
    const r = await readIdCard();
    if (r.status === 'unread') return void message.warning(r.message);
    if (r.status === 'registered') {
      message.success(r.message);
      return onExisting?.(r.applicant);
    }
    form.resetFields(['signer']);
    form.setFieldsValue(r.values);
    void draft.save(form.getFieldsValue() as Record<string, unknown>);
    message.info(r.message);
  }

  async function checkSimilar() {
    if (editing) return;
    const v = form.getFieldsValue();
    if (!v.name && !v.idNumber) return;
    setSimilar(await call('applicants.findSimilar', { name: v.name ?? '', idNumber: v.idNumber ?? '', phone: v.phone ?? '' }));
  }

  function refused(e: unknown) {
    if (!(e instanceof DeskCallError)) return setError('保存失败，填写的内容仍保留在本机。');
    setError(e.message);
    form.setFields(
      Object.entries(e.fields)
        .filter(([path]) => FIELD_PATHS.includes(path))
        .map(([path, msg]) => ({ name: path.split('.') as never, errors: [msg] })),
    );
  }

  async function create(v: ApplicantFormValues) {
    const k = v.kind ?? 'person';
    const a = await call('applicants.create', {
      kind: k,
      name: v.name ?? '',
      idType: k === 'person' ? 'resident_id' : 'uscc',
      idNumber: v.idNumber ?? '',
      phone: v.phone ?? '',
      ...(v.address?.trim() ? { address: v.address } : {}),
      ...(k === 'organisation' ? { signer: signerInput(v.signer) } : {}),
    });
    await draft.clear(); // only after the main side confirmed the save
    form.resetFields();
    setSimilar([]);
    return a;
  }

  async function update(a: ApplicantView, v: ApplicantFormValues) {
    const address = v.address?.trim() ?? '';
    return call('applicants.update', {
      id: a.id,
      ...(v.phone?.trim() ? { phone: v.phone } : {}),
      ...(address && address !== a.address ? { address } : {}),
      ...(a.kind === 'organisation' && v.changeSigner ? { signer: signerInput(v.signer) } : {}),
    });
  }

  async function submit(v: ApplicantFormValues) {
    setSaving(true);
    setError(null);
    try {
      onSaved(editing ? await update(editing, v) : await create(v));
    } catch (e) {
      refused(e);
    } finally {
      setSaving(false);
    }
  }

  async function cancel() {
    await draft.clear();
    onCancel?.();
  }

  const showSigner = kind === 'organisation' && (!editing || changeSigner);
  const formName = mode.kind === 'create' ? mode.draftId.replace(/\W/g, '_') : 'applicantEdit';

  return (
    <>
      {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="applicant-error" />}
      {similar.length > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="duplicate-warning"
          title="可能已登记过"
          description={
            <Space direction="vertical">
              {similar.map((s) => (
                <Space key={s.applicant.id} wrap>
                  <span>
                    {s.applicant.name}（{s.applicant.idNumberMasked}）：{s.reason}
                  </span>
                  {onExisting && (
                    <Button size="small" onClick={() => onExisting(s.applicant)}>
                      {existingLabel}
                    </Button>
                  )}
                </Space>
              ))}
            </Space>
          }
        />
      )}
      {editing && <Typography.Paragraph type="secondary">姓名和证件号码不能修改；修改记入审计日志。</Typography.Paragraph>}
      <Form<ApplicantFormValues>
        form={form}
        name={formName}
        layout="vertical"
        initialValues={editing ? { kind: editing.kind, address: editing.address ?? '', changeSigner: editing.kind === 'organisation' && editing.signer === null } : { kind: 'person' }}
        onFinish={(v) => void submit(v)}
        onValuesChange={(_, all) => {
          if (!editing) void draft.save(all as Record<string, unknown>);
        }}
      >
        <Space align="start" wrap style={{ marginBottom: 0 }}>
          <Form.Item name="kind" style={{ marginBottom: 16 }}>
            <Radio.Group
              optionType="button"
              disabled={editing !== null}
              options={APPLICANT_KINDS.map((k) => ({ value: k, label: APPLICANT_KIND_LABELS[k] }))}
            />
          </Form.Item>
          {!editing && (
            <Button icon={<IdcardOutlined />} onClick={() => void readCard()} data-testid="read-id-card">
              读取身份证
            </Button>
          )}
        </Space>
        {editing ? (
          <Row gutter={12}>
            <Col span={10}>
              <Form.Item label={labels.name} htmlFor={`${formName}_fixedName`}>
                <Input id={`${formName}_fixedName`} value={editing.name} disabled />
              </Form.Item>
            </Col>
            <Col span={14}>
              <Form.Item label={labels.idNumber} htmlFor={`${formName}_fixedIdNumber`}>
                <Input id={`${formName}_fixedIdNumber`} value={editing.idNumberMasked} disabled />
              </Form.Item>
            </Col>
          </Row>
        ) : (
          <>
            <Form.Item name="name" label={labels.name} required={required.name} rules={[ruleOf((v) => checkApplicantName(kind, v))]}>
              <Input placeholder={kind === 'person' ? '与身份证一致' : '与营业执照一致'} maxLength={NAME_MAX[kind] + 10} onBlur={() => void checkSimilar()} />
            </Form.Item>
            <Form.Item name="idNumber" label={labels.idNumber} required={required.idNumber} rules={[ruleOf((v) => checkApplicantIdNumber(kind, v))]}>
              <Input placeholder="18位" maxLength={18} autoComplete="off" onBlur={() => void checkSimilar()} />
            </Form.Item>
          </>
        )}
        <Form.Item
          name="phone"
          label={labels.phone}
          required={!editing && required.phone}
          // Edit: empty keeps the phone on record (it is shown masked only).
          rules={[ruleOf((v) => (editing && !v.trim() ? null : checkApplicantPhone(v)))]}
          extra={editing ? `当前：${editing.phoneMasked}；不修改请留空` : '用于告知协查结果和整改通知；本人无电话的，可填家属手机或村（居）委会、单位的固定电话'}
        >
          <Input placeholder="手机号或带区号的固定电话" autoComplete="off" onBlur={() => void checkSimilar()} />
        </Form.Item>
        <Form.Item
          name="address"
          label={labels.address}
          required={required.address}
          rules={[ruleOf((v) => (editing?.address && !v.trim() ? APPLICANT_MESSAGES.addressErased : checkApplicantAddress(v)))]}
          extra="省市县及详细地址（乡镇街道、村组或门牌号），实地核查时按此前往；不知道可暂不填"
        >
          <Input placeholder="如：湖北省十堰市房县城关镇东街12号" maxLength={120} autoComplete="off" data-testid="applicant-address" />
        </Form.Item>
        {editing?.kind === 'organisation' && (
          <Form.Item name="changeSigner" style={{ marginBottom: 12 }}>
            <Radio.Group
              optionType="button"
              options={[
                { value: false, label: editing.signer ? `保留签署人：${SIGNER_ROLE_LABELS[editing.signer.role]} ${editing.signer.name}` : '暂不登记签署人' },
                { value: true, label: editing.signer ? '更换签署人' : '登记签署人' },
              ]}
            />
          </Form.Item>
        )}
        {showSigner && <SignerFields />}
        <Space wrap>
          <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={saving}>
            {submitLabel}
          </Button>
          {onCancel && <Button onClick={() => void cancel()}>取消</Button>}
          {!editing &&
            (draft.savedAt ? (
              <Tag color="green" data-testid="draft-saved">
                草稿已自动保存
              </Tag>
            ) : (
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                填写内容随时保存在本机，刷新或重启不会丢失
              </Typography.Text>
            ))}
        </Space>
      </Form>
    </>
  );
}

/** The organisation's signer: who commits for it (法定代表人 or 经办人); the credit check covers them too. */
function SignerFields() {
  return (
    <fieldset style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: '8px 12px 0', marginBottom: 16 }} data-testid="signer-fields">
      <legend style={{ fontSize: 14, width: 'auto', padding: '0 6px', margin: 0, border: 0 }}>签署人（代表单位作出承诺的人）</legend>
      <Form.Item name={['signer', 'role']} required rules={[ruleOf(checkSignerRole)]}>
        <Radio.Group optionType="button" options={SIGNER_ROLES.map((r) => ({ value: r, label: SIGNER_ROLE_LABELS[r] }))} />
      </Form.Item>
      {/* One under the other: the 18 characters of the number fit the narrow 申请人登记 column too. */}
      <Form.Item name={['signer', 'name']} label={SIGNER_FIELD_LABELS.name} required rules={[ruleOf(checkSignerName)]}>
        <Input maxLength={60} />
      </Form.Item>
      <Form.Item name={['signer', 'idNumber']} label={SIGNER_FIELD_LABELS.idNumber} required rules={[ruleOf(checkSignerIdNumber)]}>
        <Input maxLength={18} autoComplete="off" />
      </Form.Item>
      <Form.Item name={['signer', 'phone']} label={SIGNER_FIELD_LABELS.phone} required rules={[ruleOf(checkSignerPhone)]}>
        <Input placeholder="手机号或带区号的固定电话" autoComplete="off" />
      </Form.Item>
    </fieldset>
  );
}
