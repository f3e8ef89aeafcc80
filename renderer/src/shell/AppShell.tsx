import type { ComponentType } from 'react';
import { Dropdown, Layout, Menu, Tag, Typography } from 'antd';
import { BranchesOutlined, CalendarOutlined, SwapOutlined, AuditOutlined, BookOutlined, CloudSyncOutlined, FolderOpenOutlined, FormOutlined, SafetyOutlined, ScanOutlined, HomeOutlined, LockOutlined, LogoutOutlined, FileSearchOutlined, TeamOutlined, UserAddOutlined, ClusterOutlined } from '@ant-design/icons';
import { ROLE_LABELS } from '../../../shared/domain/roles';
import { useDesk, type PageKey } from '../state/desk-store';
import { useIdleLock } from './use-idle-lock';
import { useNetworkState } from './use-network-state';
import { LockOverlay } from './LockOverlay';
import { HomePage } from '../pages/HomePage';
import { ApplicantsPage } from '../pages/ApplicantsPage';
import { CatalogPage } from '../pages/CatalogPage';
import { UsersPage } from '../pages/UsersPage';
import { AuditPage } from '../pages/AuditPage';
import { IntakePage } from '../pages/intake/IntakePage';
import { CasesPage } from '../pages/CasesPage';
import { CreditPage } from '../pages/CreditPage';
import { ScanPage } from '../pages/scan/ScanPage';
import { SyncPage } from '../pages/sync/SyncPage';
import { SyncIndicator } from '../pages/sync/SyncIndicator';
import { TransferPage } from '../pages/transfer/TransferPage';
import { VerificationPage } from '../pages/verification/VerificationPage';
import { CalendarPage } from '../pages/calendar/CalendarPage';
import { HallConflictsPage } from '../pages/HallConflictsPage';
import { HubCenterPage } from '../pages/hub/HubCenterPage';

const PAGES: Record<PageKey, ComponentType> = {
  home: HomePage,
  intake: IntakePage,
  cases: CasesPage,
  sync: SyncPage,
  transfer: TransferPage,
  scan: () => <ScanPage />,
  verification: VerificationPage,
  applicants: ApplicantsPage,
  catalog: CatalogPage,
  credit: CreditPage,
  calendar: CalendarPage,
  users: UsersPage,
  audit: AuditPage,
  conflicts: HallConflictsPage,
  hub: HubCenterPage,
};

function Dot({ ok }: { ok: boolean }) {
  return <span className="desk-status-dot" style={{ background: ok ? '#52c41a' : '#faad14' }} />;
}

export function AppShell() {
  const session = useDesk((s) => s.session)!;
  const status = useDesk((s) => s.status);
  const page = useDesk((s) => s.page);
  // 受理办件 clicked again (or a case opened) mounts the intake anew: a case only looked at gives way to the draft.
  const visit = useDesk((s) => s.visit);
  const go = useDesk((s) => s.go);
  const locked = useDesk((s) => s.locked);
  const lock = useDesk((s) => s.lock);
  const signOut = useDesk((s) => s.signOut);
  const { online, serviceUp } = useNetworkState();
  useIdleLock(session.idleLockMs);

  const isSupervisor = session.user.role === 'supervisor';
  const all = [
    { key: 'home', icon: <HomeOutlined />, label: '首页' },
    { key: 'intake', icon: <FormOutlined />, label: '受理办件' },
    { key: 'cases', icon: <FolderOpenOutlined />, label: '办件查询' },
    { key: 'sync', icon: <CloudSyncOutlined />, label: '数据同步' },
    { key: 'transfer', icon: <SwapOutlined />, label: '内外网交换' },
    { key: 'scan', icon: <ScanOutlined />, label: '高拍仪扫描' },
    { key: 'verification', icon: <FileSearchOutlined />, label: '核查与协查' },
    { key: 'applicants', icon: <UserAddOutlined />, label: '申请人登记' },
    { key: 'catalog', icon: <BookOutlined />, label: '事项与证明清单' },
    { key: 'credit', icon: <SafetyOutlined />, label: '信用名单' },
    { key: 'calendar', icon: <CalendarOutlined />, label: '工作日历' },
    ...(isSupervisor
      ? [
          { key: 'users', icon: <TeamOutlined />, label: '用户管理' },
          { key: 'audit', icon: <AuditOutlined />, label: '审计日志' },
          { key: 'conflicts', icon: <BranchesOutlined />, label: '全厅数据冲突' },
          { key: 'hub', icon: <ClusterOutlined />, label: '全厅中心' },
        ]
      : []),
  ];
  // An assistant's menu is their work (核查与协查 first, then 帮办 at the window); the window's data
  // exchange (数据同步, 内外网交换) and the credit list are the clerks' and supervisors'.
  const ASSISTANT_MENU = ['home', 'verification', 'cases', 'intake', 'scan', 'applicants', 'catalog', 'calendar'];
  const items =
    session.user.role === 'assistant' ? ASSISTANT_MENU.map((k) => all.find((i) => i.key === k)!).filter(Boolean) : all;
  const Page = PAGES[page];

  return (
    <Layout style={{ height: '100%' }}>
      <Layout.Header className="desk-header">
        <div className="desk-brand">
          <span className="desk-brand-mark">证</span>
          无证明办理工作台
          <Typography.Text style={{ color: '#dbe6f7', fontWeight: 400, fontSize: 14 }}>{status?.hall?.name}</Typography.Text>
        </div>
        <div className="desk-header-right">
          <SyncIndicator />
          <span data-testid="net-state">
            <Dot ok={online} />
            {online ? '网络在线' : '网络离线（本机照常办理）'}
          </span>
          <span data-testid="service-state">
            <Dot ok={serviceUp} />
            {serviceUp ? '本地数据正常' : '本地服务无响应'}
          </span>
          <Dropdown
            menu={{
              items: [
                { key: 'lock', icon: <LockOutlined />, label: '锁定工作台', onClick: () => void lock() },
                { key: 'out', icon: <LogoutOutlined />, label: '退出登录', onClick: () => void signOut() },
              ],
            }}
          >
            <span style={{ cursor: 'pointer', color: '#fff' }} data-testid="current-user">
              {session.user.displayName} <Tag color="gold">{ROLE_LABELS[session.user.role]}</Tag>
            </span>
          </Dropdown>
        </div>
      </Layout.Header>
      <Layout>
        <Layout.Sider width={200} theme="light">
          <Menu mode="inline" selectedKeys={[page]} items={items} onClick={(e) => go(e.key as PageKey)} style={{ height: '100%', paddingTop: 8 }} />
        </Layout.Sider>
        <Layout.Content className="desk-content">{!locked && <Page key={page === 'intake' ? `intake-${visit}` : page} />}</Layout.Content>
      </Layout>
      {locked && <LockOverlay />}
    </Layout>
  );
}
