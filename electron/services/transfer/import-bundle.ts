import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../audit/audit-chain';
import { BundleRefused } from './bundle-format';
import { readManifest, verifyToStaging, type StagedBundle } from './bundle-reader';
import { hasDeskKeys, loadDeskKeys } from './desk-keys';
import { readDesk, readPeer } from './desk-setup';
import { gapsFromPeer } from './acks';
import { AlreadyApplied, applyStaged, type Applied } from './apply-bundle';
import { eachName, flushDirs, inPool, someNames, syncFileSystem } from './durable-file';
import { ensureDirDurably, fsyncFileAsync } from '../../store/durable-write';
import { stagingRoot, sweepStaging } from './staging-root';
import type { TransferCtx } from './transfer-context';
import { progress } from '../../log/progress';

export { stagingRoot };

export type ImportResult = Applied | { status: 'already'; bundleId: string; seq: number; gaps: number[] };

/**
 * Moves the verified files into the file store by hash before the transaction, flushed: all at
 * once where the OS allows (syncfs), else one fsync each; then renamed (synchronously: a rename
 * takes microseconds, less than handing it to the thread pool), and the folders flushed (a new
 * two-character folder also into files/). A staged file was hashed as it was written and every
 * byte checked written, so it may replace a stored copy (repairing a damaged one). A crash
 * before the commit leaves only files no row refers to, which the next start of the desk removes
 * (FileStore.sweepOrphans).
 */
async function placeFiles(ctx: TransferCtx, s: StagedBundle): Promise<void> {
  const subs = fs.readdirSync(s.filesDir);
  // Already sealed as they were staged (verifyToStaging with the file store's key): moved as they are.
  if (!(await syncFileSystem(s.filesDir))) {
    for (const sub of subs) await eachName(path.join(s.filesDir, sub), (names) => inPool(names, 32, fsyncFileAsync));
  }
  const dirs: string[] = [];
  for (const sub of subs) {
    const from = path.join(s.filesDir, sub);
    const to = path.join(ctx.files.root, sub);
    ensureDirDurably(to); // a new `ab/` folder is flushed into files/
    dirs.push(to);
    // The same bytes by hash: replacing a stored copy is harmless, except on Windows where it may be open.
    const keep = process.platform === 'win32';
    for (let names = someNames(from, 4096); names.length; names = someNames(from, 4096)) {
      for (const name of names) {
        if (keep && fs.existsSync(path.join(to, name))) fs.rmSync(path.join(from, name));
        else fs.renameSync(path.join(from, name), path.join(to, name));
        progress('import.filePlaced');
      }
    }
  }
  await flushDirs(dirs);
  progress('import.filesPlaced');
}

const applied = (ctx: TransferCtx, bundleId: string) => ctx.db.prepare('SELECT seq FROM transfer_bundles_in WHERE bundle_id = ?').get(bundleId) as { seq: number } | undefined;

/**
 * Imports one bundle (given its manifest file). Everything is verified in a staging folder
 * first; a refusal throws BundleRefused and writes nothing. Then its files are moved into the
 * file store by hash, and one transaction records the bundle and applies each entry by its
 * idempotency key and each ack (apply-bundle.ts). A bundle already applied changes nothing (not
 * even the audit log).
 */
export async function importBundle(ctx: TransferCtx, actor: Actor, manifestFile: string): Promise<ImportResult> {
  const me = readDesk(ctx);
  if (!me || !hasDeskKeys(ctx.dataDir)) throw new BundleRefused('no_keys', '请先设置本机所在网络区域并生成密钥。');
  const peer = readPeer(ctx);
  const keys = loadDeskKeys(ctx.dataDir);
  const vctx = { me: keys, peer: peer?.card ?? null, now: ctx.now(), stagingRoot: stagingRoot(ctx.dataDir), fileKey: ctx.files.sealingKey() };
  const { body } = readManifest(manifestFile, vctx);
  const known = applied(ctx, body.bundleId);
  if (known) return { status: 'already', bundleId: body.bundleId, seq: known.seq, gaps: gapsFromPeer(ctx.db) };

  sweepStaging(vctx.stagingRoot);
  progress('import.begin', body.bundleId);
  const t0 = Date.now();
  const staged = await verifyToStaging(manifestFile, vctx);
  progress('import.verified');
  const ms = { verify: Date.now() - t0, place: 0, apply: 0 };
  try {
    const prev = ctx.db.prepare('SELECT manifest_hash FROM transfer_bundles_in WHERE seq = ? ORDER BY applied_at LIMIT 1').get(body.seq - 1) as { manifest_hash: string } | undefined;
    if (prev && body.prevHash !== prev.manifest_hash)
      throw new BundleRefused('chain_broken', `交换包序号 ${body.seq} 声明的上一包与本机已导入的第 ${body.seq - 1} 包不符，已拒绝。`, { prevHash: body.prevHash });
    const catalog = ctx.db.prepare('SELECT id FROM catalog_versions ORDER BY id DESC LIMIT 1').pluck().get() as number | undefined;
    const user = actor.userId ?? (ctx.db.prepare('SELECT id FROM users ORDER BY id LIMIT 1').pluck().get() as number | undefined);
    if (catalog === undefined || user === undefined) throw new BundleRefused('local_precondition', '本机尚未完成初始设置（没有事项目录或用户），无法导入办件。');
    const t1 = Date.now();
    await placeFiles(ctx, staged);
    const t2 = Date.now();
    ms.place = t2 - t1;
    let result: ImportResult;
    try {
      progress('import.applying');
      result = ctx.write(actor, (w) => applyStaged(w, staged, { catalog, user, senderDesk: body.sender.deskId, senderZone: body.sender.zone }));
      progress('import.committed');
      ms.apply = Date.now() - t2;
    } catch (e) {
      if (e instanceof AlreadyApplied) return { status: 'already', bundleId: body.bundleId, seq: body.seq, gaps: gapsFromPeer(ctx.db) };
      throw e;
    }
    ctx.logger.info('transfer.imported', { ...result, file: manifestFile, ms });
    return result;
  } finally {
    fs.rmSync(staged.dir, { recursive: true, force: true });
  }
}
