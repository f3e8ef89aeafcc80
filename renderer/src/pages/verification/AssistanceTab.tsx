import { useState } from 'react';
import { App, Button, Form, Input, Modal, Radio, Table, Tag, Upload } from 'antd';
import type { AssistanceView } from '../../../../shared/ipc/methods/verification';
import { call, DeskCallError } from '../../ipc/client';
import { useCall } from '../../ipc/use-call';
import { LoadError } from '../../components/LoadError';
import { blobToBase64, downloadBase64 } from '../../lib/files';
import { deskDay, deskTime } from '../../lib/time';

const CHANNELS: Record<string, string> = { connector: '系统答复', phone: '电话', letter: '书面复函' };

/** 部门协查: requests with their time limits, overdue first; replies recorded by hand with the scanned page. */
export function AssistanceTab() {
  const { message } = App.useApp();
  const { data, error, reload: load } = useCall('assistance.list', {});
  const rows: AssistanceView[] = data ?? [];
  const [replying, setReplying] = useState<AssistanceView | null>(null);
  const [scan, setScan] = useState<File | null>(null);
  const [form] = Form.useForm();

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
      <Modal
        open={replying !== null}
        title={`登记协查答复：${replying?.caseNo ?? ''} ${replying?.certificate ?? ''}`}
        destroyOnHidden
        onCancel={() => setReplying(null)}
        onOk={async () => {
          const v = (await form.validateFields()) as { outcome: 'confirmed' | 'denied'; channel: 'phone' | 'letter'; reply: string };
          try {
            await call('assistance.recordReply', { requestId: replying!.id, ...v, scanBase64: scan ? await blobToBase64(scan) : undefined });
            message.success('已登记答复');
            setReplying(null);
            setScan(null);
            await load();
          } catch (e) {
            message.error(e instanceof DeskCallError ? e.message : '登记失败');
          }
        }}
      >
        <Form form={form} layout="vertical" preserve={false} initialValues={{ channel: 'phone', outcome: 'confirmed' }}>
          <Form.Item name="outcome" label="答复结果">
            <Radio.Group options={[{ value: 'confirmed', label: '属实' }, { value: 'denied', label: '不属实' }]} />
          </Form.Item>
          <Form.Item name="channel" label="答复方式">
            <Radio.Group options={[{ value: 'phone', label: '电话' }, { value: 'letter', label: '书面复函' }]} />
          </Form.Item>
          <Form.Item name="reply" label="答复内容" rules={[{ required: true, message: '请填写答复内容' }]}>
            <Input.TextArea rows={3} placeholder="例如：县民政局王科长电话答复，经查属实" />
          </Form.Item>
          <Form.Item label="复函扫描件（书面复函必附）">
            <Upload accept="image/jpeg,image/png,application/pdf" maxCount={1} beforeUpload={(f) => (setScan(f), false)} onRemove={() => setScan(null)}>
              <Button>选择文件</Button>
            </Upload>
          </Form.Item>
        </Form>
      </Modal>
    </>
  );
}
