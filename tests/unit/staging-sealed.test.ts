import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { stagingFiles } from '../../electron/services/transfer/staging-files';
import { openSealed, SEAL_OVERHEAD } from '../../electron/services/files/file-cipher';
import { tempDir } from '../helpers/temp';

// Issue 15: a bundle's files are never on disk in clear, not even while staged for import: with the
// file store's key, staging seals each file as it writes it (inline and in its worker thread).
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe.each([false, true])('staged files (threaded: %s)', (threaded) => {
  it('are sealed as they are written: no plaintext on disk, and they open to the bytes that were fed', async () => {
    const key = randomBytes(32);
    const plain = Buffer.from('居民身份证 420325199208154328 王芳 13872001122 '.repeat(2000));
    const hash = sha(plain);
    const dir = tempDir('staging-sealed-');
    const segment = Buffer.from(plain); // the parser hands pieces as views of its segment
    const staging = stagingFiles(dir, { threaded, segmentBytes: segment.length, fileKey: key });
    try {
      staging.segmentStart(segment);
      staging.begin(hash);
      // In three uneven pieces, as segments cut a file.
      staging.piece(segment.subarray(0, 1000));
      staging.piece(segment.subarray(1000, 50_001));
      staging.piece(segment.subarray(50_001));
      staging.end();
      await staging.segmentEnd();
      await staging.drain();
    } finally {
      await staging.close();
    }
    const onDisk = fs.readFileSync(path.join(dir, hash.slice(0, 2), hash));
    expect(onDisk.length).toBe(plain.length + SEAL_OVERHEAD);
    expect(onDisk.includes(Buffer.from('420325199208154328'))).toBe(false);
    expect(onDisk.includes(Buffer.from('王芳'))).toBe(false);
    expect(openSealed(key, hash, onDisk)).toEqual(plain);
    // Bound to its name: under another hash it does not open.
    expect(openSealed(key, sha(Buffer.from('x')), onDisk)).toBeNull();
  });
});
