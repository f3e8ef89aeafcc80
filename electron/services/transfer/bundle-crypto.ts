import { createCipheriv, createDecipheriv, diffieHellman, generateKeyPairSync, hkdfSync, type KeyObject } from 'node:crypto';
import { publicKeyOf } from './desk-keys';

/**
 * Encryption to the receiving desk: an ephemeral X25519 key per bundle, ECDH with the
 * receiver's X25519 key, HKDF-SHA256 (salt = bundle id, info names both fingerprints) to one
 * AES-256-GCM key. Each chunk is sealed with its index as the nonce and (bundle id, index,
 * last-chunk flag) as associated data: a part moved, swapped, dropped or cut fails to open.
 */

const TAG = 16;
export const INDEX_NONCE = 0xffffffff;

export function senderKey(bundleId: string, senderFp: string, receiverFp: string, receiverBoxPub: string): { key: Buffer; ephemeralPub: string } {
  const eph = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: eph.privateKey, publicKey: publicKeyOf(receiverBoxPub) });
  return {
    key: derive(shared, bundleId, senderFp, receiverFp),
    ephemeralPub: (eph.publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64'),
  };
}

export function receiverKey(bundleId: string, senderFp: string, receiverFp: string, myBoxKey: KeyObject, ephemeralPub: string): Buffer {
  const shared = diffieHellman({ privateKey: myBoxKey, publicKey: publicKeyOf(ephemeralPub) });
  return derive(shared, bundleId, senderFp, receiverFp);
}

function derive(shared: Buffer, bundleId: string, senderFp: string, receiverFp: string): Buffer {
  return Buffer.from(hkdfSync('sha256', shared, Buffer.from(bundleId), Buffer.from(`pfd-transfer/1|${senderFp}|${receiverFp}`), 32));
}

function nonce(index: number): Buffer {
  const n = Buffer.alloc(12);
  n.writeUInt32BE(index >>> 0, 8);
  return n;
}

const aad = (bundleId: string, index: number, last: boolean) => Buffer.from(`${bundleId}|${index}|${last ? 1 : 0}`);

/** ciphertext ‖ tag */
export function seal(key: Buffer, bundleId: string, index: number, last: boolean, plain: Buffer): Buffer {
  const c = createCipheriv('aes-256-gcm', key, nonce(index));
  c.setAAD(aad(bundleId, index, last));
  return Buffer.concat([c.update(plain), c.final(), c.getAuthTag()]);
}

/** Throws when the chunk was changed, moved or is not the one expected at this place. */
export function open(key: Buffer, bundleId: string, index: number, last: boolean, sealed: Buffer): Buffer {
  if (sealed.length < TAG) throw new Error('sealed chunk too short');
  const d = createDecipheriv('aes-256-gcm', key, nonce(index));
  d.setAAD(aad(bundleId, index, last));
  d.setAuthTag(sealed.subarray(sealed.length - TAG));
  return Buffer.concat([d.update(sealed.subarray(0, sealed.length - TAG)), d.final()]);
}
