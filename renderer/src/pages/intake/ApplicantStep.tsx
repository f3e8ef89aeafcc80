import { useEffect, useState } from 'react';
import { App, Button, Card, Col, Input, Row, Space, Table, Typography } from 'antd';
import { IdcardOutlined, PlusOutlined, SearchOutlined } from '@ant-design/icons';
import type { ApplicantView } from '../../../../shared/ipc/contract';
import { ID_TYPE_LABELS } from '../../../../shared/ipc/contract';
import { ApplicantForm } from '../applicants/ApplicantForm';
import { readIdCard, type CardRead } from '../applicants/id-card';
import { call } from '../../ipc/client';
import { useDraft } from '../../drafts/use-draft';

const DRAFT_ID = 'intake.newApplicant';

/** Step 1: find the applicant (search or ID card) or register a new one (the one registration form, as at 申请人登记). */
export function ApplicantStep({ owner, onChosen }: { owner: string; onChosen: (a: { id: number; name: string }) => void }) {
  const { message } = App.useApp();
  const [query, setQuery] = useState('');
  const [rows, setRows] = useState<ApplicantView[]>([]);
  const [creating, setCreating] = useState(false);
  const [card, setCard] = useState<Extract<CardRead, { status: 'new' }> | null>(null);
  // Only whether a registration was left unfinished: the form itself restores and keeps the draft.
  const draft = useDraft(owner, DRAFT_ID);

  useEffect(() => {
    void call('applicants.list', { query: query || undefined, limit: 8 }).then(setRows);
  }, [query]);

  useEffect(() => {
    if (draft.ready && draft.restored) setCreating(true);
  }, [draft.ready, draft.restored]);

  /** Enter in the search box: the search's results; a single hit is the applicant (no 选择 needed). */
  async function search(text: string) {
    const q = text.trim();
    if (!q) return setQuery('');
    const found = await call('applicants.list', { query: q, limit: 8 });
    if (found.length === 1) return onChosen({ id: found[0]!.id, name: found[0]!.name });
    setRows(found);
    setQuery(q);
  }

  /** 读取身份证 finds the applicant, or opens the registration filled from the card. */
  async function readCard() {
    const r = await readIdCard();
    if (r.status === 'unread') return void message.warning(r.message);
    if (r.status === 'registered') {
      message.success(r.message);
      return onChosen({ id: r.applicant.id, name: r.applicant.name });
    }
    setCard(r);
    setCreating(true);
    message.info(r.message);
  }

  const choose = (a: ApplicantView) => onChosen({ id: a.id, name: a.name });

  return (
    <Row gutter={16}>
      <Col xs={24} xl={creating ? 12 : 24}>
        <Card
          title="查找申请人"
          extra={
            // While registering, the form has its own 读取身份证.
            creating ? null : (
              <Space>
                <Button icon={<IdcardOutlined />} onClick={() => void readCard()} data-testid="read-id-card">
                  读取身份证
                </Button>
                <Button icon={<PlusOutlined />} onClick={() => setCreating(true)}>
                  新申请人
                </Button>
              </Space>
            )
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
              { title: '证件', key: 'id', width: 170, render: (_, a) => (
                  // The masked number on one line (read as one), under its type.
                  <span>
                    {ID_TYPE_LABELS[a.idType]}
                    <br />
                    <Typography.Text code style={{ whiteSpace: 'nowrap', fontSize: 12 }}>{a.idNumberMasked}</Typography.Text>
                  </span>
                ),
              },
              { title: '电话', dataIndex: 'phoneMasked', width: 110 },
              // Beside the new-applicant form the list is half as wide: the address (cut short anyway) gives way.
              ...(creating ? [] : [{ title: '地址', dataIndex: 'address', ellipsis: true, render: (v: string | null) => v ?? <Typography.Text type="secondary">未登记</Typography.Text> }]),
              { title: '', key: 'pick', width: 80, render: (_, a) => <Button type="primary" size="small" onClick={() => choose(a)}>选择</Button> },
            ]}
          />
        </Card>
      </Col>
      {creating && (
        <Col xs={24} xl={12}>
          <Card title="登记新申请人">
            <ApplicantForm
              owner={owner}
              mode={{ kind: 'create', draftId: DRAFT_ID }}
              submitLabel="登记并选择"
              card={card}
              onSaved={choose}
              onExisting={choose}
              onCancel={() => {
                setCard(null);
                setCreating(false);
              }}
            />
          </Card>
        </Col>
      )}
    </Row>
  );
}
