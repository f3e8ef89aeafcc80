import { createHash } from 'node:crypto';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubConnector } from './hub-connector';

/**
 * Content-addressed files between a desk and the hub (docs/hub.md: files travel once). Before a
 * case is pushed, the desk asks the hub by SHA-256 which of the case's files it lacks and how many
 * bytes of each it already has; it sends only the rest, in chunks, each a signed request appended
 * at the hub's offset. A cut upload (the hub or the network gone mid-file) resumes at the offset the
 * hub committed; a file the hub holds — sent by this desk for another case, or by another desk —
 * is never sent again. The hub checks the SHA-256 of the whole before it calls a file complete.
 */

export const FILE_CHUNK_BYTES = 1024 * 1024;

export interface FileRef {
  sha256: string;
  size: number;
  mime: string;
}

export interface UploadStats {
  /** Files the hub lacked (wholly or partly) when asked. */
  files: number;
  /** Bytes sent in chunks. */
  bytes: number;
  /** The offset each file's upload started at (the hub's `have`). */
  startedAt: Record<string, number>;
}

interface FileState {
  sha256: string;
  have: number;
  complete: boolean;
}

/** Which of these files the hub lacks, and how much of each it has. */
export async function hubFileStates(hub: HubConnector, files: readonly FileRef[]): Promise<FileState[]> {
  const r = await hub.request('POST', '/v1/files/query', { files: files.map((f) => ({ sha256: f.sha256, size: f.size, mime: f.mime })) });
  if (r.status !== 200) hub.fail(r);
  return (r.json as { files: FileState[] }).files;
}

/** Uploads in flight on this desk, per file: two cases holding one file (pushed at once) send it once. */
const uploading = new Map<string, Promise<void>>();

/** Uploads what the hub lacks of these files. Throws ConnectorFailure as any hub request does (the entry is retried or resolved). */
export async function uploadCaseFiles(hub: HubConnector, files: readonly FileRef[], chunkBytes = FILE_CHUNK_BYTES): Promise<UploadStats> {
  const stats: UploadStats = { files: 0, bytes: 0, startedAt: {} };
  const byHash = new Map(files.map((f) => [f.sha256, f]));
  for (const s of await hubFileStates(hub, files)) {
    const f = byHash.get(s.sha256);
    if (!f || s.complete) continue;
    let first = s;
    for (let other = uploading.get(f.sha256); other; other = uploading.get(f.sha256)) {
      // Another push of this desk is sending it: wait for that one, then ask the hub again.
      await other.catch(() => undefined);
      first = (await hubFileStates(hub, [f]))[0]!;
    }
    if (first.complete) continue;
    const p = uploadOne(hub, f, first.have, chunkBytes, stats);
    uploading.set(f.sha256, p);
    try {
      await p;
    } finally {
      uploading.delete(f.sha256);
    }
  }
  return stats;
}

async function uploadOne(hub: HubConnector, f: FileRef, have: number, chunkBytes: number, stats: UploadStats): Promise<void> {
  if (!hub.files) throw new ConnectorFailure({ kind: 'not_sent', message: '本机文件库不可用，不能向全厅中心上传文件' });
  let bytes: Buffer;
  try {
    bytes = await hub.files.read(f.sha256); // checks the hash (a damaged file is never sent), a slice at a time without blocking the main thread
  } catch {
    // Sending again will not mend it: parked with the reason, for the clerk (the case's later entries go on).
    throw new ConnectorFailure({ kind: 'rejected', status: 0, field: null, message: `本机文件 ${f.sha256} 缺失或已损坏，无法上传到全厅中心。` });
  }
  stats.files++;
  stats.startedAt[f.sha256] = have;
  let offset = have;
  do {
    const chunk = bytes.subarray(offset, Math.min(offset + chunkBytes, f.size));
    const r = await hub.requestRaw('PUT', `/v1/files/${f.sha256}?offset=${offset}&size=${f.size}&mime=${encodeURIComponent(f.mime)}`, { bytes: chunk, type: 'application/octet-stream' });
    const json = parse(r.raw) as { have?: number; complete?: boolean } | null;
    if (r.status === 201) stats.bytes += chunk.length;
    else if (!((r.status === 200 || r.status === 409) && typeof json?.have === 'number')) hub.fail({ status: r.status, json });
    // Appended, held already, or the hub holds another amount (an earlier cut attempt did commit): go on from the hub's offset.
    if (json?.complete) break;
    offset = json!.have!;
  } while (offset < f.size);
}

/** Fetches one file from the hub in chunks and checks its SHA-256; the bytes, or a thrown error. */
export async function downloadFile(hub: HubConnector, f: FileRef, chunkBytes = FILE_CHUNK_BYTES): Promise<Buffer> {
  const parts: Buffer[] = [];
  let offset = 0;
  do {
    const r = await hub.requestRaw('GET', `/v1/files/${f.sha256}?offset=${offset}&length=${chunkBytes}`, null);
    if (r.status !== 200 || !r.type.startsWith('application/octet-stream')) hub.fail({ status: r.status, json: parse(r.raw) });
    if (r.raw.length === 0 && offset < f.size) throw new Error(`hub file ${f.sha256} ended at ${offset} of ${f.size} bytes`);
    parts.push(r.raw);
    offset += r.raw.length;
  } while (offset < f.size);
  const bytes = Buffer.concat(parts);
  const actual = createHash('sha256').update(bytes).digest('hex');
  if (bytes.length !== f.size || actual !== f.sha256) throw new Error(`hub file ${f.sha256}: got ${bytes.length} bytes hashing to ${actual}`);
  return bytes;
}

function parse(raw: Buffer): unknown {
  try {
    return raw.length ? JSON.parse(raw.toString('utf8')) : null;
  } catch {
    return null;
  }
}
