import { METHOD_LABELS, type CertificateMethod } from '../domain/catalog';
import { isNotDemanded, type CertificateState } from './certificate-resolution';

/** What a case's certificate looks like for counting. */
export interface FigureInput {
  method: CertificateMethod;
  state: CertificateState;
  choice: 'commit' | 'present' | null;
  reusedMaterial: boolean;
}

export const FIGURE_KEYS = ['cancelled', 'commitment', 'data_sharing', 'dept_verification', 'reused'] as const;
export const FIGURE_LABELS: Record<(typeof FIGURE_KEYS)[number], string> = {
  cancelled: METHOD_LABELS.cancelled,
  commitment: METHOD_LABELS.commitment,
  data_sharing: METHOD_LABELS.data_sharing,
  dept_verification: METHOD_LABELS.dept_verification,
  reused: '材料复用（一次提交）',
};

/**
 * Certificates the applicant did not have to bring, by how they were
 * avoided — the figure halls report. A certificate the applicant presented
 * anyway (by choice or because it is retained) is avoided only if it came
 * from the material library instead of being brought again. A certificate the case never asked
 * for (不涉及, 由本件产生) is neither demanded nor avoided: it is not counted.
 */
export function caseFigures(all: FigureInput[]) {
  const certs = all.filter((c) => !isNotDemanded(c.state));
  const counts: Record<(typeof FIGURE_KEYS)[number], number> = { cancelled: 0, commitment: 0, data_sharing: 0, dept_verification: 0, reused: 0 };
  for (const c of certs) {
    if (c.method === 'cancelled') counts.cancelled++;
    else if (c.reusedMaterial) counts.reused++;
    else if (c.method === 'commitment' && c.choice === 'commit' && c.state === 'satisfied') counts.commitment++;
    else if (c.method === 'data_sharing' && (c.state === 'satisfied' || c.state === 'queued')) counts.data_sharing++;
    else if (c.method === 'dept_verification' && (c.state === 'satisfied' || c.state === 'requested')) counts.dept_verification++;
  }
  const avoided = FIGURE_KEYS.reduce((a, k) => a + counts[k], 0);
  const originals = certs.filter(isOriginal).length;
  return { total: certs.length, avoided, originals, byMethod: FIGURE_KEYS.map((key) => ({ key, label: FIGURE_LABELS[key], count: counts[key] })) };
}

/**
 * An original the applicant brings to the window (仍需核对原件): checked and kept here, or waiting to
 * be — a 保留 certificate, or a commitment the applicant declined. A copy reused from the material
 * library is not brought again; a query or a 协查 still under way is not an original at all.
 */
function isOriginal(c: FigureInput): boolean {
  if (c.reusedMaterial) return false;
  if (c.state === 'presented') return true;
  return c.state === 'pending' && (c.method === 'retained' || (c.method === 'commitment' && c.choice === 'present'));
}
