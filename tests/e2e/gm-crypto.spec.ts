/**
 * 商用密码 in Chromium: electron/services/crypto/gm.ts (pure JS, no Node or DOM imports) bundled by
 * esbuild for the page, loaded into a blank page, checked there against the same hand-written
 * standard vectors as the Node test (tests/helpers/gm-vectors.ts), with the page's own
 * crypto.getRandomValues as the random source. A signature and a sealed message made in the page
 * are verified and opened in Node.
 */
import { expect, test } from '@playwright/test';
import { build } from 'esbuild';
import path from 'node:path';
import * as gmNode from '../../electron/services/crypto/gm';
import { GM_VECTORS } from '../helpers/gm-vectors';

type Gm = typeof gmNode;

async function bundleForPage(): Promise<string> {
  const out = await build({
    stdin: {
      contents: `import * as gm from './electron/services/crypto/gm'; import { GM_VECTORS } from './tests/helpers/gm-vectors'; globalThis.gm = gm; globalThis.GM_VECTORS = GM_VECTORS;`,
      resolveDir: path.resolve(__dirname, '../..'),
      loader: 'ts',
    },
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'chrome110',
    write: false,
  });
  return out.outputFiles[0]!.text;
}

test('SM3, SM4 and SM2 pass the standard vectors in Chromium', async ({ page }) => {
  await page.setContent('<!doctype html><title>gm</title>');
  await page.addScriptTag({ content: await bundleForPage() });
  const r = await page.evaluate(() => {
    const w = globalThis as unknown as { gm: Gm; GM_VECTORS: typeof GM_VECTORS };
    const { gm, GM_VECTORS: V } = w;
    const rand = (n: number) => crypto.getRandomValues(new Uint8Array(n));
    const utf8 = (s: string) => new TextEncoder().encode(s);
    const sm3 = V.sm3.map((v) => gm.toHex(gm.sm3(gm.fromHex(v.msgHex))));
    const sm4 = gm.toHex(gm.sm4EncryptBlocks(gm.fromHex(V.sm4.key), gm.fromHex(V.sm4.plain)));
    let b = gm.fromHex(V.sm4.plain);
    for (let i = 0; i < 1000; i++) b = gm.sm4EncryptBlocks(gm.fromHex(V.sm4.key), b);
    const d = gm.fromHex(V.sm2.privateKey);
    const pub = gm.toHex(gm.sm2PublicKeyOf(d));
    const rs = gm.sm2SignRS(d, utf8(V.sm2.msg), () => gm.fromHex(V.sm2.k), { userId: V.sm2.userId });
    const stdSig = gm.sm2Sign(d, utf8(V.sm2.msg), () => gm.fromHex(V.sm2.k));
    const kp = gm.sm2GenerateKeyPair(rand);
    const pageMsg = rand(500);
    const key = rand(48);
    const sealed = gm.sm4CbcHmacSeal(key, utf8('数据在浏览器中加密'), rand, utf8('aad'));
    const tampered = sealed.slice();
    tampered[20]! ^= 1;
    let tamperRefused = false;
    try {
      gm.sm4CbcHmacOpen(key, tampered, utf8('aad'));
    } catch {
      tamperRefused = true;
    }
    return {
      sm3,
      sm4,
      sm4x1000: gm.toHex(b),
      pub,
      r: rs.r.toString(16).padStart(64, '0'),
      s: rs.s.toString(16).padStart(64, '0'),
      stdVerifies: gm.sm2Verify(gm.fromHex(V.sm2.publicKey), utf8(V.sm2.msg), stdSig),
      wrongMsgVerifies: gm.sm2Verify(gm.fromHex(V.sm2.publicKey), utf8('message digesT'), stdSig),
      page: { pub: gm.toHex(kp.publicKey), msg: gm.toHex(pageMsg), sig: gm.toHex(gm.sm2Sign(kp.privateKey, pageMsg, rand)), key: gm.toHex(key), sealed: gm.toHex(sealed) },
      opened: new TextDecoder().decode(gm.sm4CbcHmacOpen(key, sealed, utf8('aad'))),
      tamperRefused,
    };
  });
  expect(r.sm3).toEqual(['66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0', 'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732']);
  expect(r.sm4).toBe('681edf34d206965e86b3e94f536e4246');
  expect(r.sm4x1000).toBe('d735e91cc5689cf312bcc1efb740e813');
  expect(r.pub).toBe(GM_VECTORS.sm2.publicKey);
  expect(r.r).toBe('f5a03b0648d2c4630eeac513e1bb81a15944da3827d5b74143ac7eaceee720b3');
  expect(r.s).toBe('b1b6aa29df212fd8763182bc0d421ca1bb9038fd1f7f42d4840b69c485bbc1aa');
  expect(r.stdVerifies).toBe(true);
  expect(r.wrongMsgVerifies).toBe(false);
  expect(r.opened).toBe('数据在浏览器中加密');
  expect(r.tamperRefused).toBe(true);
  // What the page made, checked in Node.
  const h = gmNode.fromHex;
  expect(gmNode.sm2Verify(h(r.page.pub), h(r.page.msg), h(r.page.sig))).toBe(true);
  expect(new TextDecoder().decode(gmNode.sm4CbcHmacOpen(h(r.page.key), h(r.page.sealed), new TextEncoder().encode('aad')))).toBe('数据在浏览器中加密');
});
