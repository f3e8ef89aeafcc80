import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { signaturePng } from '../helpers/png';
import { documentJpeg } from '../helpers/jpeg';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { hmac } from '../../electron/services/field/field-crypto';
import { deviceSign, keyRegistration, makeDeviceKey, type DeviceKey } from '../../electron/services/field/field-device-key';
import type { FieldPackage } from '../../electron/services/field/field-formats';
import { openTestStore } from '../helpers/store';

/**
 * Security probe 4 (issue 15): "a field result can be forged by whoever holds the field package" —
 * the package carries its checkout key, and the hall checked only that HMAC. Now the hall takes a
 * result only if it is signed by the key the laptop made for the package and registered with the
 * task (docs/verification.md, "The laptop's key"), and re-checks the laptop's rules itself.
 */

let platform: RunningPlatform;
beforeAll(async () => {
  platform = await startDataSharingPlatform();
});
afterAll(async () => {
  await platform.close();
});

const SIG = signaturePng().toString('base64');

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'OK', message: '' }),
    (e: CallFailed) => ({ code: e.error.code, message: e.error.message }),
  );

/** What the hall desk has written, to show a refusal wrote nothing. */
function written(d: TestDesk, taskId: number) {
  const db = openTestStore(d.app.dbFile, { readonly: true });
  try {
    return {
      audit: (db.prepare('SELECT MAX(seq) AS n FROM audit_log').get() as { n: number }).n,
      files: (db.prepare('SELECT count(*) AS n FROM files').get() as { n: number }).n,
      applied: (db.prepare('SELECT count(*) AS n FROM field_results_applied').get() as { n: number }).n,
      evidence: (db.prepare('SELECT count(*) AS n FROM verification_evidence WHERE task_id = ?').get(taskId) as { n: number }).n,
      task: db.prepare('SELECT status, outcome, field_public_key IS NOT NULL AS keyed FROM verification_tasks WHERE id = ?').get(taskId),
    };
  } finally {
    db.close();
  }
}

/** A completed 托育机构备案 case of 王芳 with a commitment; returns its verification task, assigned to 陈静 and checked out by her. */
async function checkedOutTask(d: TestDesk, tokens: { clerk: string; admin: string; chen: string }) {
  const items = await d.call('catalog.listServiceItems', {}, tokens.clerk);
  const item = items.find((i) => i.name === '托育机构备案')!;
  const applicant = (await d.call('applicants.list', { query: '王芳', limit: 5 }, tokens.clerk)).find((a) => a.name === '王芳')!;
  let v = await d.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, tokens.clerk);
  for (const c of v.certificates) {
    const id = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'commitment') {
      v = await d.call('intake.recordChoice', { ...id, choice: 'commit' }, tokens.clerk);
      v = await d.call('intake.signCommitment', { ...id, signatureKind: 'pad', signaturePngBase64: SIG }, tokens.clerk);
    } else if (c.method === 'data_sharing') {
      v = await d.call('intake.queryDataSharing', id, tokens.clerk);
      if (v.certificates.find((x) => x.code === c.code)!.state === 'pending') v = await d.call('intake.switchToVerification', id, tokens.clerk);
    } else if (c.method === 'dept_verification') {
      v = await d.call('intake.requestAssistance', id, tokens.clerk);
    } else if (c.method === 'retained') {
      v = await d.call('intake.addMaterial', { ...id, title: c.name, validUntil: '2099-12-31', pages: [{ mime: 'image/png', base64: SIG }] }, tokens.clerk);
    }
  }
  for (const r of await d.call('assistance.list', { openOnly: true }, tokens.clerk)) {
    if (r.caseId === v.id) await d.call('assistance.recordReply', { requestId: r.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, tokens.clerk);
  }
  v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, tokens.clerk);
  v = await d.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: '房民决字〔2026〕第007号' }, tokens.clerk);
  const board = await d.call('verification.board', {}, tokens.admin);
  const task = board.tasks.find((t) => t.caseId === v.id)!;
  await d.call('verification.assign', { taskId: task.id, userId: board.assistants.find((a) => a.name === '陈静')!.id }, tokens.admin);
  return task.id;
}

async function hallAndLaptop() {
  const hall = await testDesk({ dataSharing: platform.url, sync: false });
  const tokens = { clerk: (await hall.signIn('zhangmin')).token, admin: (await hall.signIn('admin')).token, chen: (await hall.signIn('chenjing')).token };
  const laptop = await testDesk({ sync: false });
  const lchen = (await laptop.signIn('chenjing')).token;
  return { hall, tokens, laptop, lchen };
}

describe('field results are verified against the laptop\u2019s own key', () => {
  it('a forged field result (right HMAC, no laptop key) is refused with nothing written, before and after the laptop registered its key; the real one applies', async () => {
    const { hall, tokens, laptop, lchen } = await hallAndLaptop();
    const taskId = await checkedOutTask(hall, tokens);
    const out = await hall.call('verification.checkout', { taskId }, tokens.chen);
    const pkg = JSON.parse(out.packageJson) as FieldPackage;
    expect(pkg.deviceKeyAlg).toBe('ed25519'); // this hall has no SM2 transfer suite

    // The forger holds the package (its checkout key) and writes a "true" finding with a right HMAC.
    const forgedBody = {
      format: 'pfd-field-result',
      version: 1,
      resultId: '6d1f4a8e-0000-4000-8000-00000000f0f0',
      packageId: pkg.packageId,
      taskId,
      assistant: pkg.assistant,
      finishedAt: '2026-12-02T03:00:00.000Z',
      work: { answers: {}, notes: '属实', address: '', coords: null, outcome: 'true', consequence: null },
      evidence: [],
    };
    const forged = JSON.stringify({ ...forgedBody, mac: hmac(pkg.checkoutKey, forgedBody) });
    const before = written(hall, taskId);
    expect(await failure(hall.call('verification.applyFieldResult', { resultJson: forged }, tokens.chen))).toEqual({
      code: 'FORBIDDEN',
      message: '该外勤任务尚未登记外勤电脑的密钥，不能应用其结果：请先导入外勤电脑导出的设备登记文件（或经全厅中心同步）。',
    });
    expect(written(hall, taskId)).toEqual(before);

    // The laptop imports the package and its key is registered at the hall (first registration wins).
    const work = await laptop.call('field.import', { packageJson: out.packageJson }, lchen);
    const reg = await laptop.call('field.keyRegistration', { packageId: work.packageId }, lchen);
    expect(await hall.call('verification.registerFieldKey', { registrationJson: reg.registrationJson }, tokens.chen)).toMatchObject({ registered: true, message: '外勤电脑的密钥已登记，其外勤结果将按此密钥核验。' });
    expect((await hall.call('verification.registerFieldKey', { registrationJson: reg.registrationJson }, tokens.chen)).registered).toBe(false);
    const afterReg = written(hall, taskId);
    expect(afterReg.task).toEqual({ status: 'open', outcome: null, keyed: 1 });

    // The forger's own key, registered second with a right HMAC and a right proof: refused, nothing written.
    const forgerKey = makeDeviceKey('ed25519');
    const forgerReg = JSON.stringify(keyRegistration(pkg, forgerKey, new Date()));
    expect(await failure(hall.call('verification.registerFieldKey', { registrationJson: forgerReg }, tokens.chen))).toEqual({
      code: 'CONFLICT',
      message: '该外勤任务已登记了另一台外勤电脑的密钥，此登记不予接受。',
    });
    // A registration whose proof is not made by the key it names: refused.
    const noProof = JSON.parse(reg.registrationJson) as Record<string, unknown>;
    noProof.publicKey = forgerKey.publicKey;
    const { mac: _m, ...proved } = noProof;
    const badProof = JSON.stringify({ ...proved, mac: hmac(pkg.checkoutKey, proved) });
    expect((await failure(hall.call('verification.registerFieldKey', { registrationJson: badProof }, tokens.chen))).message).toBe('外勤设备登记的签名无效，未登记。');

    // Forged results now: no laptop signature; one signed by the forger's key. Both refused, nothing written.
    expect(await failure(hall.call('verification.applyFieldResult', { resultJson: forged }, tokens.chen))).toEqual({ code: 'BAD_INPUT', message: '外勤结果不是由登记的外勤电脑签署的，可能被伪造，不能应用。' });
    const bySigned = { ...forgedBody, laptopSignature: deviceSign(forgerKey, forgedBody) };
    const forgedSigned = JSON.stringify({ ...bySigned, mac: hmac(pkg.checkoutKey, bySigned) });
    expect((await failure(hall.call('verification.applyFieldResult', { resultJson: forgedSigned }, tokens.chen))).message).toBe('外勤结果不是由登记的外勤电脑签署的，可能被伪造，不能应用。');
    expect(written(hall, taskId)).toEqual(afterReg);

    // The laptop's own result applies.
    await laptop.call('field.addPhoto', { packageId: work.packageId, kind: 'photo', base64: documentJpeg(320, 240, { seed: 5 }).toString('base64'), takenAt: '2026-12-02T02:10:00.000Z' }, lchen);
    await laptop.call(
      'field.save',
      { packageId: work.packageId, answers: Object.fromEntries(work.checklist.map((x) => [x.key, true])), notes: '系统查询属实', address: '房县城关镇东街12号', coords: null, outcome: 'true', consequence: null },
      lchen,
    );
    const fin = await laptop.call('field.finish', { packageId: work.packageId }, lchen);
    expect(JSON.parse(fin.resultJson)).toHaveProperty('laptopSignature');
    const applied = await hall.call('verification.applyFieldResult', { resultJson: fin.resultJson }, tokens.chen);
    expect(applied.applied).toBe(true);
    expect(applied.task.outcome).toBe('true');
    hall.app.close();
    laptop.app.close();
  }, 120_000);

  it('the hall re-checks the laptop\u2019s rules: a 实地调查 result without the applicant\u2019s signature is refused even when the laptop\u2019s key signed it; an SM2 hall gets SM2 laptop keys', async () => {
    const { hall, tokens, laptop, lchen } = await hallAndLaptop();
    const taskId = await checkedOutTask(hall, tokens);
    // Fixture: this task is to be checked on site (the demo's on-site items need a whole business licensing case).
    const fixture = openTestStore(hall.app.dbFile);
    fixture.prepare(`UPDATE verification_tasks SET method = '实地调查' WHERE id = ?`).run(taskId);
    fixture.close();
    const out = await hall.call('verification.checkout', { taskId }, tokens.chen);
    const work = await laptop.call('field.import', { packageJson: out.packageJson }, lchen);
    expect(work.needsSignature).toBe(true);
    await hall.call('verification.registerFieldKey', { registrationJson: (await laptop.call('field.keyRegistration', { packageId: work.packageId }, lchen)).registrationJson }, tokens.chen);

    // A laptop whose own check was bypassed: the finding signed with its registered key (read from its store), no signature image.
    const lk = (() => {
      const db = openTestStore(laptop.app.dbFile, { readonly: true });
      try {
        return JSON.parse((db.prepare('SELECT device_key FROM field_work WHERE package_id = ?').get(work.packageId) as { device_key: string }).device_key) as DeviceKey;
      } finally {
        db.close();
      }
    })();
    const pkg = JSON.parse(out.packageJson) as FieldPackage;
    const photo = documentJpeg(320, 240, { seed: 9 });
    const { createHash } = await import('node:crypto');
    const body = {
      format: 'pfd-field-result',
      version: 1,
      resultId: '6d1f4a8e-0000-4000-8000-0000000000aa',
      packageId: pkg.packageId,
      taskId,
      assistant: pkg.assistant,
      finishedAt: '2026-12-02T03:00:00.000Z',
      work: { answers: {}, notes: '现场核实属实', address: '房县城关镇东街12号', coords: null, outcome: 'true', consequence: null },
      evidence: [{ kind: 'photo', sha256: createHash('sha256').update(photo).digest('hex'), takenAt: '2026-12-02T02:00:00.000Z', mime: 'image/jpeg', base64: photo.toString('base64') }],
    };
    const signed = { ...body, laptopSignature: deviceSign(lk, body) };
    const before = written(hall, taskId);
    expect(await failure(hall.call('verification.applyFieldResult', { resultJson: JSON.stringify({ ...signed, mac: hmac(pkg.checkoutKey, signed) }) }, tokens.chen))).toEqual({
      code: 'BAD_INPUT',
      message: '实地调查须由申请人在现场签字确认：该外勤结果没有申请人签字，不能应用。',
    });
    expect(written(hall, taskId)).toEqual(before);

    // A changed photo (hash no longer matches), signed and sealed all the same: refused, nothing written.
    const swapped = { ...body, evidence: [{ ...body.evidence[0]!, base64: documentJpeg(336, 252, { seed: 10 }).toString('base64') }, { kind: 'signature', sha256: createHash('sha256').update(signaturePng()).digest('hex'), takenAt: '2026-12-02T02:05:00.000Z', mime: 'image/png', base64: SIG }] };
    const swappedSigned = { ...swapped, laptopSignature: deviceSign(lk, swapped) };
    expect((await failure(hall.call('verification.applyFieldResult', { resultJson: JSON.stringify({ ...swappedSigned, mac: hmac(pkg.checkoutKey, swappedSigned) }) }, tokens.chen))).message).toBe('第1张照片的哈希值不符，不能应用。');
    expect(written(hall, taskId)).toEqual(before);
    hall.app.close();

    // A hall whose transfer suite is SM2: its packages ask for an SM2 laptop key, and the SM2-signed result applies.
    const sm2Hall = await testDesk({ dataSharing: platform.url, sync: false });
    const t2 = { clerk: (await sm2Hall.signIn('zhangmin')).token, admin: (await sm2Hall.signIn('admin')).token, chen: (await sm2Hall.signIn('chenjing')).token };
    await sm2Hall.call('transfer.setup', { zone: 'intranet', name: '一号窗口', signAlg: 'sm2-sm3' }, t2.admin);
    const task2 = await checkedOutTask(sm2Hall, t2);
    const out2 = await sm2Hall.call('verification.checkout', { taskId: task2 }, t2.chen);
    expect((JSON.parse(out2.packageJson) as FieldPackage).deviceKeyAlg).toBe('sm2-sm3');
    const w2 = await laptop.call('field.import', { packageJson: out2.packageJson }, lchen).catch((e: CallFailed) => e);
    // The laptop pinned the first hall's key: a package of another hall is refused (as before); a fresh laptop takes it.
    expect(w2 instanceof CallFailed && w2.error.code).toBe('FORBIDDEN');
    const laptop2 = await testDesk({ sync: false });
    const l2 = (await laptop2.signIn('chenjing')).token;
    const work2 = await laptop2.call('field.import', { packageJson: out2.packageJson }, l2);
    const reg2 = JSON.parse((await laptop2.call('field.keyRegistration', { packageId: work2.packageId }, l2)).registrationJson) as { alg: string };
    expect(reg2.alg).toBe('sm2-sm3');
    await sm2Hall.call('verification.registerFieldKey', { registrationJson: JSON.stringify(reg2) }, t2.chen);
    await laptop2.call(
      'field.save',
      { packageId: work2.packageId, answers: Object.fromEntries(work2.checklist.map((x) => [x.key, true])), notes: '系统查询属实', address: '', coords: null, outcome: 'true', consequence: null },
      l2,
    );
    const fin2 = await laptop2.call('field.finish', { packageId: work2.packageId }, l2);
    expect((await sm2Hall.call('verification.applyFieldResult', { resultJson: fin2.resultJson }, t2.chen)).applied).toBe(true);
    sm2Hall.app.close();
    laptop.app.close();
    laptop2.app.close();
  }, 180_000);
});
