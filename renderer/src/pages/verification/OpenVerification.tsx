import { useState } from 'react';
import { Alert, App, Form, Input, InputNumber, Modal, Radio, Select, Typography } from 'antd';
import { call, DeskCallError } from '../../ipc/client';
import { useCall } from '../../ipc/use-call';
import { deskDay } from '../../lib/time';

/** 新建核查: a supervisor opens a verification on any commitment, for a complaint or routine supervision. */
export function OpenVerificationModal({ open, onClose }: { open: boolean; onClose: (changed: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [query, setQuery] = useState('');
  const { data } = useCall('verification.commitments', query ? { query } : {});
  return (
    <Modal
      open={open}
      title="新建核查"
      width={640}
      destroyOnHidden
      okText="新建"
      onCancel={() => onClose(false)}
      onOk={async () => {
        const v = (await form.validateFields()) as { commitmentId: number; source: 'complaint' | 'routine'; note: string };
        try {
          const t = await call('verification.open', { commitmentId: v.commitmentId, source: v.source, note: v.note.trim() });
          message.success(`已新建核查任务：${t.caseNo} ${t.certificate}，${deskDay(t.dueAt)} 前完成`);
          onClose(true);
        } catch (e) {
          message.error(e instanceof DeskCallError ? e.message : '新建失败');
        }
      }}
    >
      <Form form={form} layout="vertical" preserve={false} initialValues={{ source: 'complaint' }}>
        <Form.Item name="commitmentId" label="承诺（办件编号或申请人）" rules={[{ required: true, message: '请选择承诺' }]}>
          <Select
            showSearch={{ filterOption: false, onSearch: setQuery }}
            data-testid="open-commitment"
            placeholder="输入办件编号或申请人姓名"
            options={(data ?? []).map((c) => ({
              value: c.commitmentId,
              disabled: c.openTask,
              label: `${c.caseNo} · ${c.applicantName} · ${c.certificate}${c.openTask ? '（核查中）' : ''}`,
            }))}
          />
        </Form.Item>
        <Form.Item name="source" label="核查来源">
          <Radio.Group options={[{ value: 'complaint', label: '投诉举报' }, { value: 'routine', label: '日常监管' }]} />
        </Form.Item>
        <Form.Item name="note" label="来源说明" rules={[{ required: true, message: '请填写来源说明' }]}>
          <Input.TextArea rows={3} placeholder="例如：群众来电举报（12345 工单号 …），反映申请人婚育情况与承诺不符" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

/** 双随机: a seeded draw over exempt commitments; the seed is shown so the draw can be checked. */
export function RandomDrawModal({ open, onClose }: { open: boolean; onClose: (changed: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [done, setDone] = useState<{ seed: string; pool: number; picked: number } | null>(null);
  return (
    <Modal
      open={open}
      title="双随机抽查（免于核查的承诺）"
      destroyOnHidden
      okText={done ? '关闭' : '抽取'}
      onCancel={() => {
        onClose(done !== null);
        setDone(null);
      }}
      onOk={async () => {
        if (done) {
          onClose(true);
          setDone(null);
          return;
        }
        const v = (await form.validateFields()) as { percent: number; seed?: string };
        try {
          const r = await call('verification.randomDraw', { ratio: v.percent / 100, ...(v.seed?.trim() ? { seed: v.seed.trim() } : {}) });
          setDone({ seed: r.seed, pool: r.pool.length, picked: r.picked.length });
        } catch (e) {
          message.error(e instanceof DeskCallError ? e.message : '抽取失败');
        }
      }}
    >
      {done ? (
        <Alert type="success" showIcon title={`从 ${done.pool} 份免于核查的承诺中抽中 ${done.picked} 份，已生成核查任务。`} description={<Typography.Text copyable>随机种子：{done.seed}</Typography.Text>} />
      ) : (
        <Form form={form} layout="vertical" preserve={false} initialValues={{ percent: 5 }}>
          <Form.Item name="percent" label="抽查比例（%）" rules={[{ required: true, message: '请填写比例' }]}>
            <InputNumber min={0.1} max={100} step={1} style={{ width: 160 }} />
          </Form.Item>
          <Form.Item name="seed" label="随机种子（可选，留空自动生成；记录在案，可据此复核）">
            <Input placeholder="十六进制，8–64 位" />
          </Form.Item>
        </Form>
      )}
    </Modal>
  );
}
