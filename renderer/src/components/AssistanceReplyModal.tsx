import { useState } from 'react';
import { App, Button, Form, Input, Modal, Radio, Upload } from 'antd';
import { DeskCallError } from '../ipc/client';
import { blobToBase64 } from '../lib/files';

export interface AssistanceReplyValues {
  outcome: 'confirmed' | 'denied';
  channel: 'phone' | 'letter';
  reply: string;
  scanBase64?: string;
}

/**
 * The one form for a 协查 reply (intake's certificate step and the 协查 tab): result, channel, text,
 * and the scanned page a written reply must carry (the main side refuses a letter without it).
 */
export function AssistanceReplyModal({ title, open, onCancel, onSubmit }: { title: string; open: boolean; onCancel: () => void; onSubmit: (v: AssistanceReplyValues) => Promise<void> }) {
  const { message } = App.useApp();
  const [scan, setScan] = useState<File | null>(null);
  const [busy, setBusy] = useState(false);
  const [form] = Form.useForm<Omit<AssistanceReplyValues, 'scanBase64'>>();
  return (
    <Modal
      open={open}
      title={title}
      okText="登记"
      okButtonProps={{ loading: busy }}
      destroyOnHidden
      onCancel={() => {
        setScan(null);
        onCancel();
      }}
      onOk={async () => {
        const v = await form.validateFields();
        setBusy(true);
        try {
          await onSubmit({ ...v, ...(scan ? { scanBase64: await blobToBase64(scan) } : {}) });
          message.success('已登记答复');
          setScan(null);
        } catch (e) {
          message.error(e instanceof DeskCallError ? e.message : '登记失败');
        } finally {
          setBusy(false);
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
  );
}
