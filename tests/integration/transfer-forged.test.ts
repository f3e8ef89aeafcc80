/**
 * 1,000 damaged or forged bundles (flipped bytes in parts, index and manifest, truncated, missing,
 * re-ordered, swapped-in and padded parts, a damaged, cut, missing or swapped-in index, unsigned,
 * re-stamped manifests, the wrong signing key, another receiver, expired): every one is refused
 * with its reason and the receiving store is the same in content afterwards; then the undamaged
 * bundle imports.
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { BundleWriter } from '../../electron/services/transfer/bundle-writer';
import { BundleRefused } from '../../electron/services/transfer/bundle-format';
import { createDeskKeys, loadDeskKeys } from '../../electron/services/transfer/desk-keys';
import { readPeer } from '../../electron/services/transfer/desk-setup';
import { ACTOR, caseWithPages, contentDigest, copyDir, manifestIn, pairOfDesks, type Side } from './transfer-support';

const open: Side[] = [];
// The test's desks are closed after it whatever happened.
afterEach(async () => {
  for (const s of open.splice(0)) await s.close();
});

function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

describe('forged and damaged bundles', () => {
  it('refuses 1,000 of them and writes nothing', async () => {
    const { a, b } = await pairOfDesks();
    open.push(a, b);
    await caseWithPages(a, 3, 7);
    const base = tempDir('base-');
    await exportBundle(a.ctx, ACTOR, { outDir: base, chunkBytes: 8 * 1024 });
    const other = tempDir('other-'); // a second genuine bundle, for swapped-in parts
    await exportBundle(a.ctx, ACTOR, { outDir: other, chunkBytes: 8 * 1024 });

    // Bundles signed by a stranger, addressed to a stranger, or expired.
    const stranger = createDeskKeys(tempDir('stranger-'), { deskId: 'ex-0000000000', name: '陌生工作台', zone: 'extranet', signAlg: 'ed25519' });
    const aKeys = loadDeskKeys(a.dataDir);
    const bCard = readPeer(a.ctx)!.card;
    const crafted = async (name: string, o: { me?: typeof aKeys; peer?: typeof bCard; expiresAt?: Date }) => {
      const dir = tempDir(`${name}-`);
      const w = new BundleWriter({
        outDir: dir,
        bundleId: `${(o.me ?? aKeys).card.deskId}-${name}-${randomBytes(3).toString('hex')}`,
        chunkBytes: 4096,
        me: o.me ?? aKeys,
        peer: o.peer ?? bCard,
        seq: 99,
        prevHash: '',
        createdAt: new Date(),
        expiresAt: o.expiresAt ?? new Date(Date.now() + 3_600_000),
        peerApplied: { through: 0, also: [] },
      });
      await w.addAcks([{ key: 'x/y/z/r1', state: 'received' }]);
      await w.finish();
      return dir;
    };
    // The stranger claims to be the intranet desk: same card, its own keys.
    const impostor = { ...stranger, card: { ...stranger.card, deskId: aKeys.card.deskId } };
    const bases = {
      wrongKey: await crafted('wrongkey', { me: impostor }),
      wrongReceiver: await crafted('wrongrcv', { peer: stranger.card }),
      expired: await crafted('expired', { expiresAt: new Date(Date.now() - 1000) }),
    };

    const before = contentDigest(b.ctx.db);
    const filesDir = path.join(b.dataDir, 'files');
    const listFiles = () => (fs.existsSync(filesDir) ? fs.readdirSync(filesDir, { recursive: true }).length : 0);
    const filesBefore = listFiles();
    const rnd = prng(20261130);
    const parts = (dir: string) => fs.readdirSync(dir).filter((f) => /\.p\d{5}$/.test(f)).sort();
    const index = (dir: string) => path.join(dir, fs.readdirSync(dir).find((f) => f.endsWith('.index'))!);
    const flip = (file: string) => {
      const buf = fs.readFileSync(file);
      const i = rnd(buf.length);
      buf[i] = buf[i]! ^ (1 + rnd(255));
      fs.writeFileSync(file, buf);
    };
    const mutations: [string, (dir: string) => void][] = [
      ['flip part byte', (d) => flip(path.join(d, parts(d)[rnd(parts(d).length)]!))],
      ['flip manifest byte', (d) => flip(manifestIn(d))],
      ['truncate part', (d) => {
        const f = path.join(d, parts(d)[rnd(parts(d).length)]!);
        fs.truncateSync(f, rnd(fs.statSync(f).size));
      }],
      ['delete part', (d) => fs.rmSync(path.join(d, parts(d)[rnd(parts(d).length)]!))],
      ['swap two parts', (d) => {
        const p = parts(d);
        const i = rnd(p.length);
        const j = (i + 1 + rnd(p.length - 1)) % p.length;
        const x = fs.readFileSync(path.join(d, p[i]!));
        fs.copyFileSync(path.join(d, p[j]!), path.join(d, p[i]!));
        fs.writeFileSync(path.join(d, p[j]!), x);
      }],
      ['part from another bundle', (d) => {
        const p = parts(d);
        const o = parts(other);
        const i = rnd(Math.min(p.length, o.length));
        fs.copyFileSync(path.join(other, o[i]!), path.join(d, p[i]!));
      }],
      ['padded part', (d) => fs.appendFileSync(path.join(d, parts(d)[rnd(parts(d).length)]!), randomBytes(1 + rnd(64)))],
      ['flip index byte', (d) => flip(index(d))],
      ['truncate index', (d) => fs.truncateSync(index(d), rnd(fs.statSync(index(d)).size))],
      ['delete index', (d) => fs.rmSync(index(d))],
      ['index from another bundle', (d) => fs.copyFileSync(index(other), index(d))],
      ['unsigned', (d) => {
        const m = JSON.parse(fs.readFileSync(manifestIn(d), 'utf8'));
        delete m.sig;
        fs.writeFileSync(manifestIn(d), JSON.stringify(m));
      }],
      ['re-stamped body', (d) => {
        const m = JSON.parse(fs.readFileSync(manifestIn(d), 'utf8'));
        const body = JSON.parse(m.body);
        const k = rnd(4);
        if (k === 0) body.seq += 1 + rnd(5);
        else if (k === 1) body.expiresAt = new Date(Date.now() + 9e10).toISOString();
        else if (k === 2) body.parts = body.parts.slice(0, -1);
        else body.receiver.deskId = 'ex-ffffffffff';
        m.body = JSON.stringify(body);
        fs.writeFileSync(manifestIn(d), JSON.stringify(m));
      }],
      ['garbage manifest', (d) => fs.writeFileSync(manifestIn(d), randomBytes(rnd(300)))],
      ['wrong signing key', () => undefined],
      ['wrong receiver', () => undefined],
      ['expired', () => undefined],
    ];
    const reasons = new Map<string, number>();
    const work = tempDir('forged-');
    for (let n = 0; n < 1000; n++) {
      const [name, mutate] = mutations[n % mutations.length]!;
      const src = name === 'wrong signing key' ? bases.wrongKey : name === 'wrong receiver' ? bases.wrongReceiver : name === 'expired' ? bases.expired : base;
      const dir = path.join(work, String(n));
      copyDir(src, dir);
      mutate(dir);
      let refused: BundleRefused | null = null;
      try {
        await importBundle(b.ctx, ACTOR, manifestIn(dir));
      } catch (e) {
        if (!(e instanceof BundleRefused)) throw new Error(`variant ${n} (${name}) failed with a non-refusal: ${String(e)}`);
        refused = e;
      }
      expect(refused, `variant ${n} (${name}) was not refused`).not.toBeNull();
      expect(refused!.userMessage).toMatch(/[\u4e00-\u9fff]/);
      const k = `${name} → ${refused!.code}`;
      reasons.set(k, (reasons.get(k) ?? 0) + 1);
      fs.rmSync(dir, { recursive: true });
    }
    console.log('refusals by mutation and reason:', Object.fromEntries(reasons));
    expect([...reasons.values()].reduce((s, x) => s + x, 0)).toBe(1000);
    expect(contentDigest(b.ctx.db)).toBe(before);
    expect(listFiles()).toBe(filesBefore);
    expect(fs.readdirSync(path.join(b.dataDir, 'transfer', 'staging'))).toEqual([]);
    expect([...reasons.keys()].some((k) => k.startsWith('wrong signing key → bad_signature'))).toBe(true);
    expect([...reasons.keys()].some((k) => k.startsWith('wrong receiver → wrong_receiver'))).toBe(true);
    expect([...reasons.keys()].some((k) => k.startsWith('expired → expired'))).toBe(true);

    // The undamaged bundle imports.
    expect(await importBundle(b.ctx, ACTOR, manifestIn(base))).toMatchObject({ status: 'applied', entriesNew: 1 });
  }, 600_000); // 1,000 imports: a bound for a loaded machine, not a speed measure (120 s was not enough at load 35)
});
