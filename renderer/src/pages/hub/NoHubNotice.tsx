import type { ReactNode } from 'react';
import { Alert, Card, Spin } from 'antd';
import { useHubStatusPolling } from './hub-status-store';

/**
 * A hall screen (全厅中心, 全厅数据冲突) on a desk that has no hall hub: a normal state — the desk works
 * on its own, offline — so it is said as information, not as an error, with what the screen is for and
 * who connects the desk. The screen's own content (and its hub calls) appears only once a hub is set.
 */
export function WithHub({ title, purpose, children }: { title: string; purpose: string; children: ReactNode }) {
  const { hubs, loaded } = useHubStatusPolling(15000);
  if (!loaded) {
    return (
      <Card title={title}>
        <Spin />
      </Card>
    );
  }
  if (hubs.length > 0) return <>{children}</>;
  return (
    <Card title={title} data-testid="no-hub">
      <Alert
        type="info"
        showIcon
        title="本工作台尚未接入全厅中心，正在本机独立办理"
        description={
          <>
            <p style={{ margin: '4px 0' }}>{purpose}</p>
            <p style={{ margin: '4px 0' }}>
              接入由技术人员在本机配置全厅中心的地址和身份卡，并在全厅中心登记本工作台后完成（见部署说明）。未接入时，受理、核查和内外网交换照常办理，办件保存在本机。
            </p>
          </>
        }
      />
    </Card>
  );
}
