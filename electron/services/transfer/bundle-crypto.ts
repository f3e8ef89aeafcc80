import { createCipheriv, createDecipheriv, createHmac, diffieHellman, generateKeyPairSync, getCiphers, getHashes, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import * as gm from '../crypto/gm';
import { ENC_ALGS, type EncAlg } from './bundle-format';
import { publicKeyOf } from './desk-keys';

/**
 * Encryption to the receiving desk: an ephemeral X25519 key per bundle, ECDH with the
 * receiver's X25519 key, then one of two suites (the manifest's `enc.alg`, signed):
 * - `x25519-hkdf-sha256-aes-256-gcm`: HKDF-SHA256 (salt = bundle id, info names both
 *   fingerprints) to one AES-256-GCM key;
 * - `x25519-hkdf-sm3-sm4-cbc-hmac-sm3` (商用密码, what an SM2 desk writes): HKDF with HMAC-SM3
 *   (same salt, info) to 48 bytes — SM4 key ‖ HMAC-SM3 key; each segment is SM4-CBC with a
 *   random IV, then HMAC-SM3 over (AAD, IV, ciphertext): IV ‖ ciphertext ‖ 32-byte tag
 *   (../crypto/gm.ts sm4CbcHmacSeal; Node's OpenSSL computes the same bytes faster where it has
 *   SM4 and SM3, Electron's BoringSSL uses the pure-JS code). Each segment is sealed with its stream, part and place as the nonce and
 * (bundle id, the same, last-segment flag) as associated data: a segment moved, swapped, dropped,
 * cut or taken from the other stream fails to open.
 */

const TAG = 16;
export const SEAL_TAG_BYTES = TAG;


/** The size of a sealed segment of `plainBytes` under the suite. */
export function sealedSize(alg: EncAlg, plainBytes: number): number {
  return alg === 'x25519-hkdf-sha256-aes-256-gcm' ? plainBytes + TAG : 16 + (Math.floor(plainBytes / 16) + 1) * 16 + 32;
}

/** The two sealed streams of a bundle: the parts (records) and the index. Each has its own nonces. */
export type SealStream = 'part' | 'index';
const STREAM_ID: Record<SealStream, number> = { part: 0, index: 1 };

export function senderKey(bundleId: string, senderFp: string, receiverFp: string, receiverBoxPub: string, alg: EncAlg = ENC_ALGS[0]): { key: Buffer; ephemeralPub: string } {
  const eph = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: publicKeyOf(receiverBoxPub) });
  return {
    key: derive(alg, shared, bundleId, senderFp, receiverFp),
    ephemeralPub: (eph.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
  };
}

export function receiverKey(bundleId: string, senderFp: string, receiverFp: string, myBoxKey: KeyObject, ephemeralPub: string, alg: EncAlg = ENC_ALGS[0]): Buffer {
  const shared = diffieHellman({ privateKey: myBoxKey, publicKey: publicKeyOf(ephemeralPub) });
  return derive(alg, shared, bundleId, senderFp, receiverFp);
}

function derive(alg: EncAlg, shared: Buffer, bundleId: string, senderFp: string, receiverFp: string): Buffer {
  const info = Buffer.from(`pfd-transfer/2|${senderFp}|${receiverFp}`);
  if (alg === 'x25519-hkdf-sha256-aes-256-gcm') return Buffer.from(hkdfSync('sha256', shared, Buffer.from(bundleId), info, 32));
  return Buffer.from(gm.hkdfSm3(shared, Buffer.from(bundleId), info, gm.SM4_SEAL_KEY_BYTES));
}

/** The segment cipher of a suite, with the key from senderKey/receiverKey. */
export function bundleCipher(alg: EncAlg, key: Buffer, bundleId: string): SegmentCipher {
  return alg === 'x25519-hkdf-sha256-aes-256-gcm' ? new BundleCipher(key, bundleId) : new Sm4BundleCipher(key, bundleId);
}

export interface SegmentCipher {
  readonly alg: EncAlg;
  seal(at: SegmentAt, plain: Uint8Array): [Buffer, Buffer];
  open(at: SegmentAt, sealed: Buffer): Buffer;
}

/** Where a segment sits: its stream, its part (the index has one) and its place in the part. */
export interface SegmentAt {
  stream: SealStream;
  part: number;
  segment: number;
  /** The very last segment of the stream. */
  last: boolean;
}

function nonce(at: SegmentAt): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(STREAM_ID[at.stream], 0);
  n.writeUInt32BE(at.part >>> 0, 4);
  n.writeUInt32BE(at.segment >>> 0, 8);
  return n;
}

const aad = (bundleId: string, at: SegmentAt) => Buffer.from(`${bundleId}|${at.stream}|${at.part}|${at.segment}|${at.last ? 1 : 0}`);

/**
 * The bundle key: seals and opens segments (ciphertext ‖ 16-byte tag). Synchronous on purpose:
 * WebCrypto's async jobs keep a copy of their input until the garbage collector frees the job,
 * which let memory grow with the bundle (measured: +16 MB for each 8 MB sealed or opened).
 */
export class BundleCipher implements SegmentCipher {
  readonly alg = 'x25519-hkdf-sha256-aes-256-gcm' as const;
  constructor(
    private readonly key: Buffer,
    private readonly bundleId: string,
  ) {}

  /** The sealed segment as two pieces, ciphertext and tag (written one after the other: no copy). */
  seal(at: SegmentAt, plain: Uint8Array): [Buffer, Buffer] {
    const c = createCipheriv('aes-256-gcm', this.key, nonce(at));
    c.setAAD(aad(this.bundleId, at));
    const body = c.update(plain);
    c.final();
    return [body, c.getAuthTag()];
  }

  /** Throws when the segment was changed, moved or is not the one expected at this place. */
  open(at: SegmentAt, sealed: Buffer): Buffer {
    if (sealed.length < TAG) throw new Error('sealed segment too short');
    const d = createDecipheriv('aes-256-gcm', this.key, nonce(at));
    d.setAAD(aad(this.bundleId, at));
    d.setAuthTag(sealed.subarray(sealed.length - TAG));
    const plain = d.update(sealed.subarray(0, sealed.length - TAG));
    d.final();
    return plain;
  }
}

let native: boolean | null = null;
/** Does this runtime's crypto have SM4-CBC and SM3 (Node's OpenSSL: yes; Electron's BoringSSL: no)? */
export function hasNativeSm4(): boolean {
  native ??= getCiphers().includes('sm4-cbc') && getHashes().includes('sm3');
  return native;
}

/**
 * SM4-CBC + HMAC-SM3 segments (gm.sm4CbcHmacSeal's layout): IV ‖ ciphertext, then the tag. The
 * AAD is the one of the AES suite (bundle id, stream, part, segment, last flag).
 */
export class Sm4BundleCipher implements SegmentCipher {
  readonly alg = 'x25519-hkdf-sm3-sm4-cbc-hmac-sm3' as const;
  constructor(
    private readonly key: Buffer,
    private readonly bundleId: string,
    private readonly useNative = hasNativeSm4(),
  ) {
    if (key.length !== gm.SM4_SEAL_KEY_BYTES) throw new Error('SM4 bundle key must be 48 bytes');
  }

  seal(at: SegmentAt, plain: Uint8Array): [Buffer, Buffer] {
    const iv = randomBytes(16);
    const a = aad(this.bundleId, at);
    if (!this.useNative) {
      const sealed = gm.sm4CbcHmacSeal(this.key, plain, () => new Uint8Array(iv), a);
      return [Buffer.from(sealed.buffer, sealed.byteOffset, sealed.length - 32), Buffer.from(sealed.buffer, sealed.byteOffset + sealed.length - 32, 32)];
    }
    const c = createCipheriv('sm4-cbc', this.key.subarray(0, 16), iv);
    const body = Buffer.concat([iv, c.update(plain), c.final()]);
    return [body, this.mac(a, body)];
  }

  open(at: SegmentAt, sealed: Buffer): Buffer {
    const a = aad(this.bundleId, at);
    if (!this.useNative) return Buffer.from(gm.sm4CbcHmacOpen(this.key, sealed, a));
    if (sealed.length < 64 || (sealed.length - 48) % 16) throw new Error('sealed segment has a wrong length');
    const body = sealed.subarray(0, sealed.length - 32);
    if (!gm.equalBytes(this.mac(a, body), sealed.subarray(sealed.length - 32))) throw new Error('sealed segment was changed (HMAC-SM3 mismatch)');
    const d = createDecipheriv('sm4-cbc', this.key.subarray(0, 16), body.subarray(0, 16));
    return Buffer.concat([d.update(body.subarray(16)), d.final()]);
  }

  private mac(a: Buffer, body: Buffer): Buffer {
    const len = Buffer.alloc(8);
    len.writeBigUInt64BE(BigInt(a.length));
    return createHmac('sm3', this.key.subarray(16)).update(len).update(a).update(body).digest();
  }
}
