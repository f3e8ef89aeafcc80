import { useEffect, useState } from 'react';
import { App, Badge, Button, Card, Space, Table, Tag, Typography } from 'antd';
import { PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import type { HubDeskView } from '../../../../shared/ipc/methods/hub';
import { call } from '../../ipc/client';
import { useAction, useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { deskTime, shortTime } from '../../lib/time';
import { EnrolDeskModal } from './EnrolDeskModal';
import { AuditWitnessCard } from './AuditWitnessCard';
import { WithHub } from './NoHubNotice';

/**
 * 全厅中心 (supervisors): every desk the hub knows — fingerprint, enrolled or removed, connected
 * now, last exchange, backlog, feed lag — and enrolment and removal. Each is a signed admin request
 * carrying the signed-in supervisor; the hub answers only a supervisor desk (docs/hub.md).
 */
export function HubCenterPage() {
  return (
    <WithHub title="全厅中心" purpose="全厅中心让本厅各窗口和帮办代办员共享申请人、信用记录、留存材料、证明清单和核查任务；主管在此登记和移除工作台，并核验各工作台的审计日志。">
      <HubDesks />
    </WithHub>
  );
}

function HubDesks() {
  const { modal, message } = App.useApp();
  const list = useCall('hub.desks.list', {});
  const act = useAction(list.reload);
  const [enrolling, setEnrolling] = useState(false);
  const { reload } = list;

  useEffect(() => {
    const t = window.setInterval(() => void reload(), 5000);
    return () => window.clearInterval(t);
  }, [reload]);

  const data = list.data;
  const nowMs = data ? Date.parse(data.now) : Date.now();

  function confirmRemove(d: HubDeskView) {
    modal.confirm({
      title: `移除工作台“${d.name}”？`,
      width: 560,
      okText: '确认移除',
      okButtonProps: { danger: true },
      cancelText: '取消',
      content: (
        <div data-testid="remove-explain">
          <p>移除后，全厅中心拒绝该工作台此后的一切请求：它不能再推送办件，也取不到全厅数据；它仍可离线办理，未推送的办件留在该机本地。</p>
          <p>它已推送的办件仍保留在全厅中心，归属不变。它的身份卡不能再次登记：如需恢复，请在该电脑上重新生成密钥后作为新工作台登记。</p>
          {d.backlog ? <p style={{ color: '#cf1322' }}>该工作台最近报告还有 {d.backlog} 件未推送到全厅中心，移除后这些办件不会再送达。</p> : null}
          <p>
            指纹：<Typography.Text code>{d.fingerprint}</Typography.Text>
          </p>
        </div>
      ),
      onOk: () => act(() => call('hub.desks.remove', { deskId: d.deskId }), `已移除工作台“${d.name}”`),
    });
  }

  return (
    <div data-testid="hub-center-page">
      <Card
        title={
          <Space>
            全厅中心
            <Typography.Text type="secondary" style={{ fontWeight: 400, fontSize: 13 }}>
              本厅登记的工作台：连接、最近交换、待推送和全厅数据进度。登记和移除由全厅中心记入其审计日志，并记入本机审计日志。
            </Typography.Text>
          </Space>
        }
        extra={
          <Space>
            <Button icon={<ReloadOutlined />} onClick={() => void reload()}>
              刷新
            </Button>
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEnrolling(true)} data-testid="enrol-open">
              登记工作台
            </Button>
          </Space>
        }
      >
        {list.error && <LoadError error={list.error} retry={() => void reload()} />}
        <Table<HubDeskView>
          rowKey="deskId"
          size="small"
          loading={!data && !list.error}
          dataSource={data?.desks ?? []}
          pagination={false}
          scroll={{ x: 1100 }}
          onRow={(d) => ({ 'data-testid': `hub-desk-${d.deskId}` }) as object}
          columns={[
            {
              title: '工作台',
              key: 'name',
              width: 210,
              render: (_, d) => (
                <Space orientation="vertical" size={0}>
                  <Space size={4}>
                    <Typography.Text strong>{d.name}</Typography.Text>
                    {d.self && <Tag color="blue">本机</Tag>}
                    {d.supervisorDesk && <Tag color="gold">管理工作台</Tag>}
                  </Space>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {d.deskId}
                  </Typography.Text>
                </Space>
              ),
            },
            { title: '指纹', dataIndex: 'fingerprint', width: 220, render: (f: string) => <Typography.Text style={{ fontFamily: 'monospace', fontSize: 12 }}>{f}</Typography.Text> },
            {
              title: '登记',
              key: 'enrolled',
              width: 200,
              render: (_, d) =>
                d.removedAt ? (
                  <Space orientation="vertical" size={0} data-testid="desk-enrolment">
                    <Tag color="red">已移除</Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {deskTime(d.removedAt)} · <ActorLabel label={d.removedBy ?? ''} />
                    </Typography.Text>
                  </Space>
                ) : (
                  <Space orientation="vertical" size={0} data-testid="desk-enrolment">
                    <Tag color="green">已登记</Tag>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {deskTime(d.enrolledAt)} · <ActorLabel label={d.enrolledBy} />
                    </Typography.Text>
                  </Space>
                ),
            },
            {
              title: '连接',
              key: 'connected',
              width: 150,
              render: (_, d) => (
                <Space orientation="vertical" size={0} data-testid="desk-connection">
                  {d.removedAt ? <Badge status="default" text="已拒绝" /> : d.connected ? <Badge status="success" text="在线" /> : <Badge status="warning" text="离线" />}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    最近交换 {shortTime(d.lastSeenAt, nowMs)}
                  </Typography.Text>
                </Space>
              ),
            },
            {
              title: '待推送',
              key: 'backlog',
              width: 110,
              render: (_, d) =>
                d.backlog === null ? (
                  <Typography.Text type="secondary">未报告</Typography.Text>
                ) : (
                  <span data-testid="desk-backlog">
                    {d.backlog} 件{d.parked ? <Typography.Text type="danger">（退回 {d.parked}）</Typography.Text> : null}
                  </span>
                ),
            },
            {
              title: '全厅数据',
              key: 'lag',
              width: 120,
              render: (_, d) =>
                d.feedLag === null ? <Typography.Text type="secondary">未报告</Typography.Text> : d.feedLag === 0 ? <Tag color="green">已是最新</Tag> : <Tag color="orange">落后 {d.feedLag} 条</Tag>,
            },
            {
              title: '操作',
              key: 'act',
              width: 90,
              fixed: 'right',
              render: (_, d) =>
                d.removedAt || d.self ? null : (
                  <Button size="small" danger onClick={() => confirmRemove(d)} data-testid="remove-open">
                    移除
                  </Button>
                ),
            },
          ]}
        />
        {data && (
          <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
            “在线”指 {data.connectedWithinS} 秒内与全厅中心有过交换；全厅数据共 {data.feedLast} 条。管理工作台只能在全厅中心服务器上用命令行登记。
          </Typography.Paragraph>
        )}
      </Card>
      <AuditWitnessCard />
      <EnrolDeskModal
        open={enrolling}
        onClose={() => setEnrolling(false)}
        onEnrolled={(name) => {
          setEnrolling(false);
          message.success(`已登记工作台“${name}”`);
          void reload();
        }}
      />
    </div>
  );
}

/**
 * Who enrolled or removed a desk, as the hub records it — 王建华（admin）@1号窗口（管理）（in-…）: the
 * person, then the window, then its desk id on a line of its own, so no part breaks mid-word in the
 * narrow column.
 */
function ActorLabel({ label }: { label: string }) {
  const m = /^(.*?)(@.*)（([^（）]+)）$/.exec(label);
  if (!m) return <span>{label}</span>;
  return (
    <span>
      <span style={{ whiteSpace: 'nowrap' }}>{m[1]}</span>
      <br />
      <span>{m[2]}</span>
      <br />
      <span style={{ whiteSpace: 'nowrap' }}>（{m[3]}）</span>
    </span>
  );
}
