import path from 'node:path';
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { storeKeyFor, type StoreKey } from './store-cipher';
import { unlockStore } from './unlock-store';

/**
 * Secrets kept in the data folder's own files — the audit checkpoint key (`audit/audit-key.json`),
 * the transfer desk keys (`transfer/desk-keys.json`), the vertical targets' tokens
 * (`sync-targets.json`) — sealed under the store's key (docs/SECURITY.md, "Keys and tokens at
 * rest"): AES-256-GCM under a key derived from the store key by HKDF-SHA256 with a label per purpose,
 * a random 96-bit IV per seal, and the place the secret belongs to (the key's public half, the desk
 * card, the target id) as additional data, so a sealed value moved to another place does not open.
 *
 * A sealed value is one string, `pfd-sealed/1.<iv>.<ciphertext>.<tag>` (base64url), written into its
 * JSON file where the clear value was. Whoever holds the store key (the app, the CLI and the workers
 * after `unlockStore`) opens it; a copy of the data folder alone opens nothing.
 */

export type SealPurpose = 'audit-key' | 'transfer-desk-keys' | 'sync-target-token';

const PREFIX = 'pfd-sealed/1';
const b64u = (b: Buffer) => b.toString('base64url');

/** Whether a string is a sealed value (else: a secret still in clear, from an older version or a hand-written file). */
export const isSealed = (v: unknown): v is string => typeof v === 'string' && v.startsWith(`${PREFIX}.`);

function purposeKey(storeKey: StoreKey, purpose: SealPurpose): Buffer {
  return Buffer.from(hkdfSync('sha256', storeKey, Buffer.alloc(0), `proof-free-desk ${purpose} v1`, 32));
}

/**
 * The store key of the data folder `file` lies in: the one registered by whoever unlocked the folder
 * (the app, the CLI, a worker given its keys). A process that never unlocked it (a test or bench
 * making desk keys before its desk starts) unlocks it here with the browser host's key file, as the
 * browser host would; a folder keyed by the OS key store refuses that (store-key.ts) instead of
 * making a second key.
 */
export function storeKeyForSecret(dataDir: string, file: string): StoreKey {
  return storeKeyFor(file) ?? unlockStore({ dataDir: path.resolve(dataDir), migrate: false }).key;
}

export function sealSecret(storeKey: StoreKey, purpose: SealPurpose, context: string, plain: Buffer | string): string {
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', purposeKey(storeKey, purpose), iv);
  c.setAAD(Buffer.from(`${purpose}\n${context}`, 'utf8'));
  const ct = Buffer.concat([c.update(typeof plain === 'string' ? Buffer.from(plain, 'utf8') : plain), c.final()]);
  return [PREFIX, b64u(iv), b64u(ct), b64u(c.getAuthTag())].join('.');
}

export class SealedSecretError extends Error {}

/** Opens a sealed value; throws SealedSecretError for another folder's key, another place or a changed value. */
export function openSecret(storeKey: StoreKey, purpose: SealPurpose, context: string, sealed: string): Buffer {
  const parts = sealed.split('.');
  if (parts.length !== 4 || parts[0] !== PREFIX) throw new SealedSecretError(`not a sealed ${purpose} value`);
  try {
    const d = createDecipheriv('aes-256-gcm', purposeKey(storeKey, purpose), Buffer.from(parts[1]!, 'base64url'));
    d.setAAD(Buffer.from(`${purpose}\n${context}`, 'utf8'));
    d.setAuthTag(Buffer.from(parts[3]!, 'base64url'));
    return Buffer.concat([d.update(Buffer.from(parts[2]!, 'base64url')), d.final()]);
  } catch {
    throw new SealedSecretError(`the sealed ${purpose} value does not open under this data folder's store key (another folder's key, or the file was changed)`);
  }
}
