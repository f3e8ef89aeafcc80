import { useMemo, useState } from 'react';
import { Alert, App, Button, Card, Descriptions, Empty, Input, InputNumber, Modal, Radio, Segmented, Select, Space, Table, Tag, Typography, Upload } from 'antd';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import { chinaDate } from '../../../../shared/rules/china-time';
import { DAY_KIND_LABELS, isWorkingDay, makeCalendar, weekdayOf, WEEKDAY_LABELS, type DayKind } from '../../../../shared/rules/hall-calendar';
import { call } from '../../ipc/client';
import { callErrorText, useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { useDesk } from '../../state/desk-store';
import { deskTime } from '../../lib/time';
import { CalendarWarningView } from './CalendarWarning';
import { MonthGrid } from './MonthGrid';

type YearView = MethodOutput<'calendar.year'>;
type DayRow = YearView['days'][number];

const KIND_TAG: Record<DayKind, { color: string; text: string }> = {
  holiday: { color: 'red', text: '休 · 法定节假日' },
  workday: { color: 'blue', text: '班 · 调休上班' },
};

const FORMAT_HELP = `每行一个日期或日期范围：日期,休或班,名称
2025-10-01~2025-10-08,休,国庆节、中秋节
2025-09-28,班,国庆节、中秋节
以 # 开头的行为注释；逗号、制表符或空格分隔均可。`;

/** 工作日历: the year's statutory holidays and make-up working days; the supervisor imports and corrects. */
export function CalendarPage() {
  const isSupervisor = useDesk((s) => s.session!.user.role === 'supervisor');
  const today = chinaDate(new Date());
  const [year, setYear] = useState(Number(today.slice(0, 4)));
  const [view, setView] = useState<'calendar' | 'list'>('calendar');
  const { data, error, reload } = useCall('calendar.year', { year });
  const status = useCall('calendar.status', {});
  const [editing, setEditing] = useState<string | null>(null);
  const [importing, setImporting] = useState(false);

  const years = useMemo(() => {
    const set = new Set([year - 1, year, year + 1, ...(status.data?.years.map((y) => y.year) ?? [])]);
    return [...set].sort((a, b) => a - b);
  }, [year, status.data]);
  const cal = useMemo(() => makeCalendar(data?.days ?? [], data?.loaded ? [year] : []), [data, year]);
  const byDate = useMemo(() => new Map((data?.days ?? []).map((d) => [d.date, d])), [data]);
  const refresh = async () => {
    await reload();
    await status.reload();
  };

  return (
    <Card
      title="工作日历（法定节假日与调休）"
      data-testid="calendar-page"
      extra={
        <Space>
          <Select data-testid="calendar-year" value={year} style={{ width: 110 }} onChange={setYear} options={years.map((y) => ({ value: y, label: `${y}年` }))} />
          <Segmented
            value={view}
            onChange={(v) => setView(v as 'calendar' | 'list')}
            options={[
              { value: 'calendar', label: '日历' },
              { value: 'list', label: '列表' },
            ]}
          />
          {isSupervisor && (
            <Button type="primary" data-testid="calendar-import" onClick={() => setImporting(true)}>
              导入全年安排
            </Button>
          )}
        </Space>
      }
    >
      <CalendarWarningView status={status.data} onCalendarPage />
      <LoadError error={error} retry={() => void reload()} />
      {data && !data.loaded && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          title={`${year}年的节假日安排尚未导入`}
          description={`该年度的期限暂按“周六、周日休息”计算。${isSupervisor ? '请点击“导入全年安排”，按国务院办公厅当年通知导入。' : ''}`}
        />
      )}
      {data?.loaded && (
        <Descriptions size="small" column={2} style={{ marginBottom: 12 }} data-testid="calendar-source">
          {/* The notice's long title on its own line: the load and the totals below it are not squeezed (1366×768). */}
          <Descriptions.Item label="依据" span={2}>{data.loaded.source}</Descriptions.Item>
          <Descriptions.Item label="载入">
            {deskTime(data.loaded.loadedAt)} · {data.loaded.loadedBy ?? '系统（随程序发布）'}
          </Descriptions.Item>
          <Descriptions.Item label="合计">
            休 {data.days.filter((d) => d.kind === 'holiday').length} 天 · 调休上班 {data.days.filter((d) => d.kind === 'workday').length} 天
          </Descriptions.Item>
        </Descriptions>
      )}
      {data && view === 'calendar' && (
        <>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
            <Tag color="red">休</Tag>法定节假日 <Tag color="blue">班</Tag>调休上班 <Tag>周末</Tag>
            {isSupervisor && data.loaded ? ' · 点击某一天可更正' : ''}
          </Typography.Paragraph>
          <div className="desk-year-grid" data-testid="calendar-grid">
            {Array.from({ length: 12 }, (_, m) => (
              <MonthGrid key={m} year={year} month={m + 1} today={today} byDate={byDate} cal={cal} onPick={isSupervisor && data.loaded ? setEditing : undefined} />
            ))}
          </div>
        </>
      )}
      {data && view === 'list' && (
        <Table<DayRow>
          rowKey="date"
          size="small"
          data-testid="calendar-list"
          dataSource={data.days}
          pagination={false}
          scroll={{ y: 460 }}
          locale={{ emptyText: <Empty description="本年度没有列出的节假日或调休日" /> }}
          columns={[
            { title: '日期', dataIndex: 'date', width: 120 },
            { title: '星期', key: 'wd', width: 70, render: (_, r) => WEEKDAY_LABELS[weekdayOf(r.date)] },
            { title: '类别', dataIndex: 'kind', width: 150, render: (k: DayKind) => <Tag color={KIND_TAG[k].color}>{KIND_TAG[k].text}</Tag> },
            { title: '名称', dataIndex: 'name' },
            { title: '更正说明', dataIndex: 'note', render: (n: string | null) => n ?? '—' },
            { title: '更新', key: 'by', width: 210, render: (_, r) => `${deskTime(r.updatedAt)} ${r.updatedBy ?? '系统'}` },
            ...(isSupervisor ? [{ title: '', key: 'op', width: 70, render: (_: unknown, r: DayRow) => <Button size="small" onClick={() => setEditing(r.date)}>更正</Button> }] : []),
          ]}
        />
      )}
      <CorrectDayModal date={editing} current={editing ? byDate.get(editing) : undefined} working={editing ? isWorkingDay(cal, editing) : false} onClose={() => setEditing(null)} onSaved={refresh} />
      <ImportModal open={importing} year={year} onClose={() => setImporting(false)} onImported={async (y) => {
          await status.reload();
          if (y === year) await reload();
          else setYear(y);
        }} />
    </Card>
  );
}

function CorrectDayModal(props: { date: string | null; current: DayRow | undefined; working: boolean; onClose: () => void; onSaved: () => Promise<void> }) {
  const { message } = App.useApp();
  const { date, current } = props;
  const [kind, setKind] = useState<DayKind | 'normal' | null>(null);
  const [name, setName] = useState('');
  const [reason, setReason] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const shownKind = kind ?? current?.kind ?? 'normal';
  const close = () => {
    setKind(null);
    setName('');
    setReason('');
    setProblem(null);
    props.onClose();
  };
  return (
    <Modal
      open={date !== null}
      title={date ? `更正 ${date}（${WEEKDAY_LABELS[weekdayOf(date)]}）` : ''}
      okText="保存更正"
      okButtonProps={{ disabled: !reason.trim() }}
      onCancel={close}
      onOk={async () => {
        try {
          await call('calendar.setDay', { date: date!, kind: shownKind, name: name.trim() || current?.name || '', reason: reason.trim() });
          message.success(`已更正 ${date}`);
          await props.onSaved();
          close();
        } catch (e) {
          setProblem(callErrorText(e, '更正失败'));
        }
      }}
    >
      <Typography.Paragraph type="secondary">
        当前：{current ? `${DAY_KIND_LABELS[current.kind]}${current.name ? `（${current.name}）` : ''}` : '按常规'}，{props.working ? '工作日' : '休息日'}。更正只影响此后计算的期限，已确定的期限不变。
      </Typography.Paragraph>
      <Radio.Group
        value={shownKind}
        onChange={(e) => setKind(e.target.value as DayKind | 'normal')}
        data-testid="calendar-day-kind"
        options={[
          { value: 'holiday', label: '休（放假）' },
          { value: 'workday', label: '班（调休上班）' },
          { value: 'normal', label: '按常规（周一至周五上班）' },
        ]}
      />
      {shownKind !== 'normal' && (
        <Input style={{ marginTop: 12 }} placeholder={current?.name || '名称，例如：国庆节'} value={name} maxLength={30} onChange={(e) => setName(e.target.value)} data-testid="calendar-day-name" />
      )}
      <Input.TextArea style={{ marginTop: 12 }} rows={2} placeholder="更正原因（必填），例如：依据县政府通知调整" value={reason} maxLength={200} onChange={(e) => setReason(e.target.value)} data-testid="calendar-day-reason" />
      {problem && <Alert style={{ marginTop: 12 }} type="error" showIcon title={problem} data-testid="calendar-day-problem" />}
    </Modal>
  );
}

function ImportModal(props: { open: boolean; year: number; onClose: () => void; onImported: (year: number) => Promise<void> | void }) {
  const { message } = App.useApp();
  const [year, setYear] = useState<number | null>(null);
  const [source, setSource] = useState('');
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const shownYear = year ?? props.year;
  const close = () => {
    setYear(null);
    setSource('');
    setText('');
    setProblem(null);
    props.onClose();
  };
  return (
    <Modal
      open={props.open}
      width={640}
      title="导入全年节假日安排"
      okText="导入（替换该年度全部安排）"
      okButtonProps={{ disabled: !source.trim() || !text.trim() }}
      onCancel={close}
      onOk={async () => {
        try {
          await call('calendar.import', { year: shownYear, source: source.trim(), text });
          message.success(`已导入${shownYear}年节假日安排`);
          await props.onImported(shownYear);
          close();
        } catch (e) {
          setProblem(callErrorText(e, '导入失败'));
        }
      }}
    >
      <Space style={{ marginBottom: 12 }} wrap>
        <span>年度</span>
        <InputNumber min={2000} max={2100} value={shownYear} onChange={(v) => setYear(v ?? props.year)} data-testid="calendar-import-year" />
        <span>依据</span>
        <Input style={{ width: 340 }} placeholder="通知文号，例如：国办发明电〔2025〕7号" value={source} maxLength={200} onChange={(e) => setSource(e.target.value)} data-testid="calendar-import-source" />
      </Space>
      <Upload
        accept=".txt,.csv,text/plain,text/csv"
        showUploadList={false}
        beforeUpload={async (file) => {
          setText(await file.text());
          setProblem(null);
          return false;
        }}
      >
        <Button size="small">从文件读取（.txt / .csv）</Button>
      </Upload>
      <Input.TextArea style={{ marginTop: 8, fontFamily: 'monospace' }} rows={10} value={text} onChange={(e) => setText(e.target.value)} placeholder={FORMAT_HELP} data-testid="calendar-import-text" />
      <Typography.Paragraph type="secondary" style={{ marginTop: 8, marginBottom: 0 }}>
        导入会替换该年度的全部安排；任何一行有误则整份不导入，并指出行号。
      </Typography.Paragraph>
      {problem && <Alert style={{ marginTop: 12 }} type="error" showIcon title={problem} data-testid="calendar-import-problem" />}
    </Modal>
  );
}
