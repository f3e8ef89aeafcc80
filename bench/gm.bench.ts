/**
 * 商用密码 cost: sealing + opening one 1 MB bundle segment under AES-256-GCM (the Ed25519 desks'
 * suite, the baseline), SM4-CBC + HMAC-SM3 through Node's OpenSSL (a desk on Node) and through
 * pure JS (what an Electron desk runs, BoringSSL having no SM4); and one SM2 signature and
 * verification (pure JS) against Ed25519 (OpenSSL). Same process, same run.
 *   npx tsx bench/gm.bench.ts            (BENCH_GM_SEGMENTS, default 8)
 */
import { generateKeyPairSync, randomBytes, sign, verify } from 'node:crypto';
import { emitResult, envInt, load1, median, ms, nowMs } from './lib';
import { BundleCipher, Sm4BundleCipher, type SegmentCipher } from '../electron/services/transfer/bundle-crypto';
import * as gm from '../electron/services/crypto/gm';

const SEGMENTS = envInt('BENCH_GM_SEGMENTS', 8);
const MB = 1024 * 1024;
console.log(`gm bench: load ${load1()}, ${SEGMENTS} segments of 1 MB per cipher`);

function perMb(c: SegmentCipher): number {
  const plain = randomBytes(MB);
  const times: number[] = [];
  for (let i = 0; i < SEGMENTS; i++) {
    const at = { stream: 'part' as const, part: 0, segment: i, last: false };
    const t = nowMs();
    const sealed = Buffer.concat(c.seal(at, plain));
    if (!c.open(at, sealed).equals(plain)) throw new Error('round trip failed');
    times.push(nowMs() - t);
  }
  return median(times);
}

const aes = perMb(new BundleCipher(randomBytes(32), 'bench-0001'));
const sm4Native = perMb(new Sm4BundleCipher(randomBytes(48), 'bench-0001', true));
const sm4Js = perMb(new Sm4BundleCipher(randomBytes(48), 'bench-0001', false));

const body = randomBytes(4096);
const ed = generateKeyPairSync('ed25519');
const sm2 = gm.sm2GenerateKeyPair((n) => new Uint8Array(randomBytes(n)));
const rand = (n: number) => new Uint8Array(randomBytes(n));
function op(f: () => void, n = 20): number {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = nowMs();
    f();
    times.push(nowMs() - t);
  }
  return median(times);
}
const edSig = sign(null, body, ed.privateKey);
const smSig = gm.sm2Sign(sm2.privateKey, body, rand);
const r = {
  sealOpenPerMbMs: { aes256gcm: aes, sm4CbcHmacSm3Native: sm4Native, sm4CbcHmacSm3PureJs: sm4Js },
  signMs: { ed25519: op(() => sign(null, body, ed.privateKey)), sm2PureJs: op(() => gm.sm2Sign(sm2.privateKey, body, rand, { publicKey: sm2.publicKey })) },
  verifyMs: { ed25519: op(() => verify(null, body, ed.publicKey, edSig)), sm2PureJs: op(() => gm.sm2Verify(sm2.publicKey, body, smSig)) },
};
console.log(`seal+open 1 MB: AES-256-GCM ${ms(aes, 2)}, SM4-CBC+HMAC-SM3 OpenSSL ${ms(sm4Native, 2)} (×${(sm4Native / aes).toFixed(1)}), pure JS ${ms(sm4Js, 0)} (×${(sm4Js / aes).toFixed(0)})`);
console.log(`sign: Ed25519 ${ms(r.signMs.ed25519, 3)}, SM2 pure JS ${ms(r.signMs.sm2PureJs, 2)}; verify: Ed25519 ${ms(r.verifyMs.ed25519, 3)}, SM2 pure JS ${ms(r.verifyMs.sm2PureJs, 2)}`);
emitResult({ name: 'gm', ...r });
