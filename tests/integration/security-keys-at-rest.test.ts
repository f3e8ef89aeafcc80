/**
 * Keys and tokens at rest (issue 15, point 7: "no private key or token in clear anywhere in the data
 * folder"; docs/SECURITY.md, "Keys and tokens at rest"): the audit checkpoint key, the transfer desk
 * keys and the vertical targets' tokens are sealed under the store key. Two real desks paired, a
 * case carried in real bundles and delivered by the peer to the target simulator (which refuses a
 * wrong token), audit checkpoints signed at start and at every stop; then every file of both data
 * folders is read as raw bytes and searched for each private key (read through the code's own
 * loaders: its PKCS#8 DER and raw scalar, in binary, base64 and hex) and the token. Files an older
 * version left in clear are sealed in place at the next start, and still work.
 */
import fs from 'node:fs';
import path from 'node:path';
import { createCipheriv, randomBytes, scryptSync, type KeyObject } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { filesUnder, tempDir } from '../helpers/temp';
import { testDesk } from '../helpers/app';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { openTransfer } from '../../electron/services/transfer/open-transfer';
import { setupDesk } from '../../electron/services/transfer/desk-setup';
import { loadDeskKeys, type DeskKeys } from '../../electron/services/transfer/desk-keys';
import { loadOrCreateAuditKey, readCheckpoints } from '../../electron/services/audit/checkpoints';
import { loadSyncConfig, syncConfigPath } from '../../electron/services/sync/targets-config';
import * as gm from '../../electron/services/crypto/gm';
import { ACTOR, caseWithPages, manifestIn, pair, side } from './transfer-support';
import { FAST_SENDER, simTarget, waitFor } from '../helpers/sync-desks';
import { openTestStore } from '../helpers/store';

const TOKEN = 'Bearer tok-prov';

let sim: SpawnedSim;
beforeAll(async () => {
  sim = await spawnVerticalSim({ dataDir: tempDir('keys-at-rest-sim-'), targets: [simTarget('prov', true)] });
});
afterAll(async () => {
  await sim.close();
});

type Needle = [string, Buffer];

/** A private key's bytes as they could sit in a file: PKCS#8 DER and the raw 32-byte scalar, each in binary, base64 and hex. */
function keyNeedles(what: string, pkcs8: Buffer, raw: Buffer): Needle[] {
  expect(raw.length, `${what}: a 32-byte private scalar`).toBe(32);
  const forms = (name: string, b: Buffer): Needle[] => [
    [`${what} ${name}`, b],
    [`${what} ${name} (base64)`, Buffer.from(b.toString('base64'), 'latin1')],
    [`${what} ${name} (base64url)`, Buffer.from(b.toString('base64url'), 'latin1')],
    [`${what} ${name} (hex)`, Buffer.from(b.toString('hex'), 'latin1')],
  ];
  return [...forms('PKCS#8', pkcs8), ...forms('scalar', raw)];
}

const pkcs8Of = (k: KeyObject) => k.export({ type: 'pkcs8', format: 'der' }) as Buffer;
/** Ed25519 / X25519 PKCS#8 DER is a 16-byte prefix and the 32-byte private key. */
const rawOf = (der: Buffer) => der.subarray(der.length - 32);

function deskNeedles(keys: DeskKeys, who: string): Needle[] {
  const sign = keys.signKey;
  const signNeedles = 'kind' in sign ? keyNeedles(`${who} SM2 signing key`, Buffer.from(gm.sm2Pkcs8(sign.d)), Buffer.from(sign.d)) : keyNeedles(`${who} Ed25519 signing key`, pkcs8Of(sign), rawOf(pkcs8Of(sign)));
  const box = pkcs8Of(keys.boxKey);
  return [...signNeedles, ...keyNeedles(`${who} X25519 box key`, box, rawOf(box))];
}

function auditNeedles(dataDir: string, who: string): Needle[] {
  const der = pkcs8Of(loadOrCreateAuditKey(dataDir).key);
  return keyNeedles(`${who} audit key`, der, rawOf(der));
}

const GENERIC: Needle[] = [
  ['PEM private key', Buffer.from('PRIVATE KEY', 'latin1')],
  ['the token', Buffer.from(TOKEN, 'latin1')],
  ['the token (no scheme)', Buffer.from('tok-prov', 'latin1')],
];

/** Every file under `root` holding any needle, as "file: what". */
function found(root: string, needles: Needle[]): string[] {
  const out: string[] = [];
  for (const f of filesUnder(root)) {
    const bytes = fs.readFileSync(f);
    for (const [what, n] of needles) if (bytes.includes(n)) out.push(`${path.relative(root, f)}: ${what}`);
  }
  return out;
}

/** The key file as the version before sealing wrote it: AES-256-GCM under scrypt(passphrase of transfer/desk-secret). */
function writeOldDeskKeys(dataDir: string, keys: DeskKeys): string {
  if ('kind' in keys.signKey) throw new Error('the old-format writer takes an Ed25519 desk');
  const pass = randomBytes(32).toString('base64');
  fs.writeFileSync(path.join(dataDir, 'transfer', 'desk-secret'), pass, { mode: 0o600 });
  const secret = JSON.stringify({ sign: pkcs8Of(keys.signKey).toString('base64'), box: pkcs8Of(keys.boxKey).toString('base64') });
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const N = 1 << 15;
  const c = createCipheriv('aes-256-gcm', scryptSync(pass, salt, 32, { N, r: 8, p: 1, maxmem: 256 * N * 8 }), iv);
  c.setAAD(Buffer.from(JSON.stringify(keys.card)));
  const ciphertext = Buffer.concat([c.update(secret, 'utf8'), c.final()]).toString('base64');
  const file = { format: 'pfd-desk-keys/1', card: keys.card, kdf: { alg: 'scrypt', N, r: 8, p: 1, salt: salt.toString('base64') }, iv: iv.toString('base64'), tag: c.getAuthTag().toString('base64'), ciphertext };
  fs.writeFileSync(path.join(dataDir, 'transfer', 'desk-keys.json'), JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  return pass;
}

const auditMax = (dataDir: string) => {
  const db = openTestStore(path.join(dataDir, 'desk.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT MAX(seq) FROM audit_log').pluck().get() as number;
  } finally {
    db.close();
  }
};

describe.skipIf(process.platform === 'win32')('keys and tokens at rest', () => {
  it('two paired desks used through real flows: no private key, no PEM and no token in any file of either data folder; signing and the token still work', async () => {
    // An SM2 desk (the default) and an Ed25519 one; the extranet desk delivers to the simulator with the token.
    const a = await side('intranet', undefined, { signAlg: 'default' });
    const b = await side('extranet', sim.targets.prov!, { sync: true });
    let needles: Needle[] = [...GENERIC];
    try {
      pair(a, b);
      const c = await caseWithPages(a, 1);
      const dir = tempDir('keys-at-rest-bundle-');
      await exportBundle(a.ctx, ACTOR, { outDir: dir });
      expect(await importBundle(b.ctx, ACTOR, manifestIn(dir))).toMatchObject({ status: 'applied' });
      // The simulator answers 401 to a wrong or missing token: an acknowledgement proves the sealed token was opened and sent.
      await waitFor('the extranet desk to deliver the carried case', () => b.ctx.db.prepare(`SELECT state FROM outbox_entries WHERE target_id = 'prov'`).pluck().get() === 'acknowledged');
      expect((await sim.cases('prov')).map((s) => s.externalRef)).toContain(c.caseNo);
      needles = [...needles, ...deskNeedles(loadDeskKeys(a.dataDir), 'A'), ...deskNeedles(loadDeskKeys(b.dataDir), 'B'), ...auditNeedles(a.dataDir, 'A'), ...auditNeedles(b.dataDir, 'B')];
    } finally {
      await a.close();
      await b.close();
    }
    expect(loadDeskKeys(a.dataDir).card.signAlg).toBe('sm2-sm3');
    for (const d of [a.dataDir, b.dataDir]) {
      // The files are there, sealed; the old passphrase file is not.
      expect(JSON.parse(fs.readFileSync(path.join(d, 'transfer', 'desk-keys.json'), 'utf8'))).toMatchObject({ format: 'pfd-desk-keys/2', sealed: expect.stringMatching(/^pfd-sealed\/1\./) });
      expect(JSON.parse(fs.readFileSync(path.join(d, 'audit', 'audit-key.json'), 'utf8'))).toMatchObject({ format: 'pfd-audit-key/2', sealed: expect.stringMatching(/^pfd-sealed\/1\./) });
      expect(fs.existsSync(path.join(d, 'transfer', 'desk-secret'))).toBe(false);
      // The stop signed the chain's head with the sealed key: the last checkpoint verifies and names the last entry.
      const read = readCheckpoints(d);
      expect(read.bad).toEqual([]);
      expect(read.lines.at(-1)!.seq).toBe(auditMax(d));
      expect(found(d, needles)).toEqual([]);
    }
    const cfg = JSON.parse(fs.readFileSync(syncConfigPath(b.dataDir), 'utf8')) as { targets: { auth: Record<string, string> }[] };
    expect(Object.keys(cfg.targets[0]!.auth).sort()).toEqual(['header', 'sealed']);
    // Six keys searched (each desk's signing, box and audit keys), 8 forms each, and the 3 generic needles. That the
    // search finds such needles when they are there is shown by the next test (the older clear files, before the start).
    expect(needles.length).toBe(3 + 6 * 8);
  }, 300_000); // two desks paired, a case carried across and delivered, every file grepped for 51 needles: a bound for a loaded machine, not a speed measure

  it('an older version’s clear files are sealed in place at start (the audit key, the desk keys and their passphrase file, a hand-written token), and keep working', async () => {
    const dataDir = tempDir('keys-at-rest-old-');
    const boot = await testDesk({ dataDir, sync: false });
    boot.app.close();
    const t = openTransfer(dataDir);
    setupDesk(t.ctx, ACTOR, { zone: 'extranet', name: '外网窗口二', signAlg: 'ed25519' });
    t.close();
    // What an older version left: the three files in clear (the same keys, so the checkpoints already signed stay valid).
    const keys = loadDeskKeys(dataDir);
    const audit = loadOrCreateAuditKey(dataDir);
    const passphrase = writeOldDeskKeys(dataDir, keys);
    fs.writeFileSync(path.join(dataDir, 'audit', 'audit-key.json'), JSON.stringify({ format: 'pfd-audit-key/1', alg: 'ed25519', pub: audit.pub, priv: pkcs8Of(audit.key).toString('base64') }) + '\n', { mode: 0o600 });
    const handWritten = {
      version: 1,
      sender: FAST_SENDER,
      targets: [{ id: 'prov', name: '模拟prov', kind: 'http', baseUrl: sim.targets.prov!, auth: { header: 'Authorization', value: TOKEN }, idempotency: 'key', fields: [{ name: 'externalRef', from: 'caseNo' }] }],
    };
    fs.writeFileSync(syncConfigPath(dataDir), JSON.stringify(handWritten, null, 2), { mode: 0o600 });
    const needles: Needle[] = [...GENERIC, ['the old desk keys passphrase', Buffer.from(passphrase, 'latin1')], ...deskNeedles(keys, 'desk'), ...auditNeedles(dataDir, 'desk')];
    expect(found(dataDir, needles)).toEqual(
      expect.arrayContaining(['audit/audit-key.json: desk audit key PKCS#8 (base64)', 'sync-targets.json: the token', 'transfer/desk-secret: the old desk keys passphrase']),
    );

    // The next start seals them.
    const d = await testDesk({ dataDir, sync: false });
    const sealedLog = d.app.logger.recent().find((e) => e.event === 'store.keysSealedInPlace');
    d.app.close();
    expect(sealedLog?.files).toEqual(['audit/audit-key.json', 'transfer/desk-keys.json', 'sync-targets.json']);
    expect(found(dataDir, needles)).toEqual([]);
    expect(fs.existsSync(path.join(dataDir, 'transfer', 'desk-secret'))).toBe(false);
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'transfer', 'desk-keys.json'), 'utf8')).format).toBe('pfd-desk-keys/2');
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'audit', 'audit-key.json'), 'utf8'))).toMatchObject({ format: 'pfd-audit-key/2', pub: audit.pub });
    const cfgText = fs.readFileSync(syncConfigPath(dataDir), 'utf8');
    expect(JSON.parse(cfgText).targets[0].auth).toEqual({ header: 'Authorization', sealed: expect.stringMatching(/^pfd-sealed\/1\./) });
    expect(fs.statSync(syncConfigPath(dataDir)).mode & 0o777).toBe(0o600);

    // Still working: the same keys open, the token reads back, the stop's checkpoint verifies under the same public key.
    const again = loadDeskKeys(dataDir);
    expect(again.card).toEqual(keys.card);
    expect(pkcs8Of(again.boxKey).equals(pkcs8Of(keys.boxKey))).toBe(true);
    expect(pkcs8Of(loadOrCreateAuditKey(dataDir).key).equals(pkcs8Of(audit.key))).toBe(true);
    const loaded = loadSyncConfig(dataDir);
    expect(loaded.ok && loaded.config.targets[0]!.kind === 'http' && loaded.config.targets[0]!.auth).toEqual({ header: 'Authorization', value: TOKEN });
    const read = readCheckpoints(dataDir);
    expect(read.bad).toEqual([]);
    expect(read.keyPub).toBe(audit.pub);
    expect(read.lines.at(-1)!.seq).toBe(auditMax(dataDir));

    // A second start finds nothing left to seal.
    const d2 = await testDesk({ dataDir, sync: false });
    expect(d2.app.logger.recent().some((e) => e.event === 'store.keysSealedInPlace')).toBe(false);
    d2.app.close();
  });

  it('desk keys under the environment’s passphrase are sealed too; a secret file left by a stop after sealing is removed; a token copied from another folder is refused in Chinese', async () => {
    const dataDir = tempDir('keys-at-rest-env-');
    const boot = await testDesk({ dataDir, sync: false });
    boot.app.close();
    const t = openTransfer(dataDir);
    setupDesk(t.ctx, ACTOR, { zone: 'intranet', name: '内网窗口三', signAlg: 'ed25519' });
    t.close();
    const keys = loadDeskKeys(dataDir);

    // An older desk whose hall kept the passphrase in the environment: no secret file in the folder.
    const pass = writeOldDeskKeys(dataDir, keys);
    fs.rmSync(path.join(dataDir, 'transfer', 'desk-secret'));
    process.env.DESK_TRANSFER_PASSPHRASE = pass;
    try {
      const d = await testDesk({ dataDir, sync: false });
      expect(d.app.logger.recent().find((e) => e.event === 'store.keysSealedInPlace')?.files).toEqual(['transfer/desk-keys.json']);
      d.app.close();
    } finally {
      delete process.env.DESK_TRANSFER_PASSPHRASE;
    }
    expect(JSON.parse(fs.readFileSync(path.join(dataDir, 'transfer', 'desk-keys.json'), 'utf8')).format).toBe('pfd-desk-keys/2');
    expect(pkcs8Of(loadDeskKeys(dataDir).boxKey).equals(pkcs8Of(keys.boxKey))).toBe(true);

    // The state a kill leaves between the sealed key file and the removal of the secret file: the next start removes it.
    fs.writeFileSync(path.join(dataDir, 'transfer', 'desk-secret'), 'left-over', { mode: 0o600 });
    const d2 = await testDesk({ dataDir, sync: false });
    d2.app.close();
    expect(fs.existsSync(path.join(dataDir, 'transfer', 'desk-secret'))).toBe(false);

    // Another folder's sealed token does not open here: the desk starts without its targets and says why.
    const other = tempDir('keys-at-rest-other-');
    const o = await testDesk({ dataDir: other, sync: false });
    o.app.close();
    fs.writeFileSync(
      syncConfigPath(other),
      JSON.stringify({ version: 1, targets: [{ id: 'prov', name: '省级系统', kind: 'http', baseUrl: 'http://127.0.0.1:9/', auth: { header: 'Authorization', value: TOKEN }, idempotency: 'key', fields: [{ name: 'externalRef', from: 'caseNo' }] }] }),
      { mode: 0o600 },
    );
    const o2 = await testDesk({ dataDir: other, sync: false });
    o2.app.close();
    fs.copyFileSync(syncConfigPath(other), syncConfigPath(dataDir));
    const loaded = loadSyncConfig(dataDir);
    expect(loaded.ok).toBe(false);
    expect(!loaded.ok && loaded.problem).toBe('同步目标“省级系统”的认证令牌无法用本数据目录的密钥解开（配置文件来自另一数据目录，或已被改动），请重新填写该令牌');
    expect(loaded.config.targets).toEqual([]);
  });
});
