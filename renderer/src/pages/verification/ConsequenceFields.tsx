import { Form, Input, Select } from 'antd';
import { SEVERITIES } from '../../../../shared/ipc/methods/verification';

/** Legal basis, reason, severity, rectification deadline and penalty of a false commitment. */
export function ConsequenceFields({ prefix }: { prefix: string }) {
  return (
    <>
      <Form.Item name={[prefix, 'legalBasis']} label="法律依据" rules={[{ required: true, message: '请填写法律依据' }]}>
        <Input.TextArea rows={2} data-testid="consequence-legal-basis" />
      </Form.Item>
      <Form.Item name={[prefix, 'reason']} label="不实情形与理由" rules={[{ required: true, message: '请填写理由' }]}>
        <Input.TextArea rows={2} data-testid="consequence-reason" placeholder="例如：拟聘从业人员有犯罪记录，与承诺不符" />
      </Form.Item>
      <Form.Item name={[prefix, 'severity']} label="失信程度" rules={[{ required: true, message: '请选择失信程度' }]}>
        <Select data-testid="consequence-severity" options={SEVERITIES.map((s) => ({ value: s, label: s }))} style={{ width: 160 }} />
      </Form.Item>
      <Form.Item name={[prefix, 'rectificationDeadline']} label="整改期限（可选）">
        <Input placeholder="YYYY-MM-DD" style={{ width: 160 }} />
      </Form.Item>
      <Form.Item name={[prefix, 'penalty']} label="处罚（可选）">
        <Input placeholder="例如：依法处以罚款（决定书文号）" />
      </Form.Item>
    </>
  );
}

/** Drops empty optional fields so the main side's schema accepts them. */
export function cleanConsequence(c: Record<string, string | undefined> | undefined) {
  if (!c) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(c)) if (v && v.trim()) out[k] = v.trim();
  return out as { legalBasis: string; reason: string; severity: '轻微' | '一般' | '严重'; rectificationDeadline?: string; penalty?: string };
}
