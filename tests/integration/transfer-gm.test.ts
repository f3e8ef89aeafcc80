/**
 * 商用密码 by default: two desks set up without choosing an algorithm sign with SM2/SM3 (their
 * cards carry SM2 keys, their bundles say so in the manifest), a bundle with pages round-trips
 * between them (parts and index sealed with SM4-CBC + HMAC-SM3), a changed byte is refused; an
 * Ed25519 pairing still works (AES-256-GCM).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { readDesk } from '../../electron/services/transfer/desk-setup';
import { BundleRefused } from '../../electron/services/transfer/bundle-format';
import { spawnSync } from 'node:child_process';
import { ROOT } from '../helpers/temp';
import { testDesk } from '../helpers/app';
import { ACTOR, caseWithPages, copyDir, manifestIn, pairOfDesks, type Side } from './transfer-support';

let open: Side[] = [];
afterEach(async () => {
  for (const s of open) await s.close();
  open = [];
});

/** SubjectPublicKeyInfo DER of an SM2 key: id-ecPublicKey with the curve 1.2.156.10197.1.301, then 04 ‖ x ‖ y. */
const SM2_SPKI_PREFIX = '3059301306072a8648ce3d020106082a811ccf5501822d03420004';

async function refusal(s: Side, dir: string): Promise<string> {
  try {
    await importBundle(s.ctx, ACTOR, manifestIn(dir));
    return 'imported';
  } catch (e) {
    if (e instanceof BundleRefused) return e.code;
    throw e;
  }
}

function flipByte(file: string, at: number): void {
  const b = fs.readFileSync(file);
  b[at]! ^= 0x01;
  fs.writeFileSync(file, b);
}

describe('商用密码 transfer', () => {
  it('a pairing made with the defaults uses SM2/SM3; its bundle round-trips and a changed byte is refused', async () => {
    const { a, b } = await pairOfDesks(undefined, { signAlg: 'default' });
    open.push(a, b);
    for (const s of [a, b]) {
      const card = readDesk(s.ctx)!.card;
      expect(card.signAlg).toBe('sm2-sm3');
      expect(Buffer.from(card.signPub, 'base64').toString('hex').startsWith(SM2_SPKI_PREFIX)).toBe(true);
      expect(Buffer.from(card.signPub, 'base64').length).toBe(91);
    }
    const c = await caseWithPages(a, 2);
    const out = tempDir('gm-bundle-');
    await exportBundle(a.ctx, ACTOR, { outDir: out, chunkBytes: 8 * 1024 });
    const manifest = JSON.parse(fs.readFileSync(manifestIn(out), 'utf8')) as { alg: string; body: string; sig: string };
    expect(manifest.alg).toBe('sm2-sm3');
    expect((JSON.parse(manifest.body) as { enc: { alg: string } }).enc.alg).toBe('x25519-hkdf-sm3-sm4-cbc-hmac-sm3');
    // An SM2 signature is DER SEQUENCE { r, s }: 0x30, at most 72 bytes.
    const sig = Buffer.from(manifest.sig, 'base64');
    expect(sig[0]).toBe(0x30);
    expect(sig.length).toBeLessThanOrEqual(72);

    // A changed byte in a part, and in the signed body: refused, nothing imported.
    const damagedPart = tempDir('gm-bundle-part-');
    copyDir(out, damagedPart);
    const part = fs.readdirSync(damagedPart).find((f) => f.endsWith('.p00000'))!;
    flipByte(path.join(damagedPart, part), 40);
    expect(await refusal(b, damagedPart)).toBe('tampered');
    const damagedBody = tempDir('gm-bundle-body-');
    copyDir(out, damagedBody);
    const m = JSON.parse(fs.readFileSync(manifestIn(damagedBody), 'utf8')) as { body: string };
    m.body = m.body.replace('"seq":1', '"seq":2');
    fs.writeFileSync(manifestIn(damagedBody), JSON.stringify({ ...manifest, body: m.body }));
    expect(await refusal(b, damagedBody)).toBe('bad_signature');
    expect(b.ctx.db.prepare('SELECT COUNT(*) FROM transfer_cases').pluck().get()).toBe(0);

    // The intact bundle imports, with the case's pages.
    expect(await importBundle(b.ctx, ACTOR, manifestIn(out))).toMatchObject({ status: 'applied', seq: 1, entriesNew: 1 });
    const mirrored = b.ctx.db.prepare('SELECT case_id FROM transfer_cases WHERE origin_case_no = ?').pluck().get(c.caseNo) as number;
    expect(b.ctx.db.prepare(`SELECT COUNT(*) FROM transfer_case_files WHERE case_id = ? AND kind = 'scan'`).pluck().get(mirrored)).toBe(2);
  }, 180_000); // two desks with scanned pages: a bound for a loaded machine, not a speed measure

  it('an Ed25519 pairing still works', async () => {
    const { a, b } = await pairOfDesks(undefined, { signAlg: 'ed25519' });
    open.push(a, b);
    expect(readDesk(a.ctx)!.card.signAlg).toBe('ed25519');
    await caseWithPages(a, 1);
    const out = tempDir('ed-bundle-');
    await exportBundle(a.ctx, ACTOR, { outDir: out });
    const manifest = JSON.parse(fs.readFileSync(manifestIn(out), 'utf8')) as { alg: string; body: string };
    expect(manifest.alg).toBe('ed25519');
    expect((JSON.parse(manifest.body) as { enc: { alg: string } }).enc.alg).toBe('x25519-hkdf-sha256-aes-256-gcm');
    expect(await importBundle(b.ctx, ACTOR, manifestIn(out))).toMatchObject({ status: 'applied', entriesNew: 1 });
  }, 180_000); // two desks with scanned pages: a bound for a loaded machine, not a speed measure

  it('transfer-setup on the command line makes an SM2/SM3 desk unless told --ed25519', async () => {
    const cli = (dataDir: string, ...args: string[]) => spawnSync(process.execPath, [path.join(ROOT, 'dist', 'electron', 'cli.cjs'), ...args, '--data-dir', dataDir], { encoding: 'utf8' });
    for (const [extra, alg, label] of [[[], 'sm2-sm3', '签名算法：SM2/SM3（商用密码）'], [['--ed25519'], 'ed25519', '签名算法：Ed25519']] as const) {
      const dataDir = tempDir('gm-cli-');
      (await testDesk({ dataDir, sync: false })).app.close();
      const r = cli(dataDir, 'transfer-setup', '--zone', 'intranet', '--name', '内网窗口', ...extra);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(label);
      const card = cli(dataDir, 'transfer-card', '--out', path.join(dataDir, 'card.json'));
      expect(card.status, card.stderr).toBe(0);
      expect((JSON.parse(fs.readFileSync(path.join(dataDir, 'card.json'), 'utf8')) as { signAlg: string }).signAlg).toBe(alg);
    }
  }, 180_000); // two desks' start and four CLI processes: a bound for a loaded machine
});
