import type { Deps } from '../../app/deps';
import type { Actor } from '../audit/audit-chain';
import { AppError } from '../../app/app-error';
import { loadTask } from './task-rows';
import { hmacMatches } from '../field/field-crypto';
import { deviceVerify, KEY_REGISTRATION_FORMAT, KeyRegistrationShape, type KeyRegistration } from '../field/field-device-key';

/**
 * Registers the field laptop's public key with a task at the hall (docs/verification.md, "The
 * laptop's key"): the one rule for a registration imported as a file (verification.registerFieldKey)
 * and one relayed by the hub (hall-field.ts). It must name the task's current package, carry that
 * package's HMAC and be signed by the key it registers. The first registration of a package holds:
 * the same key again is answered "already registered", another key is refused.
 */
export function registerFieldKey(deps: Deps, actor: Actor, registrationJson: string): { registered: boolean; taskId: number; message: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(registrationJson);
  } catch {
    throw new AppError('BAD_INPUT', '外勤设备登记文件不是有效的 JSON。');
  }
  if ((raw as { format?: unknown } | null)?.format !== KEY_REGISTRATION_FORMAT) throw new AppError('BAD_INPUT', '这不是外勤设备登记文件（格式不符）。');
  const parsed = KeyRegistrationShape.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    throw new AppError('BAD_INPUT', `外勤设备登记文件内容不完整或格式不正确（${first.path.join('.') || '（整体）'}），未登记。`, { refused: 'key registration shape', issue: first.message });
  }
  const reg = parsed.data as KeyRegistration;
  const t = loadTask(deps.db, reg.taskId);
  // Registered before (the hub lists it until the task's result is acknowledged): nothing to do, even after the outcome.
  if (t.package_id === reg.packageId && t.field_public_key === reg.publicKey) return { registered: false, taskId: t.id, message: '该外勤电脑的密钥已登记。' };
  if (!t.checkout_key || t.package_id !== reg.packageId) {
    throw new AppError('CONFLICT', '该外勤任务已被收回或改派，此设备登记不能使用。', { taskId: t.id, packageId: reg.packageId });
  }
  const { mac, ...proved } = reg;
  if (!hmacMatches(t.checkout_key, proved, mac)) throw new AppError('BAD_INPUT', '外勤设备登记的校验码不符，文件可能被改动，未登记。', { taskId: t.id });
  const { proof, ...body } = proved;
  if (!deviceVerify(reg.alg, reg.publicKey, body, proof)) throw new AppError('BAD_INPUT', '外勤设备登记的签名无效，未登记。', { taskId: t.id });
  if (t.field_public_key) {
    if (t.field_public_key === reg.publicKey) return { registered: false, taskId: t.id, message: '该外勤电脑的密钥已登记。' };
    throw new AppError('CONFLICT', '该外勤任务已登记了另一台外勤电脑的密钥，此登记不予接受。', { taskId: t.id, packageId: reg.packageId });
  }
  const registered = deps.write(actor, (w) => {
    const r = w.db
      .prepare('UPDATE verification_tasks SET field_key_alg = ?, field_public_key = ?, field_key_registered_at = ? WHERE id = ? AND package_id = ? AND field_public_key IS NULL')
      .run(reg.alg, reg.publicKey, w.at.toISOString(), t.id, reg.packageId);
    if (r.changes !== 1) return false;
    w.audit({ action: 'verification.fieldKeyRegistered', entityType: 'verification', entityId: t.id, detail: { packageId: reg.packageId, alg: reg.alg, assistant: reg.assistant.name } });
    return true;
  });
  if (!registered) return registerFieldKey(deps, actor, registrationJson); // a concurrent registration won: answered as above
  return { registered: true, taskId: t.id, message: '外勤电脑的密钥已登记，其外勤结果将按此密钥核验。' };
}
