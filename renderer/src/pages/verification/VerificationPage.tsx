import { Card, Tabs } from 'antd';
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
  return (
    <Card title="核查与协查">
      <Tabs
        destroyOnHidden
        defaultActiveKey={role === 'assistant' ? 'field' : 'board'}
        items={[
          { key: 'board', label: '核查任务', children: <TaskBoard /> },
          ...(field ? [{ key: 'field', label: '外勤（本机）', children: <FieldWorkTab /> }] : []),
          { key: 'rectifications', label: '限期整改', children: <RectificationsTab /> },
          { key: 'assistance', label: '部门协查', children: <AssistanceTab /> },
          { key: 'figures', label: '核查统计', children: <FiguresTab /> },
        ]}
      />
    </Card>
  );
}
