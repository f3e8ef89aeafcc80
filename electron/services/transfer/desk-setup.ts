import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import type { Actor } from '../audit/audit-chain';
import { sm2PublicFromSpki } from '../crypto/gm';
import { createDeskKeys, fingerprint, hasDeskKeys, publicKeyOf, readDeskCard, type DeskCard, type SignAlg, type Zone } from './desk-keys';
import type { TransferCtx } from './transfer-context';

/**
 * Zone and peer setup: a desk creates its keys once (zone, name, signature algorithm), shows
 * its card and fingerprint, and pairs with the peer desk by importing the peer's card after
 * both clerks compared the fingerprints.
 */

export class SetupRefused extends Error {
  constructor(readonly userMessage: string) {
    super(userMessage);
  }
}

export interface DeskRow {
  deskId: string;
  name: string;
  zone: Zone;
  card: DeskCard;
  fingerprint: string;
  at: string;
}

function rowToDesk(r: { desk_id: string; name: string; zone: Zone; card: string; fingerprint: string; at: string } | undefined): DeskRow | null {
  return r ? { deskId: r.desk_id, name: r.name, zone: r.zone, card: JSON.parse(r.card) as DeskCard, fingerprint: r.fingerprint, at: r.at } : null;
}

export function readDesk(ctx: Pick<TransferCtx, 'db'>): DeskRow | null {
  return rowToDesk(ctx.db.prepare('SELECT desk_id, name, zone, card, fingerprint, created_at AS at FROM transfer_desk WHERE id = 1').get() as never);
}

export function readPeer(ctx: Pick<TransferCtx, 'db'>): DeskRow | null {
  return rowToDesk(ctx.db.prepare('SELECT desk_id, name, zone, card, fingerprint, paired_at AS at FROM transfer_peer WHERE id = 1').get() as never);
}

/** The signature algorithm of a new desk unless the hall chooses otherwise: 商用密码 (SM2 with SM3). */
export const DEFAULT_SIGN_ALG: SignAlg = 'sm2-sm3';

export function setupDesk(ctx: TransferCtx, actor: Actor, o: { zone: Zone; name: string; signAlg?: SignAlg }): DeskRow {
  const signAlg = o.signAlg ?? DEFAULT_SIGN_ALG;
  const existing = readDesk(ctx);
  if (existing) throw new SetupRefused(`本机已设置为${existing.zone === 'intranet' ? '内网' : '外网'}工作台（${existing.deskId}），不能重复设置。`);
  // Keys left by a setup that crashed before its row was written are reused if they match.
  let card = readDeskCard(ctx.dataDir);
  if (card && (card.zone !== o.zone || card.signAlg !== signAlg)) throw new SetupRefused('数据目录中已有另一套交换密钥（transfer/desk-keys.json），请先由管理员处理。');
  if (!card || !hasDeskKeys(ctx.dataDir)) {
    const deskId = `${o.zone === 'intranet' ? 'in' : 'ex'}-${randomBytes(5).toString('hex')}`;
    card = createDeskKeys(ctx.dataDir, { deskId, name: o.name, zone: o.zone, signAlg }).card;
  }
  const c = card;
  ctx.write(actor, (w) => {
    w.db
      .prepare('INSERT INTO transfer_desk (id, desk_id, name, zone, card, fingerprint, created_at) VALUES (1, ?, ?, ?, ?, ?, ?)')
      .run(c.deskId, c.name, c.zone, JSON.stringify(c), fingerprint(c), w.at.toISOString());
    w.audit({ action: 'transfer.setup', entityType: 'transfer_desk', entityId: c.deskId, detail: { zone: c.zone, signAlg: c.signAlg, fingerprint: fingerprint(c) } });
  });
  return readDesk(ctx)!;
}

const CardSchema = z
  .object({
    format: z.literal('pfd-desk-card/1'),
    deskId: z.string().regex(/^(in|ex)-[0-9a-f]{10}$/),
    name: z.string().min(1).max(100),
    zone: z.enum(['intranet', 'extranet']),
    signAlg: z.enum(['ed25519', 'sm2-sm3']),
    signPub: z.string().min(1),
    boxPub: z.string().min(1),
  })
  .strict();

/** Parses a peer's card (the text of its card file) and checks it can be used. */
export function parseCard(text: string): DeskCard {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new SetupRefused('对端工作台卡片不是有效的 JSON 文件。');
  }
  const p = CardSchema.safeParse(raw);
  if (!p.success) throw new SetupRefused(`对端工作台卡片格式不符（${p.error.issues[0]?.path.join('.')}）。`);
  try {
    const b = publicKeyOf(p.data.boxPub);
    if (b.asymmetricKeyType !== 'x25519') throw new Error('box key');
    // SM2 keys are read by the pure-JS decoder (Electron's BoringSSL cannot read them): a point on the curve.
    if (p.data.signAlg === 'ed25519') {
      if (publicKeyOf(p.data.signPub).asymmetricKeyType !== 'ed25519') throw new Error('sign key');
    } else sm2PublicFromSpki(new Uint8Array(Buffer.from(p.data.signPub, 'base64')));
  } catch {
    throw new SetupRefused('对端工作台卡片中的公钥无效。');
  }
  return p.data;
}

/** Pairs with the peer (replacing an earlier peer, audited). The caller has compared the fingerprint. */
export function pairPeer(ctx: TransferCtx, actor: Actor, cardText: string, expectedFingerprint: string): DeskRow {
  const me = readDesk(ctx);
  if (!me) throw new SetupRefused('请先设置本机所在网络区域并生成密钥。');
  const card = parseCard(cardText);
  const fp = fingerprint(card);
  if (fp !== expectedFingerprint.trim().toUpperCase()) throw new SetupRefused(`指纹不一致：卡片的指纹是 ${fp}，与核对的指纹不同，请勿配对。`);
  if (card.zone === me.zone) throw new SetupRefused(`对端也是${me.zone === 'intranet' ? '内网' : '外网'}工作台；配对的两台应分别在内网和外网。`);
  if (card.deskId === me.deskId) throw new SetupRefused('这是本机自己的卡片。');
  ctx.write(actor, (w) => {
    const prev = readPeer(ctx);
    w.db
      .prepare(
        `INSERT INTO transfer_peer (id, desk_id, name, zone, card, fingerprint, paired_at) VALUES (1, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET desk_id = excluded.desk_id, name = excluded.name, zone = excluded.zone, card = excluded.card,
           fingerprint = excluded.fingerprint, paired_at = excluded.paired_at`,
      )
      .run(card.deskId, card.name, card.zone, JSON.stringify(card), fp, w.at.toISOString());
    w.audit({ action: 'transfer.pair', entityType: 'transfer_peer', entityId: card.deskId, detail: { fingerprint: fp, replaced: prev?.deskId ?? null } });
  });
  return readPeer(ctx)!;
}
