import { useState } from 'react';
import { Button, Card, Input, List, Space, Typography } from 'antd';
import { call } from '../../ipc/client';
import { useAction, useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { deskTime } from '../../lib/time';

/** 代办: what was handed over and when; the progress notice for the applicant. */
export function HandoverCard({ caseId }: { caseId: number }) {
  const { data: log, error, reload: load } = useCall('handover.log', { caseId });
  const [items, setItems] = useState('');
  const [to, setTo] = useState('');
  const run = useAction(load);
  return (
    <Card size="small" title="代办移交与进度告知" style={{ marginTop: 16 }}>
      <LoadError error={error} retry={() => void load()} />
      <Space.Compact style={{ width: '100%', marginBottom: 8 }}>
        <Input placeholder="移交的材料，用顿号分隔" value={items} onChange={(e) => setItems(e.target.value)} />
        <Input placeholder="接收人" value={to} onChange={(e) => setTo(e.target.value)} style={{ width: 160 }} />
        <Button
          disabled={!items.trim() || !to.trim()}
          onClick={() =>
            void run(async () => {
              await call('handover.record', { caseId, items: items.split(/[、,，]/).map((s) => s.trim()).filter(Boolean), handedTo: to.trim() });
              setItems('');
              setTo('');
            }, '已登记移交')
          }
        >
          登记移交
        </Button>
      </Space.Compact>
      <Button size="small" onClick={() => void run(() => call('handover.notifyProgress', { caseId }), '已生成进度告知')}>
        告知申请人办理进度
      </Button>
      <List
        size="small"
        dataSource={[
          ...(log?.handovers ?? []).map((h) => ({ key: `h${h.id}`, at: h.handedAt, text: `移交 ${h.items.join('、')} → ${h.handedTo}（${h.by}）` })),
          ...(log?.notices ?? []).map((n) => ({ key: `n${n.id}`, at: n.createdAt, text: `告知：${n.text}` })),
        ].sort((a, b) => a.at.localeCompare(b.at))}
        renderItem={(r) => (
          <List.Item key={r.key}>
            <Typography.Text type="secondary">{deskTime(r.at)}</Typography.Text>&nbsp;{r.text}
          </List.Item>
        )}
      />
    </Card>
  );
}
