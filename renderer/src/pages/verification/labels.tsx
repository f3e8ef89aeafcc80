import { Tag } from 'antd';
import type { TaskState } from '../../../../shared/ipc/methods/verification';
import { TASK_STATE_LABELS } from '../../../../shared/ipc/methods/verification';

const COLORS: Record<TaskState, string> = {
  unassigned: 'default',
  assigned: 'blue',
  in_field: 'purple',
  escalated: 'orange',
  passed: 'green',
  failed: 'red',
  exempt: 'default',
  cancelled: 'default',
};

export function TaskStateTag({ state }: { state: TaskState }) {
  return <Tag color={COLORS[state]}>{TASK_STATE_LABELS[state]}</Tag>;
}


export const OUTCOME_LABELS = { true: '核查属实', false: '承诺不实', unable: '无法核实（上报）' } as const;

export const DEFAULT_LEGAL_BASIS = '《国务院办公厅关于全面推行证明事项告知承诺制的指导意见》（国办发〔2020〕42号）';
