import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Input, Select, Space, Switch, Table, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { AuditEntryView, AuditVerifyResult } from '../../../shared/ipc/contract';
import { call, DeskCallError } from '../ipc/client';
import { useCall } from '../ipc/use-call';
import { AUDIT_ACTION_LABELS, auditActionLabel } from '../../../shared/domain/audit-actions';
import { formatAuditDetail } from '../../../shared/domain/audit-detail';
import { deskInstant } from '../lib/time';

/** What each kind of audited entity is called. */
const ENTITY_LABELS: Record<string, string> = {
  case: '办件', user: '用户', applicant: '申请人', credit: '信用记录', scan_document: '扫描件', verification_task: '核查任务',
  verification: '核查任务', calendar: '工作日历', store: '数据库', sync_targets: '对接系统', catalog: '证明事项清单', commitment: '告知承诺书',
  material: '材料', assistance: '协查', transfer: '内外网交换',
};

/** The action filter: every labelled action, and the groups (prefixes) before them. */
const ACTION_GROUPS: Record<string, string> = {
  'auth.': '登录与解锁', 'user.': '用户管理', 'applicant.': '申请人', 'case.': '办件', 'commitment.': '告知承诺', 'material.': '材料',
  'scan.': '扫描', 'credit.': '信用', 'verification.': '核查', 'field.': '外勤', 'sync.': '数据推送', 'transfer.': '内外网交换', 'hub.': '全厅中心',
  'audit.': '审计', 'calendar.': '工作日历', 'catalog.': '证明事项清单', 'store.': '数据库',
};
const ACTION_OPTIONS = [
  ...Object.entries(ACTION_GROUPS).map(([value, label]) => ({ value, label: `${label}（全部）` })),
  ...Object.entries(AUDIT_ACTION_LABELS).map(([value, label]) => ({ value, label })),
];

interface Filters {
  actorId?: number;
  action?: string;
  caseNo?: string;
  range?: [Dayjs | null, Dayjs | null] | null;
}

function entityText(r: AuditEntryView): string {
  if (!r.entityType) return '';
  const kind = ENTITY_LABELS[r.entityType] ?? '记录';
  if (r.entityLabel) return `${kind} ${r.entityLabel}`;
  return r.entityId ? `${kind}（编号 ${r.entityId}）` : kind;
}

export function AuditPage() {
  const [filters, setFilters] = useState<Filters>({});
  const [technical, setTechnical] = useState(false);
  const users = useCall('users.list', {});
  const list = useCall('audit.list', {
    limit: 200,
    ...(filters.actorId ? { actorId: filters.actorId } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.caseNo ? { caseNo: filters.caseNo } : {}),
    ...(filters.range?.[0] ? { fromDay: filters.range[0].format('YYYY-MM-DD') } : {}),
    ...(filters.range?.[1] ? { toDay: filters.range[1].format('YYYY-MM-DD') } : {}),
  });
  const rows: AuditEntryView[] = list.data ?? [];
  const load = list.reload;
  const [result, setResult] = useState<AuditVerifyResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);


  async function verify() {
    setBusy(true);
    setError(null);
    try {
      setResult(await call('audit.verify', {}));
      await load();
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '校验失败');
    } finally {
      setBusy(false);
    }
  }

  return (
    <Card
      title="审计日志"
      extra={
        <Button icon={<SafetyCertificateOutlined />} loading={busy} onClick={() => void verify()}>
          校验审计链
        </Button>
      }
    >
      {(error ?? list.error) && <Alert type="error" showIcon title={error ?? list.error} style={{ marginBottom: 12 }} />}
      {result && (
        <Alert
          data-testid="audit-verify-result"
          style={{ marginBottom: 12 }}
          showIcon
          type={result.ok ? 'success' : 'error'}
          title={
            result.ok
              ? `审计链完整：${result.checked} 条记录逐条核对无误${result.checkpoints.latestSeq !== null ? `，与 ${result.checkpoints.compared} 个签名检查点相符` : ''}`
              : result.firstBroken?.by === 'checkpoint'
                ? `审计链与签名检查点不符：${result.firstBroken.reason}`
                : `审计链在第 ${result.firstBroken?.seq} 条断开：${result.firstBroken?.reason}`
          }
        />
      )}
      {result && result.backwardTimes.count > 0 && (
        <Alert
          data-testid="audit-verify-backward"
          style={{ marginBottom: 12 }}
          showIcon
          type="warning"
          title={`有 ${result.backwardTimes.count} 条记录的时间早于前一条：系统时钟可能曾被调回，记录的先后以序号为准`}
          description={
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {result.backwardTimes.entries.slice(0, 10).map((b) => (
                <li key={b.seq}>
                  第 {b.seq} 条 {deskInstant(b.at)}，早于前一条的 {deskInstant(b.previousAt)}
                </li>
              ))}
              {result.backwardTimes.count > 10 && <li>……另有 {result.backwardTimes.count - 10} 条</li>}
            </ul>
          }
        />
      )}
      <Space wrap style={{ marginBottom: 12 }} data-testid="audit-filters">
        <Select
          allowClear
          placeholder="操作人"
          style={{ width: 140 }}
          value={filters.actorId}
          options={(users.data ?? []).map((u) => ({ value: u.id, label: u.displayName }))}
          onChange={(actorId?: number) => setFilters((f) => ({ ...f, actorId }))}
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder="操作类别"
          style={{ width: 220 }}
          value={filters.action}
          options={ACTION_OPTIONS}
          onChange={(action?: string) => setFilters((f) => ({ ...f, action }))}
        />
        <Input.Search allowClear placeholder="办件编号" style={{ width: 200 }} onSearch={(v) => setFilters((f) => ({ ...f, caseNo: v.trim() || undefined }))} />
        <DatePicker.RangePicker value={filters.range ?? null} onChange={(range) => setFilters((f) => ({ ...f, range }))} />
        <Space size={4}>
          <Switch size="small" checked={technical} onChange={setTechnical} aria-label="显示技术详情" />
          <Typography.Text type="secondary">技术详情</Typography.Text>
        </Space>
      </Space>
      <Table<AuditEntryView>
        rowKey="seq"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: '序号', dataIndex: 'seq', width: 64 },
          { title: '时间', dataIndex: 'at', width: 170, render: (v: string) => deskInstant(v) },
          { title: '操作人', dataIndex: 'actor', width: 90, render: (_, r) => <span title={r.actor}>{r.actorName ?? r.actor}</span> },
          {
            title: '操作',
            dataIndex: 'action',
            width: 160,
            render: (a: string) => (
              <span>
                {auditActionLabel(a)}
                {technical && (
                  <Typography.Text type="secondary" style={{ fontSize: 11, marginLeft: 4 }} data-technical>
                    {a}
                  </Typography.Text>
                )}
              </span>
            ),
          },
          { title: '对象', key: 'entity', width: 310, ellipsis: true, render: (_, r) => entityText(r) },
          {
            title: '详情',
            dataIndex: 'detail',
            ellipsis: true,
            render: (v: string) => {
              const text = formatAuditDetail(v, technical);
              return (
                <Typography.Text type="secondary" style={{ fontSize: 12 }} title={text}>
                  {text}
                </Typography.Text>
              );
            },
          },
          ...(technical ? [{ title: '哈希', dataIndex: 'hash', width: 110, render: (v: string) => <Typography.Text code>{v.slice(0, 10)}</Typography.Text> }] : []),
        ]}
      />
    </Card>
  );
}
