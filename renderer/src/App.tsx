import { useEffect } from 'react';
import { Result, Spin } from 'antd';
import { useDesk } from './state/desk-store';
import { SignInPage } from './pages/SignInPage';
import { SetupPage } from './pages/SetupPage';
import { RecoveryPage } from './pages/RecoveryPage';
import { AppShell } from './shell/AppShell';
import { ChangePasswordPage } from './pages/ChangePasswordPage';

export function App() {
  const phase = useDesk((s) => s.phase);
  const boot = useDesk((s) => s.boot);
  const mustChangePassword = useDesk((s) => s.session?.mustChangePassword === true);

  useEffect(() => {
    void boot();
  }, [boot]);

  switch (phase) {
    case 'booting':
      return (
        <div className="desk-center">
          <Spin size="large" description="正在启动…" />
        </div>
      );
    case 'recovery':
      return <RecoveryPage />;
    case 'setup':
      return <SetupPage />;
    case 'signedOut':
      return <SignInPage />;
    case 'signedIn':
      // A demo user on a production desk changes the password before anything else.
      return mustChangePassword ? <ChangePasswordPage /> : <AppShell />;
    case 'noToken':
      return (
        <Result
          status="info"
          title="请使用完整地址打开工作台"
          subTitle="工作台的访问地址带有本次启动的访问凭据（以“#token=”开头的部分），打印在启动工作台的窗口中。请复制那一行完整地址，粘贴到本页地址栏后回车，本页即自动打开。"
        />
      );
    case 'hostGone':
      return (
        <Result
          status="warning"
          title="本地服务已重启，此地址已失效"
          subTitle="为保护数据，每次启动工作台都会生成新的访问地址。请复制启动窗口中打印的新地址，粘贴到本页地址栏后回车，本页即自动恢复；未提交的草稿不会丢失。"
        />
      );
    case 'unreachable':
      return (
        <Result
          status="error"
          title="无法连接本地服务"
          subTitle="工作台的本地服务没有响应。请确认程序仍在运行，然后刷新本页。"
        />
      );
  }
}
