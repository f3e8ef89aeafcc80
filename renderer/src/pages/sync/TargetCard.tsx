import { Badge, Button, Card, Col, Row, Space, Statistic, Tag, Typography } from 'antd';
import { SyncOutlined } from '@ant-design/icons';
import { CONNECTOR_KIND_LABELS, type ConnectorKind, type SyncTargetStatus } from '../../../../shared/ipc/methods/sync';
import { shortTime } from '../../lib/time';
import { waitWords } from './wait-words';

const KIND_COLORS: Record<ConnectorKind, string> = { http: 'blue', manual: 'orange', data_sharing: 'cyan', hub: 'purple' };

function Reachability({ t }: { t: SyncTargetStatus }) {
  if (t.kind === 'manual') return <Badge status="default" text="无接口，由窗口人员补录" />;
  if (t.reachable === null) return <Badge status="processing" text="尚未探测" />;
  const probed = t.lastProbeAt ? `（探测于 ${shortTime(t.lastProbeAt)}）` : '';
  return t.reachable ? (
    <Badge status="success" text={<span data-testid="reachable">当前可连接{probed}</span>} />
  ) : (
    <Badge status="error" text={<span data-testid="reachable">当前无法连接{probed}</span>} />
  );
}

/** One target system: reachable now, queue, oldest waiting entry, refusals, last error, and 立即同步. */
export function TargetCard({ t, nowMs, kicking, onKick }: { t: SyncTargetStatus; nowMs: number; kicking: boolean; onKick: () => void }) {
  return (
    <Card
      size="small"
      data-testid={`target-${t.id}`}
      title={
        <Space>
          <span>{t.name}</span>
          <Tag color={KIND_COLORS[t.kind]}>{CONNECTOR_KIND_LABELS[t.kind]}</Tag>
        </Space>
      }
      extra={
        t.kind !== 'manual' && (
          <Button size="small" icon={<SyncOutlined spin={kicking} />} onClick={onKick} disabled={kicking}>
            立即同步
          </Button>
        )
      }
    >
      <div style={{ marginBottom: 12 }}>
        <Reachability t={t} />
      </div>
      <Row gutter={12}>
        <Col span={8}>
          <Statistic title="待同步" value={t.queueLength} suffix="件" data-testid="queue-length" />
        </Col>
        <Col span={8}>
          <Statistic title="已退回" value={t.parked} suffix="件" styles={{ content: { color: t.parked ? '#cf1322' : undefined } }} data-testid="parked-count" />
        </Col>
        <Col span={8}>
          <Statistic title="结果未知" value={t.unknown} suffix="件" styles={{ content: { color: t.unknown ? '#722ed1' : undefined } }} data-testid="unknown-count" />
        </Col>
      </Row>
      <div style={{ marginTop: 12 }} data-testid="oldest-waiting">
        {t.oldestWaitingAt ? (
          <Typography.Text type={nowMs - Date.parse(t.oldestWaitingAt) > 3_600_000 ? 'warning' : undefined}>
            最早一条已等待 {waitWords(t.oldestWaitingAt, nowMs)}
          </Typography.Text>
        ) : (
          <Typography.Text type="secondary">没有等待中的办件</Typography.Text>
        )}
      </div>
      {t.lastError && (
        <Typography.Paragraph type="danger" style={{ margin: '8px 0 0' }} ellipsis={{ rows: 2, tooltip: t.lastError }} data-testid="last-error">
          最近错误：{t.lastError}
        </Typography.Paragraph>
      )}
    </Card>
  );
}
