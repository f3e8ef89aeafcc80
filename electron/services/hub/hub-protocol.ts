import { createHash, randomBytes } from 'node:crypto';
import { signBytes, verifyBytes, type SignAlg, type SignKey } from '../transfer/desk-keys';

/**
 * The desk ↔ hub protocol's signing rules, in one place for both sides (docs/hub.md):
 * every request is signed by the desk's transfer signing key over its method, path, body digest,
 * timestamp, nonce and desk id; every answer is signed by the hub's key over its status, body
 * digest and the request's nonce (so an answer cannot be replayed to another request).
 */

/** The protocol version both sides speak; each side sends its own and refuses what it cannot serve. */
export const HUB_PROTOCOL = 1;
/** The protocol versions this hub build serves. */
export const HUB_PROTOCOL_RANGE = { min: 1, max: 1 } as const;
/** A request's timestamp must be this close to the hub's clock. */
export const REQUEST_WINDOW_MS = 5 * 60_000;

export const H = {
  desk: 'x-pfd-desk',
  time: 'x-pfd-time',
  nonce: 'x-pfd-nonce',
  signature: 'x-pfd-signature',
  protocol: 'x-pfd-protocol',
  deskSchema: 'x-pfd-desk-schema',
  hubSignature: 'x-pfd-hub-signature',
} as const;

export interface HubCard {
  format: 'pfd-hub-card/1';
  hubId: string;
  signAlg: 'ed25519';
  /** SPKI DER, base64. */
  signPub: string;
}

export const sha256Hex = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

/** The hub's fingerprint read aloud at enrolment: 5 groups of 4 hex digits of SHA-256(signPub). */
export function hubFingerprint(card: Pick<HubCard, 'signPub'>): string {
  return sha256Hex(Buffer.from(card.signPub, 'base64')).toUpperCase().slice(0, 20).match(/.{4}/g)!.join('-');
}

export interface SignedRequest {
  method: string;
  /** Path with query string, as sent. */
  path: string;
  body: Buffer;
  deskId: string;
  time: string;
  nonce: string;
}

export function requestBytes(r: SignedRequest): Buffer {
  return Buffer.from(['pfd-hub-request/1', r.method.toUpperCase(), r.path, sha256Hex(r.body), r.time, r.nonce, r.deskId].join('\n'), 'utf8');
}

export function answerBytes(status: number, body: Buffer, requestNonce: string): Buffer {
  return Buffer.from(['pfd-hub-answer/1', String(status), sha256Hex(body), requestNonce].join('\n'), 'utf8');
}

/** The headers of a signed request. */
export function signRequest(
  signer: { deskId: string; signAlg: SignAlg; signKey: SignKey },
  method: string,
  path: string,
  body: Buffer,
  now: Date,
  deskSchema: number,
): Record<string, string> {
  const r: SignedRequest = { method, path, body, deskId: signer.deskId, time: now.toISOString(), nonce: randomBytes(16).toString('hex') };
  return {
    [H.desk]: r.deskId,
    [H.time]: r.time,
    [H.nonce]: r.nonce,
    [H.protocol]: String(HUB_PROTOCOL),
    [H.deskSchema]: String(deskSchema),
    [H.signature]: signBytes(signer.signAlg, signer.signKey, requestBytes(r)).toString('base64'),
  };
}

export function verifyRequest(alg: SignAlg, pub: string, r: SignedRequest, signatureB64: string): boolean {
  return verifyBytes(alg, pub, requestBytes(r), Buffer.from(signatureB64, 'base64'));
}

export function verifyAnswer(card: Pick<HubCard, 'signPub'>, status: number, body: Buffer, requestNonce: string, signatureB64: string | null): boolean {
  if (!signatureB64) return false;
  return verifyBytes('ed25519', card.signPub, answerBytes(status, body, requestNonce), Buffer.from(signatureB64, 'base64'));
}

/** What a desk whose protocol the hub does not serve is told (and the hub answers). */
export function protocolMismatchMessage(deskProtocol: number, range: { min: number; max: number } = HUB_PROTOCOL_RANGE): string {
  return deskProtocol < range.min
    ? `本工作台版本过旧（协议版本 ${deskProtocol}），全厅中心要求 ${range.min}–${range.max}：请升级工作台。升级前本机仍可离线办理，数据暂不与全厅同步。`
    : `本工作台版本比全厅中心新（协议版本 ${deskProtocol}），中心只支持 ${range.min}–${range.max}：请联系管理员升级中心。期间本机仍可离线办理，数据暂不与全厅同步。`;
}
