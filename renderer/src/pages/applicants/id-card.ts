import type { ApplicantView } from '../../../../shared/ipc/contract';
import { call } from '../../ipc/client';

/** What 读取身份证 found: nothing to read, an applicant already registered, or a new person to register. */
export type CardRead =
  | { status: 'unread'; message: string }
  | { status: 'registered'; applicant: ApplicantView; message: string }
  | { status: 'new'; values: { kind: 'person'; name: string; idNumber: string; address: string }; message: string };

/**
 * Reads the ID card on the reader and looks its number up among the registered applicants. The
 * simulated reader (development, demo) says so in the message: its card is not the applicant's.
 */
export async function readIdCard(): Promise<CardRead> {
  const r = await call('devices.readIdCard', {});
  if (r.status !== 'card') return { status: 'unread', message: r.message };
  const source = r.simulated ? '（模拟读卡器，演示数据）' : '';
  const match = (await call('applicants.findSimilar', { name: r.card.name, idNumber: r.card.idNumber, phone: '' })).find((m) => m.reason === '证件号码相同');
  if (match) return { status: 'registered', applicant: match.applicant, message: `已读取身份证${source}：${r.card.name}，申请人已登记` };
  return {
    status: 'new',
    values: { kind: 'person', name: r.card.name, idNumber: r.card.idNumber, address: r.card.address },
    message: `已读取身份证${source}：${r.card.name}，请补充联系电话后登记`,
  };
}
