/**
 * The 商用密码 option: a desk whose signing key is SM2 (with SM3) writes a bundle its peer
 * verifies; the same bundle checked against an Ed25519 key, or with its body changed, is refused.
 * Skipped with a printed reason only where the runtime has no SM2/SM3.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { createDeskKeys, isSm2Available } from '../../electron/services/transfer/desk-keys';
import { BundleWriter } from '../../electron/services/transfer/bundle-writer';
import { readManifest, verifyToStaging } from '../../electron/services/transfer/bundle-reader';
import { BundleRefused } from '../../electron/services/transfer/bundle-format';
import { parseCard } from '../../electron/services/transfer/desk-setup';

const sm2 = isSm2Available();
if (!sm2) console.log('SM2/SM3 not available in this Node/OpenSSL: the SM2 bundle test is skipped');

describe.skipIf(!sm2)('SM2/SM3 signed bundles', () => {
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
