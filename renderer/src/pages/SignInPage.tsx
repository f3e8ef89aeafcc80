import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { call, DeskCallError } from '../ipc/client';
import { useDesk } from '../state/desk-store';

export function SignInPage() {
  const signedIn = useDesk((s) => s.signedIn);
  const hall = useDesk((s) => s.status?.hall);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(values: { username: string; password: string }) {
    setBusy(true);
    setError(null);
    try {
      signedIn(await call('auth.signIn', values));
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '登录失败，请重试。');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="desk-center">
      <Card style={{ width: 400, boxShadow: '0 12px 40px rgba(0,0,0,0.25)' }}>
        <div style={{ textAlign: 'center', marginBottom: 24 }}>
          <Typography.Title level={3} style={{ marginBottom: 4 }}>
            无证明办理工作台
          </Typography.Title>
          <Typography.Text type="secondary">{hall ? hall.name : '政务服务大厅'} · 窗口办理</Typography.Text>
        </div>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="signin-error" />}
        <Form layout="vertical" onFinish={submit} requiredMark={false} autoComplete="off">
          <Form.Item name="username" label="用户名" rules={[{ required: true, message: '请输入用户名' }]}>
            <Input prefix={<UserOutlined />} placeholder="用户名" autoFocus size="large" />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password prefix={<LockOutlined />} placeholder="密码" size="large" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            登录
          </Button>
        </Form>
        <Typography.Paragraph type="secondary" style={{ marginTop: 16, marginBottom: 0, fontSize: 12, textAlign: 'center' }}>
          本机离线可用 · 所有操作均记入审计日志
        </Typography.Paragraph>
      </Card>
    </div>
  );
}
