import { useState } from 'react';
import { Alert, App, Button, Card, Table, Tag, Typography } from 'antd';
import type { HallOffer, HallTake, HallTakeStatus } from '../../../../shared/ipc/methods/hall-field';
import { call, DeskCallError } from '../../ipc/client';
import { deskDay, deskTime } from '../../lib/time';

type HallTasksData = { configured: boolean; online: boolean; message: string | null; offers: HallOffer[]; mine: HallTake[] };

const STATUS_COLORS: Record<HallTakeStatus | 'offered', string> = {
  offered: 'blue',
  taken: 'gold',
  working: 'purple',
  finished: 'orange',
  sent: 'cyan',
  applied: 'green',
  released: 'default',
};

/** What the laptop says of a finished task taken through the hub. */
export function hallResultText(t: HallTake): string {
  if (t.status === 'applied') return '外勤结果已由所属窗口应用。';
  if (t.status === 'sent') return '外勤结果已回传全厅中心，等待所属窗口应用。';
  if (t.status === 'released') return '所属窗口已收回该任务，本机的结果不再回传。';
  return '外勤已完成，结果已封存在本机，连接全厅中心后自动回传。';
}

type Row = { key: string; caseNo: string; certificate: string; dueAt: string | null; window: string; status: HallTakeStatus | 'offered'; statusText: string; offer?: HallOffer; take?: HallTake };

/**
 * 全厅任务 on the assistant's laptop (docs/hub.md, "Field work through the hub"): the tasks offered
 * to the hall this assistant may take (assigned to them or to nobody) with 领取, and the tasks taken,
 * each with where it stands. Offline, the taken ones stay listed and the page says the result waits.
 */
export function HallTasks({ data, error, onChanged, onOpen }: { data: HallTasksData | null; error: string | null; onChanged: () => Promise<void>; onOpen: (packageId: string) => void }) {
  const { message } = App.useApp();
  const [taking, setTaking] = useState<string | null>(null);
  if (!data && !error) return null;
  // A laptop without a hub (and nothing taken through one before): field work goes by task files
  // alone, said in one line rather than as a warning over an empty table.
  if (data && !data.configured && data.mine.length === 0) {
    return (
      <Typography.Paragraph type="secondary" style={{ marginBottom: 12 }} data-testid="hall-tasks-none">
        {data.message}
      </Typography.Paragraph>
    );
  }
  const rows: Row[] = [
    ...(data?.offers ?? []).map((o) => ({ key: o.taskKey, caseNo: o.caseNo, certificate: o.certificate, dueAt: o.dueAt, window: o.window, status: 'offered' as const, statusText: '待领取', offer: o })),
    ...(data?.mine ?? []).map((t) => ({ key: t.taskKey, caseNo: t.caseNo, certificate: t.certificate, dueAt: t.dueAt, window: t.window, status: t.status, statusText: t.statusText, take: t })),
  ];
  const waiting = (data?.mine ?? []).filter((t) => t.status === 'finished').length;
  const take = async (o: HallOffer) => {
    setTaking(o.taskKey);
    try {
      const r = await call('field.takeFromHall', { taskKey: o.taskKey });
      message.success(r.message);
      await onChanged();
    } catch (e) {
      message.error(e instanceof DeskCallError ? e.message : '领取失败');
    } finally {
      setTaking(null);
    }
  };
  return (
    <Card size="small" title="全厅任务（经全厅中心领取）" style={{ marginBottom: 16 }} data-testid="hall-tasks">
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 8 }} />}
      {data && !data.online && (
        <Alert
          type="warning"
          showIcon
          data-testid="hall-offline"
          message={data.message}
          description={waiting ? `本机有 ${waiting} 项已完成的外勤结果等待回传，连接恢复后自动回传。` : undefined}
          style={{ marginBottom: 8 }}
        />
      )}
      <Table<Row>
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={rows}
        locale={{ emptyText: data?.online ? '全厅暂无可领取的任务' : '本机暂无经全厅中心领取的任务' }}
        columns={[
          { title: '办件编号', dataIndex: 'caseNo', render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{v}</span> },
          { title: '证明事项', dataIndex: 'certificate' },
          { title: '所属窗口', dataIndex: 'window', width: 110 },
          { title: '核查期限', dataIndex: 'dueAt', width: 110, render: (v: string | null) => deskDay(v) },
          {
            title: '状态',
            key: 'status',
            width: 150,
            render: (_, r) => (
              <Tag color={STATUS_COLORS[r.status]} data-testid="hall-task-status">
                {r.statusText}
              </Tag>
            ),
          },
          {
            title: '操作',
            key: 'op',
            width: 150,
            render: (_, r) =>
              r.offer ? (
                <Button size="small" type="primary" loading={taking === r.key} disabled={!data?.online} onClick={() => void take(r.offer!)} data-testid="hall-take">
                  领取
                </Button>
              ) : r.take?.packageId ? (
                <Button size="small" onClick={() => onOpen(r.take!.packageId!)}>
                  {r.take.status === 'working' ? '处理' : '查看'}
                </Button>
              ) : r.take ? (
                <Typography.Text type="secondary">领取于 {deskTime(r.take.takenAt)}</Typography.Text>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}
