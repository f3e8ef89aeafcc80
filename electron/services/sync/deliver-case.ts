import { performance } from 'node:perf_hooks';
import type { Deps } from '../../app/deps';
import type { FileStore } from '../files/file-store';
import { mapPayload } from './field-mapping';
import { endOf, FileUnreadable, LeaseLost, type AttemptEnd } from './attempt-end';
import { ConnectorFailure, type HttpTargetConnector, type LookupItem } from './http-connector';
import type { CaseDocument } from './case-document';
import type { Claimed, UploadRow } from './sender-store';
import type { SenderStore } from './sender-store-client';
import type { Delivered } from './sender';
import type { SenderConfig } from './targets-config';

export interface DeliverContext {
  deps: Deps;
  /** Where upload progress is recorded (committed before the next chunk goes). */
  store: SenderStore;
  files: FileStore;
  http: HttpTargetConnector;
  cfg: SenderConfig;
  owner: string;
  /** The sender's wall time (a clock step noticed first: see SyncSender.nowMs). */
  nowMs(): number;
  stopped(): boolean;
  /** Does the claim still hold the entry (renewed if about to run out)? Asked before the post when a look-up or uploads went first. */
  holdLease(): Promise<boolean>;
}

/**
 * One case entry to an HTTP target: for an entry whose outcome is unknown and
 * a target that does not de-duplicate, look it up first; then upload its
 * files (resumable, chunk by chunk, progress recorded); then post the case
 * under its idempotency key.
 */
export async function deliverCase(ctx: DeliverContext, entry: Claimed): Promise<Delivered> {
  const { http } = ctx;
  const doc = JSON.parse(entry.document) as Pick<CaseDocument, 'caseNo' | 'statusChange'>;
  const payload = { ...mapPayload(doc, http.target.fields), ...protocolFields(entry, doc) };
  const externalRef = typeof payload.externalRef === 'string' ? payload.externalRef : doc.caseNo;
  const looked = entry.prior === 'unknown' && http.target.idempotency === 'none';
  if (looked) {
    const items = await http.lookup(externalRef).catch((e: unknown) => {
      // A refused look-up says nothing about the entry: it stays unknown and is looked up again later.
      if (e instanceof ConnectorFailure && e.failure.kind === 'rejected') {
        throw new ConnectorFailure({ kind: 'retry', status: e.failure.status, retryAfterMs: null, message: `“${http.target.name}”拒绝了查询（HTTP ${e.failure.status}：${e.message}）` });
      }
      throw e;
    });
    const found = items.find((i) => holdsRevision(ctx, entry, i));
    if (found) return { targetCaseNo: found.caseNo, via: 'lookup' };
  }
  const uploaded: { fileId: string; sha256: string; kind: string }[] = [];
  for (const f of entry.files) {
    if (ctx.stopped()) throw stoppedFailure();
    const fileId = f.remote_file_id ?? (await upload(ctx, entry, f, externalRef));
    uploaded.push({ fileId, sha256: f.sha256, kind: f.kind });
  }
  if (uploaded.length) payload.files = uploaded;
  // A look-up or uploads went first (they can take long): the post goes only under a lease still
  // held. (Otherwise the sender checked it right before this call.)
  if ((looked || entry.files.length) && !(await ctx.holdLease())) throw new LeaseLost(entry.id, 'posting');
  const r = await http.postCase(payload, entry.idempotency_key);
  return { targetCaseNo: r.caseNo, via: r.duplicate ? 'duplicate' : 'answer' };
}

/**
 * What the protocol adds to every mapped payload (docs/sync-protocol.md): `revision` from the
 * second revision of a case on (absent = 1), and the status change a revision carries.
 */
function protocolFields(entry: Claimed, doc: Pick<CaseDocument, 'statusChange'>): Record<string, unknown> {
  const c = doc.statusChange;
  return {
    ...(entry.revision > 1 ? { revision: entry.revision } : {}),
    ...(c ? { statusChange: { status: c.status, statusLabel: c.statusLabel, action: c.action, previousStatus: c.previousStatus, legalBasis: c.legalBasis, reason: c.reason, at: c.at, ...(c.items ? { items: c.items } : {}) } } : {}),
  };
}

/**
 * Does the case the look-up found hold this entry? A target that reports the revisions it stored
 * answers that; one that does not proves only that some revision arrived — enough for the first
 * one, and for a later one only when no earlier revision was delivered (else the later one is
 * posted again: a status change told twice is better than never).
 */
function holdsRevision(ctx: DeliverContext, entry: Claimed, item: LookupItem): boolean {
  if (Array.isArray(item.revisions)) return item.revisions.includes(entry.revision);
  if (entry.revision === 1) return true;
  const earlier = ctx.deps.db
    .prepare(
      `SELECT 1 FROM outbox_entries WHERE case_id = ? AND target_id = ? AND kind = ? AND subject = ? AND revision < ? AND state = 'acknowledged' LIMIT 1`,
    )
    .get(entry.case_id, entry.target_id, entry.kind, entry.subject, entry.revision);
  return !earlier;
}

/** The sender is stopping: no further request of this attempt is started. */
function stoppedFailure(): ConnectorFailure {
  return new ConnectorFailure({ kind: 'retry', status: 0, retryAfterMs: null, message: '发送已停止' }, { ended: 'stopped' });
}

/**
 * Uploads one file from where the target says it stands; a cut chunk is simply sent again next time.
 * One `sync.upload` line per upload attempt, however it ended: where it resumed, how far it got,
 * what it put on the wire, and why it ended (attempt-end.ts: `ended`, with the request and how long
 * it had run when a request ended it).
 */
async function upload(ctx: DeliverContext, entry: Claimed, f: UploadRow, externalRef: string): Promise<string> {
  const { http, deps, cfg, store } = ctx;
  const record = async (p: { uploadId: string | null; sentBytes: number; remoteFileId: string | null }) => {
    const held = await store.recordUpload({ entryId: entry.id, sha256: f.sha256, ...p, owner: ctx.owner, attempt: entry.attempts, leaseUntilMs: ctx.nowMs() + cfg.leaseMs });
    // Recovered or claimed again meanwhile: that claim goes on from the recorded progress; this one stops.
    if (!held) throw new LeaseLost(entry.id, 'the next chunk');
  };
  const asRetry = (e: unknown): never => {
    // Upload steps are idempotent by offset: a cut or lost answer is retried, not "unknown".
    if (e instanceof ConnectorFailure && e.failure.kind === 'maybe_sent') throw new ConnectorFailure({ kind: 'retry', status: 0, retryAfterMs: null, message: `上传“${f.name}”中断：${e.message}` }, e.end);
    throw e;
  };
  const t = { chunk: 0, from: f.sent_bytes, to: f.sent_bytes, bytesPut: 0, chunks: 0, readMs: null as number | null };
  let end: AttemptEnd | null = null;
  try {
    let st = f.upload_id ? await http.uploadStatus(f.upload_id, f.size) : null;
    st ??= await http.startUpload({ sha256: f.sha256, size: f.size, name: f.name, externalRef });
    t.from = t.to = st.received;
    if (st.complete && st.fileId) {
      await record({ uploadId: st.uploadId, sentBytes: f.size, remoteFileId: st.fileId });
      end = { ended: 'completed' };
      return st.fileId;
    }
    await record({ uploadId: st.uploadId, sentBytes: st.received, remoteFileId: null });
    const chunk = (t.chunk = Math.max(1024, Math.min(cfg.chunkBytes, st.chunkSize ?? cfg.chunkBytes)));
    // The plaintext (the target checks what it receives): the stored file opened and checked against its hash.
    // Read without blocking the main thread (FileStore.read): seconds for a 200 MB scan on a loaded machine.
    let bytes: Buffer;
    const reading = performance.now();
    try {
      bytes = await ctx.files.read(f.sha256);
      t.readMs = Math.round(performance.now() - reading);
    } catch (e) {
      throw new FileUnreadable(`文件“${f.name}”缺失或已损坏，无法上传（${String(e)}）`);
    }
    if (bytes.length !== f.size) throw new FileUnreadable(`文件“${f.name}”与登记的大小不符（${bytes.length} / ${f.size} 字节）`);
    let offset = st.received;
    while (offset < f.size) {
      if (ctx.stopped()) throw stoppedFailure();
      const piece = bytes.subarray(offset, Math.min(offset + chunk, f.size));
      t.bytesPut += piece.length;
      t.chunks++;
      const next = await http.putChunk(st.uploadId, offset, piece);
      t.to = offset = next;
      await record({ uploadId: st.uploadId, sentBytes: next, remoteFileId: null });
    }
    const fileId = await http.completeUpload(st.uploadId);
    await record({ uploadId: st.uploadId, sentBytes: f.size, remoteFileId: fileId });
    end = { ended: 'completed' };
    return fileId;
  } catch (e) {
    end = endOf(e);
    return asRetry(e);
  } finally {
    deps.logger.info('sync.upload', { entry: entry.id, attempt: entry.attempts, sha256: f.sha256, size: f.size, ...t, recordedBefore: f.sent_bytes, ...(end ?? { ended: 'error' }) });
  }
}
