import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Actor } from '../audit/audit-chain';
import { DEFAULT_CHUNK_BYTES, type AckRecord, type EntryRecord } from './bundle-format';
import { BundleWriter, type WrittenBundle } from './bundle-writer';
import { loadDeskKeys } from './desk-keys';
import { readDesk, readPeer, SetupRefused } from './desk-setup';
import { appliedFromPeer, pendingAcks } from './acks';
import { deskZone, reachableHere, type TransferCtx } from './transfer-context';
import type { CaseFileRef } from '../sync/case-document';

export interface ExportOptions {
  outDir: string;
  chunkBytes?: number;
  /** How long the bundle may be imported (default 7 days). */
  ttlHours?: number;
}

export interface ExportResult extends WrittenBundle {
  seq: number;
  acks: number;
}

/** Outbox entries for targets only the other zone reaches, not yet received by the peer. */
function exportableEntryIds(ctx: TransferCtx): number[] {
  const zone = deskZone(ctx.db);
  const away = ctx.targets.all().filter((t) => !reachableHere(t, zone)).map((t) => t.id);
  if (!away.length) return [];
  return ctx.db
    .prepare(
      `SELECT e.id FROM outbox_entries e LEFT JOIN transfer_sent s ON s.entry_id = e.id
       WHERE e.state = 'pending' AND e.target_id IN (${away.map(() => '?').join(', ')})
         AND (s.state IS NULL OR s.state = 'exported')
         AND NOT EXISTS (SELECT 1 FROM transfer_received r WHERE r.entry_id = e.id)
       ORDER BY e.id`,
    )
    .pluck()
    .all(...away) as number[];
}

/**
 * Writes one bundle for the peer into outDir: every entry still waiting for the peer's receipt
 * (new ones and ones whose receipt never came back), their files, and the acks this desk owes.
 * Then one transaction records the bundle and marks the entries as sent-not-acknowledged. If that
 * transaction fails, the bundle's files are removed again.
 */
export function exportBundle(ctx: TransferCtx, actor: Actor, o: ExportOptions): ExportResult {
  const me = readDesk(ctx);
  const peer = readPeer(ctx);
  if (!me) throw new SetupRefused('请先设置本机所在网络区域并生成密钥。');
  if (!peer) throw new SetupRefused('本机尚未与对端工作台配对。');
  const keys = loadDeskKeys(ctx.dataDir);
  const last = ctx.db.prepare('SELECT seq, manifest_hash FROM transfer_bundles_out ORDER BY seq DESC LIMIT 1').get() as { seq: number; manifest_hash: string } | undefined;
  const seq = (last?.seq ?? 0) + 1;
  const now = ctx.now();
  const bundleId = `${me.deskId}-${String(seq).padStart(6, '0')}-${randomBytes(4).toString('hex')}`;
  const writer = new BundleWriter({
    outDir: path.resolve(o.outDir),
    bundleId,
    chunkBytes: o.chunkBytes ?? DEFAULT_CHUNK_BYTES,
    me: keys,
    peer: peer.card,
    seq,
    prevHash: last?.manifest_hash ?? '',
    createdAt: now,
    expiresAt: new Date(now.getTime() + (o.ttlHours ?? 24 * 7) * 3_600_000),
    peerApplied: appliedFromPeer(ctx.db),
  });
  const entryIds = exportableEntryIds(ctx);
  const acks: AckRecord[] = [];
  let written: WrittenBundle;
  try {
    const entry = ctx.db.prepare(
      `SELECT e.*, c.case_no, t.name AS target_name, t.kind AS target_kind FROM outbox_entries e JOIN cases c ON c.id = e.case_id
       JOIN sync_targets t ON t.id = e.target_id WHERE e.id = ?`,
    );
    const outboxFiles = ctx.db.prepare('SELECT sha256, name, kind, size FROM outbox_files WHERE entry_id = ? ORDER BY rowid');
    const fileRow = ctx.db.prepare('SELECT size, mime FROM files WHERE sha256 = ?');
    const sent = new Set<string>();
    for (const id of entryIds) {
      const e = entry.get(id) as {
        idempotency_key: string;
        target_id: string;
        target_name: string;
        target_kind: string;
        kind: 'case' | 'query';
        subject: string;
        revision: number;
        case_no: string;
        document: string;
        created_at: string;
      };
      const doc = JSON.parse(e.document) as { files?: CaseFileRef[] };
      const rec: EntryRecord = {
        key: e.idempotency_key,
        target: { id: e.target_id, name: e.target_name, kind: e.target_kind },
        kind: e.kind,
        subject: e.subject,
        revision: e.revision,
        caseNo: e.case_no,
        document: e.document,
        createdAt: e.created_at,
        files: (doc.files ?? []).map((f) => ({ sha256: f.sha256, name: f.name, kind: f.kind, size: f.size, mime: f.mime })),
        outboxFiles: outboxFiles.all(id) as EntryRecord['outboxFiles'],
      };
      writer.addEntry(rec);
      for (const f of [...rec.files, ...rec.outboxFiles]) {
        if (sent.has(f.sha256)) continue;
        const info = fileRow.get(f.sha256) as { size: number; mime: string } | undefined;
        if (!info) throw new Error(`file ${f.sha256} of entry ${e.idempotency_key} is not in the store`);
        writer.addFile(f.sha256, info.size, info.mime, ctx.files.pathOf(f.sha256));
        sent.add(f.sha256);
      }
    }
    let batch: AckRecord[] = [];
    for (const a of pendingAcks(ctx.db)) {
      acks.push(a);
      batch.push(a);
      if (batch.length === 500) {
        writer.addAcks(batch);
        batch = [];
      }
    }
    writer.addAcks(batch);
    written = writer.finish();
  } catch (e) {
    writer.abort();
    throw e;
  }
  try {
    ctx.write(actor, (w) => {
      const at = w.at.toISOString();
      w.db
        .prepare(
          `INSERT INTO transfer_bundles_out (bundle_id, seq, prev_hash, manifest_hash, folder, created_at, expires_at, entries, files, acks, bytes)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(bundleId, seq, last?.manifest_hash ?? '', written.manifestHash, path.resolve(o.outDir), now.toISOString(), new Date(now.getTime() + (o.ttlHours ?? 168) * 3_600_000).toISOString(), written.counts.entries, written.counts.files, written.counts.acks, written.bytes);
      const mark = w.db.prepare(
        `INSERT INTO transfer_sent (entry_id, idempotency_key, state, first_seq, last_seq, exports)
         SELECT id, idempotency_key, 'exported', ?, ?, 1 FROM outbox_entries WHERE id = ?
         ON CONFLICT (entry_id) DO UPDATE SET last_seq = excluded.last_seq, exports = exports + 1`,
      );
      for (const id of entryIds) mark.run(seq, seq, id);
      const ackSent = w.db.prepare('UPDATE transfer_received SET ack_sent = ?, ack_seq = ? WHERE idempotency_key = ?');
      for (const a of acks) ackSent.run(JSON.stringify(a), seq, a.key);
      w.audit({ action: 'transfer.export', entityType: 'transfer_bundle', entityId: bundleId, detail: { seq, folder: path.resolve(o.outDir), ...written.counts, bytes: written.bytes, at } });
    });
  } catch (e) {
    writer.abort();
    throw e;
  }
  ctx.logger.info('transfer.exported', { bundleId, seq, ...written.counts, bytes: written.bytes, folder: o.outDir });
  return { ...written, seq, acks: acks.length };
}
