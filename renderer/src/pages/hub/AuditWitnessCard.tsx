import { useState } from 'react';
import { App, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { ReloadOutlined, SafetyCertificateOutlined } from '@ant-design/icons';
import type { WitnessDeskView, WitnessVerdictView } from '../../../../shared/ipc/methods/audit-witness';
import { call } from '../../ipc/client';
import { callErrorText, useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { deskTime } from '../../lib/time';

const VERDICT: Record<WitnessVerdictView['verdict'], { color: string; label: string }> = {
  consistent: { color: 'green', label: '一致' },
  tampered: { color: 'red', label: '发现篡改' },
  bad_signature: { color: 'red', label: '签名无效' },
  missing: { color: 'orange', label: '缺少记录' },
};

/**
 * 审计见证 (supervisors, on 全厅中心): every desk of the hall with what the hub witnessed of its
 * audit log — entries, last signed checkpoint, last sent — and 核验, which verifies that desk's chain
 * at the hub end to end against its signed checkpoints and says what it found in Chinese
 * (docs/audit-checkpoints.md, "Witnessed by the hub"). Each 核验 is audited here and at the hub.
 */
export function AuditWitnessCard() {
  const { message } = App.useApp();
  const list = useCall('hub.audit.desks', {});
  const [results, setResults] = useState<Record<string, WitnessVerdictView>>({});
  const [verifying, setVerifying] = useState<string | null>(null);
  const { reload } = list;

  async function verify(d: WitnessDeskView) {
    setVerifying(d.deskId);
    try {
      const v = await call('hub.audit.verify', { deskId: d.deskId });
      setResults((r) => ({ ...r, [d.deskId]: v }));
      await reload();
    } catch (e) {
      message.error(callErrorText(e, '核验失败'));
    } finally {
      setVerifying(null);
    }
  }

  return (
    <Card
      style={{ marginTop: 16 }}
      data-testid="audit-witness"
      title={
        <Space>
          审计见证
          <Typography.Text type="secondary" style={{ fontWeight: 400, fontSize: 13 }}>
            各工作台把审计日志和签名检查点送交全厅中心见证；核验即在全厅中心逐条核对该工作台的审计链与其签名检查点。
          </Typography.Text>
        </Space>
      }
      extra={
        <Button icon={<ReloadOutlined />} onClick={() => void reload()}>
          刷新
        </Button>
      }
    >
      {list.error && <LoadError error={list.error} retry={() => void reload()} />}
      <Table<WitnessDeskView>
        rowKey="deskId"
        size="small"
        loading={!list.data && !list.error}
        dataSource={list.data?.desks ?? []}
        pagination={false}
        onRow={(d) => ({ 'data-testid': `witness-desk-${d.deskId}` }) as object}
        columns={[
          {
            title: '工作台',
            key: 'name',
            width: 190,
            render: (_, d) => (
              <Space orientation="vertical" size={0}>
                <Space size={4}>
                  <Typography.Text strong>{d.name}</Typography.Text>
                  {d.self && <Tag color="blue">本机</Tag>}
                  {d.removed && <Tag color="red">已移除</Tag>}
                </Space>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {d.deskId}
                </Typography.Text>
              </Space>
            ),
          },
          {
            title: '已见证',
            key: 'entries',
            width: 110,
            render: (_, d) => (d.entries ? <span data-testid="witness-entries">{d.entries} 条</span> : <Typography.Text type="secondary">尚未送交</Typography.Text>),
          },
          {
            title: '最近检查点',
            key: 'checkpoint',
            width: 170,
            render: (_, d) =>
              d.lastCheckpoint ? (
                <Space orientation="vertical" size={0} data-testid="witness-checkpoint">
                  <span>记到第 {d.lastCheckpoint.seq} 条</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    签于 {deskTime(d.lastCheckpoint.signedAt)}
                  </Typography.Text>
                </Space>
              ) : (
                <Typography.Text type="secondary">—</Typography.Text>
              ),
          },
          { title: '最近送交', key: 'sent', width: 140, render: (_, d) => <span data-testid="witness-sent">{deskTime(d.lastSentAt)}</span> },
          {
            title: '核验结果',
            key: 'result',
            render: (_, d) => {
              const v = results[d.deskId];
              if (!v) return d.findings ? <Tag color="red">全厅中心已发现不一致，请核验</Tag> : <Typography.Text type="secondary">未核验</Typography.Text>;
              const w = VERDICT[v.verdict];
              return (
                <Space orientation="vertical" size={0} data-testid="witness-result">
                  <Tag color={w.color} data-testid="witness-verdict">
                    {w.label}
                  </Tag>
                  <Typography.Text type={v.verdict === 'consistent' ? undefined : 'danger'} style={{ fontSize: 12 }} data-testid="witness-message">
                    {v.message}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {v.foundAt ? `全厅中心发现于 ${deskTime(v.foundAt)} · ` : ''}核验于 {deskTime(v.verifiedAt)}
                  </Typography.Text>
                </Space>
              );
            },
          },
          {
            title: '操作',
            key: 'act',
            width: 90,
            render: (_, d) => (
              <Button size="small" icon={<SafetyCertificateOutlined />} loading={verifying === d.deskId} onClick={() => void verify(d)} data-testid="witness-verify">
                核验
              </Button>
            ),
          },
        ]}
      />
    </Card>
  );
}
