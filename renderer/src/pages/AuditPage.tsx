import { useState } from 'react';
import { Alert, Button, Card, Table, Typography } from 'antd';
import { SafetyCertificateOutlined } from '@ant-design/icons';
import type { AuditEntryView, AuditVerifyResult } from '../../../shared/ipc/contract';
import { call, DeskCallError } from '../ipc/client';
import { useCall } from '../ipc/use-call';
import { auditActionLabel } from '../../../shared/domain/audit-actions';
import { deskInstant } from '../lib/time';

export function AuditPage() {
  const list = useCall('audit.list', { limit: 200 });
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
          title={result.ok ? `审计链完整：${result.checked} 条记录逐条核对无误` : `审计链在第 ${result.firstBroken?.seq} 条断开：${result.firstBroken?.reason}`}
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
      <Table<AuditEntryView>
        rowKey="seq"
        size="small"
        dataSource={rows}
        pagination={{ pageSize: 20 }}
        columns={[
          { title: '序号', dataIndex: 'seq', width: 80 },
          { title: '时间', dataIndex: 'at', width: 180, render: (v: string) => deskInstant(v) },
          { title: '操作人', dataIndex: 'actor', width: 160 },
          {
            title: '操作',
            dataIndex: 'action',
            width: 200,
            render: (a: string) => (
              <span title={a}>
                {auditActionLabel(a)} <Typography.Text type="secondary" style={{ fontSize: 11 }}>{a}</Typography.Text>
              </span>
            ),
          },
          { title: '对象', key: 'entity', width: 140, render: (_, r) => (r.entityType ? `${r.entityType}#${r.entityId}` : '') },
          { title: '详情', dataIndex: 'detail', ellipsis: true, render: (v: string) => <Typography.Text type="secondary" style={{ fontSize: 12 }}>{v}</Typography.Text> },
          { title: '哈希', dataIndex: 'hash', width: 120, render: (v: string) => <Typography.Text code>{v.slice(0, 10)}</Typography.Text> },
        ]}
      />
    </Card>
  );
}
