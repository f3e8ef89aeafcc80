import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Modal, Radio, Row, Space, Table, Tag, Typography } from 'antd';
import { EditOutlined, EyeOutlined, PhoneOutlined, SaveOutlined } from '@ant-design/icons';
import type { ApplicantView } from '../../../shared/ipc/contract';
import { SIGNER_ROLE_LABELS } from '../../../shared/ipc/methods/applicants';
import { checkUscc, USCC_PROBLEM_MESSAGES } from '../../../shared/rules/uscc';
import { AddressField, phoneRule, SignerFields, signerInput, type SignerValues } from './applicants/ContactFields';
import { checkIdNumber, ID_PROBLEM_MESSAGES } from '../../../shared/rules/id-number';
import { ROLES_THAT_MAY_REVEAL_ID } from '../../../shared/domain/roles';
import { call, DeskCallError } from '../ipc/client';
import { useDraft } from '../drafts/use-draft';
import { useDesk } from '../state/desk-store';
import { deskTime } from '../lib/time';

interface FormValues {
  kind?: 'person' | 'organisation';
  name?: string;
  idNumber?: string;
  phone?: string;
  address?: string;
  signer?: SignerValues;
}

interface EditValues {
  phone?: string;
  address?: string;
  changeSigner?: boolean;
  signer?: SignerValues;
}

const FORM_ID = 'applicant.new';

export function ApplicantsPage() {
  const { message } = App.useApp();
  const user = useDesk((s) => s.session!.user);
  const draft = useDraft(user.username, FORM_ID);
  const [form] = Form.useForm<FormValues>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rows, setRows] = useState<ApplicantView[]>([]);
  const [query, setQuery] = useState('');
  const [reveal, setReveal] = useState<{ applicant: ApplicantView; idNumber?: string } | null>(null);
  const [reason, setReason] = useState('核对申请人身份');
  const [phoneReveal, setPhoneReveal] = useState<{ applicant: ApplicantView; who: 'applicant' | 'signer'; phone?: string } | null>(null);
  const [phoneReason, setPhoneReason] = useState('联系申请人');
  const [editing, setEditing] = useState<ApplicantView | null>(null);
  const [editError, setEditError] = useState<string | null>(null);
  const [editForm] = Form.useForm<EditValues>();
  const kind = Form.useWatch('kind', form) ?? 'person';
  const changeSigner = Form.useWatch('changeSigner', editForm) ?? false;

  const load = useCallback(async (q: string) => {
    setRows(await call('applicants.list', { query: q || undefined, limit: 50 }));
  }, []);

  useEffect(() => {
    void load('');
  }, [load]);

  // Restore the draft once it has been read from IndexedDB.
  useEffect(() => {
    if (draft.ready && draft.restored) form.setFieldsValue(draft.restored as FormValues);
  }, [draft.ready, draft.restored, form]);

  async function submit(values: FormValues) {
    setSaving(true);
    setError(null);
    try {
      const k = values.kind ?? 'person';
      const created = await call('applicants.create', {
        kind: k,
        name: values.name ?? '',
        idType: k === 'person' ? 'resident_id' : 'uscc',
        idNumber: values.idNumber ?? '',
        phone: values.phone ?? '',
        ...(values.address?.trim() ? { address: values.address } : {}),
        ...(k === 'organisation' ? { signer: signerInput(values.signer) } : {}),
      });
      await draft.clear(); // only after the main side confirmed the save
      form.resetFields();
      message.success(`已登记申请人：${created.name}`);
      await load(query);
    } catch (e) {
      if (e instanceof DeskCallError) {
        setError(e.message);
        form.setFields(Object.entries(e.fields).filter(([k]) => ['name', 'idNumber', 'phone', 'address'].includes(k)).map(([name, msg]) => ({ name: name as keyof FormValues, errors: [msg] })));
      } else setError('保存失败，草稿仍保留在本机。');
    } finally {
      setSaving(false);
    }
  }

  async function doReveal() {
    if (!reveal) return;
    try {
      const r = await call('applicants.revealId', { id: reveal.applicant.id, reason });
      setReveal({ ...reveal, idNumber: r.idNumber });
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '查看失败');
    }
  }

  async function doRevealPhone() {
    if (!phoneReveal) return;
    try {
      const r = await call('applicants.revealPhone', { id: phoneReveal.applicant.id, who: phoneReveal.who, reason: phoneReason });
      setPhoneReveal({ ...phoneReveal, phone: r.phone });
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '查看失败');
    }
  }

  function openEdit(a: ApplicantView) {
    setEditError(null);
    editForm.resetFields();
    editForm.setFieldsValue({ address: a.address ?? '', phone: '', changeSigner: a.kind === 'organisation' && a.signer === null });
    setEditing(a);
  }

  async function saveEdit() {
    if (!editing) return;
    const v = await editForm.validateFields();
    setEditError(null);
    try {
      const address = v.address?.trim() ?? '';
      await call('applicants.update', {
        id: editing.id,
        ...(v.phone?.trim() ? { phone: v.phone } : {}),
        ...(address && address !== editing.address ? { address } : {}),
        ...(editing.kind === 'organisation' && v.changeSigner ? { signer: signerInput(v.signer) } : {}),
      });
      message.success(`已修改申请人：${editing.name}`);
      setEditing(null);
      await load(query);
    } catch (e) {
      setEditError(e instanceof DeskCallError ? e.message : '保存失败');
    }
  }

  const mayReveal = ROLES_THAT_MAY_REVEAL_ID.includes(user.role);
  const idRule = {
    validator: (_: unknown, v: string | undefined) => {
      if (kind === 'organisation') {
        const p = v ? checkUscc(v) : null;
        return p ? Promise.reject(new Error(USCC_PROBLEM_MESSAGES[p])) : Promise.resolve();
      }
      const p = v ? checkIdNumber(v) : null;
      return p ? Promise.reject(new Error(ID_PROBLEM_MESSAGES[p])) : Promise.resolve();
    },
  };

  return (
    <Row gutter={16}>
      <Col xs={24} xl={8}>
        <Card
          title="登记申请人"
          extra={draft.savedAt ? <Tag color="green" data-testid="draft-saved">草稿已自动保存</Tag> : null}
        >
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="applicant-error" />}
          <Form<FormValues>
            form={form}
            layout="vertical"
            initialValues={{ kind: 'person' }}
            onFinish={submit}
            onValuesChange={(_, all) => void draft.save(all as Record<string, unknown>)}
          >
            <Form.Item name="kind">
              <Radio.Group optionType="button" options={[{ value: 'person', label: '个人' }, { value: 'organisation', label: '单位' }]} />
            </Form.Item>
            <Form.Item
              name="name"
              label={kind === 'person' ? '姓名' : '单位名称'}
              rules={[{ required: true, whitespace: true, message: kind === 'person' ? '请输入姓名' : '请输入单位名称' }, { max: kind === 'person' ? 50 : 100, message: '名称过长' }]}
            >
              <Input placeholder={kind === 'person' ? '与身份证一致' : '与营业执照一致'} />
            </Form.Item>
            <Form.Item
              name="idNumber"
              label={kind === 'person' ? '居民身份证号码' : '统一社会信用代码'}
              rules={[{ required: true, message: kind === 'person' ? '请输入身份证号码' : '请输入统一社会信用代码' }, idRule]}
            >
              <Input placeholder="18位" maxLength={18} autoComplete="off" />
            </Form.Item>
            <Form.Item name="phone" label="联系电话" required rules={[phoneRule(true)]}>
              <Input placeholder="手机号或带区号的固定电话" />
            </Form.Item>
            <AddressField organisation={kind === 'organisation'} />
            {kind === 'organisation' && <SignerFields />}
            <Space>
              <Button type="primary" htmlType="submit" icon={<SaveOutlined />} loading={saving}>
                保存登记
              </Button>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                填写内容随时保存在本机，刷新或重启不会丢失
              </Typography.Text>
            </Space>
          </Form>
        </Card>
      </Col>
      <Col xs={24} xl={16}>
        <Card
          title="申请人"
          extra={
            <Input.Search
              allowClear
              placeholder="姓名、证件号码后4位或完整证件号码"
              style={{ width: 260 }}
              onSearch={(q) => {
                setQuery(q);
                void load(q);
              }}
            />
          }
        >
          <Table<ApplicantView>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={{ pageSize: 10 }}
            scroll={{ x: 700 }}
            columns={[
              {
                title: '姓名/名称 · 地址',
                key: 'name',
                width: 180,
                render: (_: unknown, a: ApplicantView) => (
                  <span>
                    {a.name}
                    <br />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="address-cell">
                      {a.address ?? '地址未登记'}
                    </Typography.Text>
                    <br />
                    <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                      {a.createdBy} 登记于 {deskTime(a.createdAt)}
                      {a.updatedAt ? ` · ${deskTime(a.updatedAt)} 修改` : ''}
                    </Typography.Text>
                  </span>
                ),
              },
              // On one line (it broke in two at 1366×768): the masked number is read as one.
              { title: '证件号码', dataIndex: 'idNumberMasked', width: 150, render: (v: string) => <Typography.Text code style={{ whiteSpace: 'nowrap', fontSize: 12 }}>{v}</Typography.Text> },
              {
                title: '联系电话',
                key: 'phone',
                width: 126,
                render: (_: unknown, a: ApplicantView) => (
                  <Space size={0} style={{ whiteSpace: 'nowrap' }}>
                    {a.phoneMasked}
                    <Button size="small" type="text" icon={<PhoneOutlined />} title="查看完整电话" aria-label="查看完整电话" onClick={() => setPhoneReveal({ applicant: a, who: 'applicant' })} />
                  </Space>
                ),
              },
              {
                title: '签署人',
                key: 'signer',
                width: 140,
                render: (_: unknown, a: ApplicantView) =>
                  a.kind !== 'organisation' ? '—' : a.signer ? (
                    <span data-testid="signer-cell">
                      {SIGNER_ROLE_LABELS[a.signer.role]} {a.signer.name}
                      <br />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {a.signer.idNumberMasked} · {a.signer.phoneMasked}
                      </Typography.Text>
                    </span>
                  ) : (
                    <Tag color="orange">未登记</Tag>
                  ),
              },
              {
                title: '',
                key: 'edit',
                width: 96,
                render: (_: unknown, a: ApplicantView) => (
                  <Space direction="vertical" size={4}>
                    <Button size="small" icon={<EditOutlined />} onClick={() => openEdit(a)}>
                      修改
                    </Button>
                    {mayReveal && (
                      <Button size="small" icon={<EyeOutlined />} onClick={() => setReveal({ applicant: a })} aria-label="查看完整证件号码">
                        证件号
                      </Button>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      </Col>
      <Modal
        open={reveal !== null}
        title="查看完整身份证号码"
        onCancel={() => setReveal(null)}
        okText={reveal?.idNumber ? '关闭' : '确认查看'}
        onOk={() => (reveal?.idNumber ? setReveal(null) : void doReveal())}
        destroyOnHidden
      >
        {reveal?.idNumber ? (
          <Typography.Title level={4} copyable>
            {reveal.idNumber}
          </Typography.Title>
        ) : (
          <>
            <Typography.Paragraph>查看完整号码将记入审计日志（查看人、时间、事由）。</Typography.Paragraph>
            <Input value={reason} onChange={(e) => setReason(e.target.value)} placeholder="查看事由" />
          </>
        )}
      </Modal>
      <Modal
        open={phoneReveal !== null}
        title="查看完整联系电话"
        onCancel={() => setPhoneReveal(null)}
        okText={phoneReveal?.phone ? '关闭' : '确认查看'}
        onOk={() => (phoneReveal?.phone ? setPhoneReveal(null) : void doRevealPhone())}
        destroyOnHidden
      >
        {phoneReveal?.phone ? (
          <Typography.Title level={4} copyable data-testid="revealed-phone">
            {phoneReveal.phone}
          </Typography.Title>
        ) : (
          <>
            <Typography.Paragraph>查看完整电话将记入审计日志（查看人、时间、事由）。</Typography.Paragraph>
            <Input value={phoneReason} onChange={(e) => setPhoneReason(e.target.value)} placeholder="查看事由" />
          </>
        )}
      </Modal>
      <Modal open={editing !== null} title={`修改申请人：${editing?.name ?? ''}`} onCancel={() => setEditing(null)} okText="保存修改" onOk={() => void saveEdit()} destroyOnHidden width={560}>
        {editError && <Alert type="error" showIcon title={editError} style={{ marginBottom: 12 }} data-testid="edit-error" />}
        <Typography.Paragraph type="secondary">姓名和证件号码不能修改；修改记入审计日志。</Typography.Paragraph>
        <Form<EditValues> form={editForm} name="applicantEdit" layout="vertical">
          <Form.Item name="phone" label="新联系电话" rules={[phoneRule(false)]} extra={`当前：${editing?.phoneMasked ?? ''}；不修改请留空`}>
            <Input placeholder="手机号或带区号的固定电话" autoComplete="off" />
          </Form.Item>
          <AddressField organisation={editing?.kind === 'organisation'} />
          {editing?.kind === 'organisation' && (
            <>
              <Form.Item name="changeSigner" noStyle>
                <Radio.Group
                  optionType="button"
                  style={{ marginBottom: 12 }}
                  options={[
                    { value: false, label: editing.signer ? `保留签署人：${SIGNER_ROLE_LABELS[editing.signer.role]} ${editing.signer.name}` : '暂不登记签署人' },
                    { value: true, label: editing.signer ? '更换签署人' : '登记签署人' },
                  ]}
                />
              </Form.Item>
              {changeSigner && <SignerFields />}
            </>
          )}
        </Form>
      </Modal>
    </Row>
  );
}
