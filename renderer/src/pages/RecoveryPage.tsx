import { Card, Descriptions, List, Result, Typography } from 'antd';
import { useDesk } from '../state/desk-store';

const TITLES: Record<string, string> = {
  corrupt: '本地数据库已损坏',
  unreadable: '无法读取本地数据库',
  newer_version: '数据库版本高于本程序',
  migration_changed: '数据库升级脚本不一致',
  migration_gap: '数据库升级脚本不完整',
  not_desk_db: '数据文件不属于本工作台',
};

/** Shown instead of the app when the store was refused: never a silent new empty database. */
export function RecoveryPage() {
  const problem = useDesk((s) => s.status?.problem);
  if (!problem) return null;
  return (
    <div style={{ padding: 32, maxWidth: 920, margin: '0 auto' }} data-testid="recovery-page">
      <Result status="error" title={TITLES[problem.kind] ?? '本地数据库不可用'} subTitle={problem.message} />
      <Card title="处理办法">
        <Typography.Paragraph>
          <ol style={{ paddingLeft: 20, margin: 0 }}>
            <li>请勿删除或改动下面的数据库文件，其中可能有尚未同步的受理件。</li>
            {problem.kind === 'newer_version' ? (
              <li>请安装与该数据库相同或更新版本的工作台后再打开。</li>
            ) : (
              <li>请联系管理员。管理员可关闭本程序，将最近的备份复制为数据库文件后重新启动；原文件请另行保存以便追查。</li>
            )}
            <li>处理前可先将整个数据目录复制一份留存。</li>
          </ol>
        </Typography.Paragraph>
        <Descriptions column={1} bordered size="small">
          <Descriptions.Item label="数据库文件">
            <Typography.Text copyable>{problem.dbPath}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label="问题类别">{problem.kind}</Descriptions.Item>
          <Descriptions.Item label="技术细节">
            <Typography.Text type="secondary" style={{ fontFamily: 'monospace', fontSize: 12 }}>
              {problem.detail}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
        <Typography.Title level={5} style={{ marginTop: 16 }}>
          可用备份
        </Typography.Title>
        <List
          size="small"
          bordered
          dataSource={problem.backups}
          locale={{ emptyText: '未找到备份文件' }}
          renderItem={(b) => (
            <List.Item>
              <Typography.Text copyable>{b}</Typography.Text>
            </List.Item>
          )}
        />
      </Card>
    </div>
  );
}
