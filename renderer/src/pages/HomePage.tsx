import { useEffect, useState } from 'react';
import { Alert, Card, Col, Descriptions, Row, Statistic, Typography } from 'antd';
import type { MethodOutput } from '../../../shared/ipc/contract';
import { METHOD_LABELS } from '../../../shared/domain/catalog';
import { ROLE_LABELS } from '../../../shared/domain/roles';
import { call, DeskCallError } from '../ipc/client';
import { transportKind } from '../ipc/client';
import { METHOD_COLORS } from '../components/MethodTag';
import { PieChart } from '../components/PieChart';
import { useDesk } from '../state/desk-store';
import { ClockWarningBanner } from './sync/ClockWarningBanner';
import { SyncSummary } from './sync/SyncSummary';
import { HubStatusLine } from './hub/HubStatusLine';
import { deskToday } from '../lib/time';
import { chinaGreeting } from '../../../shared/rules/china-time';
import { CalendarWarning } from './calendar/CalendarWarning';
import { TodayWork } from './home/TodayWork';

type Summary = MethodOutput<'home.summary'>;

export function HomePage() {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [error, setError] = useState<string | null>(null);
  const status = useDesk((s) => s.status);
  const go = useDesk((s) => s.go);

  useEffect(() => {
    call('home.summary', {}).then(setSummary, (e) => setError(e instanceof DeskCallError ? e.message : String(e)));
  }, []);

  if (error) return <Alert type="error" showIcon title={error} />;
  if (!summary) return null;
  // The desk's clock in the hall's time (China time), not the browser's clock and zone.
  const now = new Date(summary.now);
  const greeting = chinaGreeting(now);
  const avoidable = summary.certificatesByMethod.filter((m) => m.method !== 'retained').reduce((a, m) => a + m.count, 0);

  return (
    <div data-testid="home-page">
      <ClockWarningBanner />
      <CalendarWarning />
      <Typography.Title level={3} style={{ marginTop: 0 }}>
        {greeting}，{summary.user.displayName}
      </Typography.Title>
      <Typography.Paragraph type="secondary">
        {summary.hall.name}（{summary.hall.region}） · {ROLE_LABELS[summary.user.role]} ·{' '}
        {deskToday(now)}
      </Typography.Paragraph>
      <TodayWork role={summary.user.role} />
      <Row gutter={[16, 16]} style={{ marginTop: 16 }}>
        {summary.user.role === 'supervisor' && (
          <>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title="在办政务服务事项" value={summary.counts.serviceItems} suffix="项" />
              </Card>
            </Col>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title="证明事项清单" value={summary.counts.certificateItems} suffix="项" />
              </Card>
            </Col>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title="无需申请人自行开具" value={avoidable} suffix={`/ ${summary.counts.certificateItems} 项`} styles={{ content: { color: '#389e0d' } }} />
              </Card>
            </Col>
            <Col xs={12} lg={6}>
              <Card>
                <Statistic title="已登记申请人" value={summary.counts.applicants} suffix="人" />
              </Card>
            </Col>
            <Col xs={24} lg={14}>
              <Card title="证明事项处理方式" extra={<a onClick={() => go('catalog')}>查看清单</a>}>
                <PieChart
                  data={summary.certificatesByMethod.map((m) => ({ name: METHOD_LABELS[m.method], value: m.count, color: METHOD_COLORS[m.method] }))}
                />
              </Card>
            </Col>
          </>
        )}
        <Col xs={24} lg={10}>
          <Card title="本机状态">
            <Descriptions column={1} size="small">
              <Descriptions.Item label="运行方式">{transportKind() === 'ipc' ? '桌面程序' : '浏览器模式（本机回环地址）'}</Descriptions.Item>
              <Descriptions.Item label="数据存储">本机数据库（离线可用）· 结构版本 {status?.schemaVersion}</Descriptions.Item>
              <Descriptions.Item label="对接系统同步">
                <SyncSummary />
              </Descriptions.Item>
              <Descriptions.Item label="全厅中心">
                <HubStatusLine />
              </Descriptions.Item>
              <Descriptions.Item label="今日审计记录">{summary.counts.auditToday} 条</Descriptions.Item>
              <Descriptions.Item label="程序版本">{status?.appVersion}</Descriptions.Item>
            </Descriptions>
          </Card>
        </Col>
      </Row>
    </div>
  );
}
