import { App, Button, Card, Empty, Popconfirm, Space, Table, Tag, Typography } from 'antd';
import type { HallConflictView } from '../../../shared/ipc/methods/hall-records';
import { call } from '../ipc/client';
import { callErrorText, useCall } from '../ipc/use-call';
import { LoadError } from '../components/LoadError';
import { deskTime } from '../lib/time';
import { WithHub } from './hub/NoHubNotice';

type Version = HallConflictView['versions'][number];

/**
 * 全厅数据冲突 (supervisors): shared records (applicants) edited at two windows from the same version
 * while apart. The hub keeps every version; each desk shows the hall's current one meanwhile. The
 * supervisor compares them field by field and chooses one, which becomes the version every desk
 * shows (docs/hub.md, "Hall records: ownership and conflicts").
 */
export function HallConflictsPage() {
  return (
    <WithHub title="全厅数据冲突" purpose="两个窗口在未连接全厅中心时修改了同一条共享记录（如申请人的联系电话）时，由主管在此核实并选定一个版本，同步到全厅所有窗口。">
      <Conflicts />
    </WithHub>
  );
}

function Conflicts() {
  const { data, error, reload } = useCall('hub.conflicts', {});
  return (
    <Card title="全厅数据冲突" data-testid="hall-conflicts">
      <Typography.Paragraph type="secondary">
        两个窗口在未连接全厅中心时修改了同一条共享记录，全厅中心保留了每个版本。各窗口暂时显示“当前版本”；请核实后选定一个版本，选定的版本将同步到全厅所有窗口。
      </Typography.Paragraph>
      <LoadError error={error} retry={() => void reload()} />
      {data && data.conflicts.length === 0 && <Empty description="没有待处理的冲突" />}
      <Space direction="vertical" style={{ width: '100%' }}>
        {data?.conflicts.map((k) => <ConflictCard key={k.id} k={k} onSettled={() => void reload()} />)}
      </Space>
    </Card>
  );
}

function ConflictCard({ k, onSettled }: { k: HallConflictView; onSettled: () => void }) {
  const { message } = App.useApp();
  const labels = k.versions[0]?.fields.map((f) => f.label) ?? [];
  const valueOf = (v: Version, label: string) => v.fields.find((f) => f.label === label)?.value ?? '';
  const rows = labels.map((label) => ({ label, differs: new Set(k.versions.map((v) => valueOf(v, label))).size > 1 }));
  const settle = async (v: Version) => {
    try {
      await call('hub.settleConflict', { conflictId: k.id, version: v.version });
      message.success(`已采用版本 ${v.version}（${v.deskName}），将同步到全厅各窗口`);
    } catch (e) {
      message.error(callErrorText(e, '处理冲突失败'));
    }
    onSettled();
  };
  return (
    <Card
      size="small"
      type="inner"
      data-testid={`conflict-${k.id}`}
      title={
        <span>
          <Tag color="orange">{k.kindLabel}</Tag>
          {k.title}
        </span>
      }
      extra={<Typography.Text type="secondary">发现于 {deskTime(k.openedAt)}</Typography.Text>}
    >
      <Table
        size="small"
        pagination={false}
        rowKey="label"
        dataSource={rows}
        columns={[
          { title: '项目', dataIndex: 'label', width: 110, render: (label: string, r) => (r.differs ? <Typography.Text strong>{label}</Typography.Text> : label) },
          ...k.versions.map((v) => ({
            key: String(v.version),
            title: (
              <Space direction="vertical" size={2}>
                <span>
                  版本 {v.version}（{v.deskName}）{v.current && <Tag color="blue">当前版本</Tag>}
                </span>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  收到于 {deskTime(v.receivedAt)}
                </Typography.Text>
                {/* Above its button, the values to compare left in sight; it covers the column's heading, so it names the version and its desk itself. */}
                <Popconfirm
                  title={`采用版本 ${v.version}（${v.deskName}）？`}
                  description="选定后，全厅各窗口都将显示这个版本。"
                  okText="采用"
                  cancelText="取消"
                  onConfirm={() => settle(v)}
                >
                  <Button size="small" type="primary" data-testid={`choose-${v.version}`}>
                    采用此版本
                  </Button>
                </Popconfirm>
              </Space>
            ),
            render: (_: unknown, r: { label: string; differs: boolean }) => (
              <span style={r.differs ? { background: '#fff7e6', padding: '0 4px' } : undefined}>{valueOf(v, r.label)}</span>
            ),
          })),
        ]}
      />
    </Card>
  );
}
