/**
 * Encryption at rest (issue 15, point 7; docs/SECURITY.md 数据保密性): the store, its WAL and its
 * backups hold no ID number, name or phone in clear; the key is kept outside the data folder (the
 * browser host's key file, 0600) or sealed by the OS key store (the Electron shell:
 * tests/unit/shell/main-under-stub.test.ts); a store an older version left in plaintext is encrypted
 * in place at start with a verified backup first; a missing or wrong key stops the start in Chinese
 * with nothing changed. The stored files under files/ are sealed (services/files/file-cipher.ts):
 * no JPEG, PNG or PDF in clear, read back through the app, refused when changed; an older version's
 * clear files are sealed in place at start.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { CallFailed, testDesk } from '../helpers/app';
import { filesUnder, tempDir } from '../helpers/temp';
import { openTestStore, testStoreKey } from '../helpers/store';
import { signaturePng } from '../helpers/png';
import { FileStore } from '../../electron/services/files/file-store';
import { documentJpeg } from '../helpers/jpeg';
import { KILL_TEST_TIMEOUT_MS, killRandom, progressEnv, ProgressMarks } from '../helpers/kill-points';
import { HOST_BUNDLE } from '../e2e/support/host';
import { isPlaintextSqlite, openDeskDb, storeKeyFor, storeKeyId } from '../../electron/store/store-cipher';
import { defaultKeyFile, keyRecordPath, StoreKeyRefused, type OsKeyStore } from '../../electron/store/store-key';
import { writeBackupSync } from '../../electron/store/backups';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';

// A person registered through the real method: these exact bytes must not be found on disk.
const PERSON = { kind: 'person' as const, name: '欧阳明远', idType: 'resident_id' as const, idNumber: '420325198803155611', phone: '13986071234', address: '湖北省十堰市房县城关镇东街12号' };
const NEEDLES: [string, Buffer][] = [
  ['ID number', Buffer.from(PERSON.idNumber, 'latin1')],
  ['name (UTF-8)', Buffer.from(PERSON.name, 'utf8')],
  ['name (UTF-16LE)', Buffer.from(PERSON.name, 'utf16le')],
  ['phone', Buffer.from(PERSON.phone, 'latin1')],
];
const PAGE = documentJpeg(640, 900, { seed: 11 });

const cleanup: string[] = [];
afterAll(() => {
  for (const d of cleanup) fs.rmSync(d, { recursive: true, force: true });
});

/** A data folder inside a temp parent of its own (the key file is kept beside the folder, in that parent). */
function freshDataDir(prefix: string): string {
  const parent = tempDir(prefix);
  cleanup.push(parent);
  return path.join(parent, 'data');
}

/** What of NEEDLES each file holds as raw bytes (empty: nothing found). */
function leaks(files: string[], root: string): string[] {
  const found: string[] = [];
  for (const f of files) {
    const bytes = fs.readFileSync(f);
    for (const [what, needle] of NEEDLES) if (bytes.includes(needle)) found.push(`${path.relative(root, f)}: ${what}`);
  }
  return found;
}

const storeFiles = (dataDir: string) =>
  filesUnder(dataDir).filter((f) => /desk\.sqlite(-wal|-shm|-journal)?$/.test(f) || (f.includes(`${path.sep}backups${path.sep}`) && f.endsWith('.sqlite')) || f.includes(`${path.sep}replaced${path.sep}`));

/** A desk used as a clerk would: the person registered, a case taken for them with a scanned page, a backup taken. */
async function usedDesk(dataDir: string): Promise<{ applicantId: number }> {
  const desk = await testDesk({ dataDir, sync: false });
  const clerk = (await desk.signIn('zhangmin')).token;
  const applicant = await desk.call('applicants.create', PERSON, clerk);
  const item = (await desk.call('catalog.listServiceItems', {}, clerk))[0]!;
  await desk.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
  const doc = await desk.call('scans.createDocument', { applicantId: applicant.id, kind: 'id_card', title: '身份证' }, clerk);
  const capture = { deviceLabel: 'USB Document Camera (1234:5678)', adapter: 'uvc' as const, resolution: { width: 1024, height: 768 }, rotation: 0 as const, trigger: 'manual' as const, blank: false };
  await desk.call('scans.addPage', { documentId: doc.id, page: { mime: 'image/jpeg', base64: PAGE.toString('base64') }, width: 640, height: 900, mode: 'color', capture }, clerk);
  // While the desk runs, its WAL holds the latest pages too.
  expect(fs.existsSync(path.join(dataDir, 'desk.sqlite-wal'))).toBe(true);
  expect(leaks([path.join(dataDir, 'desk.sqlite-wal')], dataDir)).toEqual([]);
  writeBackupSync(path.join(dataDir, 'desk.sqlite'), path.join(dataDir, 'backups'), 'daily-2026-12-01T00-00-00-000Z.sqlite');
  desk.app.close();
  return { applicantId: applicant.id };
}

/** The stored files under files/ (content-addressed names; not temp files or the folder's mark). */
const storedFiles = (dataDir: string) => (fs.existsSync(path.join(dataDir, 'files')) ? filesUnder(path.join(dataDir, 'files')).filter((f) => /^[0-9a-f]{64}$/.test(path.basename(f))) : []);
const sha256Of = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** Stored files whose raw bytes are their plaintext (they hash to their name): written in clear. */
const clearFiles = (dataDir: string) => storedFiles(dataDir).filter((f) => sha256Of(fs.readFileSync(f)) === path.basename(f));

/** What recognizable plaintext the stored files hold: the JPEG, PNG and PDF signatures, JFIF, and the person's data. */
function fileLeaks(dataDir: string): string[] {
  const MARKERS: [string, Buffer][] = [['JPEG SOI', Buffer.from([0xff, 0xd8, 0xff])], ['JFIF', Buffer.from('JFIF')], ['PNG signature', Buffer.from([0x89, 0x50, 0x4e, 0x47])], ['%PDF-', Buffer.from('%PDF-')]];
  const found = leaks(storedFiles(dataDir), dataDir);
  for (const f of storedFiles(dataDir)) {
    const bytes = fs.readFileSync(f);
    for (const [what, m] of MARKERS) if (bytes.includes(m)) found.push(`${path.relative(dataDir, f)}: ${what}`);
  }
  return found;
}

function sha256Tree(root: string): Record<string, string> {
  return Object.fromEntries(filesUnder(root).map((f) => [path.relative(root, f), createHash('sha256').update(fs.readFileSync(f)).digest('hex')]));
}

function runHost(dataDir: string, env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [HOST_BUNDLE, '--data-dir', dataDir, '--port', '0'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
      if (stdout.includes('DESK_READY')) p.kill('SIGTERM');
    });
    p.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    p.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe.skipIf(process.platform === 'win32')('encryption at rest', () => {
  it('a fresh data folder used through real flows: the store, its WAL and backups hold no ID number, name or phone; the key is outside the folder, 0600', async () => {
    const dataDir = freshDataDir('at-rest-');
    const { applicantId } = await usedDesk(dataDir);

    const files = storeFiles(dataDir);
    expect(files.map((f) => path.relative(dataDir, f)).sort()).toEqual(['backups/daily-2026-12-01T00-00-00-000Z.sqlite', 'desk.sqlite']);
    expect(leaks(files, dataDir)).toEqual([]);
    for (const f of files) expect(isPlaintextSqlite(f), f).toBe(false);
    // Nor any other file of the data folder: logs, stored files, settings, locks.
    expect(filesUnder(dataDir).length).toBeGreaterThan(files.length);
    expect(leaks(filesUnder(dataDir), dataDir)).toEqual([]);

    // The data is there, under the key: the control that makes the search above mean something.
    const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
    try {
      expect(db.prepare('SELECT name, id_number AS idNumber, phone FROM applicants WHERE id = ?').get(applicantId)).toEqual({ name: PERSON.name, idNumber: PERSON.idNumber, phone: PERSON.phone });
    } finally {
      db.close();
    }
    // Without the key it is not a database at all.
    const bare = openDeskDb(path.join(dataDir, 'desk.sqlite'), { readonly: true, key: null });
    try {
      expect(() => bare.prepare('SELECT COUNT(*) FROM applicants').get()).toThrow(/file is not a database/);
    } finally {
      bare.close();
    }

    // The key: a 0600 file beside the folder, not in it; the folder's record names it without holding it.
    const keyFile = defaultKeyFile(dataDir);
    expect(path.dirname(keyFile)).toBe(path.dirname(dataDir));
    expect((fs.statSync(keyFile).mode & 0o777).toString(8)).toBe('600');
    const keyHex = fs.readFileSync(keyFile, 'utf8').trim();
    expect(keyHex).toMatch(/^[0-9a-f]{64}$/);
    expect(storeKeyFor(path.join(dataDir, 'desk.sqlite'))!.toString('hex')).toBe(keyHex);
    const record = fs.readFileSync(keyRecordPath(dataDir), 'utf8');
    expect(record).not.toContain(keyHex);
    expect((fs.statSync(keyRecordPath(dataDir)).mode & 0o777).toString(8)).toBe('600');
    const everywhere = filesUnder(dataDir).filter((f) => fs.readFileSync(f).includes(Buffer.from(keyHex)) || fs.readFileSync(f).includes(Buffer.from(keyHex, 'hex')));
    expect(everywhere).toEqual([]);
  });

  it('stored files are sealed: a scan page, a signature and a commitment PDF made through real flows hold no recognizable plaintext; they read back through the app; a changed, cut or swapped file is refused', async () => {
    const dataDir = freshDataDir('at-rest-files-');
    const desk = await testDesk({ dataDir, sync: false });
    try {
      const clerk = (await desk.signIn('zhangmin')).token;
      const applicant = await desk.call('applicants.create', PERSON, clerk);
      const item = (await desk.call('catalog.listServiceItems', {}, clerk)).find((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0)!;
      let v = await desk.call('intake.start', { applicantId: applicant.id, serviceItemIds: [item.id] }, clerk);
      const cert = v.certificates.find((c) => c.method === 'commitment')!;
      v = await desk.call('intake.recordChoice', { caseId: v.id, certificateItemId: cert.certificateItemId, choice: 'commit' }, clerk);
      v = await desk.call('intake.signCommitment', { caseId: v.id, certificateItemId: cert.certificateItemId, signatureKind: 'pad', signaturePngBase64: signaturePng().toString('base64') }, clerk);
      const commitmentId = v.certificates.find((c) => c.commitment)!.commitment!.id;
      const doc = await desk.call('scans.createDocument', { applicantId: applicant.id, caseId: v.id, kind: 'id_card', title: '身份证' }, clerk);
      const capture = { deviceLabel: 'USB Document Camera (1234:5678)', adapter: 'uvc' as const, resolution: { width: 1024, height: 768 }, rotation: 0 as const, trigger: 'manual' as const, blank: false };
      const added = await desk.call('scans.addPage', { documentId: doc.id, page: { mime: 'image/jpeg', base64: PAGE.toString('base64') }, width: 640, height: 900, mode: 'color', capture }, clerk);
      const pageId = added.pages[0]!.id;

      // On disk: the page, the signature and the PDF (at least three files), none in clear.
      const stored = storedFiles(dataDir);
      expect(stored.length).toBeGreaterThanOrEqual(3);
      expect(fileLeaks(dataDir)).toEqual([]);
      expect(clearFiles(dataDir)).toEqual([]);
      const pageFile = stored.find((f) => path.basename(f) === sha256Of(PAGE));
      expect(pageFile, 'the page is stored under the SHA-256 of its plaintext').toBeDefined();
      for (const f of stored) expect((fs.statSync(f).mode & 0o777).toString(8), f).toBe('600');

      // Through the app: the commitment PDF (its name is its plaintext's hash), the page, the document's PDF (made in a worker thread).
      const pdf = await desk.call('intake.commitmentPdf', { commitmentId }, clerk);
      const pdfBytes = Buffer.from(pdf.base64, 'base64');
      expect(pdfBytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(sha256Of(pdfBytes)).toBe(pdf.sha256);
      const pdfFile = stored.find((f) => path.basename(f) === pdf.sha256)!;
      expect(pdfFile).toBeDefined();
      const image = await desk.call('scans.pageImage', { pageId }, clerk);
      expect(Buffer.from(image.base64, 'base64').equals(PAGE)).toBe(true);
      const exported = await desk.call('scans.exportPdf', { documentId: doc.id }, clerk);
      expect(Buffer.from(exported.base64, 'base64').subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(exported.pages).toBe(1);

      // One bit changed in the PDF: refused, as a damaged file is.
      const sealedPdf = fs.readFileSync(pdfFile);
      const flipped = Buffer.from(sealedPdf);
      flipped[Math.floor(flipped.length / 2)]! ^= 0x01;
      fs.writeFileSync(pdfFile, flipped);
      await expect(desk.call('intake.commitmentPdf', { commitmentId }, clerk)).rejects.toBeInstanceOf(CallFailed);
      // The page cut short, then the page replaced by another sealed file of this desk (the PDF's): both refused by name.
      const sealedPage = fs.readFileSync(pageFile!);
      fs.writeFileSync(pageFile!, sealedPage.subarray(0, sealedPage.length - 1));
      await expect(desk.call('scans.pageImage', { pageId }, clerk)).rejects.toMatchObject({ error: { code: 'INVALID_STATE' } });
      fs.writeFileSync(pageFile!, sealedPdf);
      await expect(desk.call('scans.pageImage', { pageId }, clerk)).rejects.toMatchObject({ error: { code: 'INVALID_STATE' } });
      // Put back: read again.
      fs.writeFileSync(pageFile!, sealedPage);
      fs.writeFileSync(pdfFile, sealedPdf);
      expect((await desk.call('intake.commitmentPdf', { commitmentId }, clerk)).sha256).toBe(pdf.sha256);
    } finally {
      desk.app.close();
    }
  });

  it('a store an older version left in plaintext is encrypted in place at start: a verified backup first, its plaintext backups too, nothing lost', async () => {
    const dataDir = freshDataDir('at-rest-old-');
    const { applicantId } = await usedDesk(dataDir);
    makePlaintext(dataDir);
    expect(leaks(storeFiles(dataDir), dataDir).length).toBeGreaterThan(0); // the plaintext folder does hold them
    // Its stored files in clear too, one of them old (its age is what the orphan sweep judges by).
    expect(fileLeaks(dataDir).length).toBeGreaterThan(0);
    const clear = clearFiles(dataDir);
    const longAgo = new Date('2026-01-02T03:04:05Z');
    fs.utimesSync(clear[0]!, longAgo, longAgo);

    const again = await testDesk({ dataDir, sync: false });
    try {
      expect(again.app.state).toBe('ready');
      const clerk = (await again.signIn('zhangmin')).token;
      expect((await again.call('applicants.list', { query: PERSON.name, limit: 5 }, clerk)).map((a) => a.id)).toEqual([applicantId]);
    } finally {
      again.app.close();
    }
    // Every stored file sealed in place under the new key, its age kept, its content the same.
    expect(clearFiles(dataDir)).toEqual([]);
    expect(fileLeaks(dataDir)).toEqual([]);
    expect(storedFiles(dataDir).sort()).toEqual([...clear].sort());
    expect(fs.statSync(clear[0]!).mtime.toISOString()).toBe(longAgo.toISOString());
    const sealedStore = new FileStore(path.join(dataDir, 'files'), undefined, { key: testStoreKey(path.join(dataDir, 'desk.sqlite')) });
    expect(sealedStore.get(sha256Of(PAGE)).equals(PAGE)).toBe(true);
    const files = storeFiles(dataDir).map((f) => path.relative(dataDir, f));
    const taken = files.filter((f) => /^backups\/before-encryption-.*\.sqlite$/.test(f));
    expect(taken).toHaveLength(1);
    expect(files.filter((f) => !f.startsWith('backups/before-encryption-')).sort()).toEqual(['backups/daily-2026-12-01T00-00-00-000Z.sqlite', 'desk.sqlite']);
    expect(leaks(storeFiles(dataDir), dataDir)).toEqual([]);
    for (const f of ['desk.sqlite', 'backups/daily-2026-12-01T00-00-00-000Z.sqlite', taken[0]!]) {
      const db = openTestStore(path.join(dataDir, f), { readonly: true });
      try {
        expect((db.prepare('SELECT name FROM applicants WHERE id = ?').get(applicantId) as { name: string }).name, f).toBe(PERSON.name);
        expect(verifyAuditChain(db).ok, f).toBe(true);
      } finally {
        db.close();
      }
    }
    // No temp copy left behind.
    expect(filesUnder(dataDir).filter((f) => path.basename(f).startsWith('.tmp-'))).toEqual([]);
  });

  it('the Electron shell: the key sealed by the OS key store; another OS user cannot unseal it; no keyring → a key file beside the folder', async () => {
    const dataDir = freshDataDir('at-rest-os-');
    const alice = fakeOsKeyStore(randomBytes(32));
    const desk = await testDesk({ dataDir, sync: false, storeKey: { kind: 'os', keyStore: alice } });
    desk.app.close();
    const record = JSON.parse(fs.readFileSync(keyRecordPath(dataDir), 'utf8')) as { source: string; sealed: string; keyId: string };
    expect(record.source).toBe('os');
    expect(fs.existsSync(defaultKeyFile(dataDir))).toBe(false);
    const key = Buffer.from(alice.decryptString(Buffer.from(record.sealed, 'base64')), 'hex');
    expect(storeKeyId(key)).toBe(record.keyId);
    expect(filesUnder(dataDir).filter((f) => fs.readFileSync(f).includes(key) || fs.readFileSync(f).includes(Buffer.from(key.toString('hex'))))).toEqual([]);

    // The folder carried to another OS user (or machine): refused in Chinese, nothing changed.
    const before = sha256Tree(dataDir);
    const bob = fakeOsKeyStore(randomBytes(32));
    const refused = await testDesk({ dataDir, sync: false, storeKey: { kind: 'os', keyStore: bob } }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(StoreKeyRefused);
    expect((refused as StoreKeyRefused).userMessage).toBe('无法用本机的系统密钥库解开数据库密钥：该数据目录可能来自另一台电脑或另一个系统用户，或系统用户的密钥环已被重置。程序没有改动或删除任何文件。请联系系统管理员。');
    const after = sha256Tree(dataDir);
    for (const f of [path.join('logs', 'desk.log'), 'desk.lock', 'desk.lock.json']) {
      delete before[f];
      delete after[f];
    }
    expect(after).toEqual(before);

    // A machine without an OS keyring: a new folder gets a key file beside it (weakly kept, logged), the desk starts.
    const bare = freshDataDir('at-rest-nokeyring-');
    const none = { ...fakeOsKeyStore(randomBytes(32)), isEncryptionAvailable: () => false };
    const d2 = await testDesk({ dataDir: bare, sync: false, storeKey: { kind: 'os', keyStore: none } });
    expect(d2.app.state).toBe('ready');
    d2.app.close();
    expect((JSON.parse(fs.readFileSync(keyRecordPath(bare), 'utf8')) as { source: string }).source).toBe('file');
    expect((fs.statSync(defaultKeyFile(bare)).mode & 0o777).toString(8)).toBe('600');
    expect(fs.readFileSync(path.join(bare, 'logs', 'desk.log'), 'utf8')).toContain('store.keyWeaklySealed');
  });

  it('a missing key file or another folder’s key stops the browser host in Chinese, and changes nothing', async () => {
    const dataDir = freshDataDir('at-rest-key-');
    await usedDesk(dataDir);
    const keyFile = defaultKeyFile(dataDir);
    const key = fs.readFileSync(keyFile);

    fs.rmSync(keyFile);
    const before = sha256Tree(dataDir);
    const missing = await runHost(dataDir);
    expect(missing.code).toBe(1);
    expect(missing.stderr.trim()).toBe(
      `启动失败：找不到数据库密钥文件 ${keyFile}，无法解开本数据目录中已加密的数据库。请放回原来的密钥文件，或用 DESK_STORE_KEY_FILE 指定它所在的位置。程序没有改动或删除任何文件。`,
    );
    expect(fs.existsSync(keyFile)).toBe(false);

    const other = path.join(path.dirname(dataDir), 'other.store-key');
    fs.writeFileSync(other, `${'ab'.repeat(32)}\n`, { mode: 0o600 });
    const wrong = await runHost(dataDir, { DESK_STORE_KEY_FILE: other });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr.trim()).toBe(
      `启动失败：数据库密钥文件 ${other} 不是本数据目录的密钥（密钥编号不符），无法解开本地数据库。请换回原来的密钥文件，或用 DESK_STORE_KEY_FILE 指定它。程序没有改动或删除任何文件。`,
    );
    const after = sha256Tree(dataDir);
    // The log says why (appended) and the folder's lock was taken and let go (store/data-dir-lock.ts); every other file is as it was.
    for (const f of [path.join('logs', 'desk.log'), 'desk.lock', 'desk.lock.json']) {
      delete before[f];
      delete after[f];
    }
    expect(after).toEqual(before);

    // The key put back (named by DESK_STORE_KEY_FILE this time): the desk starts.
    const moved = path.join(path.dirname(dataDir), 'moved.store-key');
    fs.writeFileSync(moved, key, { mode: 0o600 });
    const back = await runHost(dataDir, { DESK_STORE_KEY_FILE: moved });
    expect(back.stdout).toContain('DESK_READY');
    expect(back.stdout).toContain('"state":"ready"');
  });
});

/** Turns a data folder into what an older version left: desk.sqlite and its backups in plaintext, no key anywhere. */
function makePlaintext(dataDir: string): void {
  // An older version kept its stored files in clear too.
  const store = new FileStore(path.join(dataDir, 'files'), undefined, { key: testStoreKey(path.join(dataDir, 'desk.sqlite')) });
  for (const f of storedFiles(dataDir)) fs.writeFileSync(f, store.get(path.basename(f)));
  expect(clearFiles(dataDir).length).toBeGreaterThanOrEqual(1);
  for (const f of storeFiles(dataDir)) {
    const db = openTestStore(f);
    try {
      db.pragma('journal_mode = DELETE');
      db.pragma(`rekey = ''`);
    } finally {
      db.close();
    }
    expect(isPlaintextSqlite(f), f).toBe(true);
  }
  fs.rmSync(defaultKeyFile(dataDir));
  fs.rmSync(keyRecordPath(dataDir));
}

/**
 * The in-place encryption under kill -9 at each of its steps (electron/store/encrypt-store.ts marks,
 * tests/README.md "Kill tests"): a plaintext folder with its store, a backup and its stored files in clear — eight windows
 * (copied, verified, backed up, replaced for desk.sqlite; copied, verified, replaced for the backup;
 * the first stored file sealed in place, FileStore.sealClearFiles).
 * After each kill the store still opens — in plaintext before its rename, encrypted after — with the
 * person in it; the next start finishes the work; then no plaintext copy and no temp file is left.
 */
describe.skipIf(process.platform === 'win32')('encryption at rest: kill -9 during the in-place encryption', () => {
  const BACKUP = 'daily-2026-12-01T00-00-00-000Z.sqlite';
  const WINDOWS: [string, string][] = [
    ['store.encrypt.copied', 'desk.sqlite'],
    ['store.encrypt.verified', 'desk.sqlite'],
    ['store.encrypt.backedUp', 'desk.sqlite'],
    ['store.encrypt.replaced', 'desk.sqlite'],
    ['store.encrypt.copied', BACKUP],
    ['store.encrypt.verified', BACKUP],
    ['store.encrypt.replaced', BACKUP],
    ['files.sealed', '1'],
  ];

  it('leaves the old store or the new one, never neither; the next start completes it', { timeout: KILL_TEST_TIMEOUT_MS }, async () => {
    const { random, pick } = killRandom('security-at-rest');
    const template = freshDataDir('at-rest-kill-template-');
    const { applicantId } = await usedDesk(template);
    makePlaintext(template);
    // Every window once, in a seeded order, then three more drawn at random.
    const order = [...WINDOWS].sort(() => random() - 0.5);
    for (let i = 0; i < 3; i++) order.push(pick(WINDOWS));
    const kills = new Map<string, number>();
    for (const [mark, detail] of order) {
      const dataDir = freshDataDir('at-rest-kill-');
      fs.cpSync(template, dataDir, { recursive: true });
      const held = await killAt(dataDir, mark, detail);
      expect(held, `${mark} ${detail}`).toBe(true);
      kills.set(`${mark} ${detail}`, (kills.get(`${mark} ${detail}`) ?? 0) + 1);

      // The store the kill left: plaintext until its rename, encrypted from then on — either way whole.
      const storeReplaced = WINDOWS.findIndex(([m, d]) => m === mark && d === detail) >= 3;
      const dbFile = path.join(dataDir, 'desk.sqlite');
      expect(isPlaintextSqlite(dbFile), `${mark} ${detail}`).toBe(!storeReplaced);
      const db = openTestStore(dbFile, { readonly: true });
      try {
        expect((db.prepare('SELECT name FROM applicants WHERE id = ?').get(applicantId) as { name: string }).name).toBe(PERSON.name);
        expect(db.pragma('quick_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }

      // Each stored file in clear (hashing to its name) or sealed under the folder's key: readable either way.
      const files = new FileStore(path.join(dataDir, 'files'), undefined, { key: keyInFile(dataDir) });
      const sealedSoFar = storedFiles(dataDir).length - clearFiles(dataDir).length;
      expect(sealedSoFar, `${mark} ${detail}`).toBe(mark === 'files.sealed' ? Number(detail) : 0);
      for (const f of storedFiles(dataDir)) expect(files.get(path.basename(f)).length, f).toBeGreaterThan(0);
      expect(files.get(sha256Of(PAGE)).equals(PAGE)).toBe(true);

      // The next start finishes: everything encrypted, nothing in clear, no temp copy, the person still there.
      const again = await runHost(dataDir);
      expect(again.stdout, again.stderr).toContain('"state":"ready"');
      expect(leaks(storeFiles(dataDir), dataDir)).toEqual([]);
      for (const f of storeFiles(dataDir)) expect(isPlaintextSqlite(f), f).toBe(false);
      expect(clearFiles(dataDir)).toEqual([]);
      expect(fileLeaks(dataDir)).toEqual([]);
      expect(files.get(sha256Of(PAGE)).equals(PAGE)).toBe(true);
      expect(filesUnder(dataDir).filter((f) => path.basename(f).startsWith('.tmp-'))).toEqual([]);
      const after = openTestStore(dbFile, { readonly: true });
      try {
        expect((after.prepare('SELECT name FROM applicants WHERE id = ?').get(applicantId) as { name: string }).name).toBe(PERSON.name);
        expect(verifyAuditChain(after).ok).toBe(true);
      } finally {
        after.close();
      }
      fs.rmSync(path.dirname(dataDir), { recursive: true, force: true });
    }
    for (const [m, d] of WINDOWS) expect(kills.get(`${m} ${d}`) ?? 0, `${m} ${d}`).toBeGreaterThanOrEqual(1);
  });
});

/** The key the browser host keeps beside the folder (the kill test's host is another process). */
const keyInFile = (dataDir: string) => Buffer.from(fs.readFileSync(defaultKeyFile(dataDir), 'utf8').trim(), 'hex');

/** Starts the browser host on `dataDir`, stops it for good at the first `mark` with `detail`, and kills it there (-9). */
async function killAt(dataDir: string, mark: string, detail: string): Promise<boolean> {
  const p = spawn(process.execPath, [HOST_BUNDLE, '--data-dir', dataDir, '--port', '0'], {
    env: { ...process.env, ...progressEnv({ at: `${mark} ${detail}`, n: 1 }) },
    stdio: ['ignore', 'pipe', 'pipe', 'pipe'],
  });
  const marks = new ProgressMarks(p.stdio[3] as Readable);
  p.stdout!.resume();
  p.stderr!.resume();
  const exited = new Promise<void>((resolve) => p.once('exit', () => resolve()));
  const held = await marks.held();
  p.kill('SIGKILL');
  await exited;
  return held !== null && held.mark === mark && held.detail === detail;
}

/** The OS key store at the machine's edge (Electron's safeStorage): seals under one OS user's secret; another user's secret cannot unseal. */
function fakeOsKeyStore(userSecret: Buffer): OsKeyStore {
  return {
    isEncryptionAvailable: () => true,
    backend: () => 'gnome_libsecret',
    encryptString: (plain) => {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', userSecret, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decryptString: (sealed) => {
      const d = createDecipheriv('aes-256-gcm', userSecret, sealed.subarray(0, 12));
      d.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([d.update(sealed.subarray(28)), d.final()]).toString('utf8');
    },
  };
}
