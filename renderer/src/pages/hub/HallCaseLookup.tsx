import { useState } from 'react';
import { Alert, Card, Input, Table, Tag, Typography } from 'antd';
import type { HallCaseView } from '../../../../shared/ipc/methods/hall-cases';
import { call } from '../../ipc/client';
import { callErrorText } from '../../ipc/use-call';
import { useDesk } from '../../state/desk-store';
import { deskTime } from '../../lib/time';
import { useHubStatusPolling } from './hub-status-store';

/**
 * Cases across windows (docs/hub.md): any case of the hall by its number, read-only, with the
 * window that owns it — for an applicant asking at another window where their case is. Shown only
 * on a desk with a hub; asked of the hub at each search.
 */
export function HallCaseLookup() {
  const role = useDesk((s) => s.session?.user.role);
  const { hubs, loaded } = useHubStatusPolling(15000);
  const [rows, setRows] = useState<HallCaseView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (!loaded || hubs.length === 0 || role === 'assistant') return null;

  const search = async (caseNo: string) => {
    const q = caseNo.trim();
    if (!q) return;
    setBusy(true);
    setError(null);
    try {
      setRows((await call('hub.lookupCases', { caseNo: q })).cases);
    } catch (e) {
      setRows(null);
      setError(callErrorText(e, '查询全厅办件失败'));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="全厅办件查询（只读）" style={{ marginTop: 16 }} data-testid="hall-case-lookup">
      <Input.Search data-testid="hall-case-no" placeholder="输入办件编号，查询本厅任一窗口的办件" enterButton="查询" loading={busy} style={{ maxWidth: 520 }} onSearch={(v) => void search(v)} />
      {error && <Alert style={{ marginTop: 12 }} type="warning" showIcon title={error} />}
      {rows && rows.length === 0 && <Typography.Paragraph style={{ marginTop: 12 }}>全厅中心没有该编号的办件。</Typography.Paragraph>}
      {rows && rows.length > 0 && (
        <Table<HallCaseView>
          style={{ marginTop: 12 }}
          rowKey={(r) => `${r.window}/${r.caseNo}`}
          size="small"
          pagination={false}
          dataSource={rows}
          columns={[
            { title: '办件编号', dataIndex: 'caseNo' },
            { title: '办理窗口', key: 'window', width: 100, render: (_, r) => (r.own ? <Tag color="blue">本窗口</Tag> : <Tag color="purple">{r.window}</Tag>) },
            { title: '申请人', key: 'applicant', render: (_, r) => `${r.applicantName}（${r.applicantIdMasked}）` },
            { title: '事项', key: 'items', render: (_, r) => r.items.join('、') },
            { title: '状态', dataIndex: 'statusLabel', width: 72 },
            { title: '证明', key: 'certs', render: (_, r) => r.certificates.map((c) => `${c.name}（${c.methodLabel}）`).join('；') },
            { title: '全厅中心更新于', dataIndex: 'updatedAt', render: (v: string) => deskTime(v) },
          ]}
        />
      )}
    </Card>
  );
}
