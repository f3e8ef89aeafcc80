import { useState } from 'react';
import { Button, Input, Modal, Space, Switch, Table, Tag, Typography } from 'antd';
import type { RectificationView } from '../../../../shared/ipc/methods/verification';
import { call } from '../../ipc/client';
import { useAction, useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { deskDay, deskTime } from '../../lib/time';

/** 责令限期整改: deadlines in working days, overdue flagged, closed by a closing record. */
export function RectificationsTab() {
  const [openOnly, setOpenOnly] = useState(true);
  const { data, error, reload } = useCall('verification.rectifications', { openOnly });
  const act = useAction(reload);
  const [closing, setClosing] = useState<RectificationView | null>(null);
  const [note, setNote] = useState('');
  return (
    <>
      <LoadError error={error} retry={() => void reload()} />
      <Space style={{ marginBottom: 12 }}>
        <Switch checked={openOnly} onChange={setOpenOnly} /> 只看未结束的整改
      </Space>
      <Table<RectificationView>
        rowKey="id"
        size="middle"
        data-testid="rectifications"
        dataSource={data ?? []}
        pagination={{ pageSize: 15 }}
        columns={[
          { title: '办件编号', dataIndex: 'caseNo', className: 'desk-nowrap' },
          { title: '申请人', dataIndex: 'applicantName' },
          { title: '承诺事项', dataIndex: 'certificate' },
          { title: '整改要求', dataIndex: 'requirement' },
          { title: '责令日期', dataIndex: 'orderedAt', className: 'desk-nowrap', render: deskDay },
          {
            title: '整改期限',
            dataIndex: 'dueAt',
            render: (v: string, r) => (
              <span>
                <span style={{ whiteSpace: 'nowrap' }}>{deskDay(v)}（{r.workingDays}个工作日）</span> {r.overdue && <Tag color="red">已逾期</Tag>}
              </span>
            ),
          },
          {
            title: '结束',
            key: 'closed',
            render: (_, r) =>
              r.closedAt ? (
                <span>
                  {deskTime(r.closedAt)}
                  <br />
                  <Typography.Text type="secondary">{r.closingNote}</Typography.Text>
                </span>
              ) : (
                <Button size="small" onClick={() => setClosing(r)}>
                  登记整改结果
                </Button>
              ),
          },
        ]}
      />
      <Modal
        open={closing !== null}
        title={`登记整改结果：${closing?.caseNo ?? ''}`}
        okButtonProps={{ disabled: !note.trim() }}
        onCancel={() => setClosing(null)}
        onOk={() =>
          void act(() => call('verification.closeRectification', { id: closing!.id, note: note.trim() }), '整改已结束').then((ok) => {
            if (!ok) return;
            setClosing(null);
            setNote('');
          })
        }
      >
        <Input.TextArea rows={3} aria-label="整改结果" value={note} onChange={(e) => setNote(e.target.value)} placeholder="例如：已补交租赁备案证明，经核对属实" />
      </Modal>
    </>
  );
}
