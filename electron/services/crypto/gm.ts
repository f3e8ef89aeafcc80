import { sm2 as sm2lib, sm3 as sm3lib, sm4 as sm4lib } from 'sm-crypto';

/**
 * 商用密码 (SM2/SM3/SM4) in pure JS, the same in Node, in Electron's main side (BoringSSL has no
 * SM algorithms) and in Chromium: no Node or DOM imports; bytes are Uint8Array; randomness is
 * passed in (`RandomBytes`: Node's crypto.randomBytes, or crypto.getRandomValues in a page) —
 * sm-crypto's own random source falls back to Math.random outside a page, so it is never used
 * here: private keys and the per-signature k come from the caller's source.
 *
 * Built on sm-crypto 0.3.13 (SM3, the SM4 block cipher, SM2 point arithmetic). The SM2 signature
 * is computed here per GB/T 32918.2 (e = SM3(Z ‖ M), Z = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA),
 * default ID "1234567812345678"), so that the standard's example with its fixed k can be replayed.
 *
 * Key formats (docs/transfer.md, 商用密码):
 * - SM2 private key: 32 bytes, big-endian d, 1 ≤ d ≤ n−2; PKCS#8 DER for storage (`sm2Pkcs8`).
 * - SM2 public key: 65 bytes 04 ‖ x ‖ y; SubjectPublicKeyInfo DER (id-ecPublicKey, curve SM2
 *   1.2.156.10197.1.301) on desk cards (`sm2Spki`) — the same bytes OpenSSL writes.
 * - SM2 signature: DER SEQUENCE { INTEGER r, INTEGER s } (as OpenSSL and GM/T 0009).
 * - SM4-CBC + HMAC-SM3 (encrypt-then-MAC): a 48-byte key (16 SM4 ‖ 32 HMAC); sealed =
 *   IV (16) ‖ ciphertext (PKCS#7) ‖ tag (32) with tag = HMAC-SM3(macKey, len(aad) u64 BE ‖ aad ‖ IV ‖ ciphertext).
 */

export type RandomBytes = (n: number) => Uint8Array;

export const SM2_DEFAULT_USER_ID = '1234567812345678';

/** The SM2 recommended curve (GB/T 32918.5). */
const A = 0xfffffffeffffffffffffffffffffffffffffffff00000000fffffffffffffffcn;
const B = 0x28e9fa9e9d9f5e344d5a9e4bcf6509a7f39789f515ab8f92ddbcbd414d940e93n;
const N = 0xfffffffeffffffffffffffffffffffff7203df6b21c6052b53bbf40939d54123n;
const GX = 0x32c4ae2c1f1981195f9904466a39c9948fe30bbff2660be1715a4589334c74c7n;
const GY = 0xbc3736a2f4f6779c59bdcee36b692153d0a9877cc62a474002df32e52139f0a0n;

// ---- bytes ------------------------------------------------------------------------------------

export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

export function fromHex(h: string): Uint8Array {
  if (!/^(?:[0-9a-fA-F]{2})*$/.test(h)) throw new Error('not a hex string');
  const out = new Uint8Array(h.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(h.slice(2 * i, 2 * i + 2), 16);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const arr = (b: Uint8Array): number[] => Array.from(b);
const big = (b: Uint8Array): bigint => (b.length ? BigInt('0x' + toHex(b)) : 0n);
const be32 = (x: bigint): Uint8Array => fromHex(x.toString(16).padStart(64, '0'));

/** Constant-time comparison of two byte strings of equal length. */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

// ---- SM3 (GB/T 32905) ------------------------------------------------------------------------

export function sm3(data: Uint8Array): Uint8Array {
  return fromHex(sm3lib(arr(data)));
}

/** HMAC (RFC 2104) with SM3, 32-byte tag. */
export function hmacSm3(key: Uint8Array, data: Uint8Array): Uint8Array {
  return fromHex(sm3lib(arr(data), { key: arr(key) }));
}

/** HKDF (RFC 5869) with HMAC-SM3: `length` bytes of key from a shared secret. */
export function hkdfSm3(secret: Uint8Array, salt: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  if (length > 255 * 32) throw new Error('hkdf length too large');
  const prk = hmacSm3(salt.length ? salt : new Uint8Array(32), secret);
  const out = new Uint8Array(length);
  let t: Uint8Array = new Uint8Array(0);
  for (let i = 1, o = 0; o < length; i++) {
    t = hmacSm3(prk, concat(t, info, Uint8Array.of(i)));
    out.set(t.subarray(0, Math.min(32, length - o)), o);
    o += 32;
  }
  return out;
}

// ---- SM2 signatures (GB/T 32918.2) ----------------------------------------------------------

export interface Sm2KeyPair {
  /** 32 bytes. */
  privateKey: Uint8Array;
  /** 65 bytes: 04 ‖ x ‖ y. */
  publicKey: Uint8Array;
}

function mod(a: bigint, m: bigint): bigint {
  const r = a % m;
  return r < 0n ? r + m : r;
}

function invert(a: bigint, m: bigint): bigint {
  let [r0, r1, t0, t1] = [mod(a, m), m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return mod(t0, m);
}

/** A scalar in [1, max] from the caller's random source (rejection sampling, no bias). */
function randomScalar(rand: RandomBytes, max: bigint): bigint {
  for (let i = 0; i < 64; i++) {
    const k = big(rand(32));
    if (k >= 1n && k <= max) return k;
  }
  throw new Error('random source gives no usable scalar');
}

export function sm2PublicKeyOf(privateKey: Uint8Array): Uint8Array {
  const d = big(privateKey);
  if (privateKey.length !== 32 || d < 1n || d > N - 2n) throw new Error('SM2 private key out of range');
  return fromHex(sm2lib.getPublicKeyFromPrivateKey(toHex(privateKey)));
}

export function sm2GenerateKeyPair(rand: RandomBytes): Sm2KeyPair {
  const privateKey = be32(randomScalar(rand, N - 2n));
  return { privateKey, publicKey: sm2PublicKeyOf(privateKey) };
}

/** Is this 65-byte uncompressed point on the curve (and not the point at infinity)? */
export function sm2IsValidPublicKey(publicKey: Uint8Array): boolean {
  return publicKey.length === 65 && publicKey[0] === 4 && sm2lib.verifyPublicKey(toHex(publicKey));
}

/** Z_A = SM3(ENTL ‖ ID ‖ a ‖ b ‖ xG ‖ yG ‖ xA ‖ yA). */
export function sm2Z(publicKey: Uint8Array, userId: string = SM2_DEFAULT_USER_ID): Uint8Array {
  const id = new TextEncoder().encode(userId);
  if (id.length * 8 > 0xffff) throw new Error('SM2 user ID too long');
  const entl = Uint8Array.of((id.length * 8) >> 8, (id.length * 8) & 0xff);
  return sm3(concat(entl, id, be32(A), be32(B), be32(GX), be32(GY), publicKey.subarray(1, 33), publicKey.subarray(33, 65)));
}

function sm2E(publicKey: Uint8Array, msg: Uint8Array, userId: string): bigint {
  return big(sm3(concat(sm2Z(publicKey, userId), msg)));
}

/** Signs `msg` (SM3 with Z, per the standard): DER (r, s). `rand` gives k (fixed in the standard's example). */
export function sm2Sign(privateKey: Uint8Array, msg: Uint8Array, rand: RandomBytes, o: { userId?: string; publicKey?: Uint8Array } = {}): Uint8Array {
  const { r, s } = sm2SignRS(privateKey, msg, rand, o);
  return derSig(r, s);
}

/** The signature as the two integers (r, s). */
export function sm2SignRS(privateKey: Uint8Array, msg: Uint8Array, rand: RandomBytes, o: { userId?: string; publicKey?: Uint8Array } = {}): { r: bigint; s: bigint } {
  const pub = o.publicKey ?? sm2PublicKeyOf(privateKey);
  const d = big(privateKey);
  const e = sm2E(pub, msg, o.userId ?? SM2_DEFAULT_USER_ID);
  for (;;) {
    const k = randomScalar(rand, N - 1n);
    const x1 = big(sm2PublicKeyOf(be32(k)).subarray(1, 33));
    const r = mod(e + x1, N);
    if (r === 0n || r + k === N) continue;
    const s = mod(invert(1n + d, N) * (k - r * d), N);
    if (s !== 0n) return { r, s };
  }
}

/** Verifies a DER (r, s) signature over `msg` with the signer's 65-byte public key. */
export function sm2Verify(publicKey: Uint8Array, msg: Uint8Array, sig: Uint8Array, o: { userId?: string } = {}): boolean {
  const rs = parseDerSig(sig);
  if (!rs || !sm2IsValidPublicKey(publicKey)) return false;
  const { r, s } = rs;
  if (r < 1n || r >= N || s < 1n || s >= N) return false;
  const e = be32(sm2E(publicKey, msg, o.userId ?? SM2_DEFAULT_USER_ID));
  return sm2lib.doVerifySignature(arr(e), toHex(be32(r)) + toHex(be32(s)), toHex(publicKey), { hash: false });
}

function derInt(x: bigint): Uint8Array {
  let b = fromHex(x.toString(16).padStart(2 * Math.ceil(x.toString(16).length / 2), '0'));
  if (b[0]! & 0x80) b = concat(Uint8Array.of(0), b);
  return concat(Uint8Array.of(0x02, b.length), b);
}

function derSig(r: bigint, s: bigint): Uint8Array {
  const body = concat(derInt(r), derInt(s));
  return concat(Uint8Array.of(0x30, body.length), body);
}

/** Strict DER SEQUENCE { INTEGER r, INTEGER s } of at most 72 bytes; null when malformed. */
function parseDerSig(sig: Uint8Array): { r: bigint; s: bigint } | null {
  if (sig.length < 8 || sig.length > 72 || sig[0] !== 0x30 || sig[1] !== sig.length - 2) return null;
  const out: bigint[] = [];
  let o = 2;
  for (let i = 0; i < 2; i++) {
    if (sig[o] !== 0x02) return null;
    const len = sig[o + 1]!;
    if (len < 1 || len > 33 || o + 2 + len > sig.length) return null;
    const v = sig.subarray(o + 2, o + 2 + len);
    if (v[0]! & 0x80) return null; // negative
    if (len > 1 && v[0] === 0 && !(v[1]! & 0x80)) return null; // not minimal
    out.push(big(v));
    o += 2 + len;
  }
  return o === sig.length ? { r: out[0]!, s: out[1]! } : null;
}

// SPKI / PKCS#8 for SM2 keys: fixed DER prefixes (id-ecPublicKey 1.2.840.10045.2.1, curve SM2 1.2.156.10197.1.301).
const SPKI_PREFIX = fromHex('3059301306072a8648ce3d020106082a811ccf5501822d034200');
const PKCS8_PREFIX = fromHex('308187020100301306072a8648ce3d020106082a811ccf5501822d046d306b0201010420');
const PKCS8_MIDDLE = fromHex('a144034200');

/** SubjectPublicKeyInfo DER of an SM2 public key (what OpenSSL exports as 'spki'). */
export function sm2Spki(publicKey: Uint8Array): Uint8Array {
  if (!sm2IsValidPublicKey(publicKey)) throw new Error('not an SM2 public key');
  return concat(SPKI_PREFIX, publicKey);
}

/** The 65-byte point from an SM2 SubjectPublicKeyInfo DER; throws when it is not one. */
export function sm2PublicFromSpki(der: Uint8Array): Uint8Array {
  if (der.length !== SPKI_PREFIX.length + 65 || !equalBytes(der.subarray(0, SPKI_PREFIX.length), SPKI_PREFIX)) throw new Error('not an SM2 SubjectPublicKeyInfo');
  const pub = der.slice(SPKI_PREFIX.length);
  if (!sm2IsValidPublicKey(pub)) throw new Error('SM2 public key not on the curve');
  return pub;
}

/** PKCS#8 DER of an SM2 private key (with its public key, as OpenSSL writes it). */
export function sm2Pkcs8(privateKey: Uint8Array): Uint8Array {
  return concat(PKCS8_PREFIX, privateKey, PKCS8_MIDDLE, sm2PublicKeyOf(privateKey));
}

/** The 32-byte private key from an SM2 PKCS#8 DER as written by `sm2Pkcs8` or OpenSSL. */
export function sm2PrivateFromPkcs8(der: Uint8Array): Uint8Array {
  if (der.length < PKCS8_PREFIX.length + 32 || !equalBytes(der.subarray(0, PKCS8_PREFIX.length), PKCS8_PREFIX)) throw new Error('not an SM2 PKCS#8 key');
  const d = der.slice(PKCS8_PREFIX.length, PKCS8_PREFIX.length + 32);
  sm2PublicKeyOf(d); // range check
  return d;
}

// ---- SM4 (GB/T 32907) -----------------------------------------------------------------------

/** SM4 in ECB mode without padding (input a multiple of 16 bytes): the bare block cipher. */
export function sm4EncryptBlocks(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  if (key.length !== 16 || blocks.length % 16) throw new Error('SM4 needs a 16-byte key and whole blocks');
  return Uint8Array.from(sm4lib.encrypt(arr(blocks), arr(key), { padding: 'none', output: 'array' }));
}

export function sm4DecryptBlocks(key: Uint8Array, blocks: Uint8Array): Uint8Array {
  if (key.length !== 16 || blocks.length % 16) throw new Error('SM4 needs a 16-byte key and whole blocks');
  return Uint8Array.from(sm4lib.decrypt(arr(blocks), arr(key), { padding: 'none', output: 'array' }));
}

export const SM4_SEAL_KEY_BYTES = 48;
export const SM4_SEAL_OVERHEAD_MAX = 16 + 16 + 32;

function macInput(aad: Uint8Array, ivAndCt: Uint8Array): Uint8Array {
  const len = new Uint8Array(8);
  new DataView(len.buffer).setBigUint64(0, BigInt(aad.length));
  return concat(len, aad, ivAndCt);
}

/** SM4-CBC (PKCS#7) then HMAC-SM3 over (aad, IV, ciphertext): IV ‖ ciphertext ‖ tag. */
export function sm4CbcHmacSeal(key: Uint8Array, plain: Uint8Array, rand: RandomBytes, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (key.length !== SM4_SEAL_KEY_BYTES) throw new Error('SM4-CBC+HMAC-SM3 needs a 48-byte key');
  const iv = rand(16);
  if (iv.length !== 16) throw new Error('random source gave a short IV');
  const ct = Uint8Array.from(sm4lib.encrypt(arr(plain), arr(key.subarray(0, 16)), { mode: 'cbc', iv: arr(iv), output: 'array' }));
  const body = concat(iv, ct);
  return concat(body, hmacSm3(key.subarray(16), macInput(aad, body)));
}

/** Opens what `sm4CbcHmacSeal` sealed; throws when anything (or the aad) was changed. */
export function sm4CbcHmacOpen(key: Uint8Array, sealed: Uint8Array, aad: Uint8Array = new Uint8Array(0)): Uint8Array {
  if (key.length !== SM4_SEAL_KEY_BYTES) throw new Error('SM4-CBC+HMAC-SM3 needs a 48-byte key');
  if (sealed.length < 16 + 16 + 32 || (sealed.length - 48) % 16) throw new Error('sealed data has a wrong length');
  const body = sealed.subarray(0, sealed.length - 32);
  if (!equalBytes(hmacSm3(key.subarray(16), macInput(aad, body)), sealed.subarray(sealed.length - 32))) throw new Error('sealed data was changed (HMAC-SM3 mismatch)');
  return Uint8Array.from(sm4lib.decrypt(arr(body.subarray(16)), arr(key.subarray(0, 16)), { mode: 'cbc', iv: arr(body.subarray(0, 16)), output: 'array' }));
}
