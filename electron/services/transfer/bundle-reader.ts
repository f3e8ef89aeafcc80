import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes, type Hash } from 'node:crypto';
import { z } from 'zod';
import {
  BundleRefused,
  MAX_HEADER_BYTES,
  MAX_MANIFEST_BYTES,
  ManifestBody,
  ManifestFile,
  REC,
  type AckRecord,
  type BundleIndex,
  type EntryRecord,
} from './bundle-format';
import { INDEX_NONCE, open, receiverKey } from './bundle-crypto';
import { fingerprint, verifyBytes, type DeskCard, type DeskKeys } from './desk-keys';

export interface VerifyContext {
  me: DeskKeys;
  /** The paired peer; null = no peer yet (everything is refused). */
  peer: DeskCard | null;
  now: Date;
  /** A folder to stage into (one sub-folder per attempt, removed by the caller). */
  stagingRoot: string;
}

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
 * signature, receiver, expiry (readManifest), then every part's size and hash, its AEAD
 * seal at its place, every entry's and file's hash against the sealed index, and the end
 * record. Throws BundleRefused (and removes the staging folder) at the first problem.
 */
export function verifyToStaging(manifestFile: string, ctx: VerifyContext): StagedBundle {
  const { body, manifestHash } = readManifest(manifestFile, ctx);
  const dir = path.join(ctx.stagingRoot, `${body.bundleId}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const filesDir = path.join(dir, 'files');
  fs.mkdirSync(filesDir, { recursive: true });
  try {
    const key = receiverKey(body.bundleId, body.sender.fingerprint, body.receiver.fingerprint, ctx.me.boxKey, body.enc.ephemeralPub);
    let index: BundleIndex;
    try {
      index = JSON.parse(open(key, body.bundleId, INDEX_NONCE, true, Buffer.from(body.index, 'base64')).toString('utf8')) as BundleIndex;
    } catch {
      throw refuse('tampered', '交换包无法解密：不是加密给本机的，或已被改动。');
    }
    if (index.entries.length !== body.counts.entries || index.files.length !== body.counts.files) throw refuse('tampered', '交换包的索引与清单不一致。');
    const parser = new RecordParser(index, path.join(dir, 'entries.jsonl'), path.join(dir, 'acks.jsonl'), filesDir);
    const folder = path.dirname(manifestFile);
    try {
      body.parts.forEach((p, i) => {
        const file = path.join(folder, p.name);
        let sealed: Buffer;
        try {
          const st = fs.statSync(file);
          if (st.size !== p.size) throw refuse('missing_part', `分片 ${p.name} 不完整（应为 ${p.size} 字节，实为 ${st.size} 字节）。`, { part: p.name });
          sealed = fs.readFileSync(file);
        } catch (e) {
          if (e instanceof BundleRefused) throw e;
          throw refuse('missing_part', `缺少分片 ${p.name}（共 ${body.parts.length} 个），请把整个交换包一起拷贝。`, { part: p.name });
        }
        if (createHash('sha256').update(sealed).digest('hex') !== p.sha256) throw refuse('tampered', `分片 ${p.name} 的哈希不符：内容已被改动或顺序被调换。`, { part: p.name });
        let plain: Buffer;
        try {
          plain = open(key, body.bundleId, i, i === body.parts.length - 1, sealed);
        } catch {
          throw refuse('tampered', `分片 ${p.name} 解密校验失败：内容已被改动或顺序被调换。`, { part: p.name });
        }
        parser.feed(plain);
      });
      parser.end(body);
    } finally {
      parser.close();
    }
    return { dir, body, manifestHash, entriesFile: path.join(dir, 'entries.jsonl'), acksFile: path.join(dir, 'acks.jsonl'), filesDir };
  } catch (e) {
    fs.rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

/** The record stream, parsed incrementally: headers are small, file bytes go straight to disk. */
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
  private fileFd: number | null = null;
  private fileHash: Hash | null = null;
  private fileInfo: { sha256: string; size: number } | null = null;
  private fileLeft = 0;
  private readonly entriesFd: number;
  private readonly acksFd: number;

  constructor(
    private readonly index: BundleIndex,
    entriesFile: string,
    acksFile: string,
    private readonly filesDir: string,
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
        fs.writeSync(this.fileFd!, part);
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
      const buf = Buffer.concat(this.acc);
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
      const want = this.index.entries[this.entries];
      const hash = createHash('sha256').update(hdr).digest('hex');
      if (!want || want.hash !== hash) throw refuse('tampered', `第 ${this.entries + 1} 条记录的哈希与索引不符。`);
      const e = EntrySchema.safeParse(json());
      if (!e.success || e.data.key !== want.key) throw refuse('tampered', `第 ${this.entries + 1} 条记录的内容与索引不符。`);
      fs.writeSync(this.entriesFd, JSON.stringify(e.data satisfies EntryRecord) + '\n');
      this.entries++;
    } else if (this.type === REC.file) {
      const f = json() as { sha256?: unknown; size?: unknown };
      const want = this.index.files[this.files];
      if (!want || f.sha256 !== want.sha256 || f.size !== want.size || !/^[0-9a-f]{64}$/.test(want.sha256)) throw refuse('tampered', `第 ${this.files + 1} 个文件与索引不符。`);
      this.fileInfo = want;
      this.fileHash = createHash('sha256');
      this.fileFd = fs.openSync(path.join(this.filesDir, want.sha256), 'w');
      this.fileLeft = want.size;
      if (this.fileLeft === 0) this.closeFile();
      else this.state = 'payload';
    } else if (this.type === REC.acks) {
      this.acksHash.update(hdr);
      const a = AckSchema.safeParse(json());
      if (!a.success) throw refuse('tampered', '交换包中的回执记录已损坏。');
      for (const x of a.data as AckRecord[]) fs.writeSync(this.acksFd, JSON.stringify(x) + '\n');
      this.acks += a.data.length;
    } else if (this.type === REC.end) {
      this.state = 'ended';
    } else {
      throw refuse('tampered', '交换包中有未知类型的记录。');
    }
  }

  private closeFile(): void {
    const actual = this.fileHash!.digest('hex');
    fs.closeSync(this.fileFd!); // flushed when moved into the file store (import-bundle.ts)
    this.fileFd = null;
    if (actual !== this.fileInfo!.sha256) throw refuse('tampered', `文件 ${this.fileInfo!.sha256.slice(0, 12)}… 的哈希不符。`);
    this.files++;
    this.state = 'head';
    this.need = 5;
  }

  end(body: ManifestBody): void {
    if (this.state !== 'ended') throw refuse('missing_part', '交换包不完整：没有读到结束记录。');
    if (this.plain !== body.plainBytes) throw refuse('tampered', '交换包的长度与清单不符。');
    if (this.entries !== body.counts.entries || this.files !== body.counts.files || this.acks !== body.counts.acks)
      throw refuse('tampered', '交换包中的记录数与清单不符。');
    if (this.acksHash.digest('hex') !== this.index.acksHash && body.counts.acks > 0) throw refuse('tampered', '回执记录的哈希与索引不符。');
  }

  close(): void {
    if (this.fileFd !== null) fs.closeSync(this.fileFd);
    fs.closeSync(this.entriesFd);
    fs.closeSync(this.acksFd);
  }
}
