import { Space, Tag, Typography } from 'antd';
import { useDesk } from '../../state/desk-store';
import { shortTime } from '../../lib/time';
import { useHubStatusPolling } from './hub-status-store';
import { linkWords } from './hub-words';

const TAG_COLORS = { success: 'green', warning: 'orange', error: 'red', default: 'default' } as const;

/** The home page's line beside the sync status: the hub's link, last exchange, backlog and 全厅数据更新于. */
export function HubStatusLine() {
  const go = useDesk((s) => s.go);
  const { hubs, loaded, serverNow } = useHubStatusPolling(5000);
  if (!loaded) return <Tag>正在读取…</Tag>;
  if (hubs.length === 0) return <Tag data-testid="home-hub">未接入全厅中心（本机独立办理）</Tag>;
  const nowMs = serverNow ? Date.parse(serverNow) : Date.now();
  return (
    <Space orientation="vertical" size={2} data-testid="home-hub">
      {hubs.map((h) => {
        const w = linkWords(h, nowMs);
        return (
          <Space key={h.targetId} size={4} wrap>
            <Tag color={TAG_COLORS[w.color]} data-testid="hub-state" style={{ whiteSpace: 'normal' }}>
              {w.text}
            </Tag>
            <Typography.Text type="secondary">最近交换 {shortTime(h.lastExchangeAt, nowMs)}</Typography.Text>
            <Typography.Text type="secondary">· 待推送 {h.backlog + h.parked} 件</Typography.Text>
            <Typography.Text data-testid="hub-feed-age" type={h.state === 'connected' ? 'secondary' : 'warning'}>
              · 全厅数据更新于 {h.feedUpdatedAt ? shortTime(h.feedUpdatedAt, nowMs) : '（尚未取得）'}
            </Typography.Text>
            <a onClick={() => go('sync')}>查看</a>
          </Space>
        );
      })}
    </Space>
  );
}
