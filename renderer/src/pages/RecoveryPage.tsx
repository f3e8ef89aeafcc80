import { useEffect, useState } from 'react';
import { Alert, Button, Card, Descriptions, Form, Input, Modal, Result, Table, Tag, Typography } from 'antd';
import { LockOutlined, UserOutlined } from '@ant-design/icons';
import { BACKUP_KIND_LABELS, type BackupView } from '../../../shared/ipc/methods/store';
import { call, DeskCallError } from '../ipc/client';
import { useDesk } from '../state/desk-store';
import { deskTime } from '../lib/time';

const TITLES: Record<string, string> = {
  corrupt: '本地数据库已损坏',
  unreadable: '无法读取本地数据库',
  newer_version: '数据库版本高于本程序',
  migration_changed: '数据库升级脚本不一致',
  migration_gap: '数据库升级脚本不完整',
  not_desk_db: '数据文件不属于本工作台',
  empty: '本地数据库文件是空的',
  missing: '本地数据库文件不见了',
};

/** Kinds a restore can help with (a newer version needs a newer program, not an older copy). */
const RESTORABLE = new Set(['corrupt', 'unreadable', 'migration_changed', 'migration_gap', 'not_desk_db', 'empty', 'missing']);

const size = (n: number) => (n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.max(1, Math.round(n / 1024))} KB`);

/**
 * Shown instead of the app when the store was refused: never a silent new empty database. A
 * supervisor restores a backup here (signing in with the account as it is in that backup); the
 * replaced files are kept, and the app comes back without restarting the program.
 */
export function RecoveryPage() {
  const problem = useDesk((s) => s.status?.problem);
  const boot = useDesk((s) => s.boot);
  const [backups, setBackups] = useState<BackupView[] | null>(null);
  const [listError, setListError] = useState<string | null>(null);
  const [chosen, setChosen] = useState<BackupView | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<{ movedAsideTo: string; epochTag: string } | null>(null);

  useEffect(() => {
    call('system.backups', {})
      .then(setBackups)
      .catch((e: unknown) => setListError(e instanceof DeskCallError ? e.message : '无法读取备份列表'));
  }, []);

  if (!problem) return null;
  const restorable = RESTORABLE.has(problem.kind);

  async function restore(values: { username: string; password: string }) {
    if (!chosen) return;
    setBusy(true);
    setError(null);
    try {
      const r = await call('system.restoreBackup', { backup: chosen.name, ...values });
      setChosen(null);
      setDone({ movedAsideTo: r.movedAsideTo, epochTag: r.epochTag });
    } catch (e) {
      setError(e instanceof DeskCallError ? e.message : '恢复失败，请重试。');
    } finally {
      setBusy(false);
    }
  }

  if (done) {
    return (
      <div style={{ padding: 32, maxWidth: 920, margin: '0 auto' }} data-testid="restore-done">
        <Result
          status="success"
          title="已从备份恢复"
          subTitle={`原数据库文件已移至 ${done.movedAsideTo} 保存（未删除）。之后受理的办件编号带新批次号 ${done.epochTag}，不会与已送达业务系统的编号重复。`}
          extra={
            <Button type="primary" size="large" onClick={() => void boot()} data-testid="restore-continue">
              进入工作台
            </Button>
          }
        />
        <Alert
          type="warning"
          showIcon
          title="请在“数据同步”页核对备份之后的办件"
          description="备份之后受理的办件不在恢复后的库中；其中已送达业务系统的，工作台会向业务系统查询并在“数据同步”页列出，请窗口人员核对、补录。"
        />
      </div>
    );
  }

  return (
    <div style={{ padding: '24px 32px', maxWidth: 1100, margin: '0 auto' }} data-testid="recovery-page">
      <Result status="error" title={TITLES[problem.kind] ?? '本地数据库不可用'} subTitle={problem.message} style={{ padding: '16px 0' }} />
      <Card title="从备份恢复" style={{ marginBottom: 16 }}>
        {problem.kind === 'newer_version' ? (
          <Typography.Paragraph>请安装与该数据库相同或更新版本的工作台后再打开，不要从备份恢复（会丢失升级后受理的办件）。</Typography.Paragraph>
        ) : (
          <Typography.Paragraph style={{ marginBottom: 12 }}>
            由<strong>管理员</strong>选择一个备份并用该备份中的管理员账号确认。恢复时，当前数据库文件及其 -wal、-shm 文件一并移到数据目录的 replaced 文件夹保存（不会删除），备份复制为新的数据库，工作台随即重新打开，无需重启程序。
            备份之后受理的办件不在备份中，恢复后在“数据同步”页核对。
          </Typography.Paragraph>
        )}
        {listError && <Alert type="error" showIcon title={listError} style={{ marginBottom: 12 }} />}
        <Table<BackupView>
          size="small"
          rowKey="name"
          loading={backups === null && !listError}
          dataSource={backups ?? []}
          pagination={false}
          scroll={{ y: 240 }}
          locale={{ emptyText: '未找到备份文件' }}
          data-testid="backup-list"
          columns={[
            { title: '备份时间', dataIndex: 'takenAt', width: 150, render: (v: string) => deskTime(v) },
            { title: '类别', dataIndex: 'kind', width: 100, render: (k: string) => <Tag>{BACKUP_KIND_LABELS[k] ?? k}</Tag> },
            {
              title: '内容',
              render: (_: unknown, b) =>
                b.problem ? (
                  <Typography.Text type="danger">{b.problem}</Typography.Text>
                ) : (
                  <span>
                    办件 {b.cases} 件{b.lastCaseAt ? `，最后受理 ${deskTime(b.lastCaseAt)}` : ''}
                  </span>
                ),
            },
            { title: '大小', dataIndex: 'size', width: 80, render: (n: number) => size(n) },
            {
              title: '',
              width: 110,
              render: (_: unknown, b) => (
                <Button
                  size="small"
                  type="primary"
                  disabled={!restorable || b.problem !== null}
                  onClick={() => {
                    setError(null);
                    setChosen(b);
                  }}
                  data-testid={`restore-${b.name}`}
                >
                  恢复此备份
                </Button>
              ),
            },
          ]}
        />
      </Card>
      <Card title="数据库文件" size="small">
        <Descriptions column={1} bordered size="small" styles={{ label: { width: 120, whiteSpace: 'nowrap' } }}>
          <Descriptions.Item label="数据库文件">
            <Typography.Text copyable>{problem.dbPath}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="问题类别">
            {TITLES[problem.kind] ?? '本地数据库不可用'}{' '}
            <Typography.Text type="secondary" code data-technical>
              {problem.kind}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="技术细节">
            <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {problem.detail}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Paragraph type="secondary" style={{ marginTop: 12, marginBottom: 0, fontSize: 12 }}>
          请勿手工删除或改动数据目录中的文件：其中可能有尚未同步的受理件。不要只复制备份覆盖 desk.sqlite——旧的 desk.sqlite-wal 会损坏复制进来的库；请用上面的“恢复此备份”。
        </Typography.Paragraph>
      </Card>
      <Modal
        open={chosen !== null}
        title="管理员确认恢复"
        onCancel={() => setChosen(null)}
        footer={null}
        destroyOnHidden
        data-testid="restore-dialog"
      >
        {chosen && (
          <>
            <Typography.Paragraph>
              恢复 <strong>{deskTime(chosen.takenAt)}</strong> 的{BACKUP_KIND_LABELS[chosen.kind]}（办件 {chosen.cases} 件）。请输入该备份中管理员的用户名和密码。
            </Typography.Paragraph>
            {error && <Alert type="error" showIcon title={error} style={{ marginBottom: 12 }} data-testid="restore-error" />}
            <Form layout="vertical" onFinish={restore} requiredMark={false} autoComplete="off">
              <Form.Item name="username" label="管理员用户名" rules={[{ required: true, message: '请输入用户名' }]}>
                <Input prefix={<UserOutlined />} autoFocus />
              </Form.Item>
              <Form.Item name="password" label="密码" rules={[{ required: true, message: '请输入密码' }]}>
                <Input.Password prefix={<LockOutlined />} />
              </Form.Item>
              <Button type="primary" danger htmlType="submit" block loading={busy} data-testid="restore-confirm">
                确认恢复
              </Button>
            </Form>
          </>
        )}
      </Modal>
    </div>
  );
}
