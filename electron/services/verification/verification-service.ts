import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import { loadTask, toTaskView } from './task-rows';
import { boardPage } from './board';
import { applyOutcome } from './outcome';
import { openVerification, randomDraw } from './open-verification';
import { closeRectification, countOverdueRectifications, listRectifications, loadRectification } from './rectifications';
import { verificationFigures } from './figures';
import { checkoutTask } from './field-checkout';
import { applyFieldResult } from './field-apply';
import { registerFieldKey } from './field-key-register';
import { refuseUnlessTaskReadable } from '../cases/case-access';
import { assignTask } from './assign';

/** 事中事后核查 on the hall desk: board, assignment, checkout (lock), outcomes, field results. */
export function createVerificationService(deps: Deps & { files: FileStore }): PartialHandlers {
  const { db, files } = deps;
  const view = (id: number) => toTaskView(db, loadTask(db, id), deps.now());

  return {
    'verification.board': (input, ctx) => {
      const now = deps.now();
      const assistants = db.prepare(`SELECT id, display_name AS name FROM users WHERE role = 'assistant' AND active = 1 ORDER BY id`).all() as { id: number; name: string }[];
      const page = boardPage(db, input, now, ctx.user!.id, ctx.user!.role === 'assistant');
      // Rectifications past their deadline and still open, hall-wide (one count in SQL, rectifications.ts).
      return { ...page, counts: { ...page.counts, rectificationOverdue: countOverdueRectifications(db, now) }, assistants, now: now.toISOString() };
    },

    'verification.get': ({ taskId }, ctx) => {
      refuseUnlessTaskReadable(db, ctx.user!, taskId, 'task');
      return view(taskId);
    },

    'verification.assign': ({ taskId, userId }, ctx) => {
      deps.write(ctx.actor, (w) => assignTask(w, taskId, userId));
      return view(taskId);
    },

    'verification.checkout': ({ taskId }, ctx) => {
      const body = deps.write(ctx.actor, (w) => checkoutTask(w, taskId, ctx.user!));
      return { task: view(taskId), fileName: `外勤任务-${body.task.caseNo}-${taskId}.json`, packageJson: JSON.stringify(body, null, 1) };
    },

    'verification.release': ({ taskId, reason }, ctx) => {
      deps.write(ctx.actor, (w) => {
        const t = loadTask(w.db, taskId);
        if (!t.checked_out_by) throw new AppError('INVALID_STATE', '该任务未被领取外勤。');
        w.db.prepare('UPDATE verification_tasks SET checked_out_by = NULL, checked_out_at = NULL, checkout_key = NULL, package_id = NULL WHERE id = ?').run(taskId);
        w.audit({ action: 'verification.release', entityType: 'verification', entityId: taskId, detail: { reason, holder: t.checked_out_by, packageId: t.package_id } });
      });
      return view(taskId);
    },

    'verification.recordOutcome': ({ taskId, outcome, note, consequence }, ctx) => {
      deps.write(ctx.actor, (w) => applyOutcome(w, taskId, { outcome, note, consequence }, { viaField: false, role: ctx.session!.user.role }));
      return view(taskId);
    },

    'verification.applyFieldResult': ({ resultJson }, ctx) => {
      const r = applyFieldResult(deps, ctx.actor, ctx.user!.id, resultJson);
      return { applied: r.applied, task: view(r.taskId), message: r.message };
    },

    'verification.registerFieldKey': ({ registrationJson }, ctx) => {
      const r = registerFieldKey(deps, ctx.actor, registrationJson);
      return { registered: r.registered, task: view(r.taskId), message: r.message };
    },

    'verification.evidence': ({ taskId, position }, ctx) => {
      refuseUnlessTaskReadable(db, ctx.user!, taskId, 'evidence');
      const e = db
        .prepare('SELECT f.sha256, f.mime FROM verification_evidence v JOIN files f ON f.sha256 = v.file_sha256 WHERE v.task_id = ? AND v.position = ?')
        .get(taskId, position) as { sha256: string; mime: string } | undefined;
      if (!e) throw new AppError('NOT_FOUND', '该证据不存在。');
      return { mime: e.mime, base64: files.get(e.sha256).toString('base64') };
    },

    'verification.figures': () => verificationFigures(db, deps.now()),

    'verification.open': ({ commitmentId, source, note }, ctx) => view(deps.write(ctx.actor, (w) => openVerification(w, commitmentId, source, note))),

    'verification.commitments': ({ query }) => {
      const q = query?.trim() ?? '';
      const rows = db
        .prepare(
          `SELECT cm.id, c.case_no, a.name AS applicant_name, ci.name AS certificate, cm.signed_at,
                  EXISTS (SELECT 1 FROM verification_tasks t WHERE t.commitment_id = cm.id AND t.status = 'open') AS open_task
           FROM commitments cm JOIN cases c ON c.id = cm.case_id JOIN applicants a ON a.id = cm.applicant_id JOIN certificate_items ci ON ci.id = cm.certificate_item_id
           WHERE cm.withdrawn_at IS NULL AND c.status IN ('accepted', 'verifying', 'completed') AND (? = '' OR c.case_no LIKE ? OR a.name LIKE ?)
           ORDER BY cm.id DESC LIMIT 50`,
        )
        .all(q, `${q}%`, `%${q}%`) as { id: number; case_no: string; applicant_name: string; certificate: string; signed_at: string; open_task: number }[];
      return rows.map((r) => ({ commitmentId: r.id, caseNo: r.case_no, applicantName: r.applicant_name, certificate: r.certificate, signedAt: r.signed_at, openTask: r.open_task === 1 }));
    },

    'verification.randomDraw': ({ ratio, seed }, ctx) => deps.write(ctx.actor, (w) => randomDraw(w, ratio, seed)),

    'verification.rectifications': ({ openOnly }) => listRectifications(db, deps.now(), openOnly ?? false),

    'verification.closeRectification': ({ id, note }, ctx) => {
      deps.write(ctx.actor, (w) => closeRectification(w, id, note));
      return loadRectification(db, id, deps.now());
    },
  };
}
