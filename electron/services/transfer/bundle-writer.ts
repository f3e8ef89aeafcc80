import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { FORMAT, REC, manifestName, partName, type AckRecord, type BundleIndex, type EntryRecord, type ManifestBody } from './bundle-format';
import { INDEX_NONCE, seal, senderKey } from './bundle-crypto';
import { fingerprint, signBytes, type DeskCard, type DeskKeys } from './desk-keys';
import { fsyncDir, writeFileDurably } from './durable-file';

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
}

export interface WrittenBundle {
  bundleId: string;
  manifestFile: string;
  manifestHash: string;
  parts: number;
  bytes: number;
  counts: ManifestBody['counts'];
}

const READ_BYTES = 1024 * 1024;

/**
 * Streams a bundle into a folder: records go into one plaintext buffer of chunkBytes; each
 * full chunk is sealed and written as its own part file (temp name, flush, rename). Memory
 * holds one chunk, one read buffer and the index (a key and a hash per entry), never a whole file.
 * The manifest is written last: a folder without it holds no bundle.
 */
export class BundleWriter {
  private readonly key: Buffer;
  private readonly ephemeralPub: string;
  private readonly chunk: Buffer;
  private fill = 0;
  private partIndex = 0;
  private plainBytes = 0;
  private readonly parts: ManifestBody['parts'] = [];
  private readonly index: BundleIndex = { entries: [], files: [], acksHash: '' };
  private readonly acksHash = createHash('sha256');
  private acks = 0;
  private done = false;
  private readonly myFp: string;
  private readonly peerFp: string;

  constructor(private readonly o: WriterOptions) {
    this.myFp = fingerprint(o.me.card);
    this.peerFp = fingerprint(o.peer);
    ({ key: this.key, ephemeralPub: this.ephemeralPub } = senderKey(o.bundleId, this.myFp, this.peerFp, o.peer.boxPub));
    this.chunk = Buffer.allocUnsafe(o.chunkBytes);
    fs.mkdirSync(o.outDir, { recursive: true });
  }

  addEntry(e: EntryRecord): void {
    const hdr = Buffer.from(JSON.stringify(e));
    this.index.entries.push({ key: e.key, hash: createHash('sha256').update(hdr).digest('hex') });
    this.record(REC.entry, hdr);
  }

  /** Streams a stored file into the bundle, checking on the way that it still has its hash. */
  addFile(sha256: string, size: number, mime: string, file: string): void {
    this.record(REC.file, Buffer.from(JSON.stringify({ sha256, size, mime })));
    const fd = fs.openSync(file, 'r');
    const h = createHash('sha256');
    const buf = Buffer.allocUnsafe(Math.min(READ_BYTES, Math.max(size, 1)));
    let left = size;
    try {
      while (left > 0) {
        const n = fs.readSync(fd, buf, 0, Math.min(buf.length, left), null);
        if (n === 0) throw new Error(`file ${sha256} is shorter than recorded (${size} bytes)`);
        const part = buf.subarray(0, n);
        h.update(part);
        this.write(part);
        left -= n;
      }
      if (fs.readSync(fd, buf, 0, 1, null) !== 0) throw new Error(`file ${sha256} is longer than recorded (${size} bytes)`);
    } finally {
      fs.closeSync(fd);
    }
    const actual = h.digest('hex');
    if (actual !== sha256) throw new Error(`file ${sha256} is damaged (hash ${actual})`);
    this.index.files.push({ sha256, size });
  }

  addAcks(acks: AckRecord[]): void {
    if (!acks.length) return;
    const hdr = Buffer.from(JSON.stringify(acks));
    this.acksHash.update(hdr);
    this.acks += acks.length;
    this.record(REC.acks, hdr);
  }

  finish(): WrittenBundle {
    if (this.done) throw new Error('bundle already finished');
    const counts = { entries: this.index.entries.length, files: this.index.files.length, acks: this.acks };
    this.record(REC.end, Buffer.from(JSON.stringify(counts)));
    this.flush(true);
    this.done = true;
    this.index.acksHash = this.acksHash.digest('hex');
    const body: ManifestBody = {
      format: FORMAT,
      bundleId: this.o.bundleId,
      sender: { deskId: this.o.me.card.deskId, fingerprint: this.myFp, zone: this.o.me.card.zone },
      receiver: { deskId: this.o.peer.deskId, fingerprint: this.peerFp },
      seq: this.o.seq,
      prevHash: this.o.prevHash,
      createdAt: this.o.createdAt.toISOString(),
      expiresAt: this.o.expiresAt.toISOString(),
      enc: { alg: 'x25519-hkdf-sha256-aes-256-gcm', ephemeralPub: this.ephemeralPub, chunkBytes: this.o.chunkBytes },
      parts: this.parts,
      plainBytes: this.plainBytes,
      counts,
      index: seal(this.key, this.o.bundleId, INDEX_NONCE, true, Buffer.from(JSON.stringify(this.index))).toString('base64'),
      peerApplied: this.o.peerApplied,
    };
    const bodyText = JSON.stringify(body);
    const sig = signBytes(this.o.me.card.signAlg, this.o.me.signKey, Buffer.from(bodyText)).toString('base64');
    const manifestFile = path.join(this.o.outDir, manifestName(this.o.bundleId));
    writeFileDurably(manifestFile, JSON.stringify({ format: FORMAT, alg: this.o.me.card.signAlg, body: bodyText, sig }) + '\n');
    fsyncDir(this.o.outDir);
    return {
      bundleId: this.o.bundleId,
      manifestFile,
      manifestHash: createHash('sha256').update(bodyText).digest('hex'),
      parts: this.parts.length,
      bytes: this.parts.reduce((s, p) => s + p.size, 0),
      counts,
    };
  }

  /** Removes what was written (an export that failed half-way leaves nothing behind). */
  abort(): void {
    for (const p of this.parts) fs.rmSync(path.join(this.o.outDir, p.name), { force: true });
    fs.rmSync(path.join(this.o.outDir, manifestName(this.o.bundleId)), { force: true });
  }

  private record(type: number, hdr: Buffer): void {
    const head = Buffer.allocUnsafe(5);
    head.writeUInt8(type, 0);
    head.writeUInt32BE(hdr.length, 1);
    this.write(head);
    this.write(hdr);
  }

  private write(data: Buffer): void {
    let off = 0;
    while (off < data.length) {
      if (this.fill === this.chunk.length) this.flush(false);
      const n = Math.min(this.chunk.length - this.fill, data.length - off);
      data.copy(this.chunk, this.fill, off, off + n);
      this.fill += n;
      off += n;
    }
    this.plainBytes += data.length;
  }

  private flush(last: boolean): void {
    const sealed = seal(this.key, this.o.bundleId, this.partIndex, last, this.chunk.subarray(0, this.fill));
    const name = partName(this.o.bundleId, this.partIndex);
    writeFileDurably(path.join(this.o.outDir, name), sealed);
    this.parts.push({ name, size: sealed.length, sha256: createHash('sha256').update(sealed).digest('hex') });
    this.partIndex++;
    this.fill = 0;
  }
}
