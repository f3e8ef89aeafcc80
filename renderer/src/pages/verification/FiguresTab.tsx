import { useEffect, useRef, useState } from 'react';
import { Card, Col, Row, Statistic, Table } from 'antd';
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import type { FigureRow } from '../../../../shared/ipc/methods/verification';
import { call } from '../../ipc/client';

echarts.use([BarChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer]);

function Bars({ rows }: { rows: FigureRow[] }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    chart.setOption({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 8, right: 16, bottom: 8, top: 32, containLabel: true },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: rows.map((r) => r.key), axisLabel: { width: 180, overflow: 'truncate' } },
      series: [
        { name: '应核查', type: 'bar', data: rows.map((r) => r.due), itemStyle: { color: '#1677ff' }, animationDuration: 300 },
        { name: '已完成', type: 'bar', data: rows.map((r) => r.done), itemStyle: { color: '#52c41a' }, animationDuration: 300 },
        { name: '已逾期', type: 'bar', data: rows.map((r) => r.overdue), itemStyle: { color: '#faad14' }, animationDuration: 300 },
        { name: '承诺不实', type: 'bar', data: rows.map((r) => r.falseCount), itemStyle: { color: '#f5222d' }, animationDuration: 300 },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [rows]);
  return <div ref={el} style={{ height: Math.max(180, 60 + rows.length * 56) }} />;
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

function FigureTable({ rows, first }: { rows: FigureRow[]; first: string }) {
  return (
    <Table<FigureRow>
      rowKey="key"
      size="small"
      pagination={false}
      dataSource={rows}
      columns={[
        { title: first, dataIndex: 'key' },
        { title: '应核查', dataIndex: 'due' },
        { title: '已完成', dataIndex: 'done' },
        { title: '已逾期', dataIndex: 'overdue' },
        { title: '不实比例', dataIndex: 'falseShare', render: pct },
      ]}
    />
  );
}

/** Verifications due, done, overdue and the share found false, by item and by department. */
export function FiguresTab() {
  const [f, setF] = useState<MethodOutput<'verification.figures'> | null>(null);
  useEffect(() => {
    void call('verification.figures', {}).then(setF);
  }, []);
  if (!f) return null;
  return (
    <>
      <Row gutter={16} style={{ marginBottom: 16 }}>
        <Col span={6}><Card><Statistic title="应核查" value={f.total.due} /></Card></Col>
        <Col span={6}><Card><Statistic title="已完成" value={f.total.done} /></Card></Col>
        <Col span={6}><Card><Statistic title="已逾期" value={f.total.overdue} valueStyle={{ color: f.total.overdue ? '#d48806' : undefined }} /></Card></Col>
        <Col span={6}><Card><Statistic title="承诺不实比例" value={pct(f.total.falseShare)} valueStyle={{ color: f.total.falseCount ? '#cf1322' : undefined }} /></Card></Col>
      </Row>
      <Row gutter={16}>
        <Col span={12}>
          <Card title="按事项" size="small">
            <Bars rows={f.byItem} />
            <FigureTable rows={f.byItem} first="事项" />
          </Card>
        </Col>
        <Col span={12}>
          <Card title="按部门" size="small">
            <Bars rows={f.byDepartment} />
            <FigureTable rows={f.byDepartment} first="部门" />
          </Card>
        </Col>
      </Row>
    </>
  );
}
