/** How a certificate item is handled under the "无证明城市" reform. */
export const CERTIFICATE_METHODS = [
  'cancelled',
  'commitment',
  'data_sharing',
  'dept_verification',
  'retained',
] as const;
export type CertificateMethod = (typeof CERTIFICATE_METHODS)[number];

export const METHOD_LABELS: Record<CertificateMethod, string> = {
  cancelled: '直接取消',
  commitment: '告知承诺',
  data_sharing: '数据共享',
  dept_verification: '部门核验/代办',
  retained: '保留',
};

export const SERVICE_ITEM_KINDS = [
  '行政许可',
  '行政确认',
  '行政给付',
  '行政裁决',
  '行政奖励',
  '其他行政权力',
  '公共服务',
] as const;
export type ServiceItemKind = (typeof SERVICE_ITEM_KINDS)[number];

/**
 * An item's risk class. Items bearing directly on public safety, ecological safety or personal
 * health and life, or involving major property, may not use 告知承诺 (国办发〔2020〕42号).
 */
export const RISK_CLASSES = ['一般', '公共安全', '生态安全', '人身健康生命', '重大财产'] as const;
export type RiskClass = (typeof RISK_CLASSES)[number];
export const DEFAULT_RISK_CLASS: RiskClass = '一般';
export const COMMITMENT_BASIS = '国办发〔2020〕42号';

/** Whether an item of this risk class may have a certificate under 告知承诺. */
export function commitmentAllowed(risk: RiskClass): boolean {
  return risk === '一般';
}

/** Whom a certificate is about; anything else typed in a catalog is kept as written. */
export const CERTIFICATE_SUBJECTS = ['申请人本人', '子女', '配偶', '父母', '法定代表人', '从业人员'] as const;
export const APPLICANT_SELF = '申请人本人';

/** Trust grades of a kept material (国办函〔2016〕108号). */
export const TRUST_GRADES = ['A', 'B', 'C', 'D'] as const;
export type TrustGrade = (typeof TRUST_GRADES)[number];
export const TRUST_GRADE_LABELS: Record<TrustGrade, string> = {
  A: 'A 级（电子证照，电子印章有效）',
  B: 'B 级（经与原件核对无误）',
  C: 'C 级（申请人上传，原件待核）',
  D: 'D 级（申请人承诺提供）',
};
