import { randomBytes, randomUUID } from 'node:crypto';
import type { WriteContext } from '../../store/write';
import { AppError } from '../../app/app-error';
import { readHall } from '../system/hall';
import { checklistFor, needsApplicantSignature } from '../../../shared/rules/verification-checklists';
import { loadTask, toTaskView } from './task-rows';
import { ownKeys, signEd25519 } from '../field/field-crypto';
import { PACKAGE_FORMAT, type FieldPackage, type FieldPackageBody } from '../field/field-formats';
import { applicantContact } from '../applicants/applicants-service';

/** The hall's transfer suite (its desk card): the laptop's key for a package follows it. */
function transferSuite(db: WriteContext['db']): 'ed25519' | 'sm2-sm3' {
  const row = db.prepare(`SELECT json_extract(card, '$.signAlg') AS alg FROM transfer_desk LIMIT 1`).get() as { alg: string | null } | undefined;
  return row?.alg === 'sm2-sm3' ? 'sm2-sm3' : 'ed25519';
}

/** Who takes a task for field work: the signed-in assistant at the desk, or the holder of the hub's lock (hall-field.ts). */
export interface Taker {
  id: number;
  displayName: string;
  role: string;
}

/**
 * Takes a task for field work on this desk (the desk's lock, one conditional UPDATE) and issues
 * the taker's signed field package, in the caller's transaction. One rule for both ways a task is
 * taken: at the desk (verification.checkout) and through the hub (hall-field.ts).
 */
export function checkoutTask(w: WriteContext, taskId: number, me: Taker): FieldPackage {
  const packageId = randomUUID();
  const checkoutKey = randomBytes(32).toString('hex');
    // The lock: one conditional UPDATE; of two assistants taking at once, exactly one changes the row.
    const taken = w.db
      .prepare(
        `UPDATE verification_tasks SET checked_out_by = ?, checked_out_at = ?, checkout_key = ?, package_id = ?
         WHERE id = ? AND status = 'open' AND checked_out_by IS NULL AND (assigned_to IS NULL OR assigned_to = ? OR ? = 'supervisor')`,
      )
      .run(me.id, w.at.toISOString(), checkoutKey, packageId, taskId, me.id, me.role);
    if (taken.changes !== 1) {
      const t = loadTask(w.db, taskId);
      if (t.checked_out_by) throw new AppError('CONFLICT', `该任务已被${t.checked_out_name}领取外勤（${t.checked_out_at?.slice(0, 16).replace('T', ' ')}），不能重复领取。`, { taskId, holder: t.checked_out_by });
      if (t.status !== 'open') throw new AppError('INVALID_STATE', '该核查任务已有结论或不需核查。');
      throw new AppError('FORBIDDEN', `该任务已分派给${t.assigned_name}，只有其本人可以领取。`, { taskId });
    }
    const t = loadTask(w.db, taskId);
    const v = toTaskView(w.db, t, w.at);
    const hall = readHall(w.db);
    const keys = ownKeys(w.db, w.at);
    const template = JSON.parse(t.method_detail) as { commitmentText?: string };
    const contact = applicantContact(w.db, t.applicant_id);
    const pkg: FieldPackageBody = {
      format: PACKAGE_FORMAT,
      version: 1,
      packageId,
      issuedAt: w.at.toISOString(),
      hall: { name: hall?.name ?? '', publicKey: keys.publicKey },
      assistant: { id: me.id, name: me.displayName },
      checkoutKey,
      deviceKeyAlg: transferSuite(w.db),
      task: {
        id: t.id,
        caseNo: t.case_no,
        applicantName: t.applicant_name,
        idNumberMasked: v.idNumberMasked,
        applicantAddress: contact.address,
        applicantPhone: contact.phone,
        certificate: t.certificate,
        items: v.items,
        department: v.department,
        method: t.method,
        dueAt: t.due_at,
        commitmentText: template.commitmentText ?? '',
        checklist: [...checklistFor(t.method)],
        needsSignature: needsApplicantSignature(t.method),
      },
    };
    w.audit({ action: 'verification.checkout', entityType: 'verification', entityId: taskId, detail: { packageId, by: me.id, carries: { address: contact.address !== null, fullPhone: true } } });
    return { ...pkg, signature: signEd25519(keys.privateKey, pkg) };
}
