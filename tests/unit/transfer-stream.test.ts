/**
 * The bundle stream at sizes around its segment and part boundaries: files of 0 and 1 byte, of
 * exactly one segment, and of several segments (bigger than a part) round-trip byte for byte
 * through BundleWriter and verifyToStaging for chunk sizes below, equal to, not a multiple of,
 * and above the 1 MB segment, with the staged files written on the calling thread and in the
 * staging worker; a byte flipped in a middle segment of a many-segment part, or two segments of a
 * part swapped, is refused (both ways), and the staging folder is gone; a bundle of another format
 * version is refused with a reason that says so. The same for SM2 desks' bundles (SM4-CBC +
 * HMAC-SM3 segments, 64 bytes larger than their plaintext rounded down to 16, at sizes that are
 * and are not a multiple of the SM4 block).
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { BundleWriter } from '../../electron/services/transfer/bundle-writer';
import { verifyToStaging } from '../../electron/services/transfer/bundle-reader';
import { BundleRefused, SEGMENT_BYTES, type EntryRecord } from '../../electron/services/transfer/bundle-format';

const a = createDeskKeys(tempDir('stream-a-'), { deskId: 'in-00000000aa', name: '内网', zone: 'intranet', signAlg: 'ed25519' });
const b = createDeskKeys(tempDir('stream-b-'), { deskId: 'ex-00000000bb', name: '外网', zone: 'extranet', signAlg: 'ed25519' });

const sizes = [0, 1, 1000, SEGMENT_BYTES, SEGMENT_BYTES + 1, Math.round(2.5 * SEGMENT_BYTES), 3 * SEGMENT_BYTES + 17];
const files = sizes.map((n) => {
  const bytes = randomBytes(n);
  const file = path.join(tempDir('stream-file-'), 'f');
  fs.writeFileSync(file, bytes);
  return { file, bytes, size: n, sha256: createHash('sha256').update(bytes).digest('hex') };
});

function entry(i: number): EntryRecord {
  return {
    key: `hall/case-${i}/prov/r1`,
    target: { id: 'prov', name: '省平台', kind: 'http' },
    kind: 'case',
    subject: '',
    revision: 1,
    caseNo: `C-${i}`,
    document: JSON.stringify({ caseNo: `C-${i}`, pad: 'x'.repeat(i * 37) }),
    createdAt: new Date().toISOString(),
    files: [],
    outboxFiles: [],
  };
}

async function write(chunkBytes: number, me = a, peer = b): Promise<{ manifest: string; dir: string }> {
  const dir = tempDir('stream-out-');
  const w = new BundleWriter({ outDir: dir, bundleId: `in-00000000aa-000001-c${chunkBytes}`, chunkBytes, me, peer: peer.card, seq: 1, prevHash: '', createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000), peerApplied: { through: 0, also: [] } });
  for (let i = 0; i < files.length; i++) {
    await w.addEntry(entry(i));
    await w.addFile(files[i]!.sha256, files[i]!.size, 'application/pdf' /* bytes of every size, not images: the stream's framing and sealing are under test (images are checked at import: bundle-reader.ts) */, files[i]!.file);
  }
  await w.addAcks([{ key: 'x/y/z/r1', state: 'received' }]);
  return { manifest: (await w.finish()).manifestFile, dir };
}

const verify = (manifest: string, stagingThread: boolean, stagingRoot = tempDir('stream-stage-'), me = b, peer = a) => verifyToStaging(manifest, { me, peer: peer.card, now: new Date(), stagingRoot, stagingThread });

describe('bundle stream', () => {
  for (const [chunkBytes, stagingThread] of [
    [64 * 1024 + 7, false],
    [SEGMENT_BYTES, true],
    [3 * SEGMENT_BYTES + 1, false],
    [8 * SEGMENT_BYTES, true],
  ] as const) {
    it(`round-trips files of ${sizes.join(', ')} bytes with parts of ${chunkBytes} bytes, staged ${stagingThread ? 'in the worker' : 'inline'}`, async () => {
      const { manifest } = await write(chunkBytes);
      const staged = await verify(manifest, stagingThread);
      expect(staged.body.counts).toEqual({ entries: files.length, files: files.length, acks: 1 });
      for (const f of files) expect(fs.readFileSync(path.join(staged.filesDir, f.sha256.slice(0, 2), f.sha256)).equals(f.bytes)).toBe(true);
      expect(fs.readFileSync(staged.entriesFile, 'utf8').trim().split('\n').map((l) => (JSON.parse(l) as EntryRecord).key)).toEqual(files.map((_, i) => entry(i).key));
      // A part holds at most chunkBytes of plaintext.
      for (const p of staged.body.parts) expect(p.size).toBeLessThanOrEqual(chunkBytes + 16 * Math.ceil(chunkBytes / Math.min(chunkBytes, SEGMENT_BYTES)));
      fs.rmSync(staged.dir, { recursive: true });
    });
  }

  it.each([false, true])('refuses a byte flipped in a middle segment, and two segments of a part swapped (staged in a worker: %s)', async (stagingThread) => {
    const { manifest, dir } = await write(8 * SEGMENT_BYTES);
    const root = tempDir('stream-stage-');
    const part = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.p00000'))!);
    const original = fs.readFileSync(part);
    expect(original.length).toBeGreaterThan(3 * (SEGMENT_BYTES + 16));
    const flipped = Buffer.from(original);
    const at = SEGMENT_BYTES + 16 + 5000;
    flipped[at] = flipped[at]! ^ 0x40;
    fs.writeFileSync(part, flipped);
    await expect(verify(manifest, stagingThread, root)).rejects.toMatchObject({ code: 'tampered' });
    expect(fs.readdirSync(root)).toEqual([]);
    const swapped = Buffer.from(original);
    original.copy(swapped, 0, SEGMENT_BYTES + 16, 2 * (SEGMENT_BYTES + 16));
    original.copy(swapped, SEGMENT_BYTES + 16, 0, SEGMENT_BYTES + 16);
    fs.writeFileSync(part, swapped);
    await expect(verify(manifest, stagingThread, root)).rejects.toBeInstanceOf(BundleRefused);
    expect(fs.readdirSync(root)).toEqual([]);
    fs.writeFileSync(part, original);
    expect((await verify(manifest, stagingThread, root)).body.counts.files).toBe(files.length);
  });

  it('refuses a bundle of another format version, saying so', async () => {
    const { manifest } = await write(SEGMENT_BYTES);
    const m = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { format: string };
    m.format = 'pfd-transfer/1';
    fs.writeFileSync(manifest, JSON.stringify(m));
    await expect(verify(manifest, false)).rejects.toMatchObject({ code: 'malformed', userMessage: expect.stringMatching(/格式版本（pfd-transfer\/1）与本机（pfd-transfer\/2）不同/) });
  });
});

describe('bundle stream, 商用密码 (SM2 desks: SM4-CBC + HMAC-SM3)', () => {
  const sa = createDeskKeys(tempDir('stream-sa-'), { deskId: 'in-00000000ac', name: '内网', zone: 'intranet', signAlg: 'sm2-sm3' });
  const sb = createDeskKeys(tempDir('stream-sb-'), { deskId: 'ex-00000000bc', name: '外网', zone: 'extranet', signAlg: 'sm2-sm3' });
  for (const [chunkBytes, stagingThread] of [
    [64 * 1024 + 7, false],
    [3 * SEGMENT_BYTES + 1, true],
  ] as const) {
    it(`round-trips the same files with parts of ${chunkBytes} bytes`, async () => {
      const { manifest } = await write(chunkBytes, sa, sb);
      const staged = await verify(manifest, stagingThread, tempDir('stream-stage-'), sb, sa);
      expect(staged.body.enc.alg).toBe('x25519-hkdf-sm3-sm4-cbc-hmac-sm3');
      for (const f of files) expect(fs.readFileSync(path.join(staged.filesDir, f.sha256.slice(0, 2), f.sha256)).equals(f.bytes)).toBe(true);
      fs.rmSync(staged.dir, { recursive: true });
    });
  }

  it('refuses a byte flipped in a middle segment, and two segments of a part swapped', async () => {
    const { manifest, dir } = await write(8 * SEGMENT_BYTES, sa, sb);
    const root = tempDir('stream-stage-');
    const part = path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.p00000'))!);
    const original = fs.readFileSync(part);
    const sealed = 16 + SEGMENT_BYTES + 16 + 32; // IV, the segment and a full block of padding, the HMAC-SM3 tag
    expect(original.length).toBeGreaterThan(3 * sealed);
    const flipped = Buffer.from(original);
    flipped[sealed + 5000] = flipped[sealed + 5000]! ^ 0x40;
    fs.writeFileSync(part, flipped);
    await expect(verify(manifest, false, root, sb, sa)).rejects.toMatchObject({ code: 'tampered' });
    const swapped = Buffer.from(original);
    original.copy(swapped, 0, sealed, 2 * sealed);
    original.copy(swapped, sealed, 0, sealed);
    fs.writeFileSync(part, swapped);
    await expect(verify(manifest, false, root, sb, sa)).rejects.toMatchObject({ code: 'tampered' });
    expect(fs.readdirSync(root)).toEqual([]);
    fs.writeFileSync(part, original);
    expect((await verify(manifest, false, root, sb, sa)).body.counts.files).toBe(files.length);
  });
});
