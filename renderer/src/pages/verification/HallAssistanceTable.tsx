import { Alert, Button, Table, Tag, Typography } from 'antd';
import type { HallAssistanceView } from '../../../../shared/ipc/methods/hall-assistance';
import { useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { deskDay, deskTime } from '../../lib/time';

const CHANNELS: Record<string, string> = { connector: '系统答复', phone: '电话', letter: '书面复函' };

/**
 * 部门协查, 全厅: every window's 协查 requests (docs/hub.md, "Records, owners and offline") — this
 * window's and the others' as their desks last shared them, the window named, overdue flagged by
 * the one due-date rule (on the desk). Other windows' requests are read-only here; this window's
 * keep 登记答复. Offline it lists the last copy and says how old it is.
 */
export function HallAssistanceTable({ onReply }: { onReply: (r: HallAssistanceView) => void }) {
  const { data, error, reload } = useCall('assistance.hallList', {});
  const rows = data?.requests ?? [];
  const overdue = rows.filter((r) => r.overdue).length;
  const overdueElsewhere = rows.filter((r) => r.overdue && !r.own).length;
  return (
    <>
      <LoadError error={error} retry={() => void reload()} />
      {data?.hallCopy && (
        <Alert
          data-testid="hall-assistance-copy"
          style={{ marginBottom: 12 }}
          type={data.hallCopy.syncedAt && Date.now() - Date.parse(data.hallCopy.syncedAt) < 5 * 60_000 ? 'info' : 'warning'}
          showIcon
          title={data.hallCopy.message}
        />
      )}
      <Typography.Paragraph data-testid="hall-assistance-summary">
        全厅共 {rows.length} 项协查，其中 <Typography.Text type={overdue ? 'danger' : undefined}>{overdue} 项已超期</Typography.Text>
        {overdueElsewhere > 0 && `（其他窗口 ${overdueElsewhere} 项）`}。其他窗口的协查只读，由发起窗口登记答复。
      </Typography.Paragraph>
      <Table<HallAssistanceView>
        data-testid="hall-assistance-table"
        rowKey="key"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 15 }}
        columns={[
          { title: '办理窗口', key: 'window', width: 110, render: (_, r) => (r.own ? <Tag color="blue">本窗口</Tag> : <Tag color="purple">{r.window}</Tag>) },
          { title: '办件编号', dataIndex: 'caseNo' },
          { title: '申请人', key: 'applicant', render: (_, r) => `${r.applicantName}（${r.applicantIdMasked}）` },
          { title: '协查事项', key: 'asked', render: (_, r) => `${r.certificate}（${r.mode}）` },
          { title: '协查部门', dataIndex: 'department', width: 96 },
          { title: '发起', dataIndex: 'createdAt', render: deskDay },
          { title: '答复期限', dataIndex: 'dueAt', render: (v: string, r) => <span>{deskDay(v)} {r.overdue && <Tag color="red">已超期</Tag>}</span> },
          {
            title: '答复',
            key: 'reply',
            render: (_, r) =>
              r.status === 'open' ? (
                <Tag color="orange">待答复</Tag>
              ) : (
                <span>
                  <Tag color={r.outcome === 'confirmed' ? 'green' : 'red'}>{r.outcome === 'confirmed' ? '属实' : '不属实'}</Tag>
                  {CHANNELS[r.channel ?? ''] ?? ''} {deskTime(r.repliedAt)} {r.late && <Tag color="volcano">逾期答复</Tag>}
                  {r.replySummary && <Typography.Text type="secondary"> {r.replySummary}</Typography.Text>}
                </span>
              ),
          },
          {
            title: '',
            key: 'ops',
            width: 96,
            render: (_, r) =>
              r.own && r.status === 'open' ? (
                <Button size="small" onClick={() => onReply(r)}>
                  登记答复
                </Button>
              ) : !r.own ? (
                <Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>
                  只读
                </Typography.Text>
              ) : null,
          },
        ]}
      />
    </>
  );
}
