/**
 * 商用密码 in pure JS (electron/services/crypto/gm.ts) against the standards' test vectors
 * (tests/helpers/gm-vectors.ts, hand-written), and cross-checked with Node's OpenSSL (a separate
 * implementation) both ways. The same vectors run in Chromium: tests/e2e/gm-crypto.spec.ts.
 */
import { execFileSync } from 'node:child_process';
import { createCipheriv, createPrivateKey, createPublicKey, createHash, randomBytes, sign, verify, generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as gm from '../../electron/services/crypto/gm';
import { GM_VECTORS as V } from '../helpers/gm-vectors';
import { tempDir } from '../helpers/temp';

const hex = gm.toHex;
const bytes = gm.fromHex;
const utf8 = (s: string) => new TextEncoder().encode(s);
const rand = (n: number) => new Uint8Array(randomBytes(n));
/** A "random source" that gives the standard's fixed k. */
const fixedK = () => bytes(V.sm2.k);

describe('SM3 (GB/T 32905)', () => {
  it('digests "abc" and the 512-bit message to the published values', () => {
    for (const v of V.sm3) expect(hex(gm.sm3(bytes(v.msgHex)))).toBe(v.digest);
  });
  it('HMAC-SM3 agrees with OpenSSL', () => {
    const key = rand(40);
    const data = rand(1000);
    expect(hex(gm.hmacSm3(key, data))).toBe(
      // RFC 2104 by hand over OpenSSL's SM3
      (() => {
        const k = Buffer.concat([key, Buffer.alloc(64 - key.length)]);
        const inner = createHash('sm3').update(Buffer.from(k.map((b) => b ^ 0x36))).update(data).digest();
        return createHash('sm3').update(Buffer.from(k.map((b) => b ^ 0x5c))).update(inner).digest('hex');
      })(),
    );
  });
});

describe('SM4 (GB/T 32907)', () => {
  it('encrypts and decrypts the published single block', () => {
    expect(hex(gm.sm4EncryptBlocks(bytes(V.sm4.key), bytes(V.sm4.plain)))).toBe(V.sm4.cipher);
    expect(hex(gm.sm4DecryptBlocks(bytes(V.sm4.key), bytes(V.sm4.cipher)))).toBe(V.sm4.plain);
  });
  it('1,000 iterations give the value OpenSSL gives', () => {
    let b = bytes(V.sm4.plain);
    for (let i = 0; i < 1000; i++) b = gm.sm4EncryptBlocks(bytes(V.sm4.key), b);
    expect(hex(b)).toBe(V.sm4.cipher1e3);
    let o = Buffer.from(V.sm4.plain, 'hex');
    for (let i = 0; i < 1000; i++) {
      const c = createCipheriv('sm4-ecb', Buffer.from(V.sm4.key, 'hex'), null).setAutoPadding(false);
      o = c.update(o);
    }
    expect(o.toString('hex')).toBe(V.sm4.cipher1e3);
  });
  // About 15 s of CPU in pure JS (measured on the dev machine); the timeout is generous for a busy CI.
  it('1,000,000 iterations give the published value', () => {
    let b = bytes(V.sm4.plain);
    for (let i = 0; i < 1_000_000; i++) b = gm.sm4EncryptBlocks(bytes(V.sm4.key), b);
    expect(hex(b)).toBe(V.sm4.cipher1e6);
  }, 300_000);
  it('SM4-CBC agrees with OpenSSL sm4-cbc; seal/open round-trips and refuses any changed byte or aad', () => {
    const key = rand(48);
    const plain = rand(1000);
    const aad = utf8('bundle-1|part|0');
    const sealed = gm.sm4CbcHmacSeal(key, plain, rand, aad);
    expect(sealed.length).toBe(16 + 1008 + 32);
    const c = createCipheriv('sm4-cbc', key.subarray(0, 16), sealed.subarray(0, 16));
    expect(hex(Buffer.concat([c.update(plain), c.final()]))).toBe(hex(sealed.subarray(16, 16 + 1008)));
    expect(hex(gm.sm4CbcHmacOpen(key, sealed, aad))).toBe(hex(plain));
    for (const at of [0, 20, sealed.length - 1]) {
      const bad = sealed.slice();
      bad[at]! ^= 1;
      expect(() => gm.sm4CbcHmacOpen(key, bad, aad)).toThrow(/HMAC-SM3/);
    }
    expect(() => gm.sm4CbcHmacOpen(key, sealed, utf8('bundle-1|part|1'))).toThrow(/HMAC-SM3/);
  });
});

describe('SM2 signature (GB/T 32918.2)', () => {
  const d = bytes(V.sm2.privateKey);
  it('derives the published public key and reproduces the published signature with the fixed k', () => {
    expect(hex(gm.sm2PublicKeyOf(d))).toBe(V.sm2.publicKey);
    const { r, s } = gm.sm2SignRS(d, utf8(V.sm2.msg), fixedK, { userId: V.sm2.userId });
    expect(r.toString(16).padStart(64, '0')).toBe(V.sm2.r);
    expect(s.toString(16).padStart(64, '0')).toBe(V.sm2.s);
    const sig = gm.sm2Sign(d, utf8(V.sm2.msg), fixedK);
    expect(gm.sm2Verify(bytes(V.sm2.publicKey), utf8(V.sm2.msg), sig)).toBe(true);
    expect(gm.sm2Verify(bytes(V.sm2.publicKey), utf8('message digesT'), sig)).toBe(false);
    expect(gm.sm2Verify(bytes(V.sm2.publicKey), utf8(V.sm2.msg), sig, { userId: 'ALICE123@YAHOO.COM' })).toBe(false);
  });

  it('the openssl command (ID 1234567812345678) verifies the standard signature and ours, and signs what we verify', () => {
    const dir = tempDir('gm-openssl-');
    const f = (name: string, data: Uint8Array | string) => {
      fs.writeFileSync(path.join(dir, name), data);
      return path.join(dir, name);
    };
    const pem = (der: Uint8Array, label: string) => `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;
    const keyFile = f('k.pem', pem(gm.sm2Pkcs8(d), 'PRIVATE KEY'));
    const pubFile = f('p.pem', pem(gm.sm2Spki(bytes(V.sm2.publicKey)), 'PUBLIC KEY'));
    const id = ['-pkeyopt', `distid:${V.sm2.userId}`];
    const osslVerifies = (msg: Uint8Array, sig: Uint8Array) => {
      try {
        execFileSync('openssl', ['pkeyutl', '-verify', '-pubin', '-inkey', pubFile, '-rawin', '-digest', 'sm3', '-in', f('m', msg), '-sigfile', f('s', sig), ...id], { stdio: 'pipe' });
        return true;
      } catch {
        return false;
      }
    };
    expect(osslVerifies(utf8(V.sm2.msg), gm.sm2Sign(d, utf8(V.sm2.msg), fixedK))).toBe(true);
    const msg = rand(3000);
    expect(osslVerifies(msg, gm.sm2Sign(d, msg, rand))).toBe(true);
    expect(osslVerifies(msg, gm.sm2Sign(d, msg, rand, { userId: 'someone-else' }))).toBe(false);
    const osslSig = new Uint8Array(execFileSync('openssl', ['pkeyutl', '-sign', '-inkey', keyFile, '-rawin', '-digest', 'sm3', '-in', f('m', msg), ...id]));
    expect(gm.sm2Verify(bytes(V.sm2.publicKey), msg, osslSig)).toBe(true);
  });

  it("Node's OpenSSL (which signs with an empty ID) and our encodings agree both ways", () => {
    // A key made by OpenSSL: read by our decoders, signs and verifies both ways.
    const k = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const d2 = gm.sm2PrivateFromPkcs8(new Uint8Array(k.privateKey.export({ type: 'pkcs8', format: 'der' })));
    const p2 = gm.sm2PublicFromSpki(new Uint8Array(k.publicKey.export({ type: 'spki', format: 'der' })));
    expect(hex(gm.sm2PublicKeyOf(d2))).toBe(hex(p2));
    const priv = createPrivateKey({ key: Buffer.from(gm.sm2Pkcs8(d2)), format: 'der', type: 'pkcs8' });
    const pub = createPublicKey({ key: Buffer.from(gm.sm2Spki(p2)), format: 'der', type: 'spki' });
    const msg = rand(3000);
    for (let i = 0; i < 3; i++) {
      expect(verify('sm3', msg, pub, gm.sm2Sign(d2, msg, rand, { userId: '' }))).toBe(true);
      const s = sign('sm3', msg, priv);
      expect(gm.sm2Verify(p2, msg, s, { userId: '' })).toBe(true);
      expect(gm.sm2Verify(p2, msg, s)).toBe(false);
    }
  });

  it('a new key pair from the given random source signs and verifies; malformed signatures and keys are refused', () => {
    const kp = gm.sm2GenerateKeyPair(rand);
    expect(kp.privateKey.length).toBe(32);
    expect(kp.publicKey.length).toBe(65);
    const sig = gm.sm2Sign(kp.privateKey, utf8('x'), rand);
    expect(gm.sm2Verify(kp.publicKey, utf8('x'), sig)).toBe(true);
    expect(gm.sm2Verify(kp.publicKey, utf8('x'), sig.subarray(0, sig.length - 1))).toBe(false);
    expect(gm.sm2Verify(kp.publicKey, utf8('x'), Uint8Array.of(0x30, 0))).toBe(false);
    const offCurve = kp.publicKey.slice();
    offCurve[64]! ^= 1;
    expect(gm.sm2Verify(offCurve, utf8('x'), sig)).toBe(false);
    expect(() => gm.sm2PublicFromSpki(gm.sm2Spki(kp.publicKey).subarray(1))).toThrow(/SubjectPublicKeyInfo/);
  });
});
