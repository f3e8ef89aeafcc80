import { Alert, Card, Empty, List, Space, Table, Tag, Typography } from 'antd';
import { OUTBOX_STATE_LABELS, type OutboxState } from '../../../../shared/ipc/methods/sync';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../../shared/rules/case-states';
import { OutcomeTable } from './ExportImport';
import { formatBytes, formatTime, type History, type Received, type Waiting } from './use-transfer';

/** 往来记录: bundles both ways with their state, the refused ones, the gaps. */
export function BundleHistory({ history }: { history: History }) {
  return (
    <Space direction="vertical" size="middle" style={{ width: '100%' }} data-testid="transfer-history">
      {history.gaps.length > 0 && <Alert type="warning" showIcon message={`缺少对端第 ${history.gaps.join('、')} 号交换包。`} />}
      <Card title="发出的交换包" size="small">
        <Table
          size="small"
          rowKey="bundleId"
          dataSource={history.out}
          pagination={{ pageSize: 10 }}
          columns={[
            { title: '序号', dataIndex: 'seq', width: 60 },
            { title: '导出时间', dataIndex: 'createdAt', render: formatTime },
            { title: '内容', render: (_: unknown, b: History['out'][number]) => `${b.entries} 条记录、${b.files} 个文件、${b.acks} 条回执，${formatBytes(b.bytes)}` },
            { title: '位置', dataIndex: 'folder', ellipsis: true },
            { title: '状态', dataIndex: 'confirmedAt', render: (c: string | null) => (c ? <Tag color="green">对端已导入</Tag> : <Tag color="gold">等待对端导入</Tag>) },
          ]}
        />
      </Card>
      <Card title="收到的交换包" size="small">
        <Table
          size="small"
          rowKey="bundleId"
          dataSource={history.in}
          pagination={{ pageSize: 10 }}
          columns={[
            { title: '序号', dataIndex: 'seq', width: 60 },
            { title: '导入时间', dataIndex: 'appliedAt', render: formatTime },
            { title: '对端导出时间', dataIndex: 'createdAt', render: formatTime },
            { title: '内容', render: (_: unknown, b: History['in'][number]) => `新增 ${b.entriesNew} 条、已有 ${b.entriesKnown} 条、${b.files} 个文件、${b.acks} 条回执` },
            { title: '状态', render: () => <Tag color="green">已导入</Tag> },
          ]}
        />
      </Card>
      {history.refused.length > 0 && (
        <Card title="本次运行中被拒绝的交换包（未写入任何数据）" size="small">
          <OutcomeTable outcomes={history.refused} testId="refused-list" />
        </Card>
      )}
    </Space>
  );
}

const WAIT_STATE: Record<Waiting[number]['state'], { color: string; text: string }> = {
  exported: { color: 'gold', text: '已导出，待对端确认收到' },
  received: { color: 'blue', text: '对端已收到，待目标系统回执' },
  parked: { color: 'red', text: '目标系统退回' },
  acknowledged: { color: 'green', text: '已送达' },
};

/** 待确认: entries carried across and not yet acknowledged. */
export function WaitingList({ items }: { items: Waiting }) {
  if (!items.length) return <Empty description="没有等待对端确认的记录" />;
  return (
    <Table
      data-testid="transfer-waiting"
      size="small"
      rowKey="entryId"
      dataSource={items}
      columns={[
        { title: '办件编号', dataIndex: 'caseNo' },
        { title: '申请人', dataIndex: 'applicantName' },
        { title: '目标系统', dataIndex: 'targetName' },
        { title: '状态', dataIndex: 'state', render: (s: Waiting[number]['state']) => <Tag color={WAIT_STATE[s].color}>{WAIT_STATE[s].text}</Tag> },
        { title: '已导出次数', dataIndex: 'exports', width: 100 },
        { title: '最近交换包', dataIndex: 'lastSeq', width: 100, render: (s: number) => `第 ${s} 号` },
      ]}
    />
  );
}

/** 转来的办件: cases that came from the peer desk, with their pages, commitments and the target's number. */
export function ReceivedCases({ cases }: { cases: Received }) {
  if (!cases.length) return <Empty description="还没有从对端转来的办件" />;
  return (
    <List
      data-testid="received-cases"
      dataSource={cases}
      renderItem={(c) => (
        <List.Item key={c.caseId} data-testid="received-case">
          <Card size="small" style={{ width: '100%' }} title={<span data-testid="received-case-no">{c.originCaseNo}</span>} extra={`${c.applicantName} · 收到于 ${formatTime(c.receivedAt)}`}>
            <div data-testid="received-status">
              办件状态：{CASE_STATUS_LABELS[c.status as CaseStatus] ?? c.status}
              {c.statusReason && (
                <Typography.Text type="danger">
                  （{c.statusReason}）
                </Typography.Text>
              )}
            </div>
            <div>办理事项：{c.items.join('、') || '—'}</div>
            <div data-testid="received-pages">
              随附文件 {c.pages.length} 个：
              {c.pages.map((p) => (
                <Tag key={p.sha256}>
                  {p.name}（{formatBytes(p.size)}）
                </Tag>
              ))}
            </div>
            <div data-testid="received-commitments">
              告知承诺：
              {c.commitments.length
                ? c.commitments.map((m) => (
                    <Typography.Text key={m.certificateCode} code>
                      {m.certificateCode} 摘要 {m.digest.slice(0, 16)}…
                    </Typography.Text>
                  ))
                : '无'}
            </div>
            <div>
              {c.targetName ?? '目标系统'}：{c.entryState ? OUTBOX_STATE_LABELS[c.entryState as OutboxState] ?? c.entryState : '—'}
              {c.targetCaseNo && (
                <>
                  ，目标系统编号 <b data-testid="received-target-no">{c.targetCaseNo}</b>
                </>
              )}
            </div>
          </Card>
        </List.Item>
      )}
    />
  );
}
