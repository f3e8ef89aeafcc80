import { useCallback, useEffect, useState } from 'react';
import { App, Button, Card, Col, Input, Modal, Row, Space, Table, Tag, Typography } from 'antd';
import { EditOutlined, EyeOutlined, PhoneOutlined } from '@ant-design/icons';
import type { ApplicantView } from '../../../shared/ipc/contract';
import { SIGNER_ROLE_LABELS } from '../../../shared/rules/applicant-fields';
import { ApplicantForm } from './applicants/ApplicantForm';
import { ApplicantDrawer } from './applicants/ApplicantDrawer';
import { ROLES_THAT_MAY_REVEAL_ID } from '../../../shared/domain/roles';
import { call, DeskCallError } from '../ipc/client';
import { useDesk } from '../state/desk-store';
import { deskTime } from '../lib/time';

/** The unsaved new applicant is kept on this machine under this draft id (tests/e2e/foundation.spec.ts). */
const FORM_ID = 'applicant.new';

export function ApplicantsPage() {
  const { message } = App.useApp();
  const user = useDesk((s) => s.session!.user);
  const [rows, setRows] = useState<ApplicantView[]>([]);
  const [query, setQuery] = useState('');
  const [reveal, setReveal] = useState<{ applicant: ApplicantView; idNumber?: string } | null>(null);
  const [reason, setReason] = useState('核对申请人身份');
  const [phoneReveal, setPhoneReveal] = useState<{ applicant: ApplicantView; who: 'applicant' | 'signer'; phone?: string } | null>(null);
  const [phoneReason, setPhoneReason] = useState('联系申请人');
  const [editing, setEditing] = useState<ApplicantView | null>(null);
  /** The applicant whose materials, cases and credit are open in the drawer. */
  const [viewing, setViewing] = useState<ApplicantView | null>(null);

  const load = useCallback(async (q: string) => {
    setRows(await call('applicants.list', { query: q || undefined, limit: 50 }));
  }, []);

  useEffect(() => {
    void load('');
  }, [load]);

  /** Shows one applicant in the list: the one just registered, or the one 读取身份证 found registered. */
  async function show(a: ApplicantView) {
    setQuery(a.name);
    await load(a.name);
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

  const mayReveal = ROLES_THAT_MAY_REVEAL_ID.includes(user.role);

  return (
    <Row gutter={16}>
      <Col xs={24} xl={8}>
        <Card title="登记申请人">
          <ApplicantForm
            owner={user.username}
            mode={{ kind: 'create', draftId: FORM_ID }}
            submitLabel="保存登记"
            existingLabel="查看该申请人"
            onSaved={(a) => {
              message.success(`已登记申请人：${a.name}`);
              void load(query); // the newest first
            }}
            onExisting={(a) => void show(a)}
          />
        </Card>
      </Col>
      <Col xs={24} xl={16}>
        <Card
          title="申请人"
          extra={
            <Input.Search
              allowClear
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder="姓名、证件号码后4位或完整证件号码"
              style={{ width: 260 }}
              onSearch={(q) => void load(q)}
            />
          }
        >
          <Table<ApplicantView>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={{ pageSize: 10 }}
            scroll={{ x: 700 }}
            // A click on the row (not on one of its buttons) opens the applicant.
            onRow={(a) => ({
              onClick: (e) => {
                if (!(e.target as HTMLElement).closest('button')) setViewing(a);
              },
              style: { cursor: 'pointer' },
              'data-testid': `applicant-row-${a.id}`,
            })}
            columns={[
              {
                title: '姓名/名称 · 地址',
                key: 'name',
                width: 180,
                render: (_: unknown, a: ApplicantView) => (
                  <span>
                    {/* The name opens the applicant (as does a click anywhere on the row but its buttons). */}
                    <Typography.Link onClick={() => setViewing(a)} title="查看该申请人的材料库、办件和信用状况" data-testid="applicant-open">
                      {a.name}
                    </Typography.Link>
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
                    <Button size="small" icon={<EditOutlined />} onClick={() => setEditing(a)}>
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
      <ApplicantDrawer applicant={viewing} onClose={() => setViewing(null)} onRevealId={mayReveal ? (a) => setReveal({ applicant: a }) : undefined} />
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
      <Modal open={editing !== null} title={`修改申请人：${editing?.name ?? ''}`} onCancel={() => setEditing(null)} footer={null} destroyOnHidden width={560}>
        {editing && (
          <ApplicantForm
            key={editing.id}
            owner={user.username}
            mode={{ kind: 'edit', applicant: editing }}
            submitLabel="保存修改"
            onSaved={(a) => {
              message.success(`已修改申请人：${a.name}`);
              setEditing(null);
              void load(query);
            }}
            onCancel={() => setEditing(null)}
          />
        )}
      </Modal>
    </Row>
  );
}
