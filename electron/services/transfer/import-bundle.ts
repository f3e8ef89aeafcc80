import fs from 'node:fs';
import path from 'node:path';
import type { Actor } from '../audit/audit-chain';
import type { WriteContext } from '../../store/write';
import { BundleRefused, type AckRecord, type EntryRecord } from './bundle-format';
import { readManifest, verifyToStaging, type StagedBundle } from './bundle-reader';
import { hasDeskKeys, loadDeskKeys } from './desk-keys';
import { readDesk, readPeer } from './desk-setup';
import { applyAck, gapsFromPeer } from './acks';
import { forEachLine } from './line-reader';
import { ZONE_LABEL, type TransferCtx } from './transfer-context';
import type { CaseDocument } from '../sync/case-document';

export type ImportResult =
  | { status: 'applied'; bundleId: string; seq: number; entriesNew: number; entriesKnown: number; files: number; acks: number; gaps: number[] }
  | { status: 'already'; bundleId: string; seq: number; gaps: number[] };

class AlreadyApplied extends Error {}

export function stagingRoot(dataDir: string): string {
  return path.join(dataDir, 'transfer', 'staging');
}

/** Removes staging folders of importers that are no longer running (left by a crash). */
function sweepStaging(root: string): void {
  if (!fs.existsSync(root)) return;
  for (const name of fs.readdirSync(root)) {
    const pid = Number(/-(\d+)-[0-9a-f]{8}$/.exec(name)?.[1]);
    let alive = false;
    if (pid) {
      try {
        process.kill(pid, 0);
        alive = true;
      } catch {
        alive = false;
      }
    }
    if (!alive) fs.rmSync(path.join(root, name), { recursive: true, force: true });
  }
}

/**
 * Moves the verified files into the file store by hash before the transaction, flushed (in
 * parallel: one fsync each is most of an import's time). A crash before the commit leaves only
 * files no row refers to, which the next start of the desk removes (FileStore.sweepOrphans).
 */
async function placeFiles(ctx: TransferCtx, s: StagedBundle): Promise<void> {
  const names = fs.readdirSync(s.filesDir).filter((n) => !fs.existsSync(ctx.files.pathOf(n)));
  const dirs = new Set<string>();
  await pool(names, 32, async (name) => {
    const staged = path.join(s.filesDir, name);
    const fh = await fs.promises.open(staged, 'r+');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
    const target = ctx.files.pathOf(name);
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    await fs.promises.rename(staged, target);
    dirs.add(path.dirname(target));
  });
  await pool([...dirs], 32, async (d) => {
    if (process.platform === 'win32') return;
    const fh = await fs.promises.open(d, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  });
}

async function pool<T>(items: T[], width: number, fn: (x: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

const applied = (ctx: TransferCtx, bundleId: string) => ctx.db.prepare('SELECT seq FROM transfer_bundles_in WHERE bundle_id = ?').get(bundleId) as { seq: number } | undefined;

/**
 * Imports one bundle (given its manifest file). Everything is verified in a staging folder
 * first; a refusal throws BundleRefused and writes nothing. Then one transaction records the
 * bundle, moves its files into the file store by hash, applies each entry by its idempotency
 * key and each ack. A bundle already applied changes nothing (not even the audit log).
 */
export async function importBundle(ctx: TransferCtx, actor: Actor, manifestFile: string): Promise<ImportResult> {
  const me = readDesk(ctx);
  if (!me || !hasDeskKeys(ctx.dataDir)) throw new BundleRefused('no_keys', '请先设置本机所在网络区域并生成密钥。');
  const peer = readPeer(ctx);
  const keys = loadDeskKeys(ctx.dataDir);
  const vctx = { me: keys, peer: peer?.card ?? null, now: ctx.now(), stagingRoot: stagingRoot(ctx.dataDir) };
  const { body } = readManifest(manifestFile, vctx);
  const known = applied(ctx, body.bundleId);
  if (known) return { status: 'already', bundleId: body.bundleId, seq: known.seq, gaps: gapsFromPeer(ctx.db) };

  sweepStaging(vctx.stagingRoot);
  const staged = verifyToStaging(manifestFile, vctx);
  try {
    const prev = ctx.db.prepare('SELECT manifest_hash FROM transfer_bundles_in WHERE seq = ? ORDER BY applied_at LIMIT 1').get(body.seq - 1) as { manifest_hash: string } | undefined;
    if (prev && body.prevHash !== prev.manifest_hash)
      throw new BundleRefused('chain_broken', `交换包序号 ${body.seq} 声明的上一包与本机已导入的第 ${body.seq - 1} 包不符，已拒绝。`, { prevHash: body.prevHash });
    const catalog = ctx.db.prepare('SELECT id FROM catalog_versions ORDER BY id DESC LIMIT 1').pluck().get() as number | undefined;
    const user = actor.userId ?? (ctx.db.prepare('SELECT id FROM users ORDER BY id LIMIT 1').pluck().get() as number | undefined);
    if (catalog === undefined || user === undefined) throw new BundleRefused('local_precondition', '本机尚未完成初始设置（没有事项目录或用户），无法导入办件。');
    await placeFiles(ctx, staged);
    let result: ImportResult;
    try {
      result = ctx.write(actor, (w) => apply(ctx, w, staged, { catalog, user, senderDesk: body.sender.deskId, senderZone: body.sender.zone }));
    } catch (e) {
      if (e instanceof AlreadyApplied) return { status: 'already', bundleId: body.bundleId, seq: body.seq, gaps: gapsFromPeer(ctx.db) };
      throw e;
    }
    ctx.logger.info('transfer.imported', { ...result, file: manifestFile });
    return result;
  } finally {
    fs.rmSync(staged.dir, { recursive: true, force: true });
  }
}

function apply(ctx: TransferCtx, w: WriteContext, s: StagedBundle, o: { catalog: number; user: number; senderDesk: string; senderZone: 'intranet' | 'extranet' }): ImportResult {
  const { db } = w;
  const b = s.body;
  const at = w.at.toISOString();
  if (applied(ctx, b.bundleId)) throw new AlreadyApplied();
  db.prepare(
    `INSERT INTO transfer_bundles_in (bundle_id, seq, prev_hash, manifest_hash, created_at, applied_at, entries_new, entries_known, files, acks, peer_applied)
     VALUES (?, ?, ?, ?, ?, ?, 0, 0, ?, ?, ?)`,
  ).run(b.bundleId, b.seq, b.prevHash, s.manifestHash, b.createdAt, at, b.counts.files, b.counts.acks, JSON.stringify(b.peerApplied));

  // The files are in the store already (placeFiles); their rows go in with the entries that refer to them.
  let entriesNew = 0;
  let entriesKnown = 0;
  const recordFile = db.prepare('INSERT OR IGNORE INTO files (sha256, size, mime, created_at) VALUES (?, ?, ?, ?)');
  forEachLine(s.entriesFile, (line) => {
    const e = JSON.parse(line) as EntryRecord;
    for (const f of e.files) recordFile.run(f.sha256, f.size, f.mime, at);
    if (applyEntry(w, e, o, b.bundleId)) entriesNew++;
    else entriesKnown++;
  });

  let acks = 0;
  forEachLine(s.acksFile, (line) => {
    if (applyAck(db, JSON.parse(line) as AckRecord, at)) acks++;
  });

  // The peer says which of our bundles it applied: those bundles, and the acks they carried, arrived.
  const seen = (seq: number) => seq <= b.peerApplied.through || b.peerApplied.also.includes(seq);
  const outs = db.prepare('SELECT seq FROM transfer_bundles_out WHERE confirmed_at IS NULL').pluck().all() as number[];
  const confirm = db.prepare('UPDATE transfer_bundles_out SET confirmed_at = ? WHERE seq = ?');
  const confirmAcks = db.prepare('UPDATE transfer_received SET ack_confirmed = ack_sent WHERE ack_seq = ?');
  for (const seq of outs.filter(seen)) {
    confirm.run(at, seq);
    confirmAcks.run(seq);
  }

  db.prepare('UPDATE transfer_bundles_in SET entries_new = ?, entries_known = ? WHERE bundle_id = ?').run(entriesNew, entriesKnown, b.bundleId);
  w.audit({ action: 'transfer.import', entityType: 'transfer_bundle', entityId: b.bundleId, detail: { seq: b.seq, sender: b.sender.deskId, entriesNew, entriesKnown, files: b.counts.files, acks } });
  return { status: 'applied', bundleId: b.bundleId, seq: b.seq, entriesNew, entriesKnown, files: b.counts.files, acks, gaps: gapsFromPeer(db) };
}

/** One entry from the peer: the case mirrored here, the entry queued in this desk's outbox under the same key. */
function applyEntry(w: WriteContext, e: EntryRecord, o: { catalog: number; user: number; senderDesk: string; senderZone: 'intranet' | 'extranet' }, bundleId: string): boolean {
  const { db } = w;
  const at = w.at.toISOString();
  if (db.prepare('SELECT 1 FROM outbox_entries WHERE idempotency_key = ?').get(e.key)) return false;
  const doc = JSON.parse(e.document) as Partial<CaseDocument>;
  const kind = ['http', 'manual', 'data_sharing'].includes(e.target.kind) ? e.target.kind : 'manual';
  db.prepare(`INSERT OR IGNORE INTO sync_targets (id, name, kind, config, updated_at) VALUES (?, ?, ?, '{}', ?)`).run(e.target.id, e.target.name, kind, at);

  let tc = db.prepare('SELECT case_id, revision FROM transfer_cases WHERE origin_desk = ? AND origin_case_no = ?').get(o.senderDesk, e.caseNo) as { case_id: number; revision: number } | undefined;
  if (!tc) {
    const a = doc.applicant ?? { kind: 'person', name: '（未知）', idType: 'unknown', idNumber: e.caseNo, phone: '' };
    let applicantId = db.prepare('SELECT id FROM applicants WHERE id_type = ? AND id_number = ?').pluck().get(a.idType, a.idNumber) as number | undefined;
    applicantId ??= Number(
      db
        .prepare('INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(a.kind === 'organisation' ? 'organisation' : 'person', a.name, a.idType, a.idNumber, a.phone ?? '', at, o.user).lastInsertRowid,
    );
    const status = ['accepted', 'verifying', 'completed', 'rejected', 'terminated', 'revoked'].includes(doc.status ?? '') ? doc.status! : 'accepted';
    const caseId = Number(
      db
        .prepare(
          `INSERT INTO cases (case_no, applicant_id, catalog_version_id, status, revision, created_at, created_by, updated_at, accepted_at, status_reason)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(`${e.caseNo}（${ZONE_LABEL[o.senderZone]}）`, applicantId, o.catalog, status, doc.revision ?? 1, at, o.user, at, doc.acceptedAt ?? at, `由${ZONE_LABEL[o.senderZone]}工作台 ${o.senderDesk} 转来`)
        .lastInsertRowid,
    );
    db.prepare('INSERT INTO transfer_cases (case_id, origin_desk, origin_case_no, document, revision, received_at) VALUES (?, ?, ?, ?, ?, ?)').run(caseId, o.senderDesk, e.caseNo, e.document, e.revision, at);
    tc = { case_id: caseId, revision: e.revision };
    w.audit({ action: 'transfer.caseReceived', entityType: 'case', entityId: caseId, detail: { originCaseNo: e.caseNo, originDesk: o.senderDesk, bundleId } });
  } else if (e.kind === 'case' && e.revision > tc.revision) {
    db.prepare('UPDATE transfer_cases SET document = ?, revision = ? WHERE case_id = ?').run(e.document, e.revision, tc.case_id);
  }
  const cf = db.prepare('INSERT OR IGNORE INTO transfer_case_files (case_id, sha256, name, kind, size) VALUES (?, ?, ?, ?, ?)');
  for (const f of e.files) cf.run(tc.case_id, f.sha256, f.name, f.kind, f.size);

  const entryId = Number(
    db
      .prepare(
        `INSERT INTO outbox_entries (case_id, target_id, kind, subject, revision, idempotency_key, document, state, created_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', ?)`,
      )
      .run(tc.case_id, e.target.id, e.kind, e.subject, e.revision, e.key, e.document, e.createdAt)
      .lastInsertRowid,
  );
  const of = db.prepare('INSERT OR IGNORE INTO outbox_files (entry_id, sha256, name, kind, size) VALUES (?, ?, ?, ?, ?)');
  for (const f of e.outboxFiles) of.run(entryId, f.sha256, f.name, f.kind, f.size);
  db.prepare('INSERT INTO transfer_received (idempotency_key, entry_id, bundle_id, received_at) VALUES (?, ?, ?, ?)').run(e.key, entryId, bundleId, at);
  return true;
}
