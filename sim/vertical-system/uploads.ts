/**
 * Chunked uploads of one target. A chunk is stored all-or-nothing: its bytes are written into the
 * part file after the committed offset and fsynced, and only then is the new offset committed to
 * SQLite. A cut mid-chunk (client gone, or the cutUploadAfterBytes fault) truncates the part file
 * back to the committed offset. Nothing is held in memory: bodies stream to disk, the final hash
 * streams from disk, so 200 MB+ files are fine.
 */
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import type http from 'node:http';
import { createHash } from 'node:crypto';
import type { SimStore, UploadRow } from './store';
import { errorBody, type Body } from '../http-util';
import type { Stats } from './types';

export interface UploadContext {
  target: string;
  chunkSize: number;
  store: SimStore;
  stats: Stats;
  /** Replies (after the target's configured delay). */
  send(status: number, body: unknown): void;
  /** Takes one cut from the cutUploadAfterBytes fault, if any is left: the byte count to cut after. */
  cutAfter(): number | null;
  /** Returns an unused cut (the chunk ended before the cut point). */
  cutNotUsed(): void;
}

/**
 * PUTs and completes of one upload run one at a time: a second one waits until the first is
 * settled (including the clean-up after a cut), then sees the committed offset.
 */
const inflight = new Map<string, Promise<void>>();

async function exclusive(id: string, fn: () => Promise<void>): Promise<void> {
  while (inflight.has(id)) await inflight.get(id);
  const run = fn().finally(() => inflight.delete(id));
  inflight.set(
    id,
    run.catch(() => undefined),
  );
  return run;
}

const SHA256 = /^[0-9a-f]{64}$/;

const notFound = (ctx: UploadContext) => ctx.send(404, errorBody('upload_not_found', '上传任务不存在（可能已因校验失败被作废）'));

export function createUpload(ctx: UploadContext, body: Body): void {
  const sha256 = typeof body.sha256 === 'string' ? body.sha256.toLowerCase() : '';
  if (!SHA256.test(sha256)) return ctx.send(422, errorBody('invalid_sha256', '文件校验值（sha256）须为 64 位十六进制', 'sha256'));
  const size = body.size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)
    return ctx.send(422, errorBody('invalid_size', '文件大小（size）须为非负整数', 'size'));
  const name = typeof body.name === 'string' ? body.name.trim() : '';
  if (!name || name.length > 255) return ctx.send(422, errorBody('invalid_name', '文件名（name）不能为空且不超过 255 个字符', 'name'));
  const externalRef = typeof body.externalRef === 'string' ? body.externalRef : null;

  const existing = ctx.store.uploadBySha(ctx.target, sha256);
  if (existing?.fileId) return ctx.send(200, { uploadId: existing.id, complete: true, fileId: existing.fileId });
  if (existing && existing.size === size) {
    return ctx.send(200, { uploadId: existing.id, received: existing.received, size: existing.size, chunkSize: ctx.chunkSize, complete: false });
  }
  const u = ctx.store.createUpload(ctx.target, { sha256, size, name, externalRef });
  ctx.send(201, { uploadId: u.id, received: 0, chunkSize: ctx.chunkSize });
}

export function uploadStatus(ctx: UploadContext, id: string): void {
  const u = ctx.store.upload(ctx.target, id);
  if (!u) return notFound(ctx);
  ctx.send(200, { uploadId: u.id, received: u.received, size: u.size, complete: !!u.fileId, ...(u.fileId ? { fileId: u.fileId } : {}) });
}

export function putChunk(ctx: UploadContext, id: string, offsetParam: string | null, req: http.IncomingMessage): Promise<void> {
  return exclusive(id, () => storeChunk(ctx, id, offsetParam, req));
}

async function storeChunk(ctx: UploadContext, id: string, offsetParam: string | null, req: http.IncomingMessage): Promise<void> {
  const u = ctx.store.upload(ctx.target, id);
  if (!u) return notFound(ctx);
  if (u.fileId) return ctx.send(409, { received: u.received, complete: true });
  const offset = offsetParam !== null && /^\d+$/.test(offsetParam) ? Number(offsetParam) : NaN;
  if (!Number.isSafeInteger(offset)) return ctx.send(400, errorBody('invalid_offset', '缺少或无效的 offset 参数'));
  if (offset !== u.received) return ctx.send(409, { received: u.received });
  const declared = req.headers['content-length'] !== undefined ? Number(req.headers['content-length']) : null;
  if (declared !== null && offset + declared > u.size)
    return ctx.send(422, errorBody('chunk_too_large', `分片超出声明的文件大小（${u.size} 字节）`, 'size'));

  const socket = req.socket;
  const file = ctx.store.partFile(id);
  let fh: fsp.FileHandle | null = null;
  let committed = false;
  let tooLarge = false;
  try {
    fh = await fsp.open(file, 'r+');
    await fh.truncate(u.received); // whatever an earlier cut or crash left beyond the committed offset
    const cutAt = ctx.cutAfter();
    let cut = false;
    let bodyBytes = 0;
    let pos = offset;
    try {
      for await (const chunk of req as AsyncIterable<Buffer>) {
        if (tooLarge) continue; // drain, then answer 422
        let buf = chunk;
        if (cutAt !== null && bodyBytes + buf.length > cutAt) {
          buf = buf.subarray(0, cutAt - bodyBytes);
          cut = true;
        }
        if (pos + buf.length > u.size) {
          tooLarge = true;
          continue;
        }
        if (buf.length) await fh.write(buf, 0, buf.length, pos);
        pos += buf.length;
        bodyBytes += buf.length;
        if (cut) break;
      }
    } catch {
      // the client went away mid-chunk: nothing of this chunk is stored
      if (cutAt !== null && !cut) ctx.cutNotUsed();
      return;
    }
    if (cut) {
      // Undo first, then cut: a client that retries at once finds the offset already settled.
      ctx.stats.uploadsCut++;
      await fh.truncate(u.received);
      await fh.sync();
      socket.destroy();
      return;
    }
    if (cutAt !== null) ctx.cutNotUsed();
    if (tooLarge) return ctx.send(422, errorBody('chunk_too_large', `分片超出声明的文件大小（${u.size} 字节）`, 'size'));
    await fh.sync();
    ctx.store.setReceived(id, pos);
    committed = true;
    ctx.send(200, { received: pos });
  } finally {
    if (fh) {
      if (!committed) {
        await fh.truncate(u.received).catch(() => undefined);
        await fh.sync().catch(() => undefined);
      }
      await fh.close().catch(() => undefined);
    }
  }
}

export function completeUpload(ctx: UploadContext, id: string): Promise<void> {
  return exclusive(id, () => verifyAndComplete(ctx, id));
}

async function verifyAndComplete(ctx: UploadContext, id: string): Promise<void> {
  const u = ctx.store.upload(ctx.target, id);
  if (!u) return notFound(ctx);
  if (u.fileId) return ctx.send(200, { fileId: u.fileId, sha256: u.sha256 });
  if (u.received !== u.size)
    return ctx.send(409, { received: u.received, size: u.size, ...errorBody('upload_incomplete', `文件尚未传完（已接收 ${u.received} / ${u.size} 字节）`) });
  const actual = await hashStored(ctx.store.partFile(id), u);
  if (actual !== u.sha256) {
    ctx.store.discardUpload(id);
    return ctx.send(422, errorBody('hash_mismatch', '已接收文件的校验值与声明的 SHA-256 不一致，本次上传已作废，请重新上传', 'sha256'));
  }
  const fileId = ctx.store.markComplete(id);
  ctx.stats.uploadsComplete++;
  ctx.send(200, { fileId, sha256: u.sha256 });
}

/** sha256 of the committed bytes, streamed from disk. */
function hashStored(file: string, u: UploadRow): Promise<string> {
  const hash = createHash('sha256');
  if (u.received === 0) return Promise.resolve(hash.digest('hex'));
  return new Promise((resolve, reject) => {
    fs.createReadStream(file, { start: 0, end: u.received - 1 })
      .on('data', (c) => hash.update(c))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
