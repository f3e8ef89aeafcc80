/**
 * Stored files sealed at rest (issue 15; services/files/file-cipher.ts, file-store.ts): AES-256-GCM
 * under a key derived from the store key, named by the SHA-256 of the plaintext, opened and checked
 * on read; files an older version wrote in clear read as they are and are sealed in place.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { FileStore } from '../../electron/services/files/file-store';
import { fileKeyFrom, openSealedSteps, runNow, runYielding, SEAL_OVERHEAD } from '../../electron/services/files/file-cipher';
import { StoreKeyMissingError } from '../../electron/store/store-cipher';

const KEY = Buffer.alloc(32, 0x11);
const OTHER = Buffer.alloc(32, 0x22);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const CONTENT = Buffer.from('%PDF-1.7 告知承诺书 420325198803155611 '.repeat(50), 'utf8');
const store = (root = path.join(tempDir('fs-sealed-'), 'files'), key: Buffer | null = KEY) => new FileStore(root, undefined, { key });

describe('FileStore sealed at rest', () => {
  it('keeps no plaintext on disk, names the file by the plaintext hash and reads it back', () => {
    const s = store();
    const name = s.put(CONTENT);
    expect(name).toBe(sha(CONTENT));
    const raw = fs.readFileSync(s.pathOf(name));
    expect(raw.length).toBe(CONTENT.length + 33);
    expect(SEAL_OVERHEAD).toBe(33);
    expect(raw.subarray(0, 5).toString('latin1')).toBe('PFDF\x01');
    expect(raw.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(raw.includes(Buffer.from('420325198803155611'))).toBe(false);
    expect(s.get(name).equals(CONTENT)).toBe(true);
  });

  it('a second put of the same bytes keeps the sealed file as it is (not rewritten)', () => {
    const s = store();
    const name = s.put(CONTENT);
    const first = fs.readFileSync(s.pathOf(name));
    expect(s.put(CONTENT)).toBe(name);
    expect(fs.readFileSync(s.pathOf(name)).equals(first)).toBe(true);
  });

  it('refuses a changed bit, a cut file, a file moved to another name, and another desk’s key', () => {
    const s = store();
    const a = s.put(CONTENT);
    const b = s.put(Buffer.from('another page'));
    const sealedA = fs.readFileSync(s.pathOf(a));
    const flipped = Buffer.from(sealedA);
    flipped[40]! ^= 0x80;
    fs.writeFileSync(s.pathOf(a), flipped);
    expect(() => s.get(a)).toThrow(/damaged/);
    fs.writeFileSync(s.pathOf(a), sealedA.subarray(0, sealedA.length - 1));
    expect(() => s.get(a)).toThrow(/damaged/);
    fs.writeFileSync(s.pathOf(b), sealedA); // a's sealed bytes under b's name
    expect(() => s.get(b)).toThrow(/damaged/);
    fs.writeFileSync(s.pathOf(a), sealedA);
    expect(() => store(s.root, OTHER).get(a)).toThrow(/damaged/);
    expect(s.get(a).equals(CONTENT)).toBe(true);
  });

  it('the file key is derived from the store key, not the store key itself', () => {
    expect(fileKeyFrom(KEY).equals(KEY)).toBe(false);
    expect(fileKeyFrom(KEY).length).toBe(32);
    expect(fileKeyFrom(KEY).equals(fileKeyFrom(OTHER))).toBe(false);
  });

  it('without a registered key it refuses to be made (nothing would be sealed)', () => {
    expect(() => new FileStore(path.join(tempDir('fs-nokey-'), 'files'))).toThrow(StoreKeyMissingError);
  });

  it('files an older version wrote in clear are read as they are, then sealed in place keeping their age; a damaged one is left; a second walk finds nothing to do', () => {
    const root = path.join(tempDir('fs-legacy-'), 'files');
    const clear = store(root, null);
    const old = clear.put(CONTENT);
    const broken = clear.put(Buffer.from('a page cut short later'));
    fs.truncateSync(clear.pathOf(broken), 5);
    const longAgo = new Date('2026-01-02T03:04:05Z');
    fs.utimesSync(clear.pathOf(old), longAgo, longAgo);
    const s = store(root);
    expect(s.get(old).equals(CONTENT)).toBe(true); // clear, read as it is

    expect(s.sealClearFiles()).toEqual({ sealed: 1, damaged: [broken] });
    const raw = fs.readFileSync(s.pathOf(old));
    expect(raw.includes(Buffer.from('%PDF-'))).toBe(false);
    expect(s.get(old).equals(CONTENT)).toBe(true);
    expect(fs.statSync(s.pathOf(old)).mtime.toISOString()).toBe(longAgo.toISOString());
    expect(() => s.get(broken)).toThrow(/damaged/);
    expect(fs.readdirSync(path.dirname(s.pathOf(old))).filter((n) => n.startsWith('.tmp-'))).toEqual([]);

    // Walked again (the next start): nothing left to seal; the damaged one is still named.
    expect(s.sealClearFiles()).toEqual({ sealed: 0, damaged: [broken] });
    // A clear file stored again is sealed then.
    const late = Buffer.from('written in clear after the walk');
    fs.mkdirSync(path.dirname(s.pathOf(sha(late))), { recursive: true });
    fs.writeFileSync(s.pathOf(sha(late)), late, { flag: 'wx' });
    expect(s.get(sha(late)).equals(late)).toBe(true);
    s.put(late);
    expect(fs.readFileSync(s.pathOf(sha(late))).includes(late)).toBe(false);
    expect(s.get(sha(late)).equals(late)).toBe(true);
  });
  it('read (for large files on the main thread) gives what get gives, refuses what get refuses, and lets the event loop turn while it opens the file', async () => {
    const s = store();
    const big = Buffer.alloc(40 * 1024 * 1024 + 1);
    for (let i = 0; i < big.length; i += 4096) big[i] = (i / 4096) & 0xff;
    const name = s.put(big);
    expect((await s.read(name)).equals(big)).toBe(true);
    // Opened a slice at a time with a turn of the event loop between slices (get() runs the same
    // steps at once, with no turn at all): eleven 4 MiB slices to decrypt, ten turns at least.
    let turns = 0;
    let turning = true;
    const spin = () => {
      if (!turning) return;
      turns++;
      setImmediate(spin);
    };
    setImmediate(spin);
    const opened = await runYielding(openSealedSteps(fileKeyFrom(KEY), name, fs.readFileSync(s.pathOf(name))));
    turning = false;
    expect(opened!.equals(big)).toBe(true);
    expect(turns).toBeGreaterThanOrEqual(10);
    expect(runNow(openSealedSteps(fileKeyFrom(KEY), name, fs.readFileSync(s.pathOf(name))))!.equals(big)).toBe(true);
    const small = s.put(CONTENT);
    expect((await s.read(small)).equals(s.get(small))).toBe(true);
    const sealed = fs.readFileSync(s.pathOf(small));
    const flipped = Buffer.from(sealed);
    flipped[40]! ^= 0x80;
    fs.writeFileSync(s.pathOf(small), flipped);
    await expect(s.read(small)).rejects.toThrow(/damaged/);
    await expect(store(s.root, OTHER).read(name)).rejects.toThrow(/damaged/);
    // A file still in clear (written before the files were sealed) reads as it is.
    const clear = store(path.join(tempDir('fs-clear-'), 'files'), null);
    const c = clear.put(CONTENT);
    expect((await store(clear.root).read(c)).equals(CONTENT)).toBe(true);
  });
});
