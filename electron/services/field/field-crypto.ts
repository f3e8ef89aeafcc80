import { createHmac, createPrivateKey, createPublicKey, generateKeyPairSync, sign, timingSafeEqual, verify } from 'node:crypto';
import type { Db } from '../../store/open-store';

/**
 * Signing for field packages and results.
 * - The hall desk signs a field package with its own Ed25519 key; the laptop pins the hall's
 *   public key at the first package it accepts and refuses packages signed by any other key.
 * - Each checkout carries a fresh secret (checkoutKey) inside the package; the laptop seals the
 *   field result with HMAC-SHA256 under it, and the hall desk checks it against the key it stored
 *   with the lock. A result for a lock that was released no longer verifies.
 */

/** JSON with keys sorted at every level: the bytes that are signed. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const obj = value as Record<string, unknown>;
    return `{${Object.keys(obj)
      .filter((k) => obj[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

export function ownKeys(db: Db, at: Date): { publicKey: string; privateKey: string } {
  const row = db.prepare(`SELECT public_key, private_key FROM field_keys WHERE name = 'own'`).get() as { public_key: string; private_key: string } | undefined;
  if (row) return { publicKey: row.public_key, privateKey: row.private_key };
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
  const priv = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
  db.prepare(`INSERT INTO field_keys (name, public_key, private_key, created_at) VALUES ('own', ?, ?, ?)`).run(pub, priv, at.toISOString());
  return { publicKey: pub, privateKey: priv };
}

export function signEd25519(privateKeyB64: string, body: unknown): string {
  const key = createPrivateKey({ key: Buffer.from(privateKeyB64, 'base64'), format: 'der', type: 'pkcs8' });
  return sign(null, Buffer.from(canonicalJson(body)), key).toString('base64');
}

export function verifyEd25519(publicKeyB64: string, body: unknown, signatureB64: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(publicKeyB64, 'base64'), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(canonicalJson(body)), key, Buffer.from(signatureB64, 'base64'));
  } catch {
    return false;
  }
}

export function hmac(keyHex: string, body: unknown): string {
  return createHmac('sha256', Buffer.from(keyHex, 'hex')).update(canonicalJson(body)).digest('hex');
}

export function hmacMatches(keyHex: string, body: unknown, mac: string): boolean {
  const expected = Buffer.from(hmac(keyHex, body), 'hex');
  const given = Buffer.from(mac, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
