import { fingerprint, publicKeyOf, type DeskCard } from '../transfer/desk-keys';

/**
 * A desk card (`pfd-desk-card/1`, public keys only) as handed to the hub for enrolment — read the
 * same way by the supervisor's desk (to show its fingerprint before confirming) and by the hub
 * (before it enrols it). Either the card, or what is wrong with it: in Chinese for the user and
 * in English for the log.
 */
export type CardRead = { ok: true; card: DeskCard; fingerprint: string } | { ok: false; message: string; detail: string };

export function readHubCard(v: unknown): CardRead {
  const bad = (detail: string, message = '不是有效的工作台身份卡（应为工作台导出的 desk-card JSON）。'): CardRead => ({ ok: false, message, detail });
  const c = v as Partial<DeskCard> | null;
  const text = (s: unknown, max: number) => typeof s === 'string' && s.length > 0 && s.length <= max;
  if (!c || typeof c !== 'object' || Array.isArray(c) || c.format !== 'pfd-desk-card/1') return bad('card format is not pfd-desk-card/1');
  if (!text(c.deskId, 64) || !/^[A-Za-z0-9_-]+$/.test(c.deskId!)) return bad(`card deskId ${JSON.stringify(c.deskId)} is not 1-64 of [A-Za-z0-9_-]`, '身份卡中的工作台编号无效。');
  if (!text(c.name, 100)) return bad('card name missing or over 100 characters', '身份卡中的工作台名称无效。');
  if (c.signAlg !== 'ed25519' && c.signAlg !== 'sm2-sm3') return bad(`card signAlg ${String(c.signAlg)}`, '身份卡中的签名算法无效。');
  if (c.zone !== 'intranet' && c.zone !== 'extranet') return bad(`card zone ${String(c.zone)}`, '身份卡中的网络区域无效。');
  if (!text(c.signPub, 4096) || !text(c.boxPub, 4096)) return bad('card public keys missing', '身份卡中缺少公钥。');
  try {
    publicKeyOf(c.signPub!);
    publicKeyOf(c.boxPub!);
  } catch {
    return bad('card public keys do not load', '身份卡中的公钥无效。');
  }
  const card: DeskCard = { format: 'pfd-desk-card/1', deskId: c.deskId!, name: c.name!, zone: c.zone, signAlg: c.signAlg, signPub: c.signPub!, boxPub: c.boxPub! };
  return { ok: true, card, fingerprint: fingerprint(card) };
}

/** The text of a card file or pasted JSON. */
export function readHubCardText(text: string): CardRead {
  try {
    return readHubCard(JSON.parse(text) as unknown);
  } catch {
    return { ok: false, message: '身份卡不是有效的 JSON：请选择工作台导出的身份卡文件，或粘贴其全部内容。', detail: 'card text is not JSON' };
  }
}
