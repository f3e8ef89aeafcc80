/**
 * What the acceptance receipt (受理回执) tells the applicant about each certificate. The window's
 * own wording (case-view.ts stateText) is for the clerk: "共享平台暂不可达，查询已排队，可继续受理"
 * is an instruction to the clerk, not something the applicant should read or act on. For the two
 * states the hall still works on after acceptance the receipt says what the hall does and that the
 * applicant need not bring anything; every other state reads the same for both.
 */
import type { CertificateState } from '../../../shared/rules/certificate-resolution';

export function receiptOutcome(c: { state: CertificateState; stateText: string }): string {
  switch (c.state) {
    case 'queued':
      return '由窗口通过数据共享平台核验，无需申请人提交';
    case 'requested':
      return `${c.stateText}，无需申请人提交`;
    default:
      return c.stateText;
  }
}
