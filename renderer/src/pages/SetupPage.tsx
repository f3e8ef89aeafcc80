import { PASSWORD_POLICY_HINT } from '../../../shared/rules/password';
import { useState } from 'react';
import { Alert, Button, Card, Divider, Form, Input, Typography } from 'antd';
import { call, DeskCallError } from '../ipc/client';
import { useDesk } from '../state/desk-store';

interface SetupValues {
  hallCode: string;
  hallName: string;
  region: string;
  username: string;
  displayName: string;
  password: string;
  confirm: string;
}

/** First start of a production install: the hall and its first supervisor. */
export function SetupPage() {
  const signedIn = useDesk((s) => s.signedIn);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(v: SetupValues) {
    setBusy(true);
    setError(null);
    try {
      signedIn(
        await call('setup.initialize', {
          hall: { code: v.hallCode, name: v.hallName, region: v.region },
          admin: { username: v.username, displayName: v.displayName, password: v.password },
        }),
      );
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '初始化失败，请重试。');
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className="desk-center">
      <Card style={{ width: 520 }}>
        <Typography.Title level={3}>初始化工作台</Typography.Title>
        <Typography.Paragraph type="secondary">首次使用，请填写本大厅信息并创建第一个管理员账号。</Typography.Paragraph>
        {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 16 }} />}
        <Form<SetupValues> layout="vertical" onFinish={submit}>
          <Form.Item name="hallName" label="大厅名称" rules={[{ required: true, message: '请输入大厅名称' }]}>
            <Input placeholder="例如：房县政务服务中心" />
          </Form.Item>
          <Form.Item name="hallCode" label="大厅编码" rules={[{ required: true, message: '请输入大厅编码' }]}>
            <Input placeholder="例如：420325-ZWFW" />
          </Form.Item>
          <Form.Item name="region" label="所在地区" rules={[{ required: true, message: '请输入所在地区' }]}>
            <Input placeholder="例如：湖北省十堰市房县" />
          </Form.Item>
          <Divider />
          <Form.Item name="displayName" label="管理员姓名" rules={[{ required: true, message: '请输入姓名' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="username" label="管理员用户名" rules={[{ required: true, pattern: /^[a-z][a-z0-9_.-]{2,31}$/, message: '以小写字母开头，3-32位小写字母、数字或 _ . -' }]}>
            <Input />
          </Form.Item>
          <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]} extra={PASSWORD_POLICY_HINT}>
            <Input.Password />
          </Form.Item>
          <Form.Item
            name="confirm"
            label="确认密码"
            dependencies={['password']}
            rules={[
              { required: true, message: '请再次输入密码' },
              ({ getFieldValue }) => ({
                validator: (_, value) => (value === getFieldValue('password') ? Promise.resolve() : Promise.reject(new Error('两次输入的密码不一致'))),
              }),
            ]}
          >
            <Input.Password />
          </Form.Item>
          <Button type="primary" htmlType="submit" block loading={busy}>
            完成初始化
          </Button>
        </Form>
      </Card>
    </div>
  );
}
