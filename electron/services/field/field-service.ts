import { latestSignedHead } from '../audit/witnessed-heads';
import { readDeskCard } from '../transfer/desk-keys';
import { randomUUID } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import type { Db } from '../../store/open-store';
import type { Actor } from '../audit/audit-chain';
import type { FieldWorkView } from '../../../shared/ipc/methods/verification';
import { hmac, verifyEd25519 } from './field-crypto';
import { PACKAGE_FORMAT, RESULT_FORMAT, type FieldAuditHead, type FieldPackage, type FieldResultBody, type FieldWork } from './field-formats';
import { checkImageBase64 } from '../images/image-check';
import { deviceSign, keyRegistration, makeDeviceKey, type DeviceKey, type KeyRegistration } from './field-device-key';

interface WorkRow {
  package_id: string;
  task_id: number;
  package: string;
  state: 'working' | 'finished';
  work: string;
  result_id: string | null;
  /** The key pair this laptop made for the package (field-device-key.ts); NULL for packages imported before. */
  device_key: string | null;
}

const EMPTY_WORK: FieldWork = { answers: {}, notes: '', address: '', coords: null, outcome: null, consequence: null };

function loadWork(db: Db, packageId: string): WorkRow {
  const r = db.prepare('SELECT * FROM field_work WHERE package_id = ?').get(packageId) as WorkRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', '本机没有这个外勤任务。');
  return r;
}

function photosOf(db: Db, packageId: string) {
  return db.prepare('SELECT position, kind, file_sha256, taken_at FROM field_photos WHERE package_id = ? ORDER BY position').all(packageId) as {
    position: number;
    kind: 'photo' | 'signature';
    file_sha256: string;
    taken_at: string;
  }[];
}

function toView(db: Db, r: WorkRow): FieldWorkView {
  const p = JSON.parse(r.package) as FieldPackage;
  const work = { ...EMPTY_WORK, ...(JSON.parse(r.work) as Partial<FieldWork>) };
  return {
    packageId: r.package_id,
    taskId: r.task_id,
    state: r.state,
    caseNo: p.task.caseNo,
    applicantName: p.task.applicantName,
    idNumberMasked: p.task.idNumberMasked,
    applicantAddress: p.task.applicantAddress ?? null,
    applicantPhone: p.task.applicantPhone ?? null,
    certificate: p.task.certificate,
    items: p.task.items,
    method: p.task.method,
    dueAt: p.task.dueAt,
    commitmentText: p.task.commitmentText,
    checklist: p.task.checklist,
    needsSignature: p.task.needsSignature,
    work: { answers: work.answers, notes: work.notes, address: work.address, coords: work.coords, outcome: work.outcome, consequence: work.consequence },
    photos: photosOf(db, r.package_id).map((x) => ({ position: x.position, kind: x.kind, sha256: x.file_sha256, takenAt: x.taken_at })),
    resultId: r.result_id,
  };
}

/**
 * Field mode on the assistant's laptop (its own desk install and SQLite file): accepts signed
 * field packages, keeps the work done offline (checklist, notes, place, photos, signature), and
 * seals it into a field result for the hall desk.
 */
export function createFieldService(deps: Deps & { files: FileStore }, dataDir?: string): PartialHandlers {
  const { db, files } = deps;
  return {
    'field.import': ({ packageJson }, ctx) => importFieldPackage(deps, ctx.actor, ctx.user!.displayName, packageJson),

    'field.list': () => (db.prepare('SELECT * FROM field_work ORDER BY state, imported_at DESC').all() as WorkRow[]).map((r) => toView(db, r)),

    'field.save': ({ packageId, ...work }, ctx) => {
      deps.write(ctx.actor, (w) => {
        const r = loadWork(w.db, packageId);
        if (r.state !== 'working') throw new AppError('INVALID_STATE', '该外勤任务已完成，不能再修改。');
        w.db.prepare('UPDATE field_work SET work = ?, updated_at = ? WHERE package_id = ?').run(JSON.stringify(work), w.at.toISOString(), packageId);
        w.audit({ action: 'field.save', entityType: 'field', entityId: packageId, detail: { outcome: work.outcome, coords: work.coords !== null } });
      });
      return toView(db, loadWork(db, packageId));
    },

    'field.addPhoto': ({ packageId, kind, base64, takenAt }, ctx) => {
      if (Number.isNaN(Date.parse(takenAt))) throw new AppError('BAD_INPUT', '拍摄时间格式不正确。');
      const { bytes, mime } = checkImageBase64(base64, kind === 'signature' ? '签名图像' : '照片');
      const sha = files.put(bytes);
      deps.write(ctx.actor, (w) => {
        const r = loadWork(w.db, packageId);
        if (r.state !== 'working') throw new AppError('INVALID_STATE', '该外勤任务已完成，不能再添加照片。');
        files.record(w.db, sha, bytes.length, mime, w.at);
        const next = (w.db.prepare('SELECT COALESCE(MAX(position) + 1, 0) AS n FROM field_photos WHERE package_id = ?').get(packageId) as { n: number }).n;
        w.db.prepare('INSERT INTO field_photos (package_id, position, kind, file_sha256, taken_at) VALUES (?, ?, ?, ?, ?)').run(packageId, next, kind, sha, new Date(takenAt).toISOString());
        w.audit({ action: 'field.photo', entityType: 'field', entityId: packageId, detail: { kind, sha256: sha, takenAt } });
      });
      return toView(db, loadWork(db, packageId));
    },

    'field.photo': ({ packageId, position }) => {
      const p = db.prepare('SELECT f.sha256, f.mime FROM field_photos x JOIN files f ON f.sha256 = x.file_sha256 WHERE x.package_id = ? AND x.position = ?').get(packageId, position) as
        | { sha256: string; mime: string }
        | undefined;
      if (!p) throw new AppError('NOT_FOUND', '该照片不存在。');
      return { mime: p.mime, base64: files.get(p.sha256).toString('base64') };
    },

    'field.keyRegistration': ({ packageId }) => {
      const { p, registration } = fieldKeyRegistration(deps, packageId);
      return { fileName: `外勤设备登记-${p.task.caseNo}-${p.task.id}.json`, registrationJson: JSON.stringify(registration) };
    },

    'field.finish': ({ packageId }, ctx) => {
      const r0 = loadWork(db, packageId);
      const p = JSON.parse(r0.package) as FieldPackage;
      const work = { ...EMPTY_WORK, ...(JSON.parse(r0.work) as Partial<FieldWork>) };
      if (r0.state === 'working') {
        if (!work.outcome) throw new AppError('BAD_INPUT', '请选择核查结论。', {}, { outcome: '请选择核查结论' });
        if (work.outcome === 'false' && !work.consequence) throw new AppError('BAD_INPUT', '承诺不实须填写法律依据、理由和失信程度。', {}, { consequence: '请填写' });
        const photos = photosOf(db, packageId);
        if (p.task.needsSignature && work.outcome !== 'unable' && !photos.some((x) => x.kind === 'signature')) {
          throw new AppError('BAD_INPUT', '实地调查须由申请人在现场签字确认。', {}, { signature: '请申请人签字' });
        }
        // The laptop's latest signed audit head when the work was sealed, carried in the result for the hall desk to witness
        // (services/audit/witnessed-heads.ts); kept with the work, so the result is the same each time it is exported.
        const head = dataDir ? latestSignedHead(dataDir) : null;
        const deskId = dataDir ? readDeskCard(dataDir)?.deskId : undefined;
        const auditHead = head && deskId ? JSON.stringify({ ...head, deskId }) : null;
        deps.write(ctx.actor, (w) => {
          const resultId = randomUUID();
          w.db
            .prepare(`UPDATE field_work SET state = 'finished', result_id = ?, work = json_set(work, '$.finishedAt', ?, '$.auditHead', json(?)), updated_at = ? WHERE package_id = ? AND state = 'working'`)
            .run(resultId, w.at.toISOString(), auditHead, w.at.toISOString(), packageId);
          w.audit({ action: 'field.finish', entityType: 'field', entityId: packageId, detail: { resultId, outcome: work.outcome } });
        });
      }
      return sealedResult(deps, packageId);
    },
  };
}

/**
 * A signed field package accepted on this laptop for the named assistant (the one who took it): its
 * signature checked, the hall key pinned at the first package. Importing one again returns it as it
 * is. The one rule for a package file (field.import) and one fetched from the hub (hall-field*.ts).
 */
export function importFieldPackage(deps: Deps, actor: Actor, assistantName: string, packageJson: string): FieldWorkView {
  const { db } = deps;
  let p: FieldPackage;
  try {
    p = JSON.parse(packageJson) as FieldPackage;
  } catch {
    throw new AppError('BAD_INPUT', '外勤任务文件不是有效的 JSON。');
  }
  if (p?.format !== PACKAGE_FORMAT || p.version !== 1 || typeof p.packageId !== 'string' || !p.hall?.publicKey || !p.task) {
    throw new AppError('BAD_INPUT', '这不是外勤任务文件（格式或版本不符）。');
  }
  const { signature, ...body } = p;
  if (!verifyEd25519(p.hall.publicKey, body, signature)) throw new AppError('BAD_INPUT', '外勤任务文件的签名无效，文件可能被改动。');
  if (p.assistant.name !== assistantName) throw new AppError('FORBIDDEN', `该外勤任务由${p.assistant.name}领取，须由其本人登录后导入。`);
  const existing = db.prepare('SELECT * FROM field_work WHERE package_id = ?').get(p.packageId) as WorkRow | undefined;
  if (existing) return toView(db, existing);
  // This laptop's own key for the package: its public half is registered with the task at the hall (field-device-key.ts).
  const deviceKey = makeDeviceKey(p.deviceKeyAlg === 'sm2-sm3' ? 'sm2-sm3' : 'ed25519');
  deps.write(actor, (w) => {
    const pinned = w.db.prepare(`SELECT public_key FROM field_keys WHERE name = 'hall'`).get() as { public_key: string } | undefined;
    if (pinned && pinned.public_key !== p.hall.publicKey) throw new AppError('FORBIDDEN', '该外勤任务不是本机所属大厅签发的，不能导入。');
    if (!pinned) w.db.prepare(`INSERT INTO field_keys (name, public_key, private_key, created_at) VALUES ('hall', ?, NULL, ?)`).run(p.hall.publicKey, w.at.toISOString());
    const at = w.at.toISOString();
    w.db
      .prepare(`INSERT INTO field_work (package_id, task_id, hall_key, package, state, work, imported_at, updated_at, device_key) VALUES (?, ?, ?, ?, 'working', '{}', ?, ?, ?)`)
      .run(p.packageId, p.task.id, p.hall.publicKey, JSON.stringify(p), at, at, JSON.stringify(deviceKey));
    w.audit({ action: 'field.import', entityType: 'field', entityId: p.packageId, detail: { taskId: p.task.id, caseNo: p.task.caseNo, hall: p.hall.name, deviceKeyAlg: deviceKey.alg } });
  });
  return toView(db, loadWork(db, p.packageId));
}

/** The sealed result of a finished package (read only; the same result each time it is asked for). */
export function sealedResult(deps: Pick<Deps, 'db'> & { files: FileStore }, packageId: string): { fileName: string; resultJson: string; work: FieldWorkView } {
  const { db, files } = deps;
  const r = loadWork(db, packageId);
  if (r.state !== 'finished' || !r.result_id) throw new AppError('INVALID_STATE', '该外勤任务尚未完成。');
  const p = JSON.parse(r.package) as FieldPackage;
  const work = { ...EMPTY_WORK, ...(JSON.parse(r.work) as Partial<FieldWork>) };
  // The desk's signed audit head when the work was finished travels with the result (the hall witnesses it).
  const { finishedAt, auditHead } = JSON.parse(r.work) as { finishedAt: string; auditHead?: FieldAuditHead | null };
  const photos = photosOf(db, packageId);
  const body: FieldResultBody = {
    format: RESULT_FORMAT,
    version: 1,
    resultId: r.result_id,
    packageId,
    taskId: p.task.id,
    assistant: p.assistant,
    finishedAt,
    work: { answers: work.answers, notes: work.notes, address: work.address, coords: work.coords, outcome: work.outcome, consequence: work.consequence },
    evidence: photos.map((x) => {
      const f = db.prepare('SELECT mime FROM files WHERE sha256 = ?').get(x.file_sha256) as { mime: string };
      return { kind: x.kind, sha256: x.file_sha256, takenAt: x.taken_at, mime: f.mime, base64: files.get(x.file_sha256).toString('base64') };
    }),
  };
  if (auditHead) body.auditHead = auditHead;
  // Signed with this laptop's key (registered at the hall), then sealed under the checkout key.
  const signed = r.device_key ? { ...body, laptopSignature: deviceSign(JSON.parse(r.device_key) as DeviceKey, body) } : body;
  const result = { ...signed, mac: hmac(p.checkoutKey, signed) };
  return { fileName: `外勤结果-${p.task.caseNo}-${p.task.id}.json`, resultJson: JSON.stringify(result), work: toView(db, r) };
}

/**
 * The laptop's key registration for an imported package (field-device-key.ts): the one source for
 * the file the laptop exports (field.keyRegistration) and the registration sent through the hub
 * (hub/hall-field-keys.ts).
 */
export function fieldKeyRegistration(deps: Pick<Deps, 'db' | 'now'>, packageId: string): { p: FieldPackage; registration: KeyRegistration } {
  const r = loadWork(deps.db, packageId);
  if (!r.device_key) throw new AppError('INVALID_STATE', '该外勤任务包是在本版本之前导入的，没有本机密钥：请在大厅重新领取外勤任务包。');
  const p = JSON.parse(r.package) as FieldPackage;
  return { p, registration: keyRegistration(p, JSON.parse(r.device_key) as DeviceKey, deps.now()) };
}
