import { Tooltip } from 'antd';
import { isWeekend, isWorkingDay, type HallCalendar } from '../../../../shared/rules/hall-calendar';
import type { MethodOutput } from '../../../../shared/ipc/contract';

type DayRow = MethodOutput<'calendar.year'>['days'][number];

const HEAD = ['一', '二', '三', '四', '五', '六', '日'];

/** One month, Monday first: 休 days red, make-up 班 days blue, weekends grey. */
export function MonthGrid(props: { year: number; month: number; today: string; byDate: ReadonlyMap<string, DayRow>; cal: HallCalendar; onPick?: (date: string) => void }) {
  const { year, month } = props;
  const first = new Date(Date.UTC(year, month - 1, 1));
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  const lead = (first.getUTCDay() + 6) % 7;
  const cells: (string | null)[] = [...Array<null>(lead).fill(null)];
  for (let d = 1; d <= days; d++) cells.push(`${year}-${String(month).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
  while (cells.length % 7) cells.push(null);
  return (
    <div className="desk-month" data-testid={`month-${month}`}>
      <div className="desk-month-title">{month}月</div>
      <div className="desk-month-grid">
        {HEAD.map((h) => (
          <div key={h} className="desk-month-head">
            {h}
          </div>
        ))}
        {cells.map((date, i) => {
          if (!date) return <div key={`e${i}`} />;
          const listed = props.byDate.get(date);
          const cls = ['desk-day', listed ? `desk-day-${listed.kind}` : isWeekend(date) ? 'desk-day-weekend' : '', date === props.today ? 'desk-day-today' : '', props.onPick ? 'desk-day-pick' : '']
            .filter(Boolean)
            .join(' ');
          const tip = `${date} ${listed ? `${listed.kind === 'holiday' ? '休' : '班'}${listed.name ? ` · ${listed.name}` : ''}${listed.note ? `（更正：${listed.note}）` : ''}` : isWorkingDay(props.cal, date) ? '工作日' : '休息日'}`;
          return (
            <Tooltip key={date} title={tip} mouseEnterDelay={0.4}>
              <div className={cls} data-date={date} data-kind={listed?.kind ?? (isWeekend(date) ? 'weekend' : 'weekday')} onClick={props.onPick ? () => props.onPick!(date) : undefined}>
                {Number(date.slice(8))}
                {listed && <span className="desk-day-mark">{listed.kind === 'holiday' ? '休' : '班'}</span>}
              </div>
            </Tooltip>
          );
        })}
      </div>
    </div>
  );
}
