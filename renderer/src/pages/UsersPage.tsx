import { PASSWORD_POLICY_HINT } from '../../../shared/rules/password';
import { useState } from 'react';
import { Button, Card, Form, Input, Modal, Select, Space, Table, Tag } from 'antd';
import { PlusOutlined } from '@ant-design/icons';
import type { MethodOutput } from '../../../shared/ipc/contract';
import { ROLE_LABELS, ROLES, type Role } from '../../../shared/domain/roles';
import { call } from '../ipc/client';
import { useAction, useCall } from '../ipc/use-call';
import { LoadError } from '../components/LoadError';
import { shortTime } from '../lib/time';

type UserRow = MethodOutput<'users.list'>[number];

export function UsersPage() {
  const { data, error, reload: load } = useCall('users.list', {});
  const rows: UserRow[] = data ?? [];
  const [creating, setCreating] = useState(false);
  const [resetting, setResetting] = useState<UserRow | null>(null);
  const [form] = Form.useForm<{ username: string; displayName: string; role: Role; password: string }>();
  const [pwForm] = Form.useForm<{ password: string }>();

  const run = useAction(load);

  return (
    <Card title="用户管理" extra={<Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>新建用户</Button>}>
      <LoadError error={error} retry={() => void load()} />
      <Table<UserRow>
        rowKey="id"
        dataSource={rows}
        pagination={false}
        columns={[
          { title: '姓名', dataIndex: 'displayName' },
          { title: '用户名', dataIndex: 'username' },
          { title: '角色', dataIndex: 'role', render: (r: Role) => ROLE_LABELS[r] },
          {
            title: '状态',
            key: 'state',
            render: (_, u) => (
              <Space>
                {u.active ? <Tag color="green">启用</Tag> : <Tag>停用</Tag>}
                {u.lockedUntil && <Tag color="red">已锁定至 {shortTime(u.lockedUntil)}</Tag>}
              </Space>
            ),
          },
          {
            title: '操作',
            key: 'ops',
            render: (_, u) => (
              <Space>
                {u.lockedUntil && <Button size="small" onClick={() => void run(() => call('users.unlock', { id: u.id }), '已解锁')}>解锁</Button>}
                <Button size="small" onClick={() => setResetting(u)}>重置密码</Button>
                <Button size="small" danger={u.active} onClick={() => void run(() => call('users.setActive', { id: u.id, active: !u.active }), u.active ? '已停用' : '已启用')}>
                  {u.active ? '停用' : '启用'}
                </Button>
              </Space>
            ),
          },
        ]}
      />
      <Modal
        open={creating}
        title="新建用户"
        okText="创建"
        onCancel={() => setCreating(false)}
        onOk={() =>
          void form.validateFields().then(async (v) => {
            if (await run(() => call('users.create', v), `已创建用户 ${v.displayName}`)) {
              setCreating(false);
              form.resetFields();
            }
          }, ignoreInvalid)
        }
      >
        <Form form={form} layout="vertical" initialValues={{ role: 'clerk' }}>
          <Form.Item name="displayName" label="姓名" rules={[{ required: true, message: '请输入姓名' }]}><Input /></Form.Item>
          <Form.Item name="username" label="用户名" rules={[{ required: true, pattern: /^[a-z][a-z0-9_.-]{2,31}$/, message: '以小写字母开头，3-32位小写字母、数字或 _ . -' }]}><Input /></Form.Item>
          <Form.Item name="role" label="角色"><Select options={ROLES.map((r) => ({ value: r, label: ROLE_LABELS[r] }))} /></Form.Item>
          <Form.Item name="password" label="初始密码" rules={[{ required: true, message: '请输入初始密码' }]} extra={PASSWORD_POLICY_HINT}><Input.Password /></Form.Item>
        </Form>
      </Modal>
      <Modal
        open={resetting !== null}
        title={`重置密码：${resetting?.displayName ?? ''}`}
        okText="重置"
        onCancel={() => setResetting(null)}
        onOk={() =>
          void pwForm.validateFields().then(async (v) => {
            if (resetting && (await run(() => call('users.resetPassword', { id: resetting.id, password: v.password }), '密码已重置'))) {
              setResetting(null);
              pwForm.resetFields();
            }
          }, ignoreInvalid)
        }
      >
        <Form form={pwForm} layout="vertical">
          <Form.Item name="password" label="新密码" rules={[{ required: true, message: '请输入新密码' }]} extra={PASSWORD_POLICY_HINT}><Input.Password /></Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

/** A form that does not validate shows its own messages under the fields: nothing more to do (no unhandled rejection). */
function ignoreInvalid(): void {}
