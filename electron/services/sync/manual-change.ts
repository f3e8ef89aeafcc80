import type { Db } from '../../store/open-store';
import type { ManualChange } from '../../../shared/ipc/methods/sync';
import type { StatusChange } from './case-document';
import { chinaTime } from './field-mapping';
import type { EntryRow } from './outbox';

/**
 * For a manual target (no interface): what the clerk must do about a status change in that
 * system, and the facts to type, copy-ready. If the case was entered there (an earlier revision
 * marked entered, with the target's number), the clerk finds it by that number and terminates or
 * revokes it; if not, the clerk enters it with its new status.
 */
export function manualChangeView(db: Db, e: EntryRow, targetName: string, caseNo: string, c: StatusChange): ManualChange {
  const entered = db
    .prepare(
      `SELECT target_case_no, acknowledged_at FROM outbox_entries
       WHERE case_id = ? AND target_id = ? AND kind = 'case' AND revision < ? AND state = 'acknowledged' ORDER BY revision DESC LIMIT 1`,
    )
    .get(e.case_id, e.target_id, e.revision) as { target_case_no: string | null; acknowledged_at: string | null } | undefined;
  const enteredAs = entered?.target_case_no ?? null;
  const instruction = entered
    ? `该办件已录入“${targetName}”（对方编号 ${enteredAs ?? '未登记'}${entered.acknowledged_at ? `，${chinaTime(entered.acknowledged_at, false)} 登记` : ''}）。现已${c.action}：请在对方系统中按对方编号找到该办件，将其登记为“${c.statusLabel}”，并填写下列法律依据和理由；完成后填写对方系统的编号。`
    : `该办件尚未录入“${targetName}”，现已${c.action}。请按下方字段录入，并在对方系统中将其登记为“${c.statusLabel}”，填写下列法律依据和理由；完成后填写对方系统给出的编号。`;
  return {
    action: c.action,
    statusLabel: c.statusLabel,
    enteredAs,
    enteredAt: entered?.acknowledged_at ?? null,
    instruction,
    fields: [
      ...(enteredAs ? [{ label: '对方系统编号', value: enteredAs }] : []),
      { label: '受理编号', value: caseNo },
      { label: '办理', value: c.action },
      { label: '办件状态', value: c.statusLabel },
      { label: '法律依据', value: c.legalBasis },
      { label: '理由', value: c.reason },
      { label: '决定时间', value: chinaTime(c.at, true) },
    ],
  };
}
