import { useState } from 'react';
import { Button, Radio, Table, Tag } from 'antd';
import type { AssistanceView } from '../../../../shared/ipc/methods/verification';
import { call } from '../../ipc/client';
import { AssistanceReplyModal } from '../../components/AssistanceReplyModal';
import { useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { downloadBase64 } from '../../lib/files';
import { deskDay, deskTime } from '../../lib/time';
import { HallAssistanceTable } from './HallAssistanceTable';
import { BracketedName } from '../../components/BracketedName';

const CHANNELS: Record<string, string> = { connector: '系统答复', phone: '电话', letter: '书面复函' };

/**
 * 部门协查: requests with their time limits, overdue first; replies recorded by hand with the scanned
 * page. With a hub, 全厅 lists every window's requests (HallAssistanceTable; others read-only).
 */
export function AssistanceTab({ hall = false, onChanged }: { hall?: boolean; onChanged?: () => void }) {
  const { data, error, reload: load } = useCall('assistance.list', {});
  const rows: AssistanceView[] = data ?? [];
  const [replying, setReplying] = useState<{ id: number; caseNo: string; certificate: string } | null>(null);
  const [scope, setScope] = useState<'own' | 'hall'>('own');
  const [hallKey, setHallKey] = useState(0);

  return (
    <>
      {hall && (
        <Radio.Group
          data-testid="assistance-scope"
          style={{ marginBottom: 12 }}
          optionType="button"
          value={scope}
          onChange={(e) => setScope(e.target.value as 'own' | 'hall')}
          options={[
            { value: 'own', label: '本窗口' },
            { value: 'hall', label: '全厅' },
          ]}
        />
      )}
      {scope === 'hall' && hall ? (
        <HallAssistanceTable key={hallKey} onReply={(r) => setReplying({ id: r.id!, caseNo: r.caseNo, certificate: r.certificate })} />
      ) : (
        <>
          <LoadError error={error} retry={() => void load()} />
          <Table<AssistanceView>
            rowKey="id"
            size="middle"
            dataSource={rows}
            pagination={{ pageSize: 15 }}
            columns={[
              { title: '办件编号', dataIndex: 'caseNo', className: 'desk-nowrap' },
              { title: '申请人', dataIndex: 'applicantName' },
              { title: '证明', dataIndex: 'certificate', render: (v: string) => <BracketedName name={v} /> },
              { title: '协查部门', dataIndex: 'department' },
              { title: '发起', dataIndex: 'createdAt', className: 'desk-nowrap', render: deskDay },
              { title: '答复期限', dataIndex: 'dueAt', render: (v: string, r) => <span><span style={{ whiteSpace: 'nowrap' }}>{deskDay(v)}</span> {r.overdue && <Tag color="red">已超期</Tag>}</span> },
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
        </>
      )}
      <AssistanceReplyModal
        open={replying !== null}
        title={`登记协查答复：${replying?.caseNo ?? ''} ${replying?.certificate ?? ''}`}
        onCancel={() => setReplying(null)}
        onSubmit={async (v) => {
          await call('assistance.recordReply', { requestId: replying!.id, ...v });
          setReplying(null);
          await load();
          setHallKey((k) => k + 1);
          onChanged?.();
        }}
      />
    </>
  );
}
