import fs from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from '../../store/durable-write';
import {
  createCipheriv,
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
 * A desk's transfer identity: a signing key pair (Ed25519, or SM2 with SM3 as the 商用密码
 * option) and an X25519 key pair bundles are encrypted to. The public halves are exchanged
 * once with the peer desk (a "desk card") and compared as a short fingerprint. The private
 * halves live in `<dataDir>/transfer/desk-keys.json`, encrypted with AES-256-GCM under a key
 * derived by scrypt from the desk passphrase (docs/transfer.md: threat model).
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

export interface DeskKeys {
  card: DeskCard;
  signKey: KeyObject;
  boxKey: KeyObject;
}

const KEY_FILE = 'desk-keys.json';
const SECRET_FILE = 'desk-secret';
/** The environment variable a hall can set instead of the secret file (e.g. from its own vault). */
export const PASSPHRASE_ENV = 'DESK_TRANSFER_PASSPHRASE';

export function transferDir(dataDir: string): string {
  return path.join(dataDir, 'transfer');
}

let sm2: boolean | null = null;

/** Can this runtime sign and verify with SM2 and SM3? (Probed once per process.) */
export function isSm2Available(): boolean {
  sm2 ??= probeSm2();
  return sm2;
}

function probeSm2(): boolean {
  try {
    const k = generateKeyPairSync('ec', { namedCurve: 'SM2' });
    const priv = reloadPrivate(k.privateKey);
    const s = sign('sm3', Buffer.from('probe'), priv);
    return verify('sm3', Buffer.from('probe'), publicKeyOf(der(k.publicKey)), s);
  } catch {
    return false;
  }
}

/**
 * A key on the SM2 curve as generated is an OpenSSL EC key (ECDSA); read back from its DER it is
 * an SM2 key, and sign/verify use the SM2 signature algorithm. Keys are always used as read back,
 * so that signer and verifier agree (docs/transfer.md, SM2/SM3).
 */
function reloadPrivate(k: KeyObject): KeyObject {
  return createPrivateKey({ key: k.export({ type: 'pkcs8', format: 'der' }) as Buffer, format: 'der', type: 'pkcs8' });
}

/** A short fingerprint both clerks read aloud: 5 groups of 4 hex digits of SHA-256(signPub ‖ boxPub). */
export function fingerprint(card: Pick<DeskCard, 'signPub' | 'boxPub'>): string {
  const h = createHash('sha256').update(Buffer.from(card.signPub, 'base64')).update(Buffer.from(card.boxPub, 'base64')).digest('hex').toUpperCase();
  return h.slice(0, 20).match(/.{4}/g)!.join('-');
}

export function signBytes(alg: SignAlg, key: KeyObject, data: Buffer): Buffer {
  return alg === 'ed25519' ? sign(null, data, key) : sign('sm3', data, key);
}

export function verifyBytes(alg: SignAlg, pubB64: string, data: Buffer, sig: Buffer): boolean {
  try {
    const key = publicKeyOf(pubB64);
    return alg === 'ed25519' ? verify(null, data, key, sig) : verify('sm3', data, key, sig);
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

/** The passphrase the key file is encrypted under: the environment, or a 0600 secret file. */
function passphrase(dataDir: string): string {
  const fromEnv = process.env[PASSPHRASE_ENV];
  if (fromEnv) return fromEnv;
  const file = path.join(transferDir(dataDir), SECRET_FILE);
  if (!fs.existsSync(file)) writeFileDurably(file, randomBytes(32).toString('base64'), { mode: 0o600 });
  return fs.readFileSync(file, 'utf8').trim();
}

interface KeyFile {
  format: 'pfd-desk-keys/1';
  card: DeskCard;
  kdf: { alg: 'scrypt'; N: number; r: number; p: number; salt: string };
  iv: string;
  tag: string;
  ciphertext: string;
}

const SCRYPT = { N: 1 << 15, r: 8, p: 1 };

function kek(pass: string, salt: Buffer, N: number, r: number, p: number): Buffer {
  return scryptSync(pass, salt, 32, { N, r, p, maxmem: 256 * N * r });
}

export function hasDeskKeys(dataDir: string): boolean {
  return fs.existsSync(path.join(transferDir(dataDir), KEY_FILE));
}

/** Creates the desk's keys (once). Refuses to overwrite existing keys. */
export function createDeskKeys(dataDir: string, o: { deskId: string; name: string; zone: Zone; signAlg: SignAlg }): DeskKeys {
  if (hasDeskKeys(dataDir)) throw new Error('desk keys already exist');
  if (o.signAlg === 'sm2-sm3' && !isSm2Available()) throw new Error('SM2/SM3 is not available in this runtime');
  const signPair = o.signAlg === 'ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('ec', { namedCurve: 'SM2' });
  const boxPair = generateKeyPairSync('x25519');
  const card: DeskCard = { format: 'pfd-desk-card/1', deskId: o.deskId, name: o.name, zone: o.zone, signAlg: o.signAlg, signPub: der(signPair.publicKey), boxPub: der(boxPair.publicKey) };
  const secret = JSON.stringify({
    sign: (signPair.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64'),
    box: (boxPair.privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer).toString('base64'),
  });
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const c = createCipheriv('aes-256-gcm', kek(passphrase(dataDir), salt, SCRYPT.N, SCRYPT.r, SCRYPT.p), iv);
  c.setAAD(Buffer.from(JSON.stringify(card)));
  const ct = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  const file: KeyFile = {
    format: 'pfd-desk-keys/1',
    card,
    kdf: { alg: 'scrypt', ...SCRYPT, salt: salt.toString('base64') },
    iv: iv.toString('base64'),
    tag: c.getAuthTag().toString('base64'),
    ciphertext: ct.toString('base64'),
  };
  writeFileDurably(path.join(transferDir(dataDir), KEY_FILE), JSON.stringify(file, null, 2) + '\n', { mode: 0o600 });
  return { card, signKey: reloadPrivate(signPair.privateKey), boxKey: boxPair.privateKey };
}

/** Reads the public card only (no passphrase needed). */
export function readDeskCard(dataDir: string): DeskCard | null {
  if (!hasDeskKeys(dataDir)) return null;
  return (JSON.parse(fs.readFileSync(path.join(transferDir(dataDir), KEY_FILE), 'utf8')) as KeyFile).card;
}

/** Decrypted keys, per key file content, for the life of the process (scrypt is slow on purpose). */
const cache = new Map<string, { text: string; keys: DeskKeys }>();

/** Decrypts the private keys; throws a precise error for a wrong passphrase or a changed file. */
export function loadDeskKeys(dataDir: string): DeskKeys {
  const file = path.join(transferDir(dataDir), KEY_FILE);
  const text = fs.readFileSync(file, 'utf8');
  const hit = cache.get(file);
  if (hit && hit.text === text) return hit.keys;
  const keys = decryptKeyFile(dataDir, JSON.parse(text) as KeyFile);
  cache.set(file, { text, keys });
  return keys;
}

function decryptKeyFile(dataDir: string, f: KeyFile): DeskKeys {
  const key = kek(passphrase(dataDir), Buffer.from(f.kdf.salt, 'base64'), f.kdf.N, f.kdf.r, f.kdf.p);
  const d = createDecipheriv('aes-256-gcm', key, Buffer.from(f.iv, 'base64'));
  d.setAAD(Buffer.from(JSON.stringify(f.card)));
  d.setAuthTag(Buffer.from(f.tag, 'base64'));
  let plain: string;
  try {
    plain = Buffer.concat([d.update(Buffer.from(f.ciphertext, 'base64')), d.final()]).toString('utf8');
  } catch {
    throw new Error('desk key file cannot be decrypted (wrong passphrase or the file was changed)');
  }
  const s = JSON.parse(plain) as { sign: string; box: string };
  const priv = (b64: string) => createPrivateKey({ key: Buffer.from(b64, 'base64'), format: 'der', type: 'pkcs8' });
  return { card: f.card, signKey: priv(s.sign), boxKey: priv(s.box) };
}
