import { useState } from 'react';
import { TechValue } from '../../components/TechValue';
import { App, Button, Checkbox, Descriptions, Drawer, Image, Input, Segmented, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import { BOARD_DEFAULT_STATES, TASK_STATE_LABELS, type TaskState, type TaskView } from '../../../../shared/ipc/methods/verification';
import { call, DeskCallError } from '../../ipc/client';
import { useAction, useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { useDesk } from '../../state/desk-store';
import { OutcomeModal } from './OutcomeModal';
import { OUTCOME_LABELS, TaskStateTag } from './labels';
import { deskDay, deskTime } from '../../lib/time';
import { HandoverCard } from './HandoverCard';
import { HallFieldTag, useHallFieldStatus } from './HallFieldStatus';
import { OpenVerificationModal, RandomDrawModal } from './OpenVerification';
import { VERIFICATION_SOURCE_LABELS } from '../../../../shared/rules/verification-consequences';
import { mayRecordOutcome } from '../../../../shared/rules/outcome-authority';
import { HallTaskBoard } from './HallTaskBoard';
import { applicantColumn, assigneeColumn, caseNoColumn, certificateColumn, dueColumn, stateColumn } from './task-columns';

const FILTERS: (TaskState | 'all')[] = ['all', 'unassigned', 'assigned', 'in_field', 'escalated', 'passed', 'failed'];
const PAGE_SIZE = 20;

/** Download a text file through the browser (Electron shows its save dialog). */
function downloadText(text: string, fileName: string) {
  const url = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** 整改中 / 整改逾期, under the due day, while the task's rectification is open. */
function RectificationFlag({ t }: { t: TaskView }) {
  const r = t.rectification;
  if (!r || r.closedAt) return null;
  return (
    <>
      <br />
      <Tag color={r.overdue ? 'red' : 'gold'} data-testid="rectification-flag">
        {r.overdue ? '整改逾期' : '整改中'}（{deskDay(r.dueAt)} 前）
      </Tag>
    </>
  );
}

/**
 * The board, in two scopes for a supervisor: 本窗口 (this desk's tasks, every action) and 全厅 (every
 * window's tasks, HallTaskBoard.tsx).
 */
export function TaskBoard() {
  const role = useDesk((s) => s.session!.user.role);
  const [scope, setScope] = useState<'desk' | 'hall'>('desk');
  if (role !== 'supervisor') return <DeskTaskBoard />;
  return (
    <>
      <Segmented
        style={{ marginBottom: 12 }}
        value={scope}
        onChange={(v) => setScope(v as 'desk' | 'hall')}
        options={[
          { value: 'desk', label: '本窗口' },
          { value: 'hall', label: '全厅' },
        ]}
      />
      {scope === 'desk' ? <DeskTaskBoard /> : <HallTaskBoard />}
    </>
  );
}

/**
 * The supervisor's board: tasks by state, overdue first, assignment; assistants take tasks for field
 * work here. Paged, filtered and counted on the main side (tens of thousands of tasks after a few
 * years): the page holds only the rows it shows.
 */
function DeskTaskBoard() {
  const { message } = App.useApp();
  const user = useDesk((s) => s.session!.user);
  const [filter, setFilter] = useState<TaskState | 'all'>('all');
  const [query, setQuery] = useState('');
  const [overdueOnly, setOverdueOnly] = useState(false);
  const [mine, setMine] = useState(false);
  const [paging, setPaging] = useState({ page: 1, pageSize: PAGE_SIZE });
  const { data: board, error, reload: load } = useCall('verification.board', {
    ...(filter === 'all' ? {} : { states: [filter] }),
    ...(query ? { query } : {}),
    ...(overdueOnly ? { overdueOnly } : {}),
    ...(mine ? { mine } : {}),
    ...paging,
  });
  /** A new filter starts again at the first page. */
  const refilter = <T,>(set: (v: T) => void) => (v: T) => {
    set(v);
    setPaging((p) => ({ ...p, page: 1 }));
  };
  const hallStatus = useHallFieldStatus();
  const [outcomeFor, setOutcomeFor] = useState<TaskView | null>(null);
  const [detail, setDetail] = useState<TaskView | null>(null);
  const [photos, setPhotos] = useState<Record<number, string>>({});
  const [opening, setOpening] = useState<'open' | 'draw' | null>(null);
  const act = useAction(load);

  const openDetail = async (t: TaskView) => {
    setDetail(t);
    const imgs: Record<number, string> = {};
    for (const e of t.evidence) {
      const f = await call('verification.evidence', { taskId: t.id, position: e.position });
      imgs[e.position] = `data:${f.mime};base64,${f.base64}`;
    }
    setPhotos(imgs);
  };

  const isSupervisor = user.role === 'supervisor';
  const mayWork = user.role === 'assistant' || isSupervisor;

  return (
    <>
      <LoadError error={error} retry={() => void load()} />
      <Space style={{ marginBottom: 12 }} wrap>
        {FILTERS.map((f) => (
          <Button key={f} type={filter === f ? 'primary' : 'default'} size="small" onClick={() => refilter(setFilter)(f)}>
            {f === 'all' ? '全部待办与结论' : TASK_STATE_LABELS[f]}
            {board ? `（${f === 'all' ? BOARD_DEFAULT_STATES.reduce((n, s) => n + (board.counts[s] ?? 0), 0) : (board.counts[f] ?? 0)}）` : ''}
          </Button>
        ))}
        {board && (board.counts.rectificationOverdue ?? 0) > 0 && (
          <Tag color="red" data-testid="rectification-overdue-count">
            整改逾期 {board.counts.rectificationOverdue} 件
          </Tag>
        )}
      </Space>
      <Space style={{ marginBottom: 12, display: 'flex' }} wrap>
        <Input.Search allowClear placeholder="办件编号或申请人" aria-label="查找核查任务" style={{ width: 240 }} onSearch={(v) => refilter(setQuery)(v.trim())} />
        <Checkbox checked={overdueOnly} onChange={(e) => refilter(setOverdueOnly)(e.target.checked)}>
          只看已逾期{board ? `（${board.overdue}）` : ''}
        </Checkbox>
        {mayWork && (
          <Checkbox checked={mine} onChange={(e) => refilter(setMine)(e.target.checked)}>
            只看我的任务
          </Checkbox>
        )}
        {isSupervisor && (
          <>
            <Button data-testid="open-verification" onClick={() => setOpening('open')}>
              新建核查
            </Button>
            <Button onClick={() => setOpening('draw')}>双随机抽查</Button>
          </>
        )}
        {mayWork && (
          <Upload
            accept=".json,application/json"
            showUploadList={false}
            beforeUpload={async (file) => {
              try {
                const text = await file.text();
                // One button for both files the laptop hands back: its key registration (before the field), its result (after).
                const isKey = (() => {
                  try {
                    return (JSON.parse(text) as { format?: unknown } | null)?.format === 'pfd-field-key';
                  } catch {
                    return false;
                  }
                })();
                const r = isKey ? await call('verification.registerFieldKey', { registrationJson: text }) : await call('verification.applyFieldResult', { resultJson: text });
                if ('registered' in r ? r.registered : r.applied) message.success(`${r.task.caseNo}：${r.message}`);
                else message.info(r.message);
                await load();
              } catch (e) {
                message.error(e instanceof DeskCallError ? e.message : '导入失败');
              }
              return false;
            }}
          >
            <Button data-testid="import-field-result">导入外勤结果或设备登记</Button>
          </Upload>
        )}
      </Space>
      <Table<TaskView>
        rowKey="id"
        size="middle"
        className="desk-nowrap-head"
        data-testid="task-board"
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
          caseNoColumn<TaskView>((t) => void openDetail(t)),
          // A long name (a company's) is cut with its full text in the title: the items and departments beside it keep their room at 1366×768.
          applicantColumn<TaskView>(96, 'ellipsis'),
          certificateColumn<TaskView>({ tag: 'below' }),
          { title: '事项 / 部门', key: 'item', width: 150, render: (_, t) => <span>{t.items.join('、')}<br /><Typography.Text type="secondary" style={{ whiteSpace: 'nowrap' }}>{t.department}</Typography.Text></span> },
          { title: '核查方式', dataIndex: 'method', width: 92, render: (v: string) => <span style={{ whiteSpace: 'nowrap' }}>{v}</span> },
          dueColumn<TaskView>({ after: (t) => <RectificationFlag t={t} /> }),
          stateColumn<TaskView>({ after: (t) => <HallFieldTag status={hallStatus.get(t.id)} /> }),
          assigneeColumn<TaskView>((t) => t.checkedOutBy?.name ?? t.assignedTo?.name, 72, false),
          {
            title: '操作',
            key: 'ops',
            render: (_, t) => {
              const open = t.state !== 'passed' && t.state !== 'failed' && t.state !== 'exempt' && t.state !== 'cancelled';
              if (!open) return null;
              return (
                <Space size={4} wrap>
                  {isSupervisor && t.state !== 'in_field' && (
                    <Select
                      size="small"
                      placeholder="分派给"
                      style={{ width: 110 }}
                      aria-label={`分派 ${t.caseNo}`}
                      value={t.assignedTo?.id}
                      options={(board?.assistants ?? []).map((a) => ({ value: a.id, label: a.name }))}
                      onChange={(userId: number) => void act(() => call('verification.assign', { taskId: t.id, userId }), '已分派')}
                    />
                  )}
                  {mayWork && t.state !== 'in_field' && (
                    <Button
                      size="small"
                      onClick={() =>
                        void act(async () => {
                          const r = await call('verification.checkout', { taskId: t.id });
                          downloadText(r.packageJson, r.fileName);
                        }, '已领取外勤，任务文件已下载')
                      }
                    >
                      领取外勤
                    </Button>
                  )}
                  {isSupervisor && t.state === 'in_field' && (
                    <Button size="small" danger onClick={() => void act(() => call('verification.release', { taskId: t.id, reason: '管理员收回' }), '已收回')}>
                      收回
                    </Button>
                  )}
                  {t.state !== 'in_field' && mayRecordOutcome(user.role, user.id, { assignedTo: t.assignedTo?.id ?? null, checkedOutBy: t.checkedOutBy?.id ?? null }) && (
                    <Button size="small" type="primary" onClick={() => setOutcomeFor(t)}>
                      录入结论
                    </Button>
                  )}
                </Space>
              );
            },
          },
        ]}
      />
      <OpenVerificationModal
        open={opening === 'open'}
        onClose={(changed) => {
          setOpening(null);
          if (changed) void load();
        }}
      />
      <RandomDrawModal
        open={opening === 'draw'}
        onClose={(changed) => {
          setOpening(null);
          if (changed) void load();
        }}
      />
      <OutcomeModal
        task={outcomeFor}
        onClose={(changed) => {
          setOutcomeFor(null);
          if (changed) void load();
        }}
      />
      <Drawer open={detail !== null} width={620} title={`核查任务 ${detail?.caseNo ?? ''}`} onClose={() => setDetail(null)}>
        {detail && (
          <>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label="申请人">{detail.applicantName}（{detail.idNumberMasked}）</Descriptions.Item>
              <Descriptions.Item label="承诺事项">{detail.certificate}</Descriptions.Item>
              <Descriptions.Item label="核查方式 / 期限">{detail.method}，{deskDay(detail.dueAt)} 前</Descriptions.Item>
              <Descriptions.Item label="状态"><TaskStateTag state={detail.state} /> {detail.outcome && OUTCOME_LABELS[detail.outcome]} {deskTime(detail.outcomeAt)}</Descriptions.Item>
              <Descriptions.Item label="来源">
                {VERIFICATION_SOURCE_LABELS[detail.source]}
                {detail.sourceNote ? `：${detail.sourceNote}` : ''}
              </Descriptions.Item>
              <Descriptions.Item label="事项">
                {detail.caseItems.map((i) => (
                  <Tag key={i.id} color={i.status === 'active' ? (i.relied ? 'blue' : 'default') : 'red'}>
                    {i.name}
                    {i.status === 'revoked' ? '（已撤销）' : i.status === 'terminated' ? '（已终止）' : ''}
                  </Tag>
                ))}
              </Descriptions.Item>
              <Descriptions.Item label="抽查">
                {detail.sample ? `比例 ${Math.round(detail.sample.ratio * 100)}%，随机数 ${detail.sample.draw.toFixed(6)}，${detail.sample.sampled ? '抽中' : '未抽中'}；种子 ${detail.sample.seed}` : '免于核查'}
              </Descriptions.Item>
              <Descriptions.Item label="核查情况">{String(detail.result.note ?? '—')}</Descriptions.Item>
            </Descriptions>
            {detail.evidence.length > 0 && (
              <>
                <Typography.Title level={5} style={{ marginTop: 16 }}>证据</Typography.Title>
                <Image.PreviewGroup>
                  <Space wrap>
                    {detail.evidence.map((e) => (
                      <div key={e.position} style={{ width: 170 }}>
                        {photos[e.position] && <Image src={photos[e.position]} width={160} />}
                        <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }}>
                          {e.kind === 'signature' ? '申请人签字' : '现场照片'} {deskTime(e.takenAt)}
                          <br />
                          <TechValue label="SHA-256" value={e.sha256} />
                        </Typography.Text>
                      </div>
                    ))}
                  </Space>
                </Image.PreviewGroup>
              </>
            )}
            <HandoverCard caseId={detail.caseId} />
          </>
        )}
      </Drawer>
    </>
  );
}
