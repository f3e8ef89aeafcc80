import { useEffect, useState } from 'react';
import { Alert, App, Badge, Button, Card, Col, Empty, Row, Space, Tabs, Typography } from 'antd';
import { SyncOutlined } from '@ant-design/icons';
import { call, DeskCallError } from '../../ipc/client';
import { serverNowMs, unsyncedCount, useSyncStatus } from './sync-store';
import { ClockWarningBanner } from './ClockWarningBanner';
import { RestoreNoticeBanner } from './RestoreNoticeBanner';
import { TargetCard } from './TargetCard';
import { ParkedList } from './ParkedList';
import { UnknownList } from './UnknownList';
import { ManualList } from './ManualList';
import { EntriesTable } from './EntriesTable';
import { HubStatusPanel } from '../hub/HubStatusPanel';

/** 数据同步: each target system's state, what was refused, what is unknown, and what to type in by hand. */
export function SyncPage() {
  const { message } = App.useApp();
  const status = useSyncStatus();
  const [kicking, setKicking] = useState<string | null>(null);
  const [tab, setTab] = useState('targets');
  const nowMs = serverNowMs(status);
  const { targets, poll } = status;

  // On this page the figures move faster than the header's poll.
  useEffect(() => {
    const t = window.setInterval(() => void poll(), 2000);
    return () => window.clearInterval(t);
  }, [poll]);

  async function kick(targetId?: string) {
    setKicking(targetId ?? '*');
    try {
      await call('sync.kick', targetId ? { targetId } : {});
      await poll();
      message.success('已开始同步');
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '无法开始同步');
    } finally {
      setKicking(null);
    }
  }

  const parked = targets.reduce((a, t) => a + t.parked, 0);
  const unknown = targets.reduce((a, t) => a + t.unknown, 0);
  const manualWaiting = targets.filter((t) => t.kind === 'manual').reduce((a, t) => a + t.queueLength, 0);
  const label = (text: string, n: number, color?: string) => (
    <Space size={6}>
      {text}
      <Badge count={n} color={color} showZero={false} />
    </Space>
  );

  return (
    <div data-testid="sync-page">
      <ClockWarningBanner />
      <RestoreNoticeBanner />
      <HubStatusPanel />
      {status.error && !status.loaded && <Alert type="error" showIcon title={`无法读取同步状态：${status.error}`} style={{ marginBottom: 16 }} />}
      <Card
        title={
          <Space>
            数据同步
            <Typography.Text type="secondary" style={{ fontWeight: 400, fontSize: 13 }}>
              受理后的办件推送至国垂、省垂系统和数据共享平台；断网时在本机排队，恢复后自动补发，不会丢失。
            </Typography.Text>
          </Space>
        }
        extra={
          <Space>
            <Typography.Text type="secondary" data-testid="unsynced-total">
              未同步 {unsyncedCount(targets)} 件
            </Typography.Text>
            <Button type="primary" icon={<SyncOutlined spin={kicking === '*'} />} disabled={kicking !== null} onClick={() => void kick()}>
              全部立即同步
            </Button>
          </Space>
        }
      >
        <Tabs
          activeKey={tab}
          onChange={setTab}
          items={[
            {
              key: 'targets',
              label: '对接系统',
              children:
                targets.length === 0 ? (
                  <Empty description={status.loaded ? '尚未配置对接系统' : '正在读取…'} />
                ) : (
                  <Row gutter={[16, 16]}>
                    {targets.map((t) => (
                      <Col key={t.id} xs={24} lg={12} xxl={8}>
                        <TargetCard t={t} nowMs={nowMs} kicking={kicking === t.id || kicking === '*'} onKick={() => void kick(t.id)} />
                      </Col>
                    ))}
                  </Row>
                ),
            },
            { key: 'parked', label: label('退回清单', parked), children: <ParkedList /> },
            { key: 'unknown', label: label('结果未知', unknown, '#722ed1'), children: <UnknownList /> },
            { key: 'manual', label: label('人工补录', manualWaiting, '#fa8c16'), children: <ManualList targets={targets} nowMs={nowMs} /> },
            { key: 'entries', label: '全部记录', children: <EntriesTable targets={targets} /> },
          ]}
        />
      </Card>
    </div>
  );
}
