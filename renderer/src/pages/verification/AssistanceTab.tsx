import { useState } from 'react';
import { Button, Table, Tag } from 'antd';
import type { AssistanceView } from '../../../../shared/ipc/methods/verification';
import { call } from '../../ipc/client';
import { AssistanceReplyModal } from '../../components/AssistanceReplyModal';
import { useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { downloadBase64 } from '../../lib/files';
import { deskDay, deskTime } from '../../lib/time';

const CHANNELS: Record<string, string> = { connector: '系统答复', phone: '电话', letter: '书面复函' };

/** 部门协查: requests with their time limits, overdue first; replies recorded by hand with the scanned page. */
export function AssistanceTab() {
  const { data, error, reload: load } = useCall('assistance.list', {});
  const rows: AssistanceView[] = data ?? [];
  const [replying, setReplying] = useState<AssistanceView | null>(null);

  return (
    <>
      <LoadError error={error} retry={() => void load()} />
      <Table<AssistanceView>
        rowKey="id"
        size="middle"
        dataSource={rows}
        pagination={{ pageSize: 15 }}
        columns={[
          { title: '办件编号', dataIndex: 'caseNo' },
          { title: '申请人', dataIndex: 'applicantName' },
          { title: '证明', dataIndex: 'certificate' },
          { title: '协查部门', dataIndex: 'department' },
          { title: '发起', dataIndex: 'createdAt', render: deskDay },
          { title: '答复期限', dataIndex: 'dueAt', render: (v: string, r) => <span>{deskDay(v)} {r.overdue && <Tag color="red">已超期</Tag>}</span> },
          {
            title: '答复',
            key: 'reply',
            render: (_, r) =>
              r.status === 'open' ? (
                <Tag color="orange">待答复</Tag>
              ) : (
                <span>
                  <Tag color={r.outcome === 'confirmed' ? 'green' : 'red'}>{r.outcome === 'confirmed' ? '属实' : '不属实'}</Tag>
                  {CHANNELS[r.channel ?? ''] ?? ''} {deskTime(r.repliedAt)} {r.late && <Tag color="volcano">逾期答复</Tag>}
                  {r.scanSha256 && (
                    <Button
                      size="small"
                      type="link"
                      onClick={async () => {
                        const f = await call('assistance.scan', { requestId: r.id });
                        downloadBase64(f.base64, f.mime, `协查复函-${r.caseNo}.${f.mime === 'application/pdf' ? 'pdf' : f.mime === 'image/png' ? 'png' : 'jpg'}`);
                      }}
                    >
                      扫描件
                    </Button>
                  )}
                </span>
              ),
          },
          { title: '', key: 'ops', render: (_, r) => r.status === 'open' && <Button size="small" onClick={() => setReplying(r)}>登记答复</Button> },
        ]}
      />
      <AssistanceReplyModal
        open={replying !== null}
        title={`登记协查答复：${replying?.caseNo ?? ''} ${replying?.certificate ?? ''}`}
        onCancel={() => setReplying(null)}
        onSubmit={async (v) => {
          await call('assistance.recordReply', { requestId: replying!.id, ...v });
          setReplying(null);
          await load();
        }}
      />
    </>
  );
}
