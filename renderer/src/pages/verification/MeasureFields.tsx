import { Alert, Checkbox, DatePicker, Form, Input, InputNumber, Space, Typography } from 'antd';
import type { FormInstance } from 'antd';
import type { TaskView } from '../../../../shared/ipc/methods/verification';
import { severityForMeasures, type Measures } from '../../../../shared/rules/verification-consequences';

export interface MeasureValues {
  legalBasis: string;
  reason: string;
  endItems?: number[];
  rectifyOn?: boolean;
  rectifyRequirement?: string;
  rectifyDays?: number;
  referOn?: boolean;
  referTo?: string;
  referOn_date?: { format(f: string): string } | null;
}

/** The measures as the main side takes them (shared/rules/verification-consequences.ts). */
export function measuresOf(v: Partial<MeasureValues>): Measures {
  const m: Measures = {};
  if (v.endItems?.length) m.endItems = { serviceItemIds: v.endItems };
  if (v.rectifyOn) m.rectify = { requirement: (v.rectifyRequirement ?? '').trim(), workingDays: v.rectifyDays ?? 0 };
  if (v.referOn) m.refer = { to: (v.referTo ?? '').trim(), on: v.referOn_date?.format('YYYY-MM-DD') ?? '' };
  return m;
}

/**
 * Proportionate consequences of a false commitment: 终止办理 / 撤销 of the items chosen (pre-checked:
 * those that relied on the certificate), 责令限期整改 in working days, 移送; the severity follows.
 */
export function MeasureFields({ task, form }: { task: TaskView; form: FormInstance }) {
  const values = (Form.useWatch([], form) ?? {}) as Partial<MeasureValues>;
  const decided = task.caseStatus === 'completed';
  const endLabel = decided ? '撤销以下事项的决定' : '终止办理以下事项';
  const measures = measuresOf(values);
  const chosen = Boolean(measures.endItems || measures.rectify || measures.refer);
  return (
    <>
      <Form.Item name="legalBasis" label="法律依据" rules={[{ required: true, message: '请填写法律依据' }]}>
        <Input.TextArea rows={2} data-testid="consequence-legal-basis" />
      </Form.Item>
      <Form.Item name="reason" label="不实情形与理由" rules={[{ required: true, message: '请填写理由' }]}>
        <Input.TextArea rows={2} data-testid="consequence-reason" placeholder="例如：婚育情况与承诺不符" />
      </Form.Item>
      <Typography.Text strong>处理措施（可多选，按比例）</Typography.Text>
      <Form.Item name="endItems" label={endLabel} extra="已勾选的是依赖该承诺的事项；未勾选的事项继续有效。" style={{ marginTop: 8 }}>
        <Checkbox.Group data-testid="measure-items">
          <div style={{ display: 'flex', flexDirection: 'column', gap: 2 }}>
            {task.caseItems.map((i) => (
              <Checkbox key={i.id} value={i.id} disabled={i.status !== 'active'}>
                {i.name}
                <Typography.Text type="secondary">（{i.department}{i.relied ? '，依赖该承诺' : ''}{i.status !== 'active' ? '，已终止或撤销' : ''}）</Typography.Text>
              </Checkbox>
            ))}
          </div>
        </Checkbox.Group>
      </Form.Item>
      <Form.Item name="rectifyOn" valuePropName="checked" style={{ marginBottom: 4 }}>
        <Checkbox data-testid="measure-rectify">责令限期整改</Checkbox>
      </Form.Item>
      {values.rectifyOn && (
        <Space align="start" wrap>
          <Form.Item name="rectifyRequirement" label="整改要求" rules={[{ required: true, message: '请填写整改要求' }]}>
            <Input style={{ width: 300 }} placeholder="例如：补交租赁备案证明" />
          </Form.Item>
          <Form.Item name="rectifyDays" label="期限（工作日）" rules={[{ required: true, message: '请填写期限' }]}>
            <InputNumber min={1} max={120} style={{ width: 120 }} />
          </Form.Item>
        </Space>
      )}
      <Form.Item name="referOn" valuePropName="checked" style={{ marginBottom: 4 }}>
        <Checkbox data-testid="measure-refer">移送</Checkbox>
      </Form.Item>
      {values.referOn && (
        <Space align="start" wrap>
          <Form.Item name="referTo" label="移送至" rules={[{ required: true, message: '请填写移送机关' }]}>
            <Input style={{ width: 240 }} placeholder="例如：县公安局" />
          </Form.Item>
          <Form.Item name="referOn_date" label="移送日期" rules={[{ required: true, message: '请选择日期' }]}>
            <DatePicker />
          </Form.Item>
        </Space>
      )}
      <Alert
        type={chosen ? 'info' : 'warning'}
        showIcon
        data-testid="measure-severity"
        title={chosen ? `信用记录失信程度：${severityForMeasures(measures)}（随处理措施确定）` : '请至少选择一项处理措施'}
      />
    </>
  );
}
