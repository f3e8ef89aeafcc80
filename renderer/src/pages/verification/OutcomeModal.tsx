import { App, Form, Input, Modal, Radio } from 'antd';
import type { TaskView } from '../../../../shared/ipc/methods/verification';
import { call, DeskCallError } from '../../ipc/client';
import { MeasureFields, measuresOf, type MeasureValues } from './MeasureFields';
import { DEFAULT_LEGAL_BASIS, OUTCOME_LABELS } from './labels';

/** The hall-side outcome of a task not worked in the field (书面核查, 网络核验 at the desk), with proportionate measures. */
export function OutcomeModal({ task, onClose }: { task: TaskView | null; onClose: (changed: boolean) => void }) {
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const outcome = Form.useWatch('outcome', form) as keyof typeof OUTCOME_LABELS | undefined;
  return (
    <Modal
      open={task !== null}
      title={`录入核查结论：${task?.caseNo ?? ''} ${task?.certificate ?? ''}`}
      width={680}
      destroyOnHidden
      okText="提交结论"
      onCancel={() => onClose(false)}
      onOk={async () => {
        const v = (await form.validateFields()) as { outcome: 'true' | 'false' | 'unable'; note: string } & MeasureValues;
        const measures = measuresOf(v);
        if (v.outcome === 'false' && !measures.endItems && !measures.rectify && !measures.refer) {
          message.error('请至少选择一项处理措施');
          return;
        }
        try {
          await call('verification.recordOutcome', {
            taskId: task!.id,
            outcome: v.outcome,
            note: v.note,
            consequence: v.outcome === 'false' ? { legalBasis: v.legalBasis.trim(), reason: v.reason.trim(), measures } : undefined,
          });
          message.success('核查结论已记录');
          onClose(true);
        } catch (e) {
          message.error(e instanceof DeskCallError ? e.message : '提交失败');
        }
      }}
    >
      {task && (
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{ legalBasis: DEFAULT_LEGAL_BASIS, endItems: task.caseItems.filter((i) => i.relied && i.status === 'active').map((i) => i.id), rectifyDays: 10 }}
        >
          <Form.Item name="outcome" label="核查结论" rules={[{ required: true, message: '请选择核查结论' }]}>
            <Radio.Group options={Object.entries(OUTCOME_LABELS).map(([value, label]) => ({ value, label }))} />
          </Form.Item>
          <Form.Item name="note" label="核查情况" rules={[{ required: true, message: '请填写核查情况' }]}>
            <Input.TextArea rows={3} />
          </Form.Item>
          {outcome === 'false' && <MeasureFields task={task} form={form} />}
        </Form>
      )}
    </Modal>
  );
}
