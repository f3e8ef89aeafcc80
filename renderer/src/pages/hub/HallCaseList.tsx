import { useState } from 'react';
import { Alert, Button, Card, DatePicker, Input, Select, Space, Table, Tag, Typography } from 'antd';
import type { Dayjs } from 'dayjs';
import type { HallCaseView } from '../../../../shared/ipc/methods/hall-cases';
import { CASE_STATUSES, CASE_STATUS_LABELS } from '../../../../shared/rules/case-states';
import { call } from '../../ipc/client';
import { callErrorText } from '../../ipc/use-call';
import { useDesk } from '../../state/desk-store';
import { deskTime } from '../../lib/time';
import { useHubStatusPolling } from './hub-status-store';

interface Filters {
  window?: string;
  status?: (typeof CASE_STATUSES)[number];
  range?: [Dayjs | null, Dayjs | null] | null;
  item?: string;
}

const PAGE_SIZE = 20;

/**
 * The supervisor's hall-wide case list (docs/hub.md, "Records, owners and offline"): every window's
 * cases as the hub holds them, newest first, filtered by window, status, accepted dates and item,
 * paged by the hub's cursor; read-only, the owning window named. Each page is asked of the hub (and
 * audited on this desk); with the hub unreachable the refusal is shown. Clerks have the single-case
 * lookup only (HallCaseLookup).
 */
export function HallCaseList() {
  const role = useDesk((s) => s.session?.user.role);
  const { hubs, loaded } = useHubStatusPolling(15000);
  const [filters, setFilters] = useState<Filters>({});
  const [rows, setRows] = useState<HallCaseView[] | null>(null);
  const [windows, setWindows] = useState<{ deskId: string; name: string }[]>([]);
  /** The cursors of the pages shown so far: [undefined (first), next of page 1, …]; the last is the current page's. */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [next, setNext] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!loaded || hubs.length === 0 || role !== 'supervisor') return null;

  const load = async (after: string | undefined, stack: (string | undefined)[]) => {
    setBusy(true);
    setError(null);
    try {
      const r = await call('hub.listHallCases', {
        pageSize: PAGE_SIZE,
        ...(filters.window ? { window: filters.window } : {}),
        ...(filters.status ? { status: filters.status } : {}),
        ...(filters.range?.[0] ? { acceptedFrom: filters.range[0].format('YYYY-MM-DD') } : {}),
        ...(filters.range?.[1] ? { acceptedTo: filters.range[1].format('YYYY-MM-DD') } : {}),
        ...(filters.item?.trim() ? { item: filters.item.trim() } : {}),
        ...(after ? { after } : {}),
      });
      setRows(r.cases);
      setNext(r.next);
      setCursors(stack);
      if (r.windows) setWindows(r.windows);
    } catch (e) {
      setRows(null);
      setError(callErrorText(e, '取得全厅办件列表失败'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="全厅办件列表（只读）" style={{ marginTop: 16 }} data-testid="hall-case-list">
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          data-testid="hall-list-window"
          allowClear
          placeholder="办理窗口"
          style={{ width: 160 }}
          value={filters.window}
          onChange={(window?: string) => setFilters((f) => ({ ...f, window }))}
          options={windows.map((w) => ({ value: w.deskId, label: w.name }))}
        />
        <Select
          data-testid="hall-list-status"
          allowClear
          placeholder="状态"
          style={{ width: 120 }}
          value={filters.status}
          onChange={(status?: Filters['status']) => setFilters((f) => ({ ...f, status }))}
          options={CASE_STATUSES.map((s) => ({ value: s, label: CASE_STATUS_LABELS[s] }))}
        />
        <DatePicker.RangePicker
          data-testid="hall-list-range"
          placeholder={['受理日期起', '受理日期止']}
          value={filters.range ?? null}
          onChange={(range) => setFilters((f) => ({ ...f, range }))}
        />
        <Input data-testid="hall-list-item" placeholder="事项名称" style={{ width: 180 }} value={filters.item} onChange={(e) => setFilters((f) => ({ ...f, item: e.target.value }))} />
        <Button data-testid="hall-list-search" type="primary" loading={busy} onClick={() => void load(undefined, [undefined])}>
          查询全厅
        </Button>
      </Space>
      {error && <Alert style={{ marginBottom: 12 }} type="warning" showIcon title={error} data-testid="hall-list-error" />}
      {rows && (
        <>
          <Table<HallCaseView>
            data-testid="hall-list-table"
            rowKey={(r) => `${r.window}/${r.caseNo}`}
            size="small"
            pagination={false}
            dataSource={rows}
            locale={{ emptyText: '没有符合条件的办件。' }}
            columns={[
              { title: '办件编号', dataIndex: 'caseNo' },
              { title: '办理窗口', key: 'window', width: 110, render: (_, r) => (r.own ? <Tag color="blue">本窗口</Tag> : <Tag color="purple">{r.window}</Tag>) },
              { title: '申请人', key: 'applicant', render: (_, r) => `${r.applicantName}（${r.applicantIdMasked}）` },
              { title: '事项', key: 'items', render: (_, r) => r.items.join('、') },
              { title: '状态', dataIndex: 'statusLabel', width: 72 },
              { title: '受理时间', dataIndex: 'acceptedAt', render: (v: string | null) => (v ? deskTime(v) : '—') },
              { title: '全厅中心更新于', dataIndex: 'updatedAt', render: (v: string) => deskTime(v) },
            ]}
          />
          <Space style={{ marginTop: 12 }}>
            <Button data-testid="hall-list-prev" disabled={busy || cursors.length <= 1} onClick={() => void load(cursors[cursors.length - 2], cursors.slice(0, -1))}>
              上一页
            </Button>
            <Typography.Text data-testid="hall-list-page">第 {cursors.length} 页</Typography.Text>
            <Button data-testid="hall-list-next" disabled={busy || !next} onClick={() => void load(next!, [...cursors, next!])}>
              下一页
            </Button>
          </Space>
        </>
      )}
    </Card>
  );
}
