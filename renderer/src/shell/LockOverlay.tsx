import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { LockOutlined } from '@ant-design/icons';
import { call, DeskCallError } from '../ipc/client';
import { useDesk } from '../state/desk-store';

/** Covers the whole window (nothing of the case underneath stays visible) until the same user re-enters the password. */
export function LockOverlay() {
  const session = useDesk((s) => s.session)!;
  const unlocked = useDesk((s) => s.unlocked);
  const signOut = useDesk((s) => s.signOut);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<{ password: string }>();

  async function submit({ password }: { password: string }) {
    setBusy(true);
    setError(null);
    try {
      unlocked(await call('auth.unlock', { password }));
    } catch (e) {
      form.resetFields();
      setError(e instanceof DeskCallError ? e.message : '解锁失败。');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="desk-lock" data-testid="lock-overlay">
      <Card style={{ width: 380 }}>
        <Typography.Title level={4}>
          <LockOutlined /> 工作台已锁定
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {session.user.displayName}（{session.user.username}），请输入密码继续。
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} />}
        <Form form={form} onFinish={submit}>
          <Form.Item name="password" rules={[{ required: true, message: '请输入密码' }]}>
            <Input.Password autoFocus placeholder="密码" />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            解锁
          </Button>
          <Button type="link" block onClick={() => void signOut()} style={{ marginTop: 8 }}>
            换个账号登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
