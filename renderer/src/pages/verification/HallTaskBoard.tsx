import { useEffect, useState } from 'react';
import { Alert, App, Button, Checkbox, Select, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { BOARD_DEFAULT_STATES, TASK_STATE_LABELS, type TaskState } from '../../../../shared/ipc/methods/verification';
import type { HallTaskView } from '../../../../shared/ipc/methods/hall-tasks';
import { call } from '../../ipc/client';
import { callErrorText, useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { deskTime } from '../../lib/time';
import { applicantColumn, assigneeColumn, caseNoColumn, certificateColumn, dueColumn, stateColumn } from './task-columns';

const FILTERS: (TaskState | 'all')[] = ['all', 'unassigned', 'assigned', 'in_field', 'escalated', 'passed', 'failed'];
const PAGE_SIZE = 20;
/** A copy older than this is shown as a warning: the desk has probably lost the hub. */
const STALE_MS = 5 * 60_000;
/** The board is read again this often, so an answer from another window shows without a click. */
const REFRESH_MS = 5_000;

/** A note may wrap in its column. */
const NOTE = { whiteSpace: 'normal' } as const;

/** The latest assignment asked through the hub for this task, and what the owning window answered. */
function AssignmentNote({ t }: { t: HallTaskView }) {
  const a = t.assignment;
  if (!a) return null;
  if (a.state === 'requested') return <Tag color="gold" data-testid="assignment-note" style={NOTE}>已请{t.window}分派给{a.assigneeName}，待办理</Tag>;
  if (a.state === 'applied') return <Tag color="green" data-testid="assignment-note" style={NOTE}>{t.window}已分派给{a.assigneeName}（{a.byName}，{deskTime(a.decidedAt)}）</Tag>;
  return (
    <Tooltip title={`${a.byName}于${deskTime(a.requestedAt)}请求分派给${a.assigneeName}`}>
      <Typography.Text type="danger" data-testid="assignment-note" style={{ fontSize: 12 }}>
        分派被拒：{a.message}
      </Typography.Text>
    </Tooltip>
  );
}

/**
 * 全厅 scope of the supervisor's board (docs/hub.md, "Verification tasks across the hall"): every
 * window's tasks — this desk's from its own tables, the others' as last pulled from the hub — with
 * 所属窗口 named, filtered and paged on the main side. Other windows' tasks are read-only here except
 * for their assignment, which is sent to the owning window and applied (or refused) there.
 */
export function HallTaskBoard() {
  const { message } = App.useApp();
  const [filter, setFilter] = useState<TaskState | 'all'>('all');
  const [deskId, setDeskId] = useState<string | undefined>();
  const [assignee, setAssignee] = useState<string | undefined>();
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [paging, setPaging] = useState({ page: 1, pageSize: PAGE_SIZE });
  const { data: board, error, reload } = useCall('verification.hallBoard', {
    ...(filter === 'all' ? {} : { states: [filter] }),
    ...(deskId ? { deskId } : {}),
    ...(assignee ? { assignee } : {}),
    ...(overdueOnly ? { overdueOnly } : {}),
    ...paging,
  });
  useEffect(() => {
    const timer = setInterval(() => void reload(), REFRESH_MS);
    return () => clearInterval(timer);
  }, [reload]);
  const refilter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPaging((p) => ({ ...p, page: 1 }));
  };
  const assign = async (t: HallTaskView, username: string) => {
    try {
      const r = await call('verification.assignInHall', { taskKey: t.taskKey, username });
      if (r.state === 'applied') message.success(r.message);
      else message.info(r.message);
      await reload();
    } catch (e) {
      message.error(callErrorText(e));
    }
  };
  const copy = board?.hallCopy;
  const stale = copy && (copy.syncedAt === null || Date.now() - new Date(copy.syncedAt).getTime() > STALE_MS);

  return (
    <>
      <LoadError error={error} retry={() => void reload()} />
      {copy ? (
        <Alert
          type={stale ? 'warning' : 'info'}
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="hall-copy"
          title={copy.message}
          description={stale ? '本机暂未与全厅中心同步：其他窗口的任务为本机最后取得的状态；分派请求将在恢复连接后送达所属窗口。' : undefined}
        />
      ) : (
        board && <Alert type="info" showIcon style={{ marginBottom: 12 }} title="本工作台未接入全厅中心，仅列出本窗口的任务。" />
      )}
      <Space style={{ marginBottom: 12 }} wrap>
        {FILTERS.map((f) => (
          <Button key={f} type={filter === f ? 'primary' : 'default'} size="small" onClick={() => refilter(setFilter)(f)}>
            {f === 'all' ? '全部待办与结论' : TASK_STATE_LABELS[f]}
          </Button>
        ))}
      </Space>
      <Space style={{ marginBottom: 12, display: 'flex' }} wrap>
        <Select
          allowClear
          placeholder="所属窗口"
          aria-label="所属窗口"
          style={{ width: 160 }}
          value={deskId}
          options={(board?.windows ?? []).map((w) => ({ value: w.deskId, label: w.own ? `${w.name}（本窗口）` : w.name }))}
          onChange={(v: string | undefined) => refilter(setDeskId)(v)}
        />
        <Select
          allowClear
          placeholder="承办人"
          aria-label="承办人"
          style={{ width: 140 }}
          value={assignee}
          options={(board?.assistants ?? []).map((a) => ({ value: a.username, label: a.name }))}
          onChange={(v: string | undefined) => refilter(setAssignee)(v)}
        />
        <Checkbox checked={overdueOnly} onChange={(e) => refilter(setOverdueOnly)(e.target.checked)}>
          只看已逾期{board ? `（${board.overdue}）` : ''}
        </Checkbox>
      </Space>
      <Table<HallTaskView>
        rowKey="taskKey"
        size="middle"
        className="desk-nowrap-head"
        data-testid="hall-task-board"
        dataSource={board?.tasks ?? []}
        pagination={{
          current: board?.page ?? paging.page,
          pageSize: paging.pageSize,
          total: board?.total ?? 0,
          showSizeChanger: true,
          pageSizeOptions: [20, 50, 100],
          showTotal: (total) => `共 ${total} 项`,
          onChange: (page, pageSize) => setPaging({ page: pageSize === paging.pageSize ? page : 1, pageSize }),
        }}
        rowClassName={(t) => (t.overdue ? 'verification-overdue' : '')}
        columns={[
          { title: '所属窗口', dataIndex: 'window', width: 96, render: (v: string, t) => <span style={{ whiteSpace: 'nowrap' }}>{v}{t.own && <Tag style={{ marginLeft: 4 }}>本窗口</Tag>}</span> },
          caseNoColumn<HallTaskView>(),
          applicantColumn<HallTaskView>(80, 'wrap'),
          certificateColumn<HallTaskView>({ tag: 'beside', width: 150 }),
          dueColumn<HallTaskView>({ width: 120 }),
          stateColumn<HallTaskView>({ width: 96 }),
          assigneeColumn<HallTaskView>((t) => t.holder ?? t.assignee?.name, 84, true),
          {
            title: '分派',
            key: 'assign',
            width: 200,
            render: (_, t) => {
              const open = !['passed', 'failed', 'exempt', 'cancelled'].includes(t.state);
              return (
                <Space orientation="vertical" size={2}>
                  {open && t.state !== 'in_field' && (
                    <Select
                      size="small"
                      placeholder="分派给"
                      style={{ width: 110 }}
                      aria-label={`分派 ${t.caseNo}`}
                      value={t.assignee?.username}
                      options={(board?.assistants ?? []).map((a) => ({ value: a.username, label: a.name }))}
                      onChange={(username: string) => void assign(t, username)}
                    />
                  )}
                  <AssignmentNote t={t} />
                </Space>
              );
            },
          },
        ]}
      />
      {board && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          默认列出{BOARD_DEFAULT_STATES.map((s) => TASK_STATE_LABELS[s]).join('、')}的任务；其他窗口的任务只读，分派请求由所属窗口的工作台按同一规则办理。
        </Typography.Text>
      )}
    </>
  );
}
