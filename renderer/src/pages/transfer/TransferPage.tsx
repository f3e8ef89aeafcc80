import { useState } from 'react';
import { Badge, Spin, Tabs, Typography } from 'antd';
import { useDesk } from '../../state/desk-store';
import { useTransfer } from './use-transfer';
import { ZonePairing } from './ZonePairing';
import { ExportImport } from './ExportImport';
import { BundleHistory, ReceivedCases, WaitingList } from './TransferLists';

/** 内外网交换: zone and peer setup, export and import of bundles, their history, what waits for an acknowledgement. */
export function TransferPage() {
  const role = useDesk((s) => s.session?.user.role);
  const { status, history, waiting, received, reload, setStatus } = useTransfer();
  const [tab, setTab] = useState<string | null>(null);
  if (!status || !history) return <Spin />;
  const supervisor = role === 'supervisor';
  const active = tab ?? (status.desk && status.peer ? 'exchange' : 'setup');
  return (
    <div data-testid="transfer-page">
      <Typography.Title level={4}>内外网交换</Typography.Title>
      <Tabs
        activeKey={active}
        onChange={setTab}
        items={[
          { key: 'setup', label: '区域与配对', children: <ZonePairing status={status} onChange={setStatus} supervisor={supervisor} /> },
          { key: 'exchange', label: '导出与导入', children: <ExportImport status={status} onChange={setStatus} reload={reload} supervisor={supervisor} /> },
          { key: 'history', label: '往来记录', children: <BundleHistory history={history} /> },
          {
            key: 'waiting',
            label: (
              <Badge count={waiting.length} size="small" offset={[8, 0]}>
                待对端确认
              </Badge>
            ),
            children: <WaitingList items={waiting} />,
          },
          { key: 'received', label: '转来的办件', children: <ReceivedCases cases={received} /> },
        ]}
      />
    </div>
  );
}
