import fs from 'node:fs';
import path from 'node:path';
import { createHash, type Hash } from 'node:crypto';
import {
  FORMAT,
  INDEX_SEGMENT_BYTES,
  REC,
  SEGMENT_BYTES,
  indexName,
  manifestName,
  partName,
  segmentsPerPart,
  type AckRecord,
  type EntryRecord,
  type IndexItem,
  type ManifestBody,
} from './bundle-format';
import { bundleCipher, senderKey, type SegmentCipher } from './bundle-crypto';
import { ChunkPipeline } from './chunk-pipeline';
import { fingerprint, signBytes, type DeskCard, type DeskKeys } from './desk-keys';
import { ensureDirDurably, fsyncDir, writeAll, writeFileDurably } from '../../store/durable-write';

export interface WriterOptions {
  outDir: string;
  bundleId: string;
  chunkBytes: number;
  me: DeskKeys;
  peer: DeskCard;
  seq: number;
  prevHash: string;
  createdAt: Date;
  expiresAt: Date;
  peerApplied: ManifestBody['peerApplied'];
  /** This desk's latest signed audit head, carried for the peer to witness. */
  auditHead?: ManifestBody['auditHead'];
}

export interface WrittenBundle {
  bundleId: string;
  manifestFile: string;
  manifestHash: string;
  parts: number;
  bytes: number;
  counts: ManifestBody['counts'];
}

/** Segment buffers of the part stream: one filling, two being sealed and written. */
const DEPTH = 3;

/** A part file being written: a temp name, renamed once its last segment is flushed. */
interface OpenPart {
  index: number;
  tmp: string;
  fh: fs.promises.FileHandle;
  hash: Hash;
  size: number;
}

/**
 * Streams a bundle into a folder. Records go into the part stream, cut into segments; each full
 * segment is sealed and hashed here, then appended to its part file on libuv's thread pool while
 * the next segment fills — file bytes are read straight into the segment. A part is flushed and
 * renamed into place when its last segment is written. The index (a line per entry and file) is
 * a second sealed stream, written to `<id>.index` as it grows. Memory: three segments (1 MB) and
 * one index segment, whatever the number of entries, the size of files or the chunk size.
 * The manifest is written last: a folder without it holds no bundle.
 */
export class BundleWriter {
  private readonly cipher: SegmentCipher;
  private readonly ephemeralPub: string;
  private readonly parts: ManifestBody['parts'] = [];
  private readonly segmentBytes: number;
  private readonly perPart: number;
  private part: OpenPart | null = null;
  private readonly stream: ChunkPipeline;
  private readonly index: ChunkPipeline;
  private readonly indexTmp: string;
  private indexFile: fs.promises.FileHandle | null = null;
  private readonly indexHash = createHash('sha256');
  private indexSize = 0;
  private readonly acksHash = createHash('sha256');
  private readonly counts = { entries: 0, files: 0, acks: 0 };
  private done = false;
  private readonly myFp: string;
  private readonly peerFp: string;

  constructor(private readonly o: WriterOptions) {
    this.myFp = fingerprint(o.me.card);
    this.peerFp = fingerprint(o.peer);
    // The hall's choice made at setup: an SM2 desk encrypts with SM4 (商用密码), an Ed25519 one with AES.
    const alg = o.me.card.signAlg === 'sm2-sm3' ? 'x25519-hkdf-sm3-sm4-cbc-hmac-sm3' : 'x25519-hkdf-sha256-aes-256-gcm';
    const k = senderKey(o.bundleId, this.myFp, this.peerFp, o.peer.boxPub, alg);
    this.cipher = bundleCipher(alg, k.key, o.bundleId);
    this.ephemeralPub = k.ephemeralPub;
    ensureDirDurably(o.outDir);
    this.indexTmp = path.join(o.outDir, `.tmp-${indexName(o.bundleId)}`);
    this.segmentBytes = Math.min(o.chunkBytes, SEGMENT_BYTES);
    this.perPart = segmentsPerPart(o.chunkBytes, this.segmentBytes);
    this.stream = new ChunkPipeline(this.segmentBytes, DEPTH, (i, plain, last) => this.writeSegment(i, plain, last));
    this.index = new ChunkPipeline(INDEX_SEGMENT_BYTES, 2, (i, plain, last) => this.appendIndex(i, plain, last));
  }

  async addEntry(e: EntryRecord): Promise<void> {
    const hdr = Buffer.from(JSON.stringify(e));
    await this.indexItem(['E', e.key, createHash('sha256').update(hdr).digest('hex')]);
    await this.record(REC.entry, hdr);
    this.counts.entries++;
  }

  /**
   * Streams a file into the bundle, checking on the way that it still has its hash: the plaintext of
   * a stored file (FileStore.get opens its seal), or a file in clear by path.
   */
  async addFile(sha256: string, size: number, mime: string, content: string | Uint8Array): Promise<void> {
    await this.indexItem(['F', sha256, size]);
    await this.record(REC.file, Buffer.from(JSON.stringify({ sha256, size, mime })));
    const fd = typeof content === 'string' ? fs.openSync(content, 'r') : null;
    try {
      const have = fd === null ? (content as Uint8Array).length : fs.fstatSync(fd).size;
      if (have !== size) throw new Error(`file ${sha256} has ${have} bytes, not the ${size} recorded`);
      const h = createHash('sha256');
      let left = size;
      while (left > 0) {
        const room = await this.stream.room();
        const want = Math.min(room.length, left);
        let n = want;
        if (fd === null) room.set((content as Uint8Array).subarray(size - left, size - left + want));
        else n = fs.readSync(fd, room, 0, want, null);
        if (n === 0) throw new Error(`file ${sha256} is shorter than recorded (${size} bytes)`);
        h.update(room.subarray(0, n));
        this.stream.commit(n);
        left -= n;
      }
      const actual = h.digest('hex');
      if (actual !== sha256) throw new Error(`file ${sha256} is damaged (hash ${actual})`);
    } finally {
      if (fd !== null) fs.closeSync(fd);
    }
    this.counts.files++;
  }

  async addAcks(acks: AckRecord[]): Promise<void> {
    if (!acks.length) return;
    const hdr = Buffer.from(JSON.stringify(acks));
    this.acksHash.update(hdr);
    this.counts.acks += acks.length;
    await this.record(REC.acks, hdr);
  }

  async finish(): Promise<WrittenBundle> {
    if (this.done) throw new Error('bundle already finished');
    this.done = true;
    const counts = { ...this.counts };
    await this.record(REC.end, Buffer.from(JSON.stringify(counts)));
    await this.stream.finish();
    await this.indexItem(['A', this.acksHash.digest('hex')]);
    await this.index.finish();
    const fh = await this.openIndex();
    await fh.sync();
    await fh.close();
    this.indexFile = null;
    const indexFile = indexName(this.o.bundleId);
    await fs.promises.rename(this.indexTmp, path.join(this.o.outDir, indexFile));
    const body: ManifestBody = {
      format: FORMAT,
      bundleId: this.o.bundleId,
      sender: { deskId: this.o.me.card.deskId, fingerprint: this.myFp, zone: this.o.me.card.zone },
      receiver: { deskId: this.o.peer.deskId, fingerprint: this.peerFp },
      seq: this.o.seq,
      prevHash: this.o.prevHash,
      createdAt: this.o.createdAt.toISOString(),
      expiresAt: this.o.expiresAt.toISOString(),
      enc: { alg: this.cipher.alg, ephemeralPub: this.ephemeralPub, chunkBytes: this.o.chunkBytes, segmentBytes: this.segmentBytes },
      parts: this.parts,
      plainBytes: this.stream.total,
      counts,
      index: { name: indexFile, size: this.indexSize, sha256: this.indexHash.digest('hex'), segmentBytes: INDEX_SEGMENT_BYTES },
      peerApplied: this.o.peerApplied,
      ...(this.o.auditHead ? { auditHead: this.o.auditHead } : {}),
    };
    const bodyText = JSON.stringify(body);
    const sig = signBytes(this.o.me.card.signAlg, this.o.me.signKey, Buffer.from(bodyText)).toString('base64');
    const manifestFile = path.join(this.o.outDir, manifestName(this.o.bundleId));
    // The parts' and the index's renames are made durable before the manifest (written and its folder flushed by the primitive) can appear.
    fsyncDir(this.o.outDir);
    writeFileDurably(manifestFile, JSON.stringify({ format: FORMAT, alg: this.o.me.card.signAlg, body: bodyText, sig }) + '\n', { mode: 0o600 });
    return {
      bundleId: this.o.bundleId,
      manifestFile,
      manifestHash: createHash('sha256').update(bodyText).digest('hex'),
      parts: this.parts.length,
      bytes: this.parts.reduce((s, p) => s + p.size, 0) + this.indexSize,
      counts,
    };
  }

  /** Removes what was written, once nothing is in flight (an export that failed half-way leaves nothing behind). */
  async abort(): Promise<void> {
    await this.stream.settle();
    await this.index.settle();
    await this.indexFile?.close().catch(() => undefined);
    this.indexFile = null;
    if (this.part) {
      await this.part.fh.close().catch(() => undefined);
      fs.rmSync(this.part.tmp, { force: true });
      this.part = null;
    }
    const parts = Math.ceil(this.stream.chunks / this.perPart);
    for (let i = 0; i < parts; i++) fs.rmSync(path.join(this.o.outDir, partName(this.o.bundleId, i)), { force: true });
    for (const f of [this.indexTmp, path.join(this.o.outDir, indexName(this.o.bundleId)), path.join(this.o.outDir, manifestName(this.o.bundleId))]) fs.rmSync(f, { force: true });
  }

  private async record(type: number, hdr: Buffer): Promise<void> {
    const head = Buffer.allocUnsafe(5);
    head.writeUInt8(type, 0);
    head.writeUInt32BE(hdr.length, 1);
    await this.stream.write(head);
    await this.stream.write(hdr);
  }

  private indexItem(item: IndexItem): Promise<void> {
    return this.index.write(Buffer.from(JSON.stringify(item) + '\n'));
  }

  /** Seals and hashes segment i here, then appends it to its part on libuv's thread pool while the next segment fills. */
  private async writeSegment(i: number, plain: Buffer, last: boolean): Promise<void> {
    const at = { stream: 'part' as const, part: Math.floor(i / this.perPart), segment: i % this.perPart, last };
    if (at.segment === 0) {
      const tmp = path.join(this.o.outDir, `.tmp-${partName(this.o.bundleId, at.part)}`);
      this.part = { index: at.part, tmp, fh: await fs.promises.open(tmp, 'wx', 0o600), hash: createHash('sha256'), size: 0 };
    }
    const p = this.part!;
    const sealed = this.cipher.seal(at, plain);
    for (const piece of sealed) {
      p.hash.update(piece);
      p.size += piece.length;
    }
    await writeAll(p.fh, sealed);
    if (at.segment === this.perPart - 1 || last) {
      await p.fh.sync();
      await p.fh.close();
      this.part = null;
      const name = partName(this.o.bundleId, p.index);
      await fs.promises.rename(p.tmp, path.join(this.o.outDir, name));
      this.parts.push({ name, size: p.size, sha256: p.hash.digest('hex') });
    }
  }

  private async appendIndex(i: number, plain: Buffer, last: boolean): Promise<void> {
    const sealed = this.cipher.seal({ stream: 'index', part: 0, segment: i, last }, plain);
    for (const piece of sealed) this.indexHash.update(piece);
    this.indexSize += sealed[0].length + sealed[1].length;
    const fh = await this.openIndex();
    await writeAll(fh, sealed);
  }

  private async openIndex(): Promise<fs.promises.FileHandle> {
    this.indexFile ??= await fs.promises.open(this.indexTmp, 'wx', 0o600);
    return this.indexFile;
  }
}
