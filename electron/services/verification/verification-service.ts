import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import { readHall } from '../system/hall';
import { checklistFor, needsApplicantSignature } from '../../../shared/rules/verification-checklists';
import { loadTask, toTaskView } from './task-rows';
import { boardPage } from './board';
import { applyOutcome } from './outcome';
import { openVerification, randomDraw } from './open-verification';
import { closeRectification, countOverdueRectifications, listRectifications, loadRectification } from './rectifications';
import { verificationFigures } from './figures';
import { hmacMatches, ownKeys, signEd25519 } from '../field/field-crypto';
import { FieldResultShape, PACKAGE_FORMAT, RESULT_FORMAT, type FieldPackageBody, type FieldResult } from '../field/field-formats';
import { checkImageBytes } from '../images/image-check';
import { applicantContact } from '../applicants/applicants-service';
import { refuseUnlessTaskReadable } from '../cases/case-access';

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
      deps.write(ctx.actor, (w) => {
        const t = loadTask(w.db, taskId);
        if (t.status !== 'open') throw new AppError('INVALID_STATE', '该核查任务已有结论或不需核查，不能分派。');
        if (t.checked_out_by) throw new AppError('CONFLICT', `该任务已由${t.checked_out_name}领取外勤，须先收回才能改派。`);
        const u = w.db.prepare(`SELECT display_name FROM users WHERE id = ? AND role = 'assistant' AND active = 1`).get(userId) as { display_name: string } | undefined;
        if (!u) throw new AppError('BAD_INPUT', '只能分派给在岗的帮办代办员。', { userId }, { userId: '请选择帮办代办员' });
        w.db.prepare('UPDATE verification_tasks SET assigned_to = ?, assigned_at = ? WHERE id = ?').run(userId, w.at.toISOString(), taskId);
        w.audit({ action: 'verification.assign', entityType: 'verification', entityId: taskId, detail: { to: userId, name: u.display_name } });
      });
      return view(taskId);
    },

    'verification.checkout': ({ taskId }, ctx) => {
      const me = ctx.user!;
      const packageId = randomUUID();
      const checkoutKey = randomBytes(32).toString('hex');
      const body = deps.write(ctx.actor, (w) => {
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
      });
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
      let raw: unknown;
      try {
        raw = JSON.parse(resultJson);
      } catch {
        throw new AppError('BAD_INPUT', '外勤结果文件不是有效的 JSON。');
      }
      const res = fieldResultOf(raw);
      const already = () =>
        db.prepare('SELECT applied_at FROM field_results_applied WHERE result_id = ?').get(res.resultId) as { applied_at: string } | undefined;
      const prior = already();
      if (prior) {
        deps.logger.info('field.resultDuplicate', { resultId: res.resultId, taskId: res.taskId });
        return { applied: false, task: view(res.taskId), message: `该外勤结果已于 ${prior.applied_at.slice(0, 16).replace('T', ' ')} 应用，本次未重复应用。` };
      }
      const t = loadTask(db, res.taskId);
      if (!t.checkout_key || t.package_id !== res.packageId) {
        throw new AppError('CONFLICT', '该外勤任务已被收回或改派，此结果不能应用。', { taskId: t.id, packageId: res.packageId });
      }
      const { mac, ...body } = res;
      if (!hmacMatches(t.checkout_key, body, mac)) throw new AppError('BAD_INPUT', '外勤结果的校验码不符，文件可能被改动，不能应用。', { taskId: t.id });
      // Every photo checked before any is stored.
      const checked = res.evidence.map((e, i) => {
        const bytes = Buffer.from(e.base64, 'base64');
        if (createHash('sha256').update(bytes).digest('hex') !== e.sha256) throw new AppError('BAD_INPUT', `第${i + 1}张照片的哈希值不符，不能应用。`);
        const { mime } = checkImageBytes(bytes, `第${i + 1}张照片`);
        return { ...e, bytes, mime };
      });
      const evidence = checked.map((e) => ({ ...e, sha: files.put(e.bytes) }));
      const w0 = res.work;
      if (!w0.outcome) throw new AppError('BAD_INPUT', '外勤结果没有核查结论。');
      const applied = deps.write(ctx.actor, (w) => {
        if (w.db.prepare('SELECT 1 FROM field_results_applied WHERE result_id = ?').get(res.resultId)) return false;
        evidence.forEach((e, pos) => {
          files.record(w.db, e.sha, e.bytes.length, e.mime, w.at);
          w.db.prepare('INSERT INTO verification_evidence (task_id, position, kind, file_sha256, taken_at) VALUES (?, ?, ?, ?, ?)').run(t.id, pos, e.kind, e.sha, e.takenAt);
        });
        w.db.prepare('INSERT INTO field_results_applied (result_id, task_id, applied_at, applied_by) VALUES (?, ?, ?, ?)').run(res.resultId, t.id, w.at.toISOString(), ctx.user!.id);
        applyOutcome(
          w,
          t.id,
          {
            outcome: w0.outcome!,
            note: w0.notes || '（外勤结果）',
            consequence: w0.consequence,
            field: { resultId: res.resultId, assistant: res.assistant, finishedAt: res.finishedAt, answers: w0.answers, address: w0.address, coords: w0.coords, photos: evidence.map((e) => ({ kind: e.kind, sha256: e.sha256, takenAt: e.takenAt })) },
          },
          { viaField: true },
        );
        w.audit({ action: 'field.resultApplied', entityType: 'verification', entityId: t.id, detail: { resultId: res.resultId, packageId: res.packageId, photos: evidence.length } });
        return true;
      });
      return { applied, task: view(t.id), message: applied ? '外勤结果已应用。' : '该外勤结果已应用，本次未重复应用。' };
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

/** A field result file's content, its whole shape checked (field-formats.ts); BAD_INPUT naming the first wrong place. */
function fieldResultOf(raw: unknown): FieldResult {
  const o = raw as { format?: unknown; version?: unknown } | null;
  if (typeof o !== 'object' || o === null || Array.isArray(o) || o.format !== RESULT_FORMAT || o.version !== 1) {
    throw new AppError('BAD_INPUT', '这不是外勤结果文件（格式或版本不符）。', { refused: 'not a field result: format/version' });
  }
  const parsed = FieldResultShape.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    const where = first.path.length ? first.path.join('.') : '（整体）';
    const given = first.path.reduce<unknown>((o, k) => (o !== null && typeof o === 'object' ? (o as Record<PropertyKey, unknown>)[k as PropertyKey] : undefined), raw);
    const why = first.code !== 'invalid_type' ? first.message : given === undefined ? '缺少此项' : '类型不正确';
    throw new AppError('BAD_INPUT', `外勤结果文件内容不完整或格式不正确（${where}：${why}），未应用。`, {
      refused: 'field result shape',
      issues: parsed.error.issues.slice(0, 5).map((i) => ({ path: i.path.join('.'), code: i.code, message: i.message })),
    });
  }
  return raw as FieldResult;
}
