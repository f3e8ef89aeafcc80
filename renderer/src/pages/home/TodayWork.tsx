import { useEffect, useState } from 'react';
import { Alert, Button, Card, Col, Empty, List, Row, Statistic, Tag, Typography } from 'antd';
import type { MethodOutput } from '../../../../shared/ipc/contract';
import type { Role } from '../../../../shared/domain/roles';
import { chinaClock } from '../../../../shared/rules/china-time';
import { call, DeskCallError } from '../../ipc/client';
import { useDesk } from '../../state/desk-store';

type Work = MethodOutput<'home.work'>;

/**
 * The top of the home page: the day's work for the signed-in role (issue 16). A clerk: my cases
 * today and what they wait for; a supervisor: this desk's figures today and the overdue work; an
 * assistant: my verification tasks. Refreshed every 30 s while shown.
 */
export function TodayWork({ role }: { role: Role }) {
  const [work, setWork] = useState<Work | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    const load = () =>
      call('home.work', {}).then(
        (w) => {
          if (!live) return;
          setWork(w);
          setError(null);
        },
        (e) => {
          if (live) setError(e instanceof DeskCallError ? e.message : '无法读取今日工作。');
        },
      );
    void load();
    const timer = setInterval(() => void load(), 30_000);
    return () => {
      live = false;
      clearInterval(timer);
    };
  }, []);
  if (error) return <Alert type="error" showIcon title={error} />;
  if (!work) return null;
  if (role === 'assistant') return <AssistantWork work={work} />;
  return role === 'supervisor' ? <SupervisorWork work={work} /> : <ClerkWork work={work} />;
}

function Figure(props: { title: string; value: number; suffix: string; danger?: boolean; onClick?: () => void; testId: string }) {
  const { title, value, suffix, danger, onClick, testId } = props;
  return (
    <Card hoverable={!!onClick} onClick={onClick} data-testid={testId} styles={{ body: { padding: '16px 20px' } }}>
      <Statistic title={title} value={value} suffix={suffix} styles={{ content: danger && value > 0 ? { color: '#cf1322' } : {} }} />
    </Card>
  );
}

function ClerkWork({ work }: { work: Work }) {
  const go = useDesk((s) => s.go);
  const mine = work.myCasesToday;
  return (
    <Row gutter={[16, 16]} data-testid="today-work">
      <Col span={8}>
        <Figure testId="today-my-cases" title="今日我的办件" value={mine.total} suffix={`件（受理 ${mine.accepted}，暂存 ${mine.drafts}）`} onClick={() => go('cases')} />
      </Col>
      <Col span={8}>
        <Figure testId="today-queries" title="待共享查询" value={work.waitingQueries} suffix="项（平台恢复后自动查询）" onClick={() => go('cases')} />
      </Col>
      <Col span={8}>
        <Figure
          testId="today-assistance"
          title="待答复协查"
          value={work.assistance.open}
          suffix={work.assistance.overdue > 0 ? `项，其中逾期 ${work.assistance.overdue} 项` : '项'}
          danger={work.assistance.overdue > 0}
          onClick={() => go('verification')}
        />
      </Col>
      <Col span={24}>
        <MyCases work={work} />
      </Col>
    </Row>
  );
}

function MyCases({ work }: { work: Work }) {
  const openCase = useDesk((s) => s.openCase);
  const go = useDesk((s) => s.go);
  return (
    <Card
      title="今日我的办件"
      size="small"
      extra={
        <Button type="primary" size="small" onClick={() => go('intake')}>
          受理新办件
        </Button>
      }
    >
      {work.myCasesToday.lines.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="今天还没有办件" />
      ) : (
        <List
          size="small"
          dataSource={work.myCasesToday.lines}
          renderItem={(c) => (
            <List.Item
              actions={[
                <Button key="open" size="small" onClick={() => openCase(c.id)}>
                  {c.status === 'draft' ? '继续办理' : '查看'}
                </Button>,
              ]}
            >
              <Typography.Text type="secondary" style={{ width: 48, flex: 'none' }}>
                {chinaClock(c.at).slice(0, 5)}
              </Typography.Text>
              <Typography.Text style={{ width: 260, flex: 'none', whiteSpace: 'nowrap' }}>{c.caseNo}</Typography.Text>
              <Typography.Text ellipsis title={c.applicantName} style={{ width: 120, flex: 'none' }}>
                {c.applicantName}
              </Typography.Text>
              <Typography.Text ellipsis={{ tooltip: c.subject }} style={{ flex: 1, minWidth: 0 }}>
                {c.subject}
              </Typography.Text>
              <Tag color={c.status === 'draft' ? 'default' : 'blue'} style={{ marginLeft: 12 }}>
                {c.statusLabel}
              </Tag>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}

function SupervisorWork({ work }: { work: Work }) {
  const go = useDesk((s) => s.go);
  return (
    <Row gutter={[16, 16]} data-testid="today-work">
      <Col span={6}>
        <Figure testId="today-accepted" title="本窗口今日受理" value={work.deskToday.accepted} suffix="件" onClick={() => go('cases')} />
      </Col>
      <Col span={6}>
        <Figure testId="today-avoided" title={`今日免交证明（告知承诺 ${work.deskToday.commitments} 份）`} value={work.deskToday.avoided} suffix="项" />
      </Col>
      <Col span={6}>
        <Figure testId="today-overdue-tasks" title="逾期核查任务" value={work.tasks.overdue} suffix={`项（待分派 ${work.tasks.unassigned}）`} danger onClick={() => go('verification')} />
      </Col>
      <Col span={6}>
        <Figure testId="today-overdue-assistance" title="逾期协查" value={work.assistance.overdue} suffix={`项（待答复 ${work.assistance.open}）`} danger onClick={() => go('verification')} />
      </Col>
    </Row>
  );
}

function AssistantWork({ work }: { work: Work }) {
  const go = useDesk((s) => s.go);
  return (
    <Card
      title={`我的核查任务（${work.tasks.myOpen} 项）`}
      size="small"
      data-testid="today-work"
      extra={
        <Button type="primary" size="small" onClick={() => go('verification')}>
          去核查
        </Button>
      }
    >
      {work.tasks.mine.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="暂无分派给您的核查任务" />
      ) : (
        <List
          size="small"
          dataSource={work.tasks.mine}
          renderItem={(t) => (
            <List.Item>
              <Typography.Text style={{ width: 260, flex: 'none', whiteSpace: 'nowrap' }}>{t.caseNo}</Typography.Text>
              <Typography.Text ellipsis={{ tooltip: t.certificate }} style={{ flex: 1, minWidth: 0 }}>
                {t.certificate}
              </Typography.Text>
              <Tag color={t.overdue ? 'red' : 'blue'} style={{ marginLeft: 12 }}>
                {t.overdue ? '已逾期' : t.stateText}
              </Tag>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
