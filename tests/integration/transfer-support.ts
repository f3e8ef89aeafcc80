/**
 * Shared by the transfer tests: two desks, one in the intranet and one in the extranet, paired,
 * both declaring the provincial target `prov` as reachable from the extranet only; cases with
 * real scanned pages accepted on the intranet desk through the real intake methods.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type Database from 'better-sqlite3';
import { testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { documentJpeg } from '../helpers/jpeg';
import { openTransfer } from '../../electron/services/transfer/open-transfer';
import { pairPeer, readDesk, setupDesk } from '../../electron/services/transfer/desk-setup';
import type { TransferCtx } from '../../electron/services/transfer/transfer-context';
import type { SignAlg, Zone } from '../../electron/services/transfer/desk-keys';
import { acceptCase, applicantIdOf, FAST_SENDER, httpTarget, plainItem, resolveQuick, writeConfig } from '../helpers/sync-desks';
import { copyStoreKey } from '../helpers/store';

export const ACTOR = { userId: null, username: 'test' };

export interface Side {
  d: TestDesk;
  token: string;
  dataDir: string;
  ctx: TransferCtx;
  close(): Promise<void>;
}

/** A desk with the `prov` target (extranet only) pointing at `provUrl` (default: nothing listens). */
export async function side(zone: Zone, provUrl = 'http://127.0.0.1:9/', opts: { sync?: boolean; dataDir?: string; signAlg?: SignAlg | 'default' } = {}): Promise<Side> {
  const dataDir = opts.dataDir ?? tempDir(`desk-${zone}-`);
  if (!opts.dataDir) writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [httpTarget('prov', provUrl, 'key', { zones: ['extranet'] })] });
  // The zone is set up before the app starts, so that its sender knows which targets it reaches.
  if (!opts.dataDir) {
    const boot = await testDesk({ dataDir, sync: false });
    boot.app.close();
    const t = openTransfer(dataDir);
    // 'default' leaves the choice to setupDesk (商用密码); the other transfer tests pin Ed25519.
    const signAlg = opts.signAlg === 'default' ? undefined : (opts.signAlg ?? 'ed25519');
    setupDesk(t.ctx, ACTOR, { zone, name: zone === 'intranet' ? '内网窗口一' : '外网窗口一', ...(signAlg ? { signAlg } : {}) });
    t.close();
  }
  const d = await testDesk({ dataDir, sync: opts.sync ?? false });
  const token = (await d.signIn('zhangmin')).token;
  const t = openTransfer(dataDir);
  // Once, however often it is called (by the test, and again by its afterEach whatever happened).
  let closing: Promise<void> | null = null;
  return {
    d,
    token,
    dataDir,
    ctx: t.ctx,
    close: () =>
      (closing ??= (async () => {
        try {
          await d.app.stopSync();
        } finally {
          d.app.close();
          t.close();
        }
      })()),
  };
}

export function pair(a: Side, b: Side): void {
  const ca = readDesk(a.ctx)!;
  const cb = readDesk(b.ctx)!;
  pairPeer(a.ctx, ACTOR, JSON.stringify(cb.card), cb.fingerprint);
  pairPeer(b.ctx, ACTOR, JSON.stringify(ca.card), ca.fingerprint);
}

export async function pairOfDesks(provUrl?: string, opts: { syncB?: boolean; signAlg?: SignAlg | 'default' } = {}): Promise<{ a: Side; b: Side }> {
  const a = await side('intranet', undefined, { signAlg: opts.signAlg });
  const b = await side('extranet', provUrl, { sync: opts.syncB ?? false, signAlg: opts.signAlg });
  pair(a, b);
  return { a, b };
}

/** Accepts a case on the desk with `pages` real scanned pages; returns its id and number. */
export async function caseWithPages(s: Side, pages: number, seed = 1): Promise<{ id: number; caseNo: string }> {
  const item = await plainItem(s.d, s.token);
  const applicant = await applicantIdOf(s.d, s.token);
  const v = await s.d.call('intake.start', { applicantId: applicant, serviceItemIds: [item.id] }, s.token);
  if (pages > 0) {
    const doc = await s.d.call('scans.createDocument', { caseId: v.id, kind: 'certificate', title: '户口簿' }, s.token);
    for (let i = 0; i < pages; i++) {
      const jpeg = documentJpeg(320, 240, { seed: seed * 100 + i, noise: 6 });
      await s.d.call(
        'scans.addPage',
        {
          documentId: doc.id,
          page: { mime: 'image/jpeg', base64: jpeg.toString('base64') },
          width: 320,
          height: 240,
          mode: 'color',
          capture: { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 320, height: 240 }, rotation: 0, trigger: 'manual', blank: false },
        },
        s.token,
      );
    }
  }
  await resolveQuick(s.d, s.token, v.id);
  const a = await s.d.call('intake.transition', { caseId: v.id, to: 'accepted' }, s.token);
  return { id: a.id, caseNo: a.caseNo };
}

export { acceptCase };

/** Every row of every table, hashed: "the database is the same in content". */
export function contentDigest(db: Database.Database): string {
  const h = createHash('sha256');
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name`).pluck().all() as string[];
  for (const t of tables) {
    h.update(`#${t}\n`);
    for (const r of db.prepare(`SELECT * FROM "${t}" ORDER BY rowid`).raw().all()) h.update(JSON.stringify(r) + '\n');
  }
  return h.digest('hex');
}

export function countRows(db: Database.Database): number {
  const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).pluck().all() as string[];
  return tables.reduce((n, t) => n + (db.prepare(`SELECT COUNT(*) FROM "${t}"`).pluck().get() as number), 0);
}

export function copyDir(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
  copyStoreKey(from, to);
}

export function manifestIn(dir: string): string {
  const m = fs.readdirSync(dir).filter((f) => f.endsWith('.manifest.json'));
  if (m.length !== 1) throw new Error(`expected one manifest in ${dir}, found ${m.length}`);
  return path.join(dir, m[0]!);
}
