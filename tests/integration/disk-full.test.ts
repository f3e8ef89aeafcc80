/**
 * A full disk, for real: the desk's data folder on a small tmpfs, the real browser host as its own
 * process, a filler file taking the space. Scanned pages, applicants, catalog imports and a bundle
 * import go on until the disk refuses them; then: every confirmed page's file is whole (every file
 * recorded in `files` read back and hashed), every refusal says the disk is full in Chinese
 * (DISK_FULL, not 系统内部错误), the host stays up and answers, a restart on the full disk comes up;
 * after the filler is deleted the same operations succeed (refused pages stored again, whole), the
 * held-back log lines reach the log file, `integrity_check` is ok and the audit chain verifies
 * (the CLI's audit-verify).
 *
 * Needs `mount -t tmpfs` (CI runs as root); where mounting is impossible it says why and skips.
 */
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { openTestStore, testFileStore } from '../helpers/store';
import { afterAll, describe, expect, it } from 'vitest';
import { startHost as spawnHost, type RunningHost } from '../e2e/support/host';
import { ROOT, tempDir } from '../helpers/temp';
import { fillUp, freeBytes, mountTmpfs } from '../helpers/tmpfs';
import { testDesk } from '../helpers/app';
import { documentJpeg, withComment } from '../helpers/jpeg';
import { idCheckChar } from '../../shared/rules/id-number';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';
import { openTransfer } from '../../electron/services/transfer/open-transfer';
import { pairPeer, readDesk, setupDesk } from '../../electron/services/transfer/desk-setup';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { ACTOR, caseWithPages, side, type Side } from './transfer-support';
import { FAST_SENDER, httpTarget, writeConfig } from '../helpers/sync-desks';
import { randomSource } from '../../sim/vertical-system/faults';

const MOUNT_MB = 32;
/** What every disk-full refusal says (written out by hand, not taken from the code). */
const DISK_FULL_TEXT = '本机磁盘空间已满，本次操作未保存。请清理磁盘（或联系管理员）后重试，已保存的数据不受影响。';
/** What the recovery screen says when the store cannot be opened on a full disk. */
const STORE_FULL_TEXT = '本机磁盘空间已满，无法打开本地数据库。请清理磁盘（或联系管理员）后重新启动工作台；数据库文件没有改动，不需要恢复备份。';

const seed = process.env.DISK_FULL_SEED ? Number(process.env.DISK_FULL_SEED) : Math.floor(Math.random() * 2 ** 31);
console.log(`disk-full: seed ${seed} (DISK_FULL_SEED=${seed} repeats this run)`);
/** The run's random choices (how much space is left, which writes go with each page), from the printed seed. */
const rand = randomSource(seed);

const tmpfs = mountTmpfs(`${MOUNT_MB}m`, 'the disk-full scenario');
const mnt = tmpfs.dir;
const skipReason = tmpfs.skipReason;

const opened: Side[] = [];
let host: RunningHost | null = null;
afterAll(async () => {
  await host?.kill('SIGKILL');
  for (const s of opened) await s.close();
  tmpfs.unmount();
});

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function idNumber(n: number): string {
  const birth = new Date(Date.UTC(1960, 0, 1) + n * 86_400_000);
  const first17 = `420325${birth.toISOString().slice(0, 10).replace(/-/g, '')}${String(n % 1000).padStart(3, '0')}`;
  return first17 + idCheckChar(first17);
}

type Reply = { ok: boolean; value?: Record<string, unknown>; error?: { code: string; message: string } };

function rpcOf(h: RunningHost) {
  let n = 0;
  return async (method: string, input: unknown, session?: string): Promise<Reply> => {
    const res = await fetch(`${h.origin}/api/rpc`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${h.token}` },
      body: JSON.stringify({ id: String(++n), method, input, session }),
    });
    expect(res.status, `${method} answered over HTTP`).toBe(200);
    return (await res.json()) as Reply;
  };
}

describe.skipIf(skipReason !== null)('a full disk under the real host', () => {
  it('confirms only whole pages, refuses with the disk-full message, stays up, and goes on when space returns', async () => {
    const dataDir = path.join(mnt, 'desk');

    // The extranet desk on the tmpfs, paired with an intranet desk elsewhere that exports a bundle for it.
    writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [httpTarget('prov', 'http://127.0.0.1:9/', 'key', { zones: ['extranet'] })] });
    const boot = await testDesk({ dataDir, sync: false });
    boot.app.close();
    const t = openTransfer(dataDir);
    setupDesk(t.ctx, ACTOR, { zone: 'extranet', name: '外网窗口一', signAlg: 'ed25519' });
    const a = await side('intranet');
    opened.push(a);
    const ca = readDesk(a.ctx)!;
    const cb = readDesk(t.ctx)!;
    pairPeer(t.ctx, ACTOR, JSON.stringify(ca.card), ca.fingerprint);
    pairPeer(a.ctx, ACTOR, JSON.stringify(cb.card), cb.fingerprint);
    t.close();
    for (let i = 0; i < 3; i++) await caseWithPages(a, 3, 300 + i);
    const bundleDir = tempDir('disk-full-bundle-');
    await exportBundle(a.ctx, ACTOR, { outDir: bundleDir });
    fs.writeFileSync(path.join(dataDir, 'desk-config.json'), JSON.stringify({ exchangeFolders: [bundleDir] }));

    host = await spawnHost({ dataDir, port: 0 });
    expect(host.state).toBe('ready');
    let rpc = rpcOf(host);
    let clerk = (await rpc('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })).value!.token as string;
    const admin = (await rpc('auth.signIn', { username: 'admin', password: DEMO_PASSWORD })).value!.token as string;
    const documentId = (await rpc('scans.createDocument', { kind: 'licence', title: '磁盘已满测试' }, clerk)).value!.id as number;
    const catalog = (await rpc('catalog.exportXlsx', {}, admin)).value as { fileName: string; base64: string };

    const page = documentJpeg(1200, 900, { noise: 24, quality: 90, seed: 11 });
    let pageNo = 0;
    let person = 0;
    const confirmedPages = new Map<number, string>(); // page id → sha256
    const refusedPages: Buffer[] = [];
    const confirmedApplicants: string[] = [];
    const refusals: { method: string; code: string; message: string }[] = [];
    const outcome = (method: string, r: Reply) => {
      if (!r.ok) refusals.push({ method, code: r.error!.code, message: r.error!.message });
      return r.ok;
    };
    const addPage = async (bytes: Buffer) => {
      const r = await rpc(
        'scans.addPage',
        {
          documentId,
          page: { mime: 'image/jpeg', base64: bytes.toString('base64') },
          width: 1200,
          height: 900,
          mode: 'color',
          capture: { deviceLabel: 'Fake camera', adapter: 'uvc', resolution: { width: 1024, height: 768 }, rotation: 0, trigger: 'auto', blank: false },
        },
        clerk,
      );
      if (!outcome('scans.addPage', r)) return false;
      const mine = (r.value!.pages as { id: number; sha256: string }[]).find((p) => p.sha256 === sha(bytes))!;
      confirmedPages.set(mine.id, mine.sha256);
      return true;
    };
    const addApplicant = async () => {
      const id = idNumber(++person);
      if (outcome('applicants.create', await rpc('applicants.create', { name: `满盘${person}`, idType: 'resident_id', idNumber: id, phone: '13900000000' }, clerk))) confirmedApplicants.push(id);
    };
    const importCatalog = async () => outcome('catalog.importXlsx', await rpc('catalog.importXlsx', { fileName: catalog.fileName, base64: catalog.base64 }, admin));
    const importBundle = async () => {
      const r = await rpc('transfer.import', { folder: bundleDir }, clerk);
      if (!outcome('transfer.import', r)) return null;
      return (r.value!.outcomes as { status: string }[])[0]!.status;
    };

    // Fill the disk but for a few MB (how many: from the seed), then store until the disk refuses pages three times running.
    const filler = path.join(mnt, 'filler');
    const slack = Math.floor((2 + rand() * 3) * 1024 * 1024);
    fs.writeFileSync(filler, Buffer.alloc(Math.max(0, freeBytes(mnt) - slack), 7));
    console.log(`disk-full: ${freeBytes(mnt)} bytes left for the desk (slack ${slack})`);
    let refusedRunning = 0;
    let rounds = 0;
    let bundleStatus: string | null = null;
    while (refusedRunning < 3) {
      expect(++rounds, 'the disk filled up within 200 rounds').toBeLessThan(200);
      const bytes = withComment(page, `page ${++pageNo} ${rand()}`);
      if (await addPage(bytes)) refusedRunning = 0;
      else {
        refusedRunning++;
        refusedPages.push(bytes);
      }
      if (rand() < 0.5) await addApplicant();
      if (rand() < 0.2) await importCatalog();
    }
    // Now not one byte more: every kind of write meets the full disk.
    fillUp(filler);
    expect(freeBytes(mnt)).toBeLessThan(64 * 1024); // (the host may free a little meanwhile: a WAL reset)
    for (let i = 0; i < 3; i++) {
      const bytes = withComment(page, `page ${++pageNo} full`);
      if (!(await addPage(bytes))) refusedPages.push(bytes);
      await addApplicant();
      await importCatalog();
    }
    bundleStatus = await importBundle();
    console.log(
      `disk-full: ${rounds} rounds, ${confirmedPages.size} pages confirmed, ${refusedPages.length} refused; ${confirmedApplicants.length} applicants; ` +
        `bundle while full: ${bundleStatus ?? 'refused'}; refusals by method: ${JSON.stringify(countBy(refusals.map((r) => r.method)))}`,
    );

    // Every refusal says the disk is full, in Chinese, with the log id of the precise error.
    expect(refusals.length).toBeGreaterThan(0);
    expect(refusedPages.length).toBeGreaterThanOrEqual(3);
    for (const r of refusals) {
      expect(r.code, `${r.method}: ${r.message}`).toBe('DISK_FULL');
      expect(r.message.startsWith(DISK_FULL_TEXT), r.message).toBe(true);
      expect(r.message).toMatch(/（日志编号 [0-9a-f]{8}）$/);
    }
    // The host is up and answers, reads work.
    expect(host.proc.exitCode).toBeNull();
    expect((await rpc('system.status', {})).ok).toBe(true);
    expect((await rpc('scans.getDocument', { documentId }, clerk)).ok).toBe(true);
    // Every confirmed page is whole now, on the full disk.
    checkFiles(dataDir, confirmedPages);

    // Space returns: the same operations succeed, on the same host (its sessions still signed in).
    fs.rmSync(filler);
    const refusalsBefore = refusals.length;
    for (const bytes of refusedPages) expect(await addPage(bytes), 'a page refused on the full disk is stored now').toBe(true);
    expect(await addPage(withComment(page, 'after'))).toBe(true);
    await addApplicant();
    expect(await importCatalog()).toBe(true);
    const after = await importBundle();
    expect(refusals.slice(refusalsBefore)).toEqual([]);
    expect(after).toBe(bundleStatus === 'applied' ? 'already' : 'applied');

    // A restart on a full disk comes up (its first log lines cannot be written) and answers: ready, or — where SQLite cannot
    // even grow its -shm file to open the store — the recovery screen saying the disk is full; once space returns it goes on.
    await host.kill('SIGTERM');
    fs.writeFileSync(filler, '');
    fillUp(filler);
    host = await spawnHost({ dataDir, port: 0 });
    rpc = rpcOf(host);
    const status = await rpc('system.status', {});
    expect(status.ok).toBe(true);
    if (host.state === 'recovery') {
      expect(status.value!.problem).toMatchObject({ message: STORE_FULL_TEXT });
      expect(host.output()).toContain(STORE_FULL_TEXT);
    } else {
      expect(host.state).toBe('ready');
      const signIn = await rpc('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD });
      if (!signIn.ok) expect([signIn.error!.code, signIn.error!.message.startsWith(DISK_FULL_TEXT)]).toEqual(['DISK_FULL', true]); // a sign-in is audited
    }
    console.log(`disk-full: a start on the full disk came up ${host.state}`);
    fs.rmSync(filler);
    if (host.state === 'recovery') {
      await host.kill('SIGTERM');
      host = await spawnHost({ dataDir, port: 0 });
      rpc = rpcOf(host);
    }
    expect(host.state).toBe('ready');
    clerk = (await rpc('auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })).value!.token as string;
    expect(await addPage(withComment(page, 'after restart'))).toBe(true);
    await host.kill('SIGTERM');
    host = null;

    // The held-back log lines reached the file once it could be written again.
    const log = fs.readFileSync(path.join(dataDir, 'logs', 'desk.log'), 'utf8');
    const lines = log.split('\n').filter(Boolean);
    for (const l of lines) expect(() => JSON.parse(l), `a whole JSON line: ${l.slice(0, 80)}`).not.toThrow();
    const resumed = lines.map((l) => JSON.parse(l) as { event: string; heldBack?: number; error?: string }).filter((e) => e.event === 'log.resumed');
    expect(resumed.length).toBeGreaterThan(0);
    expect(resumed[0]).toMatchObject({ error: 'ENOSPC' });
    expect(resumed[0]!.heldBack).toBeGreaterThan(0);
    expect(log).toContain('"code":"DISK_FULL"');

    // Every confirmed page and applicant is there; every recorded file is whole; the store and the audit chain hold.
    checkFiles(dataDir, confirmedPages);
    const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
    try {
      const known = db.prepare('SELECT COUNT(*) FROM applicants WHERE id_number = ?').pluck();
      for (const id of confirmedApplicants) expect(known.get(id), `applicant ${id}`).toBe(1);
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      expect(db.prepare(`SELECT COUNT(*) FROM transfer_bundles_in`).pluck().get()).toBe(1);
    } finally {
      db.close();
    }
    const verify = spawnSync(process.execPath, [path.join(ROOT, 'dist', 'electron', 'cli.cjs'), 'audit-verify', '--data-dir', dataDir], { encoding: 'utf8' });
    expect(verify.status, verify.stdout + verify.stderr).toBe(0);
    expect(verify.stdout).toContain('审计链完整');
  }, 240_000);
});

/** Every file recorded in `files` exists with its size and hash; every confirmed page has its row and file. */
function checkFiles(dataDir: string, confirmedPages: Map<number, string>): void {
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
  try {
    const rows = db.prepare('SELECT sha256, size FROM files').all() as { sha256: string; size: number }[];
    const files = testFileStore(dataDir);
    for (const r of rows) {
      const bytes = files.get(r.sha256); // sealed at rest: opened with the desk's key (a file that does not open throws)
      expect(bytes.length, `file ${r.sha256} has its size`).toBe(r.size);
      expect(sha(bytes), `file ${r.sha256} has its hash`).toBe(r.sha256);
    }
    const pageSha = db.prepare('SELECT file_sha256 FROM scan_pages WHERE id = ?').pluck();
    for (const [id, s] of confirmedPages) expect(pageSha.get(id), `confirmed page ${id}`).toBe(s);
  } finally {
    db.close();
  }
}

function countBy(xs: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const x of xs) out[x] = (out[x] ?? 0) + 1;
  return out;
}
