import { useCallback, useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Modal, Row, Space, Table, Tag, Typography } from 'antd';
import { EyeOutlined, SaveOutlined } from '@ant-design/icons';
import type { ApplicantView } from '../../../shared/ipc/contract';
import { checkIdNumber, ID_PROBLEM_MESSAGES } from '../../../shared/rules/id-number';
import { isValidPhone } from '../../../shared/rules/phone';
import { ROLES_THAT_MAY_REVEAL_ID } from '../../../shared/domain/roles';
import { call, DeskCallError } from '../ipc/client';
import { useDraft } from '../drafts/use-draft';
import { useDesk } from '../state/desk-store';
import { deskTime } from '../lib/time';

interface FormValues {
  name?: string;
  idNumber?: string;
  phone?: string;
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
      const created = await call('applicants.create', {
        name: values.name ?? '',
        idType: 'resident_id',
        idNumber: values.idNumber ?? '',
        phone: values.phone ?? '',
      });
      await draft.clear(); // only after the main side confirmed the save
      form.resetFields();
      message.success(`已登记申请人：${created.name}`);
      await load(query);
    } catch (e) {
      if (e instanceof DeskCallError) {
        setError(e.message);
        form.setFields(Object.entries(e.fields).filter(([k]) => ['name', 'idNumber', 'phone'].includes(k)).map(([name, msg]) => ({ name: name as keyof FormValues, errors: [msg] })));
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

  const mayReveal = ROLES_THAT_MAY_REVEAL_ID.includes(user.role);

  return (
    <Row gutter={16}>
      <Col xs={24} xl={9}>
        <Card
          title="登记申请人（个人）"
          extra={draft.savedAt ? <Tag color="green" data-testid="draft-saved">草稿已自动保存</Tag> : null}
        >
          {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="applicant-error" />}
          <Form<FormValues> form={form} layout="vertical" onFinish={submit} onValuesChange={(_, all) => void draft.save(all as Record<string, unknown>)}>
            <Form.Item name="name" label="姓名" rules={[{ required: true, whitespace: true, message: '请输入姓名' }, { max: 50, message: '姓名过长' }]}>
              <Input placeholder="与身份证一致" />
            </Form.Item>
            <Form.Item
              name="idNumber"
              label="居民身份证号码"
              rules={[
                { required: true, message: '请输入身份证号码' },
                {
                  validator: (_, v: string | undefined) => {
                    const p = v ? checkIdNumber(v) : null;
                    return p ? Promise.reject(new Error(ID_PROBLEM_MESSAGES[p])) : Promise.resolve();
                  },
                },
              ]}
            >
              <Input placeholder="18位，末位可为X" maxLength={18} autoComplete="off" />
            </Form.Item>
            <Form.Item
              name="phone"
              label="联系电话"
              rules={[
                { required: true, message: '请输入联系电话' },
                { validator: (_, v: string | undefined) => (!v || isValidPhone(v) ? Promise.resolve() : Promise.reject(new Error('联系电话格式不正确'))) },
              ]}
            >
              <Input placeholder="手机号或固定电话" />
            </Form.Item>
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
      <Col xs={24} xl={15}>
        <Card
          title="申请人"
          extra={
            <Input.Search
              allowClear
              placeholder="姓名或证件号码后几位"
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
            columns={[
              { title: '姓名', dataIndex: 'name' },
              { title: '身份证号码', dataIndex: 'idNumberMasked', render: (v: string) => <Typography.Text code>{v}</Typography.Text> },
              { title: '联系电话', dataIndex: 'phoneMasked' },
              { title: '登记人', dataIndex: 'createdBy' },
              { title: '登记时间', dataIndex: 'createdAt', render: (v: string) => deskTime(v) },
              ...(mayReveal
                ? [
                    {
                      title: '',
                      key: 'reveal',
                      render: (_: unknown, a: ApplicantView) => (
                        <Button size="small" icon={<EyeOutlined />} onClick={() => setReveal({ applicant: a })}>
                          查看完整号码
                        </Button>
                      ),
                    },
                  ]
                : []),
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
    </Row>
  );
}
