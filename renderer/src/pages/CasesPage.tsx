import { useEffect, useState } from 'react';
import { Button, Card, Checkbox, Input, Select, Space, Table, Tag, Tooltip } from 'antd';
import type { MethodOutput } from '../../../shared/ipc/contract';
import { CASE_STATUSES, CASE_STATUS_LABELS, type CaseStatus } from '../../../shared/rules/case-states';
import { call } from '../ipc/client';
import { CASE_STATUS_COLORS } from '../lib/case-status';
import { useDesk } from '../state/desk-store';
import { deskDay, deskTime } from '../lib/time';
import { HallCaseLookup } from './hub/HallCaseLookup';
import { HallCaseList } from './hub/HallCaseList';

type Row = MethodOutput<'intake.list'>[number];


export function CasesPage() {
  const openCase = useDesk((s) => s.openCase);
  const [rows, setRows] = useState<Row[]>([]);
  const [status, setStatus] = useState<CaseStatus | undefined>();
  const [query, setQuery] = useState('');
  const [lateOnly, setLateOnly] = useState(false);

  useEffect(() => {
    void call('intake.list', { status, query: query || undefined, lateOnly: lateOnly || undefined, limit: 100 }).then(setRows);
  }, [status, query, lateOnly]);

  return (
    <>
      <Card
        title="办件"
        extra={
          <Space>
            <Checkbox data-testid="late-only" checked={lateOnly} onChange={(e) => setLateOnly(e.target.checked)}>
              只看已超期
            </Checkbox>
            <Select allowClear placeholder="状态" style={{ width: 140 }} value={status} onChange={setStatus} options={CASE_STATUSES.map((s) => ({ value: s, label: CASE_STATUS_LABELS[s] }))} />
            <Input.Search allowClear placeholder="办件编号或申请人" style={{ width: 240 }} onSearch={setQuery} />
          </Space>
        }
      >
        <Table<Row>
          rowKey="id"
          size="middle"
          className="desk-nowrap-head"
          dataSource={rows}
          pagination={{ pageSize: 15 }}
          columns={[
            { title: '办件编号', dataIndex: 'caseNo', className: 'desk-nowrap' },
            { title: '申请人', dataIndex: 'applicantName', className: 'desk-nowrap' },
            {
              title: '事项',
              dataIndex: 'items',
              // A bundle by its name (its items on hover); other cases by their items, in full.
              render: (v: string, r) => (r.bundleName ? <span title={v}>{r.bundleName}</span> : v),
            },
            { title: '状态', dataIndex: 'status', render: (s: CaseStatus) => <Tag color={CASE_STATUS_COLORS[s]}>{CASE_STATUS_LABELS[s]}</Tag> },
            { title: '办理时限', key: 'due', render: (_, r) => <DueTag row={r} /> },
            { title: '免证', dataIndex: 'avoided', render: (n: number) => `${n} 项` },
            { title: '协查逾期', dataIndex: 'overdueRequests', render: (n: number) => (n ? <Tag color="red">{n} 项逾期</Tag> : '—') },
            { title: '创建时间', dataIndex: 'createdAt', className: 'desk-nowrap', render: (v: string) => deskTime(v) },
            { title: '', key: 'open', render: (_, r) => <Button size="small" onClick={() => openCase(r.id)}>{r.status === 'draft' ? '继续办理' : '查看'}</Button> },
          ]}
        />
      </Card>
      <HallCaseLookup />
      <HallCaseList />
    </>
  );
}

/** The case's own time limit (承诺时限, working days on the hall calendar): late, due today, or working days left. */
function DueTag({ row }: { row: Row }) {
  if (row.late) {
    return (
      <Tooltip title={`应于 ${deskDay(row.dueAt)} 前办结`}>
        <Tag color="red" data-testid="due-late">
          已超期
        </Tag>
      </Tooltip>
    );
  }
  if (row.workingDaysLeft === null) return <>—</>;
  const text = row.workingDaysLeft === 0 ? '今日到期' : `剩${row.workingDaysLeft}个工作日`;
  return (
    <Tooltip title={`应于 ${deskDay(row.dueAt)} 前办结`}>
      <Tag color={row.workingDaysLeft <= 2 ? 'orange' : 'blue'} data-testid="due-left">
        {text}
      </Tag>
    </Tooltip>
  );
}
