import { Alert, Button } from 'antd';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { useCall } from '../../ipc/use-call';
import { useDesk } from '../../state/desk-store';

/** The home page's warning: loads the calendar's status itself. */
export function CalendarWarning() {
  const { data } = useCall('calendar.status', {});
  return <CalendarWarningView status={data} />;
}

/**
 * A year due dates may reach (today's, or the next near the year's end) with no holiday schedule
 * loaded: due dates then skip weekends only, and everyone at the desk must know it.
 */
export function CalendarWarningView({ status, onCalendarPage = false }: { status: MethodOutput<'calendar.status'> | null; onCalendarPage?: boolean }) {
  const go = useDesk((s) => s.go);
  const role = useDesk((s) => s.session?.user.role);
  if (!status || status.missing.length === 0) return null;
  const years = status.missing.map((y) => `${y}年`).join('、');
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      data-testid="calendar-missing"
      title={`${years}的法定节假日安排尚未导入工作日历`}
      description={`在此期间的办理时限、撤回期限、协查和核查期限暂按“周六、周日休息”计算，遇法定节假日可能不准。${
        role === 'supervisor' ? '请按国务院办公厅通知导入全年安排。' : '请联系管理员导入。'
      }`}
      action={!onCalendarPage ? <Button size="small" onClick={() => go('calendar')}>查看工作日历</Button> : undefined}
    />
  );
}
