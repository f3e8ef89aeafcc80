import { createPrivateKey } from 'node:crypto';
import { z } from 'zod';
import { newSignKey, signBytes, sm2KeyFromPkcs8, verifyBytes, type SignAlg } from '../transfer/desk-keys';
import { canonicalJson, hmac } from './field-crypto';
import type { FieldPackage } from './field-formats';

/**
 * The field laptop's own key for one field package (docs/verification.md, "The laptop's key"). The
 * laptop makes the key pair when it imports the package — Ed25519, or SM2 with SM3 when the hall's
 * transfer suite is SM2 (the package names it, `deviceKeyAlg`) — and keeps the private key; its
 * public key is registered with the task at the hall by a **key registration** (a small file, or the
 * hub relay), which proves possession (signed with the new key) and the package (HMAC under the
 * checkout key). The hall takes the first registration per package only. The laptop signs its
 * result with that key, so the package alone (its checkout key) no longer makes a result the hall
 * accepts.
 */

export const KEY_REGISTRATION_FORMAT = 'pfd-field-key';

export interface DeviceKey {
  alg: SignAlg;
  /** SPKI DER, base64. */
  publicKey: string;
  /** PKCS#8 DER, base64: never leaves the laptop. */
  privateKey: string;
}

export function makeDeviceKey(alg: SignAlg): DeviceKey {
  const k = newSignKey(alg);
  return { alg, publicKey: k.pubDer.toString('base64'), privateKey: k.pkcs8.toString('base64') };
}

/** The laptop's signature over a body (canonical JSON), base64. */
export function deviceSign(k: DeviceKey, body: unknown): string {
  const der = Buffer.from(k.privateKey, 'base64');
  const key = k.alg === 'sm2-sm3' ? sm2KeyFromPkcs8(der) : createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  return signBytes(k.alg, key, Buffer.from(canonicalJson(body))).toString('base64');
}

export function deviceVerify(alg: SignAlg, publicKey: string, body: unknown, signatureB64: string): boolean {
  return verifyBytes(alg, publicKey, Buffer.from(canonicalJson(body)), Buffer.from(signatureB64, 'base64'));
}

export interface KeyRegistrationBody {
  format: typeof KEY_REGISTRATION_FORMAT;
  version: 1;
  packageId: string;
  taskId: number;
  caseNo: string;
  assistant: { id: number; name: string };
  alg: SignAlg;
  publicKey: string;
  createdAt: string;
}
export interface KeyRegistration extends KeyRegistrationBody {
  /** The new key's signature over the body: its holder has the private key. */
  proof: string;
  /** HMAC-SHA256 under the package's checkout key over the body and proof: it belongs to that package. */
  mac: string;
}

export function keyRegistration(pkg: FieldPackage, k: DeviceKey, at: Date): KeyRegistration {
  const body: KeyRegistrationBody = {
    format: KEY_REGISTRATION_FORMAT,
    version: 1,
    packageId: pkg.packageId,
    taskId: pkg.task.id,
    caseNo: pkg.task.caseNo,
    assistant: pkg.assistant,
    alg: k.alg,
    publicKey: k.publicKey,
    createdAt: at.toISOString(),
  };
  const proved = { ...body, proof: deviceSign(k, body) };
  return { ...proved, mac: hmac(pkg.checkoutKey, proved) };
}

export const KeyRegistrationShape = z
  .object({
    format: z.literal(KEY_REGISTRATION_FORMAT),
    version: z.literal(1),
    packageId: z.string().min(1).max(64),
    taskId: z.number().int().positive(),
    caseNo: z.string().max(64),
    assistant: z.object({ id: z.number().int().positive(), name: z.string().max(100) }).strict(),
    alg: z.enum(['ed25519', 'sm2-sm3']),
    publicKey: z.string().min(1).max(512),
    createdAt: z.string().max(40),
    proof: z.string().min(1).max(512),
    mac: z.string().regex(/^[0-9a-f]{64}$/),
  })
  .strict();
