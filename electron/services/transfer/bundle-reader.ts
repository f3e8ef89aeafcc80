import fs from 'node:fs';
import { openSealed } from '../files/file-cipher';
import path from 'node:path';
import { writeAllSync } from '../../store/durable-write';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { z } from 'zod';
import {
  BundleRefused,
  FORMAT,
  MAX_HEADER_BYTES,
  MAX_INDEX_LINE,
  MAX_MANIFEST_BYTES,
  ManifestBody,
  ManifestFile,
  REC,
  indexName,
  partName,
  segmentsPerPart,
  type AckRecord,
  type EntryRecord,
  type IndexItem,
} from './bundle-format';
import { bundleCipher, receiverKey, sealedSize, type SegmentAt, type SegmentCipher } from './bundle-crypto';
import { fingerprint, verifyBytes, type DeskCard, type DeskKeys } from './desk-keys';
import { stagingFiles, type StagingFiles } from './staging-files';
import { judgeImage } from '../images/image-check';
import { progress } from '../../log/progress';

export interface VerifyContext {
  me: DeskKeys;
  /** The paired peer; null = no peer yet (everything is refused). */
  peer: DeskCard | null;
  now: Date;
  /** A folder to stage into (one sub-folder per attempt, removed by the caller). */
  stagingRoot: string;
  /** Write the staged files in a worker thread (default: for bundles of 16 MB or more). */
  stagingThread?: boolean;
  /** The file store's key: staged files are sealed as they are written (staging-files.ts); absent, in clear. */
  fileKey?: Buffer | null;
}

/** From this much plaintext on, staged files are written in a worker thread (starting one costs ~30 ms). */
const THREADED_STAGING_BYTES = 16 * 1024 * 1024;

/** A bundle verified in full: its manifest, and its content in a staging folder. */
export interface StagedBundle {
  dir: string;
  body: ManifestBody;
  manifestHash: string;
  entriesFile: string;
  acksFile: string;
  filesDir: string;
}

const EntrySchema = z.object({
  key: z.string().min(1).max(400),
  target: z.object({ id: z.string().min(1), name: z.string(), kind: z.string() }),
  kind: z.enum(['case', 'query']),
  subject: z.string(),
  revision: z.number().int().min(1),
  caseNo: z.string().min(1),
  document: z.string(),
  createdAt: z.string(),
  files: z.array(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string(), kind: z.string(), size: z.number().int(), mime: z.string() })),
  outboxFiles: z.array(z.object({ sha256: z.string().regex(/^[0-9a-f]{64}$/), name: z.string(), kind: z.string(), size: z.number().int() })),
});
const AckSchema = z.array(
  z.object({
    key: z.string().min(1),
    state: z.enum(['received', 'acknowledged', 'parked']),
    targetCaseNo: z.string().nullish(),
    at: z.string().nullish(),
    reason: z.string().nullish(),
  }),
);

const refuse = (code: ConstructorParameters<typeof BundleRefused>[0], msg: string, detail: Record<string, unknown> = {}) => new BundleRefused(code, msg, detail);

/** Reads and checks the signed manifest only (cheap; used to list a folder and to refuse early). */
export function readManifest(manifestFile: string, ctx: Pick<VerifyContext, 'me' | 'peer' | 'now'>): { body: ManifestBody; manifestHash: string } {
  let text: string;
  try {
    const st = fs.statSync(manifestFile);
    if (st.size > MAX_MANIFEST_BYTES) throw refuse('malformed', '清单文件过大，不是本系统的交换包。', { size: st.size });
    text = fs.readFileSync(manifestFile, 'utf8');
  } catch (e) {
    if (e instanceof BundleRefused) throw e;
    throw refuse('not_found', '找不到或无法读取交换包清单文件。', { file: manifestFile, error: (e as Error).message });
  }
  let outer: unknown;
  try {
    outer = JSON.parse(text);
  } catch {
    throw refuse('malformed', '清单文件已损坏（不是有效的 JSON）。');
  }
  if (!outer || typeof outer !== 'object' || !('sig' in outer) || !(outer as { sig: unknown }).sig) throw refuse('unsigned', '交换包没有签名，已拒绝。');
  const format = (outer as { format?: unknown }).format;
  if (typeof format === 'string' && format.startsWith('pfd-transfer/') && format !== FORMAT)
    throw refuse('malformed', `交换包的格式版本（${format.slice(0, 40)}）与本机（${FORMAT}）不同，请把两台工作台升级到同一版本后在对端重新导出。`, { format });
  const file = ManifestFile.safeParse(outer);
  if (!file.success) throw refuse('malformed', '清单文件格式不符，已拒绝。', { issue: file.error.issues[0]?.message });
  const peer = ctx.peer;
  if (!peer) throw refuse('not_paired', '本机尚未与对端工作台配对，无法导入交换包。');
  if (file.data.alg !== peer.signAlg || !verifyBytes(peer.signAlg, peer.signPub, Buffer.from(file.data.body), Buffer.from(file.data.sig, 'base64')))
    throw refuse('bad_signature', '签名校验未通过：交换包不是由已配对的对端签发，或清单已被改动。');
  let parsed: unknown;
  try {
    parsed = JSON.parse(file.data.body);
  } catch {
    throw refuse('malformed', '清单内容已损坏。');
  }
  const body = ManifestBody.safeParse(parsed);
  if (!body.success) throw refuse('malformed', '清单内容格式不符，已拒绝。', { issue: body.error.issues[0]?.message, path: body.error.issues[0]?.path });
  const b = body.data;
  if (b.sender.fingerprint !== fingerprint(peer)) throw refuse('wrong_sender', '交换包的发送方不是已配对的对端工作台。', { sender: b.sender });
  if (b.receiver.fingerprint !== fingerprint(ctx.me.card)) throw refuse('wrong_receiver', `这个交换包是发给另一台工作台（${b.receiver.deskId}）的，不是本机。`, { receiver: b.receiver });
  const exp = Date.parse(b.expiresAt);
  if (!Number.isFinite(exp) || exp < ctx.now.getTime()) throw refuse('expired', `交换包已过期（有效期至 ${b.expiresAt}），请在对端重新导出。`, { expiresAt: b.expiresAt });
  return { body: b, manifestHash: createHash('sha256').update(file.data.body).digest('hex') };
}

/**
 * Verifies a whole bundle into a staging folder before anything is written to the store:
 * signature, receiver, expiry (readManifest), then every part's size and hash, every segment's
 * AEAD seal at its place, every entry's and file's hash against the sealed index, and the end
 * record. Throws BundleRefused (and removes the staging folder) at the first problem.
 *
 * Streams: the next segment is read on libuv's thread pool while this one is opened and parsed,
 * and the index is read a segment at a time beside the records — memory holds two sealed
 * segments, one opened segment and one index segment, whatever the number of entries, the size
 * of files or the chunk size.
 */
export async function verifyToStaging(manifestFile: string, ctx: VerifyContext): Promise<StagedBundle> {
  const { body, manifestHash } = readManifest(manifestFile, ctx);
  const dir = path.join(ctx.stagingRoot, `${body.bundleId}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const filesDir = path.join(dir, 'files');
  const staging = stagingFiles(filesDir, { threaded: ctx.stagingThread ?? body.plainBytes >= THREADED_STAGING_BYTES, segmentBytes: body.enc.segmentBytes, fileKey: ctx.fileKey ?? null });
  try {
    const folder = path.dirname(manifestFile);
    const { chunkBytes, segmentBytes } = body.enc;
    if (segmentBytes > chunkBytes) throw refuse('malformed', '清单中的分段大小不符，已拒绝。');
    const fullPart = segmentsPerPart(chunkBytes, segmentBytes) * sealedSize(body.enc.alg, segmentBytes);
    body.parts.forEach((p, i) => {
      const last = i === body.parts.length - 1;
      if (p.name !== partName(body.bundleId, i) || (last ? p.size > fullPart : p.size !== fullPart)) throw refuse('malformed', '清单中的分片名称或大小不符，已拒绝。', { part: p.name });
    });
    if (body.index.name !== indexName(body.bundleId)) throw refuse('malformed', '清单中的索引文件名称不符，已拒绝。', { index: body.index.name });
    let cipher: SegmentCipher;
    try {
      cipher = bundleCipher(body.enc.alg, receiverKey(body.bundleId, body.sender.fingerprint, body.receiver.fingerprint, ctx.me.boxKey, body.enc.ephemeralPub, body.enc.alg), body.bundleId);
    } catch {
      throw refuse('tampered', '交换包无法解密：不是加密给本机的，或已被改动。');
    }
    let index: IndexReader | null = null;
    let parser: RecordParser | null = null;
    const segments = new SegmentReader(folder, body);
    try {
      index = new IndexReader(path.join(folder, body.index.name), body.index, cipher);
      parser = new RecordParser(index, path.join(dir, 'entries.jsonl'), path.join(dir, 'acks.jsonl'), staging);
      for (let seg = await segments.next(); seg; seg = await segments.next()) {
        let plain: Buffer;
        try {
          plain = cipher.open(seg.at, seg.sealed);
        } catch {
          throw refuse('tampered', `分片 ${body.parts[seg.at.part]!.name} 解密校验失败：内容已被改动或顺序被调换。`, { part: body.parts[seg.at.part]!.name });
        }
        staging.segmentStart(plain);
        parser.feed(plain);
        await staging.segmentEnd();
        progress('import.segment');
      }
      parser.end(body);
      await staging.drain();
      checkStagedImages(filesDir, parser.images, ctx.fileKey ?? null);
    } finally {
      await segments.close();
      parser?.close();
      index?.close();
    }
  } catch (e) {
    await staging.close();
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
  await staging.close();
  return { dir, body, manifestHash, entriesFile: path.join(dir, 'entries.jsonl'), acksFile: path.join(dir, 'acks.jsonl'), filesDir };
}

/**
 * The sealed segments of the parts, in order: each part's size checked when it is opened and its
 * SHA-256 after its last segment; the next segment is read on libuv's thread pool (into the other
 * of two buffers) while this one is opened and parsed.
 */
class SegmentReader {
  private readonly buffers: Buffer[];
  private readonly perPart: number;
  private part = -1;
  private segment = 0;
  private offset = 0;
  private fh: fs.promises.FileHandle | null = null;
  private hash: Hash | null = null;
  private ahead: Promise<{ at: SegmentAt; sealed: Buffer } | null> | null = null;
  private flip = 0;

  constructor(
    private readonly folder: string,
    private readonly body: ManifestBody,
  ) {
    this.perPart = segmentsPerPart(body.enc.chunkBytes, body.enc.segmentBytes);
    const full = sealedSize(body.enc.alg, body.enc.segmentBytes);
    this.buffers = [Buffer.allocUnsafe(full), Buffer.allocUnsafe(full)];
  }

  /** The next sealed segment (valid until the call after next), or null after the last. */
  async next(): Promise<{ at: SegmentAt; sealed: Buffer } | null> {
    const current = await (this.ahead ?? this.read());
    this.ahead = current ? this.read() : null;
    this.ahead?.catch(() => undefined); // awaited by the next call
    return current;
  }

  async close(): Promise<void> {
    await this.ahead?.catch(() => undefined);
    await this.fh?.close().catch(() => undefined);
    this.fh = null;
  }

  private async read(): Promise<{ at: SegmentAt; sealed: Buffer } | null> {
    const parts = this.body.parts;
    if (this.fh === null) {
      if (this.part + 1 >= parts.length) return null;
      await this.openPart(++this.part);
    }
    const p = parts[this.part]!;
    const len = Math.min(sealedSize(this.body.enc.alg, this.body.enc.segmentBytes), p.size - this.offset);
    const buf = this.buffers[this.flip++ % 2]!;
    let got = 0;
    while (got < len) {
      const { bytesRead } = await this.fh!.read(buf, got, len - got, this.offset + got);
      if (bytesRead === 0) throw refuse('missing_part', `分片 ${p.name} 在读取时发生了变化。`, { part: p.name });
      got += bytesRead;
    }
    const sealed = buf.subarray(0, len);
    this.hash!.update(sealed);
    this.offset += len;
    const lastOfPart = this.offset === p.size;
    const at: SegmentAt = { stream: 'part', part: this.part, segment: this.segment++, last: lastOfPart && this.part === parts.length - 1 };
    if (lastOfPart) {
      const fh = this.fh!;
      this.fh = null;
      await fh.close();
      if (this.hash!.digest('hex') !== p.sha256) throw refuse('tampered', `分片 ${p.name} 的哈希不符：内容已被改动或顺序被调换。`, { part: p.name });
    } else if (this.segment === this.perPart) {
      throw refuse('tampered', `分片 ${p.name} 的大小与分段不符。`, { part: p.name });
    }
    return { at, sealed };
  }

  private async openPart(i: number): Promise<void> {
    const p = this.body.parts[i]!;
    try {
      this.fh = await fs.promises.open(path.join(this.folder, p.name), 'r');
    } catch {
      throw refuse('missing_part', `缺少分片 ${p.name}（共 ${this.body.parts.length} 个），请把整个交换包一起拷贝。`, { part: p.name });
    }
    const { size } = await this.fh.stat();
    if (size !== p.size) throw refuse('missing_part', `分片 ${p.name} 不完整（应为 ${p.size} 字节，实为 ${size} 字节）。`, { part: p.name });
    this.hash = createHash('sha256');
    this.segment = 0;
    this.offset = 0;
  }
}

/**
 * The sealed index, read one segment at a time as the records ask for their line: each segment
 * opens only at its place (AEAD), and the whole file must have the size and SHA-256 the signed
 * manifest names (checked at the end, before anything leaves the staging folder).
 */
class IndexReader {
  private readonly fd: number;
  private readonly hash = createHash('sha256');
  private offset = 0;
  private segment = 0;
  private lines: Buffer[] = [];
  private at = 0;
  private rest: Buffer = Buffer.alloc(0);

  constructor(
    file: string,
    private readonly spec: ManifestBody['index'],
    private readonly cipher: SegmentCipher,
  ) {
    try {
      this.fd = fs.openSync(file, 'r');
    } catch {
      throw refuse('missing_part', `缺少索引文件 ${spec.name}，请把整个交换包一起拷贝。`, { part: spec.name });
    }
    const size = fs.fstatSync(this.fd).size;
    try {
      if (size !== spec.size) throw refuse('missing_part', `索引文件 ${spec.name} 不完整（应为 ${spec.size} 字节，实为 ${size} 字节）。`, { part: spec.name });
      this.readSegment(); // the first segment opens only with this desk's key: refuse early what is not for us
    } catch (e) {
      fs.closeSync(this.fd);
      throw e;
    }
  }

  /** The next line, or null after the last one. */
  next(): IndexItem | null {
    while (this.at === this.lines.length) {
      if (!this.readSegment()) return null;
    }
    const line = this.lines[this.at++]!;
    let item: unknown;
    try {
      item = JSON.parse(line.toString('utf8'));
    } catch {
      throw refuse('tampered', '交换包的索引已损坏。');
    }
    if (!isIndexItem(item)) throw refuse('tampered', '交换包的索引已损坏。');
    return item;
  }

  /** After the last line: the file's SHA-256 must be the one the manifest names. */
  end(): void {
    if (this.next() !== null) throw refuse('tampered', '交换包的索引比记录多。');
    if (this.hash.digest('hex') !== this.spec.sha256) throw refuse('tampered', '交换包的索引文件哈希不符。');
  }

  close(): void {
    fs.closeSync(this.fd);
  }

  private readSegment(): boolean {
    if (this.offset === this.spec.size) {
      if (this.rest.length) throw refuse('tampered', '交换包的索引不完整。');
      return false;
    }
    const len = Math.min(sealedSize(this.cipher.alg, this.spec.segmentBytes), this.spec.size - this.offset);
    const sealed = Buffer.allocUnsafe(len);
    if (fs.readSync(this.fd, sealed, 0, len, this.offset) !== len) throw refuse('missing_part', `索引文件 ${this.spec.name} 在读取时发生了变化。`);
    this.hash.update(sealed);
    this.offset += len;
    let plain: Buffer;
    try {
      plain = this.cipher.open({ stream: 'index', part: 0, segment: this.segment++, last: this.offset === this.spec.size }, sealed);
    } catch {
      if (this.segment === 1) throw refuse('tampered', '交换包无法解密：不是加密给本机的，或已被改动。');
      throw refuse('tampered', '交换包的索引解密校验失败：内容已被改动。');
    }
    const data = this.rest.length ? Buffer.concat([this.rest, plain]) : plain;
    this.lines = [];
    this.at = 0;
    let from = 0;
    for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, from)) {
      this.lines.push(data.subarray(from, nl));
      from = nl + 1;
    }
    this.rest = Buffer.from(data.subarray(from));
    if (this.rest.length > MAX_INDEX_LINE) throw refuse('tampered', '交换包的索引已损坏。');
    return true;
  }
}

const SHA_RE = /^[0-9a-f]{64}$/;

function isIndexItem(x: unknown): x is IndexItem {
  if (!Array.isArray(x)) return false;
  if (x[0] === 'E') return x.length === 3 && typeof x[1] === 'string' && typeof x[2] === 'string' && SHA_RE.test(x[2]);
  if (x[0] === 'F') return x.length === 3 && typeof x[1] === 'string' && SHA_RE.test(x[1]) && Number.isSafeInteger(x[2]) && (x[2] as number) >= 0;
  if (x[0] === 'A') return x.length === 2 && typeof x[1] === 'string' && SHA_RE.test(x[1]);
  return false;
}

/**
 * Every image the bundle carries passes the desk's one image check (services/images/image-check.ts)
 * before anything of the bundle is applied: the peer's own boundary checked it when it was stored,
 * but the bundle is input to this desk, and its pages later go to this desk's PDF worker.
 */
function checkStagedImages(filesDir: string, images: readonly string[], fileKey: Buffer | null): void {
  for (const sha of images) {
    const raw = fs.readFileSync(path.join(filesDir, sha.slice(0, 2), sha));
    // Staged sealed (with the file store's key): opened in memory only.
    const bytes = fileKey ? openSealed(fileKey, sha, raw) : raw;
    if (!bytes) throw refuse('malformed', `交换包中的文件（${sha.slice(0, 12)}…）在暂存时损坏，整个交换包未导入。`, { sha256: sha });
    const v = judgeImage(bytes, '交换包中的图像');
    if ('problem' in v) throw refuse('malformed', `交换包中的图像文件（${sha.slice(0, 12)}…）${v.problem}，整个交换包未导入。`, { sha256: sha, refused: v.reason });
  }
}

/** The record stream, parsed incrementally: headers are small, file bytes go to the staging folder. */
class RecordParser {
  private state: 'head' | 'hdr' | 'payload' | 'ended' = 'head';
  private acc: Buffer[] = [];
  private accLen = 0;
  private need = 5;
  private type = 0;
  private entries = 0;
  private files = 0;
  private acks = 0;
  private plain = 0;
  private readonly acksHash = createHash('sha256');
  private fileHash: Hash | null = null;
  private fileInfo: { sha256: string; size: number } | null = null;
  private fileLeft = 0;
  /** The files the bundle calls images: each is put through the one image check once staged. */
  readonly images: string[] = [];
  private readonly entriesFd: number;
  private readonly acksFd: number;

  constructor(
    private readonly index: IndexReader,
    entriesFile: string,
    acksFile: string,
    private readonly staging: StagingFiles,
  ) {
    this.entriesFd = fs.openSync(entriesFile, 'w');
    this.acksFd = fs.openSync(acksFile, 'w');
  }

  feed(data: Buffer): void {
    this.plain += data.length;
    let off = 0;
    while (off < data.length) {
      if (this.state === 'ended') throw refuse('tampered', '交换包在结束记录之后还有多余内容。');
      if (this.state === 'payload') {
        const n = Math.min(this.fileLeft, data.length - off);
        const part = data.subarray(off, off + n);
        this.staging.piece(part);
        this.fileHash!.update(part);
        this.fileLeft -= n;
        off += n;
        if (this.fileLeft === 0) this.closeFile();
        continue;
      }
      const n = Math.min(this.need - this.accLen, data.length - off);
      this.acc.push(data.subarray(off, off + n));
      this.accLen += n;
      off += n;
      if (this.accLen < this.need) continue;
      const buf = this.acc.length === 1 ? this.acc[0]! : Buffer.concat(this.acc);
      this.acc = [];
      this.accLen = 0;
      if (this.state === 'head') {
        this.type = buf.readUInt8(0);
        this.need = buf.readUInt32BE(1);
        if (this.need > MAX_HEADER_BYTES) throw refuse('tampered', '交换包中的记录头过大。');
        this.state = 'hdr';
        if (this.need === 0) throw refuse('tampered', '交换包中有空记录。');
      } else {
        this.record(buf);
      }
    }
    // A header cut by the segment's end is kept as a copy of its bytes, not a view of the segment.
    if (this.acc.length) this.acc = [Buffer.concat(this.acc, this.accLen)];
  }

  private record(hdr: Buffer): void {
    this.need = 5;
    this.state = 'head';
    const json = (): unknown => {
      try {
        return JSON.parse(hdr.toString('utf8'));
      } catch {
        throw refuse('tampered', '交换包中的记录已损坏。');
      }
    };
    if (this.type === REC.entry) {
      const want = this.index.next();
      const hash = createHash('sha256').update(hdr).digest('hex');
      if (!want || want[0] !== 'E' || want[2] !== hash) throw refuse('tampered', `第 ${this.entries + 1} 条记录的哈希与索引不符。`);
      const e = EntrySchema.safeParse(json());
      if (!e.success || e.data.key !== want[1]) throw refuse('tampered', `第 ${this.entries + 1} 条记录的内容与索引不符。`);
      writeAllSync(this.entriesFd, Buffer.from(JSON.stringify(e.data satisfies EntryRecord) + '\n'));
      this.entries++;
    } else if (this.type === REC.file) {
      const f = json() as { sha256?: unknown; size?: unknown; mime?: unknown };
      const want = this.index.next();
      if (!want || want[0] !== 'F' || f.sha256 !== want[1] || f.size !== want[2]) throw refuse('tampered', `第 ${this.files + 1} 个文件与索引不符。`);
      if (typeof f.mime === 'string' && f.mime.startsWith('image/')) this.images.push(want[1]);
      this.fileInfo = { sha256: want[1], size: want[2] };
      this.fileHash = createHash('sha256');
      this.staging.begin(want[1]);
      this.fileLeft = want[2];
      if (this.fileLeft === 0) this.closeFile();
      else this.state = 'payload';
    } else if (this.type === REC.acks) {
      this.acksHash.update(hdr);
      const a = AckSchema.safeParse(json());
      if (!a.success) throw refuse('tampered', '交换包中的回执记录已损坏。');
      if (a.data.length) writeAllSync(this.acksFd, Buffer.from(a.data.map((x) => JSON.stringify(x satisfies AckRecord)).join('\n') + '\n'));
      this.acks += a.data.length;
    } else if (this.type === REC.end) {
      this.state = 'ended';
    } else {
      throw refuse('tampered', '交换包中有未知类型的记录。');
    }
  }

  private closeFile(): void {
    const actual = this.fileHash!.digest('hex');
    if (actual !== this.fileInfo!.sha256) throw refuse('tampered', `文件 ${this.fileInfo!.sha256.slice(0, 12)}… 的哈希不符。`);
    this.staging.end(); // flushed before it is moved into the file store (import-bundle.ts)
    this.files++;
    this.state = 'head';
    this.need = 5;
  }

  end(body: ManifestBody): void {
    if (this.state !== 'ended') throw refuse('missing_part', '交换包不完整：没有读到结束记录。');
    if (this.plain !== body.plainBytes) throw refuse('tampered', '交换包的长度与清单不符。');
    if (this.entries !== body.counts.entries || this.files !== body.counts.files || this.acks !== body.counts.acks)
      throw refuse('tampered', '交换包中的记录数与清单不符。');
    const last = this.index.next();
    if (!last || last[0] !== 'A' || last[1] !== this.acksHash.digest('hex')) throw refuse('tampered', '回执记录的哈希与索引不符。');
    this.index.end();
  }

  close(): void {
    fs.closeSync(this.entriesFd);
    fs.closeSync(this.acksFd);
  }
}
