import { App, Badge, Button, Card, Descriptions, Space, Typography } from 'antd';
import { CopyOutlined } from '@ant-design/icons';
import { deskTime } from '../../lib/time';
import { useHubStatusPolling } from './hub-status-store';
import { linkWords } from './hub-words';
import { waitWords } from '../sync/wait-words';

/**
 * The sync screen's hub panel: the link (connected / unreachable since … / refused with the
 * hub's reason), last exchange, backlog, 全厅数据更新于, both fingerprints, and this desk's own
 * card to hand to the supervisor for enrolment.
 */
export function HubStatusPanel() {
  const { message } = App.useApp();
  const { hubs, desk, serverNow } = useHubStatusPolling(2000);
  if (hubs.length === 0) return null;
  const nowMs = serverNow ? Date.parse(serverNow) : Date.now();

  async function copyCard() {
    if (!desk) return;
    try {
      await navigator.clipboard.writeText(desk.card);
      message.success('已复制本机身份卡，请交给管理员在“全厅中心”页面登记');
    } catch {
      message.error('无法写入剪贴板，请手动选择复制');
    }
  }

  return (
    <>
      {hubs.map((h) => {
        const w = linkWords(h, nowMs);
        const lag = h.feedLast !== null ? Math.max(0, h.feedLast - h.feedCursor) : null;
        return (
          <Card key={h.targetId} size="small" title={`${h.name}（全厅数据交换）`} style={{ marginBottom: 16 }} data-testid="hub-status">
            <Descriptions size="small" column={{ xs: 1, lg: 2, xxl: 3 }}>
              <Descriptions.Item label="连接状态">
                <Badge status={w.color} text={<span data-testid="hub-state">{w.text}</span>} />
              </Descriptions.Item>
              <Descriptions.Item label="最近交换">{deskTime(h.lastExchangeAt)}</Descriptions.Item>
              <Descriptions.Item label="全厅数据更新于">
                <Typography.Text data-testid="hub-feed-age" type={h.state === 'connected' ? undefined : 'warning'}>
                  {h.feedUpdatedAt ? `${deskTime(h.feedUpdatedAt)}（${waitWords(h.feedUpdatedAt, nowMs)}前）` : '尚未取得全厅数据'}
                  {lag ? `，尚有 ${lag} 条未取` : ''}
                </Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label="待推送">
                <span data-testid="hub-backlog">
                  {h.backlog} 件{h.parked ? `，退回 ${h.parked} 件` : ''}
                  {h.oldestWaitingAt ? `（最早一条已等待 ${waitWords(h.oldestWaitingAt, nowMs)}）` : ''}
                </span>
              </Descriptions.Item>
              <Descriptions.Item label="全厅中心指纹">
                <Typography.Text style={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }}>{h.hubFingerprint}</Typography.Text>
              </Descriptions.Item>
              <Descriptions.Item label="本机指纹">
                {desk ? (
                  <Space size={4}>
                    <Typography.Text strong style={{ fontFamily: 'monospace', whiteSpace: 'nowrap' }} data-testid="own-fingerprint">
                      {desk.fingerprint}
                    </Typography.Text>
                    <Button size="small" type="link" icon={<CopyOutlined />} onClick={() => void copyCard()}>
                      复制本机身份卡
                    </Button>
                  </Space>
                ) : (
                  <Typography.Text type="secondary">本机尚未生成密钥（内外网交换 → 区域与配对）</Typography.Text>
                )}
              </Descriptions.Item>
            </Descriptions>
          </Card>
        );
      })}
    </>
  );
}
