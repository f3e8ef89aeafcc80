import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeFileDurably } from '../../store/durable-write';
import { asKnownError } from '../../app/app-error';
import { parseArgs } from 'node:util';
import { BundleRefused } from './bundle-format';
import { exportBundle } from './export-bundle';
import { importBundle } from './import-bundle';
import { openTransfer } from './open-transfer';
import { SIGN_ALG_LABELS } from '../../../shared/ipc/methods/transfer';
import { DEFAULT_SIGN_ALG, pairPeer, readDesk, setupDesk, SetupRefused } from './desk-setup';
import { manifestsIn } from './bundle-folder';
import { StoreKeyRefused, type StoreKeySource } from '../../store/store-key';

/**
 * The transfer commands of cli.cjs, for halls that script their gateway (docs/transfer.md):
 *
 *   bundle-export --out DIR [--chunk-mb N] [--ttl-hours N]
 *   bundle-import --from DIR|MANIFEST        (a folder: every bundle in it, by sequence number)
 *   transfer-setup --zone intranet|extranet --name NAME [--ed25519]   (SM2/SM3 unless --ed25519; --sm2 is accepted)
 *   transfer-card [--out FILE]                (prints the fingerprint)
 *   transfer-pair --card FILE --fingerprint XXXX-XXXX-XXXX-XXXX-XXXX
 *
 * Exit codes: 0 done, 1 refused (the reason on stderr, nothing written), 2 cannot run.
 */
export const TRANSFER_COMMANDS = ['bundle-export', 'bundle-import', 'transfer-setup', 'transfer-card', 'transfer-pair'];

export async function runTransferCli(command: string, args: string[], dataDir: string, storeKey?: StoreKeySource): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      'data-dir': { type: 'string' },
      out: { type: 'string' },
      from: { type: 'string' },
      'chunk-mb': { type: 'string' },
      'ttl-hours': { type: 'string' },
      zone: { type: 'string' },
      name: { type: 'string' },
      sm2: { type: 'boolean' },
      ed25519: { type: 'boolean' },
      card: { type: 'string' },
      fingerprint: { type: 'string' },
    },
  });
  const actor = { userId: null, username: `cli:${os.userInfo().username}` };
  let t: ReturnType<typeof openTransfer>;
  try {
    t = openTransfer(dataDir, { ...(storeKey ? { storeKey } : {}) });
  } catch (e) {
    process.stderr.write(`${e instanceof StoreKeyRefused ? e.userMessage : (e as Error).message}\n`);
    return 2;
  }
  const say = (s: string) => process.stdout.write(`${s}\n`);
  try {
    if (command === 'bundle-export') {
      if (!values.out) throw new SetupRefused('请用 --out 指定导出目录。');
      const r = await exportBundle(t.ctx, actor, {
        outDir: values.out,
        chunkBytes: values['chunk-mb'] ? Math.max(1024, Math.round(Number(values['chunk-mb']) * 1024 * 1024)) : undefined,
        ttlHours: values['ttl-hours'] ? Number(values['ttl-hours']) : undefined,
      });
      say(`已导出交换包 ${r.bundleId}（序号 ${r.seq}）：${r.counts.entries} 条办件记录、${r.counts.files} 个文件、${r.acks} 条回执，${r.parts} 个分片共 ${r.bytes} 字节 → ${r.manifestFile}`);
      return 0;
    }
    if (command === 'bundle-import') {
      if (!values.from) throw new SetupRefused('请用 --from 指定交换包所在目录或清单文件。');
      const from = path.resolve(values.from);
      const manifests = fs.statSync(from).isDirectory() ? manifestsIn(from) : [from];
      if (!manifests.length) throw new SetupRefused(`目录中没有交换包：${from}`);
      let refused = 0;
      for (const m of manifests) {
        try {
          say(`正在校验并导入 ${path.basename(m)} …`);
          const r = await importBundle(t.ctx, actor, m);
          if (r.status === 'already') say(`交换包 ${r.bundleId}（序号 ${r.seq}）此前已导入，本次未作任何改动。`);
          else say(`已导入交换包 ${r.bundleId}（序号 ${r.seq}）：新增 ${r.entriesNew} 条、已有 ${r.entriesKnown} 条、${r.files} 个文件、${r.acks} 条回执。`);
          if (r.gaps.length) say(`注意：对端的第 ${r.gaps.join('、')} 号交换包尚未导入（缺号）。`);
        } catch (e) {
          if (!(e instanceof BundleRefused)) throw e;
          refused++;
          process.stderr.write(`已拒绝 ${path.basename(m)}：${e.userMessage}（${e.code}）\n`);
        }
      }
      return refused ? 1 : 0;
    }
    if (command === 'transfer-setup') {
      if (values.zone !== 'intranet' && values.zone !== 'extranet') throw new SetupRefused('请用 --zone intranet 或 --zone extranet 指定本机网络区域。');
      const d = setupDesk(t.ctx, actor, { zone: values.zone, name: values.name ?? os.hostname(), signAlg: values.ed25519 ? 'ed25519' : DEFAULT_SIGN_ALG });
      say(`本机已设置为${d.zone === 'intranet' ? '内网' : '外网'}工作台 ${d.deskId}，指纹 ${d.fingerprint}`);
      say(`签名算法：${SIGN_ALG_LABELS[d.card.signAlg]}`);
      return 0;
    }
    if (command === 'transfer-card') {
      const d = readDesk(t.ctx);
      if (!d) throw new SetupRefused('本机尚未设置网络区域，请先运行 transfer-setup。');
      if (values.out) writeFileDurably(values.out, JSON.stringify(d.card, null, 2) + '\n');
      else say(JSON.stringify(d.card));
      say(`指纹 ${d.fingerprint}`);
      return 0;
    }
    if (command === 'transfer-pair') {
      if (!values.card || !values.fingerprint) throw new SetupRefused('请用 --card 指定对端卡片文件，并用 --fingerprint 给出与对端核对过的指纹。');
      const p = pairPeer(t.ctx, actor, fs.readFileSync(values.card, 'utf8'), values.fingerprint);
      say(`已与${p.zone === 'intranet' ? '内网' : '外网'}工作台 ${p.name}（${p.deskId}）配对，指纹 ${p.fingerprint}`);
      return 0;
    }
    return 2;
  } catch (e) {
    if (e instanceof SetupRefused || e instanceof BundleRefused) {
      process.stderr.write(`${e.userMessage}\n`);
      return 1;
    }
    const known = asKnownError(e); // a full disk: the same Chinese message as the app's
    process.stderr.write(known ? `${known.userMessage}（${(e as Error).message}）\n` : `出错：${(e as Error).message}\n`);
    return 2;
  } finally {
    t.close();
  }
}
