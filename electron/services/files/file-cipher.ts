import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import type { StoreKey } from '../../store/store-cipher';

/**
 * How a stored file is kept at rest (issue 15, docs/SECURITY.md "Encryption at rest"): sealed with
 * AES-256-GCM under the desk's file key, a random 96-bit nonce per file, the file's name (the
 * SHA-256 of its plaintext) bound in as associated data, so a file moved to another name, cut short
 * or changed is refused before its hash is even checked.
 *
 *   PFDF 0x01 | nonce (12) | ciphertext (as long as the plaintext) | tag (16)
 *
 * The file key is derived from the store key (HKDF-SHA256, a purpose label of its own): one secret
 * per desk to keep (store-key.ts), two keys that are never used for each other's data. AES-256-GCM
 * rather than SM4: the files never leave the desk sealed (the hub, a sync target and a transfer
 * bundle receive the plaintext, checked by hash; the bundle is sealed by the transfer suite, SM4 on
 * an SM hall), Node and Electron both have it in native code with AES-NI (SM4 is not in Electron's
 * BoringSSL: pure JS, ~50× slower on a 20 MB scan), and the store beside the files is AES already.
 */

const MAGIC = Buffer.from('PFDF\x01', 'latin1');
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** What sealing adds to a file's size. */
export const SEAL_OVERHEAD = MAGIC.length + NONCE_BYTES + TAG_BYTES;
const FILE_KEY_LABEL = 'proof-free-desk stored files v1';

/** The data key of the desk's stored files, derived from its store key. */
export function fileKeyFrom(storeKey: StoreKey): Buffer {
  return Buffer.from(hkdfSync('sha256', storeKey, Buffer.alloc(0), FILE_KEY_LABEL, 32));
}

const aad = (sha256: string) => Buffer.concat([MAGIC, Buffer.from(sha256, 'hex')]);

/** The sealed form of `plain`, whose SHA-256 is `sha256`. */
export function sealFile(fileKey: Buffer, sha256: string, plain: Uint8Array): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', fileKey, nonce);
  c.setAAD(aad(sha256));
  const body = c.update(plain);
  const rest = c.final();
  return Buffer.concat([MAGIC, nonce, body, rest, c.getAuthTag()]);
}

/**
 * The sealed form of a file written piece by piece (the transfer import's staging, which never holds
 * a whole file in clear on disk): `head` first, then `update` of each piece in order, then `final`.
 * The bytes are exactly sealFile's for the same plaintext and nonce.
 */
export function sealingStream(fileKey: Buffer, sha256: string): { head: Buffer; update(piece: Uint8Array): Buffer; final(): Buffer } {
  const nonce = randomBytes(NONCE_BYTES);
  const c = createCipheriv('aes-256-gcm', fileKey, nonce);
  c.setAAD(aad(sha256));
  return {
    head: Buffer.concat([MAGIC, nonce]),
    update: (piece) => c.update(piece),
    final: () => Buffer.concat([c.final(), c.getAuthTag()]),
  };
}

/** Whether the bytes begin as a sealed file does (a plaintext file written before issue 15 may, rarely, too). */
export const looksSealed = (bytes: Uint8Array): boolean => bytes.length >= SEAL_OVERHEAD && Buffer.from(bytes.buffer, bytes.byteOffset, MAGIC.length).equals(MAGIC);

/** How much is opened or hashed between two yields of a stepwise opening (a few ms of work). */
export const OPEN_SLICE_BYTES = 4 * 1024 * 1024;

/**
 * A piece of work done a slice at a time: it yields between slices (nothing to say), and returns
 * its result. Run to its end at once (`runNow`), or giving the event loop a turn at every yield
 * (`runYielding`): one way of opening and checking a file, two ways of running it.
 */
export type Steps<T> = Generator<void, T, void>;

export function runNow<T>(steps: Steps<T>): T {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
  }
}

export async function runYielding<T>(steps: Steps<T>): Promise<T> {
  for (;;) {
    const r = steps.next();
    if (r.done) return r.value;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** The SHA-256 (hex) of `bytes`, a slice at a time. */
export function* sha256Steps(bytes: Uint8Array): Steps<string> {
  const h = createHash('sha256');
  for (let at = 0; at < bytes.length; at += OPEN_SLICE_BYTES) {
    h.update(bytes.subarray(at, Math.min(at + OPEN_SLICE_BYTES, bytes.length)));
    yield;
  }
  return h.digest('hex');
}

/** openSealed, a slice at a time. */
export function* openSealedSteps(fileKey: Buffer, sha256: string, sealed: Uint8Array): Steps<Buffer | null> {
  if (!looksSealed(sealed)) return null;
  const b = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  try {
    const d = createDecipheriv('aes-256-gcm', fileKey, b.subarray(MAGIC.length, MAGIC.length + NONCE_BYTES));
    d.setAAD(aad(sha256));
    d.setAuthTag(b.subarray(b.length - TAG_BYTES));
    const body = b.subarray(MAGIC.length + NONCE_BYTES, b.length - TAG_BYTES);
    const pieces: Buffer[] = [];
    for (let at = 0; at < body.length; at += OPEN_SLICE_BYTES) {
      pieces.push(d.update(body.subarray(at, Math.min(at + OPEN_SLICE_BYTES, body.length))));
      yield;
    }
    pieces.push(d.final());
    return Buffer.concat(pieces);
  } catch {
    return null;
  }
}

/** The plaintext of a sealed file named `sha256`, or null when it does not open (another key, another name, changed, cut short). */
export function openSealed(fileKey: Buffer, sha256: string, sealed: Uint8Array): Buffer | null {
  return runNow(openSealedSteps(fileKey, sha256, sealed));
}
