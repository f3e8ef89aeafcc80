import fs from 'node:fs';
import path from 'node:path';
import { fsyncDir, writeFileDurably } from '../../store/durable-write';
import { openSecret, SealedSecretError, sealSecret, storeKeyForSecret } from '../../store/sealed-secrets';
import * as gm from '../crypto/gm';
import {
  createDecipheriv,
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomBytes,
  scryptSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';

/**
 * A desk's transfer identity: a signing key pair (SM2 with SM3 — 商用密码, the default for a new
 * desk — or Ed25519) and an X25519 key pair bundles are encrypted to. SM2 is computed in pure JS
 * (../crypto/gm.ts), so it works where the runtime's crypto has no SM2 (Electron's BoringSSL). The public halves are exchanged
 * once with the peer desk (a "desk card") and compared as a short fingerprint. The private
 * halves live in `<dataDir>/transfer/desk-keys.json`, sealed under the store key
 * (store/sealed-secrets.ts: AES-256-GCM, HKDF label per purpose; docs/SECURITY.md). An older
 * version's file, encrypted under a passphrase kept in `transfer/desk-secret` beside it, is still
 * read and is re-sealed in place at the next start (`sealDeskKeysInPlace`).
 */

export type SignAlg = 'ed25519' | 'sm2-sm3';
export type Zone = 'intranet' | 'extranet';

/** What a desk tells its peer about itself (no secrets). */
export interface DeskCard {
  format: 'pfd-desk-card/1';
  deskId: string;
  name: string;
  zone: Zone;
  signAlg: SignAlg;
  /** SPKI DER, base64. */
  signPub: string;
  boxPub: string;
}

/** An SM2 private key for the pure-JS signer: d (32 bytes) and its public point (65 bytes). */
export interface Sm2SignKey {
  kind: 'sm2';
  d: Uint8Array;
  pub: Uint8Array;
}
/** The private signing key: a Node KeyObject for Ed25519, the raw key for SM2. */
export type SignKey = KeyObject | Sm2SignKey;

export interface DeskKeys {
  card: DeskCard;
  signKey: SignKey;
  boxKey: KeyObject;
}

const KEY_FILE = 'desk-keys.json';
const SECRET_FILE = 'desk-secret';
/** The environment variable an older version's key file may have been encrypted under instead of the secret file (read for the migration). */
export const PASSPHRASE_ENV = 'DESK_TRANSFER_PASSPHRASE';

export function transferDir(dataDir: string): string {
  return path.join(dataDir, 'transfer');
}

/** SM2/SM3 is pure JS (../crypto/gm.ts): available in every runtime, Electron's BoringSSL included. */
export function isSm2Available(): boolean {
  return true;
}

const nodeRandom = (n: number) => new Uint8Array(randomBytes(n));

export function sm2KeyFromPkcs8(der: Buffer): Sm2SignKey {
  const d = gm.sm2PrivateFromPkcs8(new Uint8Array(der));
  return { kind: 'sm2', d, pub: gm.sm2PublicKeyOf(d) };
}

/** A short fingerprint both clerks read aloud: 5 groups of 4 hex digits of SHA-256(signPub ‖ boxPub). */
export function fingerprint(card: Pick<DeskCard, 'signPub' | 'boxPub'>): string {
  const h = createHash('sha256').update(Buffer.from(card.signPub, 'base64')).update(Buffer.from(card.boxPub, 'base64')).digest('hex').toUpperCase();
  return h.slice(0, 20).match(/.{4}/g)!.join('-');
}

/**
 * Signs with the desk's key. SM2: GB/T 32918.2 with SM3 and the standard's default user ID
 * 1234567812345678, DER (r, s).
 */
export function signBytes(alg: SignAlg, key: SignKey, data: Buffer): Buffer {
  if (alg === 'ed25519') {
    if ('kind' in key) throw new Error('an SM2 key cannot sign as Ed25519');
    return sign(null, data, key);
  }
  if (!('kind' in key)) throw new Error('an SM2 signature needs an SM2 key');
  return Buffer.from(gm.sm2Sign(key.d, data, nodeRandom, { publicKey: key.pub }));
}

/**
 * Verifies a signature by the holder of `pubB64` (SPKI DER). SM2 signatures are checked with the
 * default user ID and, failing that, with an empty one: desks before pure-JS SM2 signed through
 * Node's OpenSSL 3.0, whose SM2 uses an empty ID (docs/transfer.md, 商用密码).
 */
export function verifyBytes(alg: SignAlg, pubB64: string, data: Buffer, sig: Buffer): boolean {
  try {
    if (alg === 'ed25519') {
      // Only an Ed25519 key: Node would verify an SM2 key's signature here too (null digest → SM3).
      const key = publicKeyOf(pubB64);
      return key.asymmetricKeyType === 'ed25519' && verify(null, data, key, sig);
    }
    const pub = gm.sm2PublicFromSpki(new Uint8Array(Buffer.from(pubB64, 'base64')));
    return gm.sm2Verify(pub, data, sig) || gm.sm2Verify(pub, data, sig, { userId: '' });
  } catch {
    return false;
  }
}

/**
 * Parsed public keys by their base64 SPKI: every hub request and answer is verified against one
 * of a few keys, and parsing the DER each time cost as much as the verification itself
 * (bench/hub-drain.bench.ts). KeyObjects are immutable; the map is emptied if it ever fills.
 */
const publicKeys = new Map<string, KeyObject>();

export function publicKeyOf(b64: string): KeyObject {
  let k = publicKeys.get(b64);
  if (!k) {
    k = createPublicKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'spki' });
    if (publicKeys.size >= 1024) publicKeys.clear();
    publicKeys.set(b64, k);
  }
  return k;
}

const der = (k: KeyObject) => (k.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');

/** An older version's key file (pfd-desk-keys/1) was encrypted under this passphrase: the environment, or the 0600 secret file. */
function oldPassphrase(dataDir: string): string {
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv) return fromEnv;
  const file = secretFile(dataDir);
  if (!fs.existsSync(file)) throw new Error(`desk key file is pfd-desk-keys/1 and neither ${PASSPHRASE_ENV} nor ${file} holds its passphrase`);
  return fs.readFileSync(file, 'utf8').trim();
}

const secretFile = (dataDir: string) => path.join(transferDir(dataDir), SECRET_FILE);
const keyFilePath = (dataDir: string) => path.join(transferDir(dataDir), KEY_FILE);

/** pfd-desk-keys/2: the private halves sealed under the store key (store/sealed-secrets.ts), bound to the card. */
interface SealedKeyFile {
  format: 'pfd-desk-keys/2';
  card: DeskCard;
  sealed: string;
}

/** pfd-desk-keys/1 (an older version's): AES-256-GCM under a key derived by scrypt from a passphrase kept in `desk-secret` beside it. */
interface PassphraseKeyFile {
  format: 'pfd-desk-keys/1';
  card: DeskCard;
  kdf: { alg: 'scrypt'; N: number; r: number; p: number; salt: string };
  iv: string;
  tag: string;
  ciphertext: string;
}

type KeyFile = SealedKeyFile | PassphraseKeyFile;

function kek(pass: string, salt: Buffer, N: number, r: number, p: number): Buffer {
  return scryptSync(pass, salt, 32, { N, r, p, maxmem: 256 * N * r });
}

export function hasDeskKeys(dataDir: string): boolean {
  return fs.existsSync(keyFilePath(dataDir));
}

/** Writes the key file with the private halves (`{ sign, box }` as PKCS#8 DER base64, JSON) sealed under the store key. */
function writeSealedKeyFile(dataDir: string, card: DeskCard, secret: string): void {
  const file = keyFilePath(dataDir);
  const sealed = sealSecret(storeKeyForSecret(dataDir, file), 'transfer-desk-keys', JSON.stringify(card), secret);
  const content: SealedKeyFile = { format: 'pfd-desk-keys/2', card, sealed };
  writeFileDurably(file, JSON.stringify(content, null, 2) + '\n', { mode: 0o600 });
}

/** Creates the desk's keys (once). Refuses to overwrite existing keys. */
export function createDeskKeys(dataDir: string, o: { deskId: string; name: string; zone: Zone; signAlg: SignAlg }): DeskKeys {
  if (hasDeskKeys(dataDir)) throw new Error('desk keys already exist');
  const signing = newSignKey(o.signAlg);
  const boxPair = generateKeyPairSync('x25519');
  const card: DeskCard = { format: 'pfd-desk-card/1', deskId: o.deskId, name: o.name, zone: o.zone, signAlg: o.signAlg, signPub: signing.pubDer.toString('base64'), boxPub: der(boxPair.publicKey) };
  const secret = JSON.stringify({
    sign: signing.pkcs8.toString('base64'),
    box: (boxPair.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64'),
  });
  writeSealedKeyFile(dataDir, card, secret);
  return { card, signKey: signing.key, boxKey: boxPair.privateKey };
}

/**
 * An older version's key file (pfd-desk-keys/1, under the passphrase of `desk-secret` or the
 * environment) re-sealed in place under the store key, then the secret file removed (durably).
 * False when there is nothing to do; throws when the old file cannot be opened (left as it is).
 */
export function sealDeskKeysInPlace(dataDir: string): boolean {
  const file = keyFilePath(dataDir);
  const secret = secretFile(dataDir);
  let sealed = false;
  if (fs.existsSync(file)) {
    const f = JSON.parse(fs.readFileSync(file, 'utf8')) as KeyFile;
    if (f.format === 'pfd-desk-keys/1') {
      writeSealedKeyFile(dataDir, f.card, openPassphraseFile(dataDir, f));
      cache.delete(file);
      sealed = true;
    }
  }
  // Removed only once the keys are sealed: a kill between leaves the sealed file and the secret, and the next start removes it.
  if (!fs.existsSync(secret)) return sealed;
  fs.rmSync(secret);
  fsyncDir(transferDir(dataDir));
  return true;
}

/** A new signing key: its PKCS#8 DER (what the key file keeps), its SPKI DER (the card's) and the key to sign with. */
export function newSignKey(alg: SignAlg): { pkcs8: Buffer; pubDer: Buffer; key: SignKey } {
  if (alg === 'ed25519') {
    const k = generateKeyPairSync('ed25519');
    return { pkcs8: k.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer, pubDer: k.publicKey.export({ type: 'spki', format: 'der' }) as Buffer, key: k.privateKey };
  }
  const k = gm.sm2GenerateKeyPair(nodeRandom);
  return { pkcs8: Buffer.from(gm.sm2Pkcs8(k.privateKey)), pubDer: Buffer.from(gm.sm2Spki(k.publicKey)), key: { kind: 'sm2', d: k.privateKey, pub: k.publicKey } };
}

/** Reads the public card only (no key needed). */
export function readDeskCard(dataDir: string): DeskCard | null {
  if (!hasDeskKeys(dataDir)) return null;
  return (JSON.parse(fs.readFileSync(keyFilePath(dataDir), 'utf8')) as KeyFile).card;
}

/** Decrypted keys, per key file content, for the life of the process. */
const cache = new Map<string, { text: string; keys: DeskKeys }>();

/** Opens the private keys (under the store key; an older file under its passphrase); throws a precise error for a wrong key or a changed file. */
export function loadDeskKeys(dataDir: string): DeskKeys {
  const file = keyFilePath(dataDir);
  const text = fs.readFileSync(file, 'utf8');
  const hit = cache.get(file);
  if (hit && hit.text === text) return hit.keys;
  const f = JSON.parse(text) as KeyFile;
  const plain = f.format === 'pfd-desk-keys/1' ? openPassphraseFile(dataDir, f) : openSealedFile(dataDir, f);
  const keys = keysOf(f.card, plain);
  cache.set(file, { text, keys });
  return keys;
}

function openSealedFile(dataDir: string, f: SealedKeyFile): string {
  const file = keyFilePath(dataDir);
  try {
    return openSecret(storeKeyForSecret(dataDir, file), 'transfer-desk-keys', JSON.stringify(f.card), f.sealed).toString('utf8');
  } catch (e) {
    if (e instanceof SealedSecretError) throw new Error('desk key file cannot be decrypted (not this data folder\'s store key, or the file was changed)');
    throw e;
  }
}

function openPassphraseFile(dataDir: string, f: PassphraseKeyFile): string {
  const key = kek(oldPassphrase(dataDir), Buffer.from(f.kdf.salt, 'base64'), f.kdf.N, f.kdf.r, f.kdf.p);
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(f.iv, 'base64'));
  d.setAAD(Buffer.from(JSON.stringify(f.card)));
  d.setAuthTag(Buffer.from(f.tag, 'base64'));
  try {
    return Buffer.concat([d.update(Buffer.from(f.ciphertext, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new Error('desk key file cannot be decrypted (wrong passphrase or the file was changed)');
  }
}

function keysOf(card: DeskCard, plain: string): DeskKeys {
  const s = JSON.parse(plain) as { sign: string; box: string };
  const priv = (b64: string) => createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' });
  const signKey = card.signAlg === 'sm2-sm3' ? sm2KeyFromPkcs8(Buffer.from(s.sign, 'base64')) : priv(s.sign);
  return { card, signKey, boxKey: priv(s.box) };
}
