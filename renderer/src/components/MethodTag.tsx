import { Tag } from 'antd';
import { METHOD_LABELS, type CertificateMethod } from '../../../shared/domain/catalog';

export const METHOD_COLORS: Record<CertificateMethod, string> = {
  cancelled: '#8c8c8c',
  commitment: '#d4380d',
  data_sharing: '#1677ff',
  dept_verification: '#7c3aed',
  retained: '#d48806',
};

export function MethodTag({ method }: { method: CertificateMethod }) {
  return <Tag color={METHOD_COLORS[method]}>{METHOD_LABELS[method]}</Tag>;
}
