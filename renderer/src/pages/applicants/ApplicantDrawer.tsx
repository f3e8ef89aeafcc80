import { useCallback, useEffect, useState } from 'react';
import { Alert, Button, Descriptions, Drawer, Space, Table, Tag, Typography } from 'antd';
import { EyeOutlined } from '@ant-design/icons';
import type { ApplicantView, MethodOutput } from '../../../../shared/ipc/contract';
import type { MaterialView } from '../../../../shared/ipc/methods/intake';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../../shared/rules/case-states';
import { call, DeskCallError } from '../../ipc/client';
import { useDesk } from '../../state/desk-store';
import { deskDay, deskTime } from '../../lib/time';
import { LoadError } from '../../components/LoadError';
import { useMaterialPagesViewer } from '../../components/MaterialPagesViewer';
import { CreditBlockAlert } from '../intake/CreditBlockAlert';
import { CASE_STATUS_COLORS } from '../../lib/case-status';

type CaseRow = MethodOutput<'intake.list'>[number];
type Access = MethodOutput<'applicants.access'>;

/** Where a kept material came from: the case it was checked for, another window of the hall, or a standalone scan (the only other way in). */
function materialSource(m: MaterialView): string {
  if (m.sourceCaseNo) return `办件 ${m.sourceCaseNo}`;
  if (m.fromWindow) return `${m.fromWindow}（全厅材料库）`;
  return '高拍仪扫描';
}

/** The scan a material was filed from (scans.finish): its name, who scanned it, the day it was finished. */
function MaterialScan({ m }: { m: MaterialView }) {
  if (!m.scan) return null;
  return (
    <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }} title={`由高拍仪扫描件“${m.scan.title}”完成时存入`} data-testid="material-scan">
      扫描件 · {m.scan.scannedBy} · {deskDay(m.scan.finishedAt)}
    </Typography.Text>
  );
}

/**
 * 申请人登记 › one applicant, read-only (一次提交，长期有效): their material library with each
 * material's certificate, source and validity (judged by the service, shared/rules/material-validity.ts),
 * pages full size; their cases, each opened as 办件查询 opens it; and whether they may commit now.
 * What the signed-in user may see of them is the service's answer (applicants.access, held by
 * electron/services/cases/case-access.ts): what their role may not see is left out and said in one
 * line (an assistant: no full ID number; the library and cases only through their own cases).
 */
export function ApplicantDrawer({ applicant, onClose, onRevealId }: { applicant: ApplicantView | null; onClose: () => void; onRevealId?: (a: ApplicantView) => void }) {
  const openCase = useDesk((s) => s.openCase);
  const [materials, setMaterials] = useState<MaterialView[]>([]);
  const [cases, setCases] = useState<CaseRow[]>([]);
  const [access, setAccess] = useState<Access | null>(null);
  const [error, setError] = useState<string | null>(null);
  const pages = useMaterialPagesViewer();

  const load = useCallback(async (id: number) => {
    setError(null);
    try {
      const a = await call('applicants.access', { id });
      setAccess(a);
      const [m, c] = await Promise.all([a.materials ? call('materials.forApplicant', { applicantId: id }) : [], call('intake.list', { applicantId: id, limit: 100 })]);
      setMaterials(m);
      setCases(c);
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '申请人的材料和办件读取失败');
    }
  }, []);

  useEffect(() => {
    setMaterials([]);
    setCases([]);
    setAccess(null);
    if (applicant) void load(applicant.id);
  }, [applicant, load]);

  if (!applicant) return null;
  return (
    <Drawer open width={900} title={`申请人：${applicant.name}`} onClose={onClose} destroyOnHidden data-testid="applicant-drawer">
      <LoadError error={error} retry={() => void load(applicant.id)} />
      {access?.note && <Alert type="info" showIcon style={{ marginBottom: 12 }} title={access.note} data-testid="applicant-limited" />}
      <Descriptions size="small" column={2} style={{ marginBottom: 12 }} data-testid="applicant-facts">
        <Descriptions.Item label="证件号码">
          <Space size={4}>
            <Typography.Text code style={{ whiteSpace: 'nowrap' }} data-testid="applicant-id-masked">
              {applicant.idNumberMasked}
            </Typography.Text>
            {onRevealId && access?.revealId && <Button size="small" type="text" icon={<EyeOutlined />} aria-label="查看完整证件号码" title="查看完整证件号码" onClick={() => onRevealId(applicant)} />}
          </Space>
        </Descriptions.Item>
        <Descriptions.Item label="联系电话">{applicant.phoneMasked}</Descriptions.Item>
        <Descriptions.Item label="地址" span={2}>
          {applicant.address ?? '地址未登记'}
        </Descriptions.Item>
      </Descriptions>

      <Typography.Title level={5}>信用状况</Typography.Title>
      <div data-testid="applicant-credit">
        <CreditBlockAlert applicantId={applicant.id} showEligible />
      </div>

      {access?.materials && (
        <>
          <Typography.Title level={5}>材料库（{materials.length} 份）</Typography.Title>
          <Table<MaterialView>
            rowKey="id"
            size="small"
            data-testid="applicant-materials"
            dataSource={materials}
            pagination={{ pageSize: 5, hideOnSinglePage: true }}
            locale={{ emptyText: '材料库中还没有该申请人的材料' }}
            columns={[
              {
                title: '材料',
                key: 'title',
                render: (_: unknown, m) => (
                  <span>
                    {m.title}
                    <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                      {m.certificateName ?? (m.certificateCode ? m.certificateCode : '未指定证明')}
                    </Typography.Text>
                  </span>
                ),
              },
              {
                title: '来源',
                key: 'source',
                className: 'desk-nowrap',
                render: (_: unknown, m) => (
                  <span>
                    {materialSource(m)}
                    <MaterialScan m={m} />
                  </span>
                ),
              },
              { title: '留存日期', dataIndex: 'createdAt', className: 'desk-nowrap', render: (v: string) => <span title={deskTime(v)}>{deskDay(v)}</span> },
              {
                title: '有效期至',
                key: 'valid',
                className: 'desk-nowrap',
                render: (_: unknown, m) => (
                  <Space size={4} data-testid="material-validity">
                    {m.validUntil ?? '长期'}
                    {m.valid ? <Tag color="green">有效</Tag> : <Tag color="red">已过期</Tag>}
                  </Space>
                ),
              },
              {
                title: '',
                key: 'pages',
                className: 'desk-nowrap',
                render: (_: unknown, m) => (
                  <Button size="small" disabled={m.pages === 0} onClick={() => void pages.show(m.title, [m])}>
                    查看 {m.pages} 页
                  </Button>
                ),
              },
            ]}
          />
        </>
      )}

      <Typography.Title level={5} style={{ marginTop: 16 }}>
        办件（{cases.length} 件）
      </Typography.Title>
      <Table<CaseRow>
        rowKey="id"
        size="small"
        data-testid="applicant-cases"
        dataSource={cases}
        pagination={{ pageSize: 5, hideOnSinglePage: true }}
        locale={{ emptyText: access && !access.allCases ? '没有您代办或被分派核查的该申请人办件' : '该申请人还没有办件' }}
        columns={[
          { title: '办件编号', dataIndex: 'caseNo', className: 'desk-nowrap' },
          { title: '事项', key: 'items', render: (_: unknown, r) => (r.bundleName ? <span title={r.items}>{r.bundleName}</span> : r.items) },
          { title: '状态', dataIndex: 'status', className: 'desk-nowrap', render: (s: CaseStatus) => <Tag color={CASE_STATUS_COLORS[s]}>{CASE_STATUS_LABELS[s]}</Tag> },
          { title: '创建时间', dataIndex: 'createdAt', className: 'desk-nowrap', render: (v: string) => deskTime(v) },
          {
            title: '',
            key: 'open',
            className: 'desk-nowrap',
            render: (_: unknown, r) => (
              <Button size="small" onClick={() => openCase(r.id)}>
                {r.status === 'draft' ? '继续办理' : '查看'}
              </Button>
            ),
          },
        ]}
      />
      {pages.viewer}
    </Drawer>
  );
}
