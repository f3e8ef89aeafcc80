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
