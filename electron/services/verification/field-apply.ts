import { recordWitnessedHead } from '../audit/witnessed-heads';
import { createHash } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { Actor } from '../audit/audit-chain';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import { loadTask } from './task-rows';
import { applyOutcome } from './outcome';
import { hmacMatches } from '../field/field-crypto';
import { FieldResultShape, RESULT_FORMAT, type FieldResult } from '../field/field-formats';
import { checkImageBytes } from '../images/image-check';
import { deviceVerify } from '../field/field-device-key';
import { needsApplicantSignature } from '../../../shared/rules/verification-checklists';

/**
 * Applies a field result on the task's owning desk, once by its result id (field_results_applied):
 * the one rule for a result imported as a file (verification.applyFieldResult) and one relayed by
 * the hub (hall-field.ts, hall-field-auto.ts). A second delivery, either way, is answered "already applied".
 * `userId` is who applies it; null when it arrives by itself through the hub (then it is recorded as
 * applied by the task's holder, whose finding it is).
 */
export function applyFieldResult(deps: Deps & { files: FileStore }, actor: Actor, userId: number | null, resultJson: string): { applied: boolean; taskId: number; message: string } {
  const { db, files } = deps;
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
    return { applied: false, taskId: res.taskId, message: `该外勤结果已于 ${prior.applied_at.slice(0, 16).replace('T', ' ')} 应用，本次未重复应用。` };
  }
  const t = loadTask(db, res.taskId);
  if (!t.checkout_key || t.package_id !== res.packageId) {
    throw new AppError('CONFLICT', '该外勤任务已被收回或改派，此结果不能应用。', { taskId: t.id, packageId: res.packageId });
  }
  const { mac, ...signed } = res;
  if (!hmacMatches(t.checkout_key, signed, mac)) throw new AppError('BAD_INPUT', '外勤结果的校验码不符，文件可能被改动，不能应用。', { taskId: t.id });
  // The package alone (its checkout key) does not make a result: it must be signed by the laptop's registered key.
  if (!t.field_public_key || !t.field_key_alg) {
    throw new AppError('FORBIDDEN', '该外勤任务尚未登记外勤电脑的密钥，不能应用其结果：请先导入外勤电脑导出的设备登记文件（或经全厅中心同步）。', { taskId: t.id, refused: 'no registered laptop key' });
  }
  const { laptopSignature, ...body } = signed;
  if (!laptopSignature || !deviceVerify(t.field_key_alg, t.field_public_key, body, laptopSignature)) {
    throw new AppError('BAD_INPUT', '外勤结果不是由登记的外勤电脑签署的，可能被伪造，不能应用。', { taskId: t.id, refused: laptopSignature ? 'laptop signature does not verify' : 'no laptop signature' });
  }
  refuseBrokenFieldRules(t.method, res);
  // Every photo checked before any is stored.
  const checked = res.evidence.map((e, i) => {
    const bytes = Buffer.from(e.base64, 'base64');
    if (createHash('sha256').update(bytes).digest('hex') !== e.sha256) throw new AppError('BAD_INPUT', `第${i + 1}张照片的哈希值不符，不能应用。`);
    const { mime } = checkImageBytes(bytes, `第${i + 1}张照片`);
    return { ...e, bytes, mime };
  });
  const evidence = checked.map((e) => ({ ...e, sha: files.put(e.bytes) }));
  const w0 = res.work;
  const applied = deps.write(actor, (w) => {
    if (w.db.prepare('SELECT 1 FROM field_results_applied WHERE result_id = ?').get(res.resultId)) return false;
    evidence.forEach((e, pos) => {
      files.record(w.db, e.sha, e.bytes.length, e.mime, w.at);
      w.db.prepare('INSERT INTO verification_evidence (task_id, position, kind, file_sha256, taken_at) VALUES (?, ?, ?, ?, ?)').run(t.id, pos, e.kind, e.sha, e.takenAt);
    });
    w.db.prepare('INSERT INTO field_results_applied (result_id, task_id, applied_at, applied_by) VALUES (?, ?, ?, ?)').run(res.resultId, t.id, w.at.toISOString(), userId ?? t.checked_out_by);
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
    // The laptop's latest signed audit head, witnessed here (services/audit/witnessed-heads.ts).
    const h = res.auditHead;
    const auditHead = h ? { deskId: h.deskId, seq: h.seq, witnessed: recordWitnessedHead(w.db, h.deskId, { kind: h.kind, epoch: h.epoch, seq: h.seq, hash: h.hash, at: h.at, signedAt: h.signedAt, pub: h.pub, sig: h.sig }, 'field_result', res.resultId, w.at.toISOString()) } : null;
    w.audit({ action: 'field.resultApplied', entityType: 'verification', entityId: t.id, detail: { resultId: res.resultId, packageId: res.packageId, photos: evidence.length, auditHead } });
    return true;
  });
  return { applied, taskId: t.id, message: applied ? '外勤结果已应用。' : '该外勤结果已应用，本次未重复应用。' };
}

/**
 * The rules the laptop enforces before it seals a result (field-service.ts, field.finish), checked
 * again at the hall before anything is written: a conclusion; a consequence for 承诺不实; the
 * applicant's signature for 实地调查 (unless the check could not be made).
 */
function refuseBrokenFieldRules(method: string, res: FieldResult): void {
  const w0 = res.work;
  if (!w0.outcome) throw new AppError('BAD_INPUT', '外勤结果没有核查结论。');
  if (w0.outcome === 'false' && !w0.consequence) throw new AppError('BAD_INPUT', '外勤结果为承诺不实，但没有法律依据、理由和失信程度，不能应用。');
  if (needsApplicantSignature(method) && w0.outcome !== 'unable' && !res.evidence.some((e) => e.kind === 'signature')) {
    throw new AppError('BAD_INPUT', '实地调查须由申请人在现场签字确认：该外勤结果没有申请人签字，不能应用。', { refused: 'field visit without the applicant signature' });
  }
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
