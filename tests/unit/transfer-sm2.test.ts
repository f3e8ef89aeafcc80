/**
 * 商用密码: a desk whose signing key is SM2 (with SM3, pure JS) writes a bundle its peer
 * verifies; the same bundle checked against an Ed25519 key, or with its body changed, is refused.
 * A signature made by Node's OpenSSL (as desks signed before pure-JS SM2: empty user ID) still verifies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';
import { createDeskKeys, signBytes, verifyBytes } from '../../electron/services/transfer/desk-keys';
import { BundleWriter } from '../../electron/services/transfer/bundle-writer';
import { readManifest, verifyToStaging } from '../../electron/services/transfer/bundle-reader';
import { BundleRefused } from '../../electron/services/transfer/bundle-format';
import { parseCard } from '../../electron/services/transfer/desk-setup';
import { hasNativeSm4, sealedSize, Sm4BundleCipher } from '../../electron/services/transfer/bundle-crypto';
import { randomBytes } from 'node:crypto';

describe('SM4-CBC + HMAC-SM3 bundle segments', () => {
  it("Node's OpenSSL and the pure-JS code (Electron's path) seal the same layout and open each other's segments", () => {
    expect(hasNativeSm4()).toBe(true); // this machine's Node has SM4 and SM3: the cross-check below is real
    const key = randomBytes(48);
    const native = new Sm4BundleCipher(key, 'bundle-0001', true);
    const js = new Sm4BundleCipher(key, 'bundle-0001', false);
    const at = { stream: 'part' as const, part: 0, segment: 3, last: false };
    for (const n of [0, 15, 16, 1000, 4096]) {
      const plain = randomBytes(n);
      for (const [a, b] of [[native, js], [js, native]] as const) {
        const sealed = Buffer.concat(a.seal(at, plain));
        expect(sealed.length).toBe(sealedSize('x25519-hkdf-sm3-sm4-cbc-hmac-sm3', n));
        expect(b.open(at, sealed).equals(plain)).toBe(true);
        expect(() => b.open({ ...at, segment: 4 }, sealed)).toThrow(/HMAC-SM3/); // moved
        expect(() => b.open({ ...at, last: true }, sealed)).toThrow(/HMAC-SM3/); // taken for the last
        const bad = Buffer.from(sealed);
        bad[bad.length >> 1]! ^= 1;
        expect(() => b.open(at, bad)).toThrow(/HMAC-SM3/);
        expect(() => new Sm4BundleCipher(randomBytes(48), 'bundle-0001', true).open(at, sealed)).toThrow(/HMAC-SM3/); // another key
      }
    }
  });
});

describe('SM2/SM3 signed bundles', () => {
  it("verifies signatures made by earlier desks through Node's OpenSSL, and our own", () => {
    const k = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const pub = (k.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
    const body = Buffer.from('{"format":"pfd-transfer/2"}');
    // As the earlier desk-keys.ts did: the key read back from its DER is an SM2 key (as generated, an ECDSA one).
    const legacy = sign('sm3', body, createPrivateKey({ key: k.privateKey.export({ type: 'pkcs8', format: 'der' }), format: 'der', type: 'pkcs8' }));
    expect(verifyBytes('sm2-sm3', pub, body, legacy)).toBe(true);
    expect(verifyBytes('sm2-sm3', pub, Buffer.from('{"format":"pfd-transfer/3"}'), legacy)).toBe(false);
    expect(verifyBytes('ed25519', pub, body, legacy)).toBe(false);
    const a = createDeskKeys(tempDir('sm2-d-'), { deskId: 'in-00000000dd', name: '内网', zone: 'intranet', signAlg: 'sm2-sm3' });
    expect(verifyBytes('sm2-sm3', a.card.signPub, body, signBytes('sm2-sm3', a.signKey, body))).toBe(true);
    expect(verifyBytes('sm2-sm3', pub, body, signBytes('sm2-sm3', a.signKey, body))).toBe(false);
  });

  it('verify with the SM2 key, and only with it', async () => {
    const a = createDeskKeys(tempDir('sm2-a-'), { deskId: 'in-00000000aa', name: '内网', zone: 'intranet', signAlg: 'sm2-sm3' });
    const b = createDeskKeys(tempDir('sm2-b-'), { deskId: 'ex-00000000bb', name: '外网', zone: 'extranet', signAlg: 'ed25519' });
    expect(parseCard(JSON.stringify(a.card))).toEqual(a.card); // an SM2 desk's card can be paired with
    const out = tempDir('sm2-bundle-');
    const w = new BundleWriter({ outDir: out, bundleId: 'in-00000000aa-000001-sm2', chunkBytes: 4096, me: a, peer: b.card, seq: 1, prevHash: '', createdAt: new Date(), expiresAt: new Date(Date.now() + 60_000), peerApplied: { through: 0, also: [] } });
    await w.addAcks([{ key: 'h/c/t/r1', state: 'received' }]);
    const written = await w.finish();
    const staged = await verifyToStaging(written.manifestFile, { me: b, peer: a.card, now: new Date(), stagingRoot: tempDir('sm2-stage-') });
    expect(staged.body.counts.acks).toBe(1);
    expect(JSON.parse(fs.readFileSync(written.manifestFile, 'utf8')).alg).toBe('sm2-sm3');
    // Checked as if the peer had an Ed25519 key: refused.
    const ed = createDeskKeys(tempDir('sm2-c-'), { deskId: 'in-00000000cc', name: '冒充', zone: 'intranet', signAlg: 'ed25519' });
    expect(() => readManifest(written.manifestFile, { me: b, peer: ed.card, now: new Date() })).toThrow(BundleRefused);
    // The body changed by one character: refused.
    const m = JSON.parse(fs.readFileSync(written.manifestFile, 'utf8'));
    m.body = m.body.replace('"seq":1', '"seq":2');
    const forged = path.join(out, 'forged.manifest.json');
    fs.writeFileSync(forged, JSON.stringify(m));
    expect(() => readManifest(forged, { me: b, peer: a.card, now: new Date() })).toThrow(/签名校验未通过/);
  });
});
