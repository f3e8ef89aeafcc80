import { useState } from 'react';
import { Alert, Button, Card, Form, Input, Typography } from 'antd';
import { PASSWORD_POLICY_HINT, passwordProblem } from '../../../shared/rules/password';
import { call, DeskCallError } from '../ipc/client';
import { useDesk } from '../state/desk-store';

interface Values {
  oldPassword: string;
  newPassword: string;
  confirm: string;
}

/**
 * 修改密码, before anything else: a demo user on a production desk (docs/SECURITY.md). The main
 * side refuses every other method until the change is made; the policy is the shared one.
 */
export function ChangePasswordPage() {
  const session = useDesk((s) => s.session);
  const passwordChanged = useDesk((s) => s.passwordChanged);
  const signOut = useDesk((s) => s.signOut);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const username = session?.user.username ?? '';

  async function submit(v: Values) {
    setBusy(true);
    setError(null);
    try {
      await call('auth.changePassword', { oldPassword: v.oldPassword, newPassword: v.newPassword });
      passwordChanged();
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '修改密码失败，请重试。');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="desk-center">
      <Card style={{ width: 480, boxShadow: '0 12px 40px rgba(0,0,0,0.25)' }} data-testid="change-password">
        <Typography.Title level={3} style={{ marginBottom: 4 }}>
          修改密码
        </Typography.Title>
        <Typography.Paragraph type="secondary">
          {session?.user.displayName}（{username}），您的账号仍在使用演示密码。正式环境中须先设置自己的密码，才能办理业务。
        </Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} data-testid="change-password-error" />}
        <Form<Values> layout="vertical" onFinish={submit} requiredMark={false} autoComplete="off">
          <Form.Item name="oldPassword" label="原密码" rules={[{ required: true, message: '请输入原密码' }]}>
            <Input.Password autoFocus />
          </Form.Item>
          <Form.Item
            name="newPassword"
            label="新密码"
            extra={PASSWORD_POLICY_HINT}
            rules={[
              { required: true, message: '请输入新密码' },
              { validator: (_, value: string | undefined) => (!value || !passwordProblem(value, username) ? Promise.resolve() : Promise.reject(new Error(passwordProblem(value, username)!))) },
            ]}
          >
            <Input.Password />
          </Form.Item>
          <Form.Item
            name="confirm"
            label="确认新密码"
            dependencies={['newPassword']}
            rules={[
              { required: true, message: '请再次输入新密码' },
              ({ getFieldValue }) => ({
                validator: (_, value) => (value === getFieldValue('newPassword') ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致'))),
              }),
            ]}
          >
            <Input.Password />
          </Form.Item>
          <Button type="primary" htmlType="submit" block size="large" loading={busy}>
            修改密码并进入工作台
          </Button>
          <Button type="link" block style={{ marginTop: 8 }} onClick={() => void signOut()}>
            退出登录
          </Button>
        </Form>
      </Card>
    </div>
  );
}
