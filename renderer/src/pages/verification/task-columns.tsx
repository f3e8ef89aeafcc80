import type { ReactNode } from 'react';
import { Tag, type TableColumnType } from 'antd';
import type { TaskState } from '../../../../shared/ipc/methods/verification';
import { VERIFICATION_SOURCE_LABELS, type VerificationSource } from '../../../../shared/rules/verification-consequences';
import { deskDay } from '../../lib/time';
import { TaskStateTag } from './labels';

/**
 * The columns both verification boards show (本窗口: TaskBoard.tsx, 全厅: HallTaskBoard.tsx), built
 * here once: a task of this desk and a task of the hall share these fields. Each board adds its own
 * columns (所属窗口, 事项 / 部门, 操作, 分派) and its own extras inside these.
 */

/** The fields of a task both boards show. */
export interface BoardTask {
  caseNo: string;
  applicantName: string;
  certificate: string;
  source: string;
  dueAt: string | null;
  overdue: boolean;
  state: TaskState;
}

type Column<T> = TableColumnType<T>;

const NOWRAP = { whiteSpace: 'nowrap' } as const;

/** 办件编号; a link opening the task when `open` is given. */
export function caseNoColumn<T extends BoardTask>(open?: (t: T) => void): Column<T> {
  return {
    title: '办件编号',
    dataIndex: 'caseNo',
    width: 205,
    render: (v: string, t) => (open ? <a style={NOWRAP} onClick={() => open(t)}>{v}</a> : <span style={NOWRAP}>{v}</span>),
  };
}

/**
 * 申请人: wrapped, on one line, or — where the columns beside it need their room at 1366×768 — cut
 * with the full name (a company's) in its title.
 */
export function applicantColumn<T extends BoardTask>(width: number, fit: 'wrap' | 'nowrap' | 'ellipsis'): Column<T> {
  const render =
    fit === 'nowrap'
      ? (v: string) => <span style={NOWRAP}>{v}</span>
      : fit === 'ellipsis'
        ? (v: string) => (
            <span title={v} style={{ display: 'inline-block', maxWidth: width, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap', verticalAlign: 'bottom' }}>
              {v}
            </span>
          )
        : undefined;
  return { title: '申请人', dataIndex: 'applicantName', width, ...(render ? { render } : {}) };
}

/** 承诺事项 / 来源: the certificate and where the task came from (抽查, 投诉举报 …), the tag under it or beside it. */
export function certificateColumn<T extends BoardTask>(layout: { tag: 'below' | 'beside'; width?: number }): Column<T> {
  return {
    title: '承诺事项 / 来源',
    dataIndex: 'certificate',
    ...(layout.width ? { width: layout.width } : {}),
    render: (v: string, t) => {
      const tag = <Tag color={t.source === 'sampled' ? 'default' : 'geekblue'}>{VERIFICATION_SOURCE_LABELS[t.source as VerificationSource] ?? t.source}</Tag>;
      return layout.tag === 'below' ? (
        <span>
          {v}
          <br />
          {tag}
        </span>
      ) : (
        <span>
          {v} {tag}
        </span>
      );
    },
  };
}

/** 核查期限: the due day, 已逾期 when past it, and what the board adds after (the desk's rectification flag). */
export function dueColumn<T extends BoardTask>(opts: { width?: number; after?: (t: T) => ReactNode } = {}): Column<T> {
  return {
    title: '核查期限',
    dataIndex: 'dueAt',
    ...(opts.width ? { width: opts.width } : {}),
    render: (v: string | null, t) => (
      <span>
        <span style={NOWRAP}>{deskDay(v)}</span> {t.overdue && <Tag color="red">已逾期</Tag>}
        {opts.after?.(t)}
      </span>
    ),
  };
}

/** 状态, and what the board adds after the state's tag (the desk's hall field status). */
export function stateColumn<T extends BoardTask>(opts: { width?: number; after?: (t: T) => ReactNode } = {}): Column<T> {
  return {
    title: '状态',
    dataIndex: 'state',
    ...(opts.width ? { width: opts.width } : {}),
    render: (s: TaskState, t) => (
      <>
        <TaskStateTag state={s} />
        {opts.after?.(t)}
      </>
    ),
  };
}

/** 承办人: who holds or was given the task, — when nobody. */
export function assigneeColumn<T extends BoardTask>(who: (t: T) => string | null | undefined, width: number, nowrap: boolean): Column<T> {
  return { title: '承办人', key: 'who', width, render: (_, t) => (nowrap ? <span style={NOWRAP}>{who(t) ?? '—'}</span> : (who(t) ?? '—')) };
}
