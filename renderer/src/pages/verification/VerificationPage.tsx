import { Badge, Card, Tabs } from 'antd';
import { useCall } from '../../ipc/use-call';
import { useDesk } from '../../state/desk-store';
import { TaskBoard } from './TaskBoard';
import { FieldWorkTab } from './FieldWorkTab';
import { AssistanceTab } from './AssistanceTab';
import { FiguresTab } from './FiguresTab';
import { RectificationsTab } from './RectificationsTab';

/** 事中事后核查 and 部门协查: the board, field work on this machine, assistance requests, figures. */
export function VerificationPage() {
  const role = useDesk((s) => s.session!.user.role);
  const field = role === 'assistant' || role === 'supervisor';
  // Overdue 协查 requests: the whole hall's with a hub (this desk's copy of the others' included), else this window's.
  const { data: overdue, reload: reloadOverdue } = useCall('assistance.overdueCounts', {});
  const overdueCount = overdue ? (overdue.hall ?? overdue.own) : 0;
  return (
    <Card title="核查与协查">
      <Tabs
        destroyOnHidden
        defaultActiveKey={role === 'assistant' ? 'field' : 'board'}
        items={[
          { key: 'board', label: '核查任务', children: <TaskBoard /> },
          ...(field ? [{ key: 'field', label: '外勤（本机）', children: <FieldWorkTab /> }] : []),
          { key: 'rectifications', label: '限期整改', children: <RectificationsTab /> },
          {
            key: 'assistance',
            label: (
              <span data-testid="assistance-tab-label" title={overdue?.hall !== null ? `全厅超期协查 ${overdueCount} 项` : `本窗口超期协查 ${overdueCount} 项`}>
                部门协查 <Badge count={overdueCount} size="small" />
              </span>
            ),
            children: <AssistanceTab hall={overdue?.hall != null} onChanged={() => void reloadOverdue()} />,
          },
          { key: 'figures', label: '核查统计', children: <FiguresTab /> },
        ]}
      />
    </Card>
  );
}
