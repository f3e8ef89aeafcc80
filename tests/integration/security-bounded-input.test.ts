// Security suite, issue 15 "Bounded decoding" and point 8: the hostile-input probe's files at every
// place the main side accepts an image, and its malformed field results. Real desks (hall and an
// assistant's laptop, each its own SQLite file), real images from the test encoders, malformed
// ones written by hand from their bytes. Each refusal: BAD_INPUT with its Chinese message, no file
// added to files/, no audit entry, nothing changed.
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { claimsHugePng, signaturePng } from '../helpers/png';
import { tempDir } from '../helpers/temp';
import { documentJpeg } from '../helpers/jpeg';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { hmac } from '../../electron/services/field/field-crypto';
import { deviceSign, type DeviceKey } from '../../electron/services/field/field-device-key';
import { storePaths } from '../../electron/app/paths';
import type { CaseView } from '../../shared/ipc/methods/intake';
import { FileStore } from '../../electron/services/files/file-store';
import { writeTx } from '../../electron/store/write';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { BundleRefused } from '../../electron/services/transfer/bundle-format';
import { ACTOR, manifestIn, pairOfDesks } from './transfer-support';
import { applicantIdOf, plainItem, resolveQuick } from '../helpers/sync-desks';

let platform: RunningPlatform;
beforeAll(async () => {
  platform = await startDataSharingPlatform();
});
afterAll(async () => {
  await platform.close();
});

const SIG = signaturePng();
const GOOD_JPEG = documentJpeg(320, 240, { seed: 31 });
const HTML = Buffer.from('<html><body><script>fetch("/api/rpc")</script></body></html>');

/** The probe's three files: a 74-byte PNG claiming 60000×60000, a PNG cut inside its data, JPEG bytes followed by HTML. */
const BAD = {
  huge: { bytes: claimsHugePng(), mime: 'image/png' as const, problem: '尺寸过大（60000×60000），超过 5000 万像素上限', signature: '尺寸过大（60000×60000），超过 1200 万像素上限' },
  truncated: { bytes: SIG.subarray(0, SIG.length - 20), mime: 'image/png' as const, problem: 'PNG 图像不完整，可能传输中断' },
  jpegHtml: { bytes: Buffer.concat([GOOD_JPEG, HTML]), mime: 'image/jpeg' as const, problem: `JPEG 图像结束标记之后还有 ${HTML.length} 字节多余数据` },
};
const CASES = Object.entries(BAD);

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'OK', message: '' }),
    (e: CallFailed) => ({ code: e.error.code, message: e.error.message }),
  );

function filesOnDisk(dataDir: string): string[] {
  const root = path.join(dataDir, 'files');
  if (!fs.existsSync(root)) return [];
  return fs.readdirSync(root).flatMap((sub) => (fs.statSync(path.join(root, sub)).isDirectory() ? fs.readdirSync(path.join(root, sub)) : [sub]));
}

/** Asserts that a call is refused BAD_INPUT with exactly this message, and that it left no file and no audit entry. */
async function refusedCleanly(d: TestDesk, admin: string, call: () => Promise<unknown>, message: string) {
  const files = filesOnDisk(d.dataDir).sort();
  const seq = (await d.call('audit.list', { limit: 1 }, admin))[0]!.seq;
  expect(await failure(call())).toEqual({ code: 'BAD_INPUT', message });
  expect(filesOnDisk(d.dataDir).sort()).toEqual(files);
  expect((await d.call('audit.list', { limit: 1 }, admin))[0]!.seq).toBe(seq);
}

describe('bounded decoding: every image the main side accepts', () => {
  it('signatures, material pages, 协查 reply scans, scan pages, field photos and field-result evidence refuse the probe files; malformed field results are BAD_INPUT', async () => {
    const hall = await testDesk({ dataSharing: platform.url, sync: false });
    const admin = (await hall.signIn('admin')).token;
    const clerk = (await hall.signIn('zhangmin')).token;
    const chen = (await hall.signIn('chenjing')).token;

    const item = (await hall.call('catalog.listServiceItems', {}, clerk)).find((i) => i.name === '托育机构备案')!;
    const applicant = (await hall.call('applicants.list', { query: '王芳', limit: 5 }, clerk)).find((a) => a.name === '王芳')!;
    let v: CaseView = await hall.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
    const seen = new Set<string>();
    for (const c of v.certificates) {
      const at = { caseId: v.id, certificateItemId: c.certificateItemId };
      seen.add(c.method);
      if (c.method === 'commitment') {
        v = await hall.call('intake.recordChoice', { ...at, choice: 'commit' }, clerk);
        for (const [, bad] of CASES) {
          await refusedCleanly(hall, admin, () => hall.call('intake.signCommitment', { ...at, signatureKind: 'pad', signaturePngBase64: bad.bytes.toString('base64') }, clerk), `签名图像：${'signature' in bad ? bad.signature : bad.problem}，未保存。`);
        }
        expect((await hall.call('intake.get', { caseId: v.id }, clerk)).certificates.find((x) => x.certificateItemId === c.certificateItemId)!.commitment).toBeNull();
        v = await hall.call('intake.signCommitment', { ...at, signatureKind: 'pad', signaturePngBase64: SIG.toString('base64') }, clerk);
      } else if (c.method === 'data_sharing') {
        v = await hall.call('intake.queryDataSharing', at, clerk);
        if (v.certificates.find((x) => x.code === c.code)!.state === 'pending') v = await hall.call('intake.switchToVerification', at, clerk);
      } else if (c.method === 'dept_verification') {
        v = await hall.call('intake.requestAssistance', at, clerk);
      }
    }
    expect([...seen].sort()).toEqual(['commitment', 'data_sharing', 'dept_verification']);

    // Window material pages: a second case where the applicant presents the certificate instead.
    {
      let m: CaseView = await hall.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
      const c = m.certificates.find((x) => x.method === 'commitment')!;
      const at = { caseId: m.id, certificateItemId: c.certificateItemId };
      m = await hall.call('intake.recordChoice', { ...at, choice: 'present' }, clerk);
      for (const [, bad] of CASES) {
        const pages = [{ mime: bad.mime, base64: bad.bytes.toString('base64') }];
        await refusedCleanly(hall, admin, () => hall.call('intake.addMaterial', { ...at, title: c.name, pages }, clerk), `第1页：${bad.problem}，未保存。`);
      }
      // A good first page and a bad second one: nothing stored, not even the good page.
      const mixed = [
        { mime: 'image/jpeg' as const, base64: documentJpeg(320, 240, { seed: 99 }).toString('base64') },
        { mime: 'image/jpeg' as const, base64: BAD.jpegHtml.bytes.toString('base64') },
      ];
      await refusedCleanly(hall, admin, () => hall.call('intake.addMaterial', { ...at, title: c.name, pages: mixed }, clerk), `第2页：${BAD.jpegHtml.problem}，未保存。`);
      m = await hall.call('intake.addMaterial', { ...at, title: c.name, pages: [{ mime: 'image/jpeg', base64: GOOD_JPEG.toString('base64') }] }, clerk);
      expect(m.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.state).toBe('presented');
    }
    for (const r of await hall.call('assistance.list', { openOnly: true }, clerk)) {
      if (r.caseId !== v.id) continue;
      for (const [, bad] of CASES) {
        const reply = { requestId: r.id, outcome: 'confirmed' as const, reply: '复函：属实', channel: 'letter' as const, scanBase64: bad.bytes.toString('base64') };
        await refusedCleanly(hall, admin, () => hall.call('assistance.recordReply', reply, clerk), `复函扫描件：${bad.problem}，未保存。`);
        await refusedCleanly(hall, admin, () => hall.call('intake.recordAssistanceReply', reply, clerk), `复函扫描件：${bad.problem}，未保存。`);
      }
      await hall.call('assistance.recordReply', { requestId: r.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, clerk);
    }

    // Scan pages (the page, the unprocessed frame, the thumbnail).
    const doc = await hall.call('scans.createDocument', { applicantId: applicant.id, kind: 'licence', title: '营业执照' }, clerk);
    const capture = { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 320, height: 240 }, rotation: 0 as const, trigger: 'manual' as const, blank: false };
    for (const [, bad] of CASES) {
      const page = { page: { mime: bad.mime, base64: bad.bytes.toString('base64') }, width: 320, height: 240, mode: 'color' as const, capture };
      await refusedCleanly(hall, admin, () => hall.call('scans.addPage', { documentId: doc.id, ...page }, clerk), `页面图像：${bad.problem}，未保存。`);
      const withFrame = { ...page, page: { mime: 'image/jpeg' as const, base64: GOOD_JPEG.toString('base64') }, original: { mime: bad.mime, base64: bad.bytes.toString('base64') } };
      await refusedCleanly(hall, admin, () => hall.call('scans.addPage', { documentId: doc.id, ...withFrame }, clerk), `原始画面：${bad.problem}，未保存。`);
    }

    v = await hall.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
    v = await hall.call('intake.transition', { caseId: v.id, to: 'completed', decisionNo: '房民决字〔2026〕第009号' }, clerk);
    let task = (await hall.call('verification.board', {}, admin)).tasks.find((t) => t.caseId === v.id)!;
    const board = await hall.call('verification.board', {}, admin);
    task = await hall.call('verification.assign', { taskId: task.id, userId: board.assistants.find((a) => a.name === '陈静')!.id }, admin);
    const out = await hall.call('verification.checkout', { taskId: task.id }, chen);

    // The laptop: field photos.
    const laptop = await testDesk({ sync: false });
    const ladmin = (await laptop.signIn('admin')).token;
    const lchen = (await laptop.signIn('chenjing')).token;
    let work = await laptop.call('field.import', { packageJson: out.packageJson }, lchen);
    const reg = await laptop.call('field.keyRegistration', { packageId: work.packageId }, lchen);
    await hall.call('verification.registerFieldKey', { registrationJson: reg.registrationJson }, chen);
    for (const [, bad] of CASES) {
      const photo = { packageId: work.packageId, kind: 'photo' as const, base64: bad.bytes.toString('base64'), takenAt: '2026-03-04T02:10:00.000Z' };
      await refusedCleanly(laptop, ladmin, () => laptop.call('field.addPhoto', photo, lchen), `照片：${bad.problem}，未保存。`);
    }
    work = await laptop.call('field.addPhoto', { packageId: work.packageId, kind: 'photo', base64: GOOD_JPEG.toString('base64'), takenAt: '2026-03-04T02:10:00.000Z' }, lchen);
    await laptop.call(
      'field.save',
      { packageId: work.packageId, answers: { system_queried: true, record_found: true, screenshot_kept: true }, notes: '查询属实', address: '房县城关镇北街 12 号', coords: null, outcome: 'true', consequence: null },
      lchen,
    );
    const fin = await laptop.call('field.finish', { packageId: work.packageId }, lchen);
    const good = JSON.parse(fin.resultJson) as Record<string, unknown> & { mac: string; evidence: Record<string, unknown>[]; work: Record<string, unknown> };

    // Malformed field results (probe point 8: these answered INTERNAL): each BAD_INPUT naming the place.
    const { mac: _mac, ...body } = good;
    const apply = (o: unknown) => () => hall.call('verification.applyFieldResult', { resultJson: JSON.stringify(o) }, chen);
    const shape = (where: string, why: string) => `外勤结果文件内容不完整或格式不正确（${where}：${why}），未应用。`;
    await refusedCleanly(hall, admin, apply(body), shape('mac', '缺少此项'));
    await refusedCleanly(hall, admin, apply({ ...good, mac: 12345 }), shape('mac', '类型不正确'));
    await refusedCleanly(hall, admin, apply({ ...good, evidence: 'photo.jpg' }), shape('evidence', '类型不正确'));
    await refusedCleanly(hall, admin, apply({ ...good, evidence: [null] }), shape('evidence.0', '类型不正确'));
    await refusedCleanly(hall, admin, apply({ ...good, work: null }), shape('work', '类型不正确'));
    await refusedCleanly(hall, admin, apply({ ...good, taskId: String(good.taskId) }), shape('taskId', '类型不正确'));
    await refusedCleanly(hall, admin, apply({ ...good, work: { ...good.work, answers: [] } }), shape('work.answers', '类型不正确'));
    await refusedCleanly(hall, admin, apply([1, 2]), '这不是外勤结果文件（格式或版本不符）。');
    await refusedCleanly(hall, admin, apply(null), '这不是外勤结果文件（格式或版本不符）。');

    // Field-result evidence: the probe's files with a right hash, the laptop's signature and a right MAC (the checkout key
    // read from the hall's store, the laptop's key from the laptop's store: this is about the image checks behind them).
    const laptopKey = (() => {
      const db = openTestStore(storePaths(laptop.dataDir).dbFile, { readonly: true });
      try {
        return JSON.parse((db.prepare('SELECT device_key FROM field_work WHERE package_id = ?').get(work.packageId) as { device_key: string }).device_key) as DeviceKey;
      } finally {
        db.close();
      }
    })();
    const key = (() => {
      const db = openTestStore(storePaths(hall.dataDir).dbFile, { readonly: true });
      try {
        return (db.prepare('SELECT checkout_key FROM verification_tasks WHERE id = ?').get(task.id) as { checkout_key: string }).checkout_key;
      } finally {
        db.close();
      }
    })();
    for (const [, bad] of CASES) {
      const evidence = [{ ...good.evidence[0], mime: bad.mime, base64: bad.bytes.toString('base64'), sha256: createHash('sha256').update(bad.bytes).digest('hex') }];
      const { laptopSignature: _sig, ...unsigned } = body;
      const forgedBody = { ...unsigned, evidence };
      const signed = { ...forgedBody, laptopSignature: deviceSign(laptopKey, forgedBody) };
      await refusedCleanly(hall, admin, apply({ ...signed, mac: hmac(key, signed) }), `第1张照片：${bad.problem}，未保存。`);
    }
    expect((await hall.call('verification.get', { taskId: task.id }, admin)).state).toBe('in_field');
    // The real result still applies.
    expect((await hall.call('verification.applyFieldResult', { resultJson: fin.resultJson }, chen)).applied).toBe(true);
  }, 300_000); // every probe file at six boundaries, each decoded up to its limit: a bound for a loaded machine, not a speed measure
});

describe('transfer.import takes only the exchange folders', () => {
  it('outside them: one refusal whether or not the path exists (no probing of /etc/shadow); inside: goes on', async () => {
    const d = await testDesk({ sync: false });
    const admin = (await d.signIn('admin')).token;
    const clerk = (await d.signIn('zhangmin')).token;
    const exchange = tempDir('exchange-');
    const drop = tempDir('drop-');
    fs.mkdirSync(path.join(exchange, 'usb'));
    fs.symlinkSync('/etc', path.join(exchange, 'etc-link'));
    fs.writeFileSync(path.join(d.dataDir, 'desk-config.json'), JSON.stringify({ exchangeFolders: [exchange] }));
    await d.call('transfer.setDropFolder', { folder: drop }, admin);
    fs.mkdirSync(path.join(drop, 'today'));

    const OUTSIDE = {
      code: 'FORBIDDEN',
      message:
        '只能从交换文件夹导入交换包：该位置不在本机的交换文件夹（自动导入的交换文件夹，或 desk-config.json 中 exchangeFolders 所列的文件夹）之内，未导入。如需从其他位置导入，请联系管理员配置。',
    };
    const probe = async (folder: string) => {
      const seq = (await d.call('audit.list', { limit: 1 }, admin))[0]!.seq;
      const r = await failure(d.call('transfer.import', { folder }, clerk));
      expect((await d.call('audit.list', { limit: 1 }, admin))[0]!.seq).toBe(seq);
      return r;
    };
    expect(fs.existsSync('/etc/shadow')).toBe(true);
    for (const folder of ['/etc/shadow', '/etc/no-such-file-f81c2', '/etc', '/', 'etc', `${exchange}/../..${'/etc'}`, `${exchange}-sibling`, path.join(exchange, 'etc-link'), path.join(exchange, 'etc-link', 'ssh')]) {
      expect(await probe(folder), folder).toEqual(OUTSIDE);
    }
    // Inside an exchange folder the import goes on to its next check (this desk is not paired), or says the folder is missing.
    const notPaired = { code: 'INVALID_STATE', message: '本机尚未与对端工作台配对，无法导入。' };
    expect(await probe(path.join(exchange, 'usb'))).toEqual(notPaired);
    expect(await probe(exchange)).toEqual(notPaired);
    expect(await probe(path.join(drop, 'today'))).toEqual(notPaired);
    expect(await probe(path.join(exchange, 'missing'))).toEqual({ code: 'NOT_FOUND', message: `导入位置不存在：${path.join(exchange, 'missing')}` });
  });
});

describe('images carried in a transfer bundle', () => {
  it('a page that passed no boundary (written into the peer store directly) is refused at import with the whole bundle, nothing applied', async () => {
    const { a, b } = await pairOfDesks();
    try {
      // A case on the intranet desk with one real page, then the probe's JPEG-with-HTML added behind the app's back.
      const v = await a.d.call('intake.start', { applicantId: await applicantIdOf(a.d, a.token), serviceItemIds: [(await plainItem(a.d, a.token)).id] }, a.token);
      const doc = await a.d.call('scans.createDocument', { caseId: v.id, kind: 'certificate', title: '户口簿' }, a.token);
      const bad = BAD.jpegHtml.bytes;
      const files = new FileStore(path.join(a.dataDir, 'files'));
      const sha = files.put(bad);
      const side = openTestStore(storePaths(a.dataDir).dbFile);
      side.pragma('busy_timeout = 5000');
      writeTx(side, { userId: null, username: 'test' }, () => new Date(), (w) => {
        files.record(w.db, sha, bad.length, 'image/jpeg', w.at);
        w.db
          .prepare(
            `INSERT INTO scan_pages (document_id, position, file_sha256, width, height, mime, mode, capture, created_at, created_by) VALUES (?, 9, ?, 320, 240, 'image/jpeg', 'color', '{}', ?, 2)`,
          )
          .run(doc.id, sha, w.at.toISOString());
        w.audit({ action: 'test.hostilePage', entityType: 'scan_document', entityId: doc.id, detail: { sha256: sha } });
      });
      side.close();
      await resolveQuick(a.d, a.token, v.id);
      await a.d.call('intake.transition', { caseId: v.id, to: 'accepted' }, a.token);
      const out = tempDir('bundle-hostile-');
      await exportBundle(a.ctx, ACTOR, { outDir: out });
      const refused = await importBundle(b.ctx, ACTOR, manifestIn(out)).then(
        () => null,
        (e: unknown) => (e instanceof BundleRefused ? { code: e.code, message: e.userMessage } : { error: String(e) }),
      );
      expect(refused).toEqual({ code: 'malformed', message: `交换包中的图像文件（${sha.slice(0, 12)}…）JPEG 图像结束标记之后还有 ${HTML.length} 字节多余数据，整个交换包未导入。` });
      expect(b.ctx.db.prepare('SELECT COUNT(*) FROM transfer_bundles_in').pluck().get()).toBe(0);
      expect(fs.existsSync(path.join(b.dataDir, 'files', sha.slice(0, 2), sha))).toBe(false);
    } finally {
      await a.close();
      await b.close();
    }
  }, 180_000); // two desks set up and paired, a bundle exported and refused at import: a bound for a loaded machine
});
