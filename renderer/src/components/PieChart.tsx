import { useEffect, useRef } from 'react';
import * as echarts from 'echarts/core';
import { PieChart as Pie } from 'echarts/charts';
import { LegendComponent, TooltipComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([Pie, LegendComponent, TooltipComponent, CanvasRenderer]);

export interface PieDatum {
  name: string;
  value: number;
  color: string;
}

export function PieChart({ data, height = 260 }: { data: PieDatum[]; height?: number }) {
  const el = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (!el.current) return;
    const chart = echarts.init(el.current);
    chart.setOption({
      tooltip: { trigger: 'item', formatter: '{b}：{c} 项（{d}%）' },
      legend: { orient: 'vertical', right: 10, top: 'middle' },
      series: [
        {
          type: 'pie',
          animationDuration: 300,
          radius: ['45%', '72%'],
          center: ['38%', '50%'],
          label: { formatter: '{c}' },
          data: data.map((d) => ({ name: d.name, value: d.value, itemStyle: { color: d.color } })),
        },
      ],
    });
    const resize = () => chart.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      chart.dispose();
    };
  }, [data]);
  return <div ref={el} style={{ height, width: '100%' }} />;
}
