import { useEffect, useState } from 'react';
import { Alert, App, Button, Card, Col, Form, Input, Radio, Row, Space, Table, Typography } from 'antd';
import { IdcardOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import type { ApplicantView } from '../../../../shared/ipc/contract';
import { ID_TYPE_LABELS } from '../../../../shared/ipc/contract';
import { checkIdNumber, ID_PROBLEM_MESSAGES } from '../../../../shared/rules/id-number';
import { checkUscc, USCC_PROBLEM_MESSAGES } from '../../../../shared/rules/uscc';
import { AddressField, phoneRule, SignerFields, signerInput, type SignerValues } from '../applicants/ContactFields';
import { call, DeskCallError } from '../../ipc/client';
import { useDraft } from '../../drafts/use-draft';

interface NewApplicant {
  kind?: 'person' | 'organisation';
  name?: string;
  idNumber?: string;
  phone?: string;
  address?: string;
  signer?: SignerValues;
}

/** Step 1: find the applicant (search or ID card) or register a new one, warned about likely duplicates. */
export function ApplicantStep({ owner, onChosen }: { owner: string; onChosen: (a: { id: number; name: string }) => void }) {
  const { message } = App.useApp();
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState<ApplicantView[]>([]);
  const [creating, setCreating] = useState(false);
  const [similar, setSimilar] = useState<{ applicant: ApplicantView; reason: string }[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [form] = Form.useForm<NewApplicant>();
  const draft = useDraft(owner, 'intake.newApplicant');
  const kind = Form.useWatch('kind', form) ?? 'person';

  useEffect(() => {
    void call('applicants.list', { query: query || undefined, limit: 8 }).then(setRows);
  }, [query]);

  /** Enter in the search box: the search's results; a single hit is the applicant (no 选择 needed). */
  async function search(text: string) {
    const q = text.trim();
    if (!q) return setQuery('');
    const found = await call('applicants.list', { query: q, limit: 8 });
    if (found.length === 1) return onChosen({ id: found[0]!.id, name: found[0]!.name });
    setRows(found);
    setQuery(q);
  }

  useEffect(() => {
    if (draft.ready && draft.restored) {
      form.setFieldsValue(draft.restored as NewApplicant);
      setCreating(true);
    }
  }, [draft.ready, draft.restored, form]);

  async function checkSimilar() {
    const v = form.getFieldsValue();
    if (!v.name && !v.idNumber) return;
    setSimilar(await call('applicants.findSimilar', { name: v.name ?? '', idNumber: v.idNumber ?? '', phone: v.phone ?? '' }));
  }

  async function readCard() {
    const r = await call('devices.readIdCard', {});
    if (r.status !== 'card') return message.warning(r.message);
    // The simulated reader (development, demo) says so: its card is not an applicant's real card.
    const source = r.simulated ? '（模拟读卡器，演示数据）' : '';
    const match = (await call('applicants.findSimilar', { name: r.card.name, idNumber: r.card.idNumber, phone: '' })).find((m) => m.reason === '证件号码相同');
    if (match) {
      message.success(`已读取身份证${source}：${r.card.name}，申请人已登记`);
      return onChosen({ id: match.applicant.id, name: match.applicant.name });
    }
    setCreating(true);
    form.setFieldsValue({ kind: 'person', name: r.card.name, idNumber: r.card.idNumber });
    void draft.save(form.getFieldsValue() as Record<string, unknown>);
    form.setFieldsValue({ address: r.card.address });
    message.info(`已读取身份证${source}：${r.card.name}，请补充联系电话后登记`);
  }

  async function create(v: NewApplicant) {
    setError(null);
    try {
      const a = await call('applicants.create', {
        kind: v.kind ?? 'person',
        name: v.name ?? '',
        idType: (v.kind ?? 'person') === 'person' ? 'resident_id' : 'uscc',
        idNumber: v.idNumber ?? '',
        phone: v.phone ?? '',
        ...(v.address?.trim() ? { address: v.address } : {}),
        ...((v.kind ?? 'person') === 'organisation' ? { signer: signerInput(v.signer) } : {}),
      });
      await draft.clear();
      form.resetFields();
      setCreating(false);
      onChosen({ id: a.id, name: a.name });
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '登记失败');
    }
  }

  const idRule = {
    validator: (_: unknown, v: string | undefined) => {
      if (!v) return Promise.reject(new Error('请输入证件号码'));
      const p = kind === 'person' ? checkIdNumber(v) : checkUscc(v);
      if (!p) return Promise.resolve();
      return Promise.reject(new Error(kind === 'person' ? ID_PROBLEM_MESSAGES[p as keyof typeof ID_PROBLEM_MESSAGES] : USCC_PROBLEM_MESSAGES[p as keyof typeof USCC_PROBLEM_MESSAGES]));
    },
  };

  return (
    <Row gutter={16}>
      <Col xs={24} xl={creating ? 12 : 24}>
        <Card
          title="查找申请人"
          extra={
            <Space>
              <Button icon={<IdcardOutlined />} onClick={() => void readCard()} data-testid="read-id-card">
                读取身份证
              </Button>
              <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                新申请人
              </Button>
            </Space>
          }
        >
          {/* A plain input (no search button): the first row's 选择 is one Tab away. */}
          <Input
            autoFocus
            allowClear
            prefix={<SearchOutlined />}
            placeholder="姓名、单位名称、证件号码后4位或完整号码"
            onPressEnter={(e) => void search(e.currentTarget.value)}
            onChange={(e) => {
              if (!e.target.value) setQuery('');
            }}
            style={{ marginBottom: 12 }}
            data-testid="applicant-search"
          />
          <Table<ApplicantView>
            rowKey="id"
            size="small"
            dataSource={rows}
            pagination={false}
            columns={[
              { title: '姓名/名称', dataIndex: 'name' },
              // The masked number (18 characters) needs its width even when the new-applicant form halves the list.
              { title: '证件', key: 'id', width: 180, render: (_, a) => <span>{ID_TYPE_LABELS[a.idType]} <Typography.Text code style={{ whiteSpace: 'nowrap' }}>{a.idNumberMasked}</Typography.Text></span> },
              { title: '电话', dataIndex: 'phoneMasked', width: 110 },
              // Beside the new-applicant form the list is half as wide: the address (cut short anyway) gives way.
              ...(creating ? [] : [{ title: '地址', dataIndex: 'address', ellipsis: true, render: (v: string | null) => v ?? <Typography.Text type="secondary">未登记</Typography.Text> }]),
              { title: '', key: 'pick', width: 80, render: (_, a) => <Button type="primary" size="small" onClick={() => onChosen({ id: a.id, name: a.name })}>选择</Button> },
            ]}
          />
        </Card>
      </Col>
      {creating && (
        <Col xs={24} xl={12}>
          <Card title="登记新申请人">
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
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
                      <Space key={s.applicant.id}>
                        <span>
                          {s.applicant.name}（{s.applicant.idNumberMasked}）：{s.reason}
                        </span>
                        <Button size="small" onClick={() => onChosen({ id: s.applicant.id, name: s.applicant.name })}>
                          使用该申请人
                        </Button>
                      </Space>
                    ))}
                  </Space>
                }
              />
            )}
            <Form<NewApplicant>
              form={form}
              layout="vertical"
              initialValues={{ kind: 'person' }}
              onFinish={create}
              onValuesChange={(_, all) => void draft.save(all as Record<string, unknown>)}
            >
              <Form.Item name="kind">
                <Radio.Group optionType="button" options={[{ value: 'person', label: '个人' }, { value: 'organisation', label: '单位' }]} />
              </Form.Item>
              <Form.Item name="name" label={kind === 'person' ? '姓名' : '单位名称'} rules={[{ required: true, whitespace: true, message: '请输入名称' }]}>
                <Input onBlur={() => void checkSimilar()} />
              </Form.Item>
              <Form.Item name="idNumber" label={kind === 'person' ? '居民身份证号码' : '统一社会信用代码'} rules={[idRule]}>
                <Input maxLength={18} onBlur={() => void checkSimilar()} autoComplete="off" />
              </Form.Item>
              <Form.Item name="phone" label="联系电话" required rules={[phoneRule(true)]}>
                <Input onBlur={() => void checkSimilar()} placeholder="手机号或带区号的固定电话" />
              </Form.Item>
              <AddressField organisation={kind === 'organisation'} />
              {kind === 'organisation' && <SignerFields />}
              <Space>
                <Button type="primary" htmlType="submit">
                  登记并选择
                </Button>
                <Button
                  onClick={() => {
                    setCreating(false);
                    void draft.clear();
                  }}
                >
                  取消
                </Button>
              </Space>
            </Form>
          </Card>
        </Col>
      )}
    </Row>
  );
}
