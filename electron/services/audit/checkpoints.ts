import fs from 'node:fs';
import path from 'node:path';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify, type KeyObject } from 'node:crypto';
import type { Db } from '../../store/open-store';
import { appendLineDurably, writeFileDurably } from '../../store/durable-write';
import { currentEpoch } from '../../store/epoch';
import { openSecret, sealSecret, storeKeyForSecret } from '../../store/sealed-secrets';

/**
 * Signed checkpoints of the audit chain (docs/audit-checkpoints.md): a simple signed-head design,
 * after Certificate Transparency's signed tree heads but over a hash chain instead of a Merkle tree.
 *
 * Every so often (at start, every CHECKPOINT_EVERY entries, at every stop) the desk signs the
 * chain's head — the last entry's number, hash and time, and the store's epoch — with its audit key
 * and appends the signed line to `<dataDir>/audit/checkpoints.jsonl`, outside the database, append
 * only, each line fsynced. The key (`audit-key.json`, mode 0600) is not in the database either; its
 * private half is sealed under the store key (store/sealed-secrets.ts).
 *
 * Verifying then checks every checkpoint of the store's epoch against the table: an entry a
 * checkpoint names that is gone (the tail or everything deleted), or whose hash is not the signed
 * one (an entry edited and the chain recomputed; entries deleted and the rest renumbered and
 * recomputed — told apart by the entry's time), is named with the range it lies in. A restore from
 * a backup starts a new epoch and signs a `restore` line saying so; only then are the old epoch's
 * checkpoints (which name entries the backup never had) set aside.
 *
 * What it cannot prove alone: someone holding the data folder can delete both files or re-sign
 * with the key. Peers witness the heads (transfer bundles and field results carry the latest), and
 * encryption at rest is to keep the key from a copied folder.
 */

export const CHECKPOINT_EVERY = 50;
const KEY_FORMAT = 'pfd-audit-key/2';
const CLEAR_KEY_FORMAT = 'pfd-audit-key/1';
const LINE_FORMAT = 'pfd-audit-checkpoint/1';

export interface Checkpoint {
  kind: 'head' | 'restore' | 'new-store';
  /** The store epoch (store/epoch.ts) the head belongs to; for `restore`, the new one. */
  epoch: string;
  /** For `restore` and `new-store`: the epoch the restored or new store replaced. */
  fromEpoch?: string;
  seq: number;
  hash: string;
  /** The time written in entry `seq`. */
  at: string;
  signedAt: string;
}

/** One line of the checkpoint file as written: the checkpoint, the key's public half and its signature. */
export interface CheckpointLine extends Checkpoint {
  f: typeof LINE_FORMAT;
  pub: string;
  sig: string;
}
type Line = CheckpointLine;

export const auditDir = (dataDir: string) => path.join(dataDir, 'audit');
export const checkpointFile = (dataDir: string) => path.join(auditDir(dataDir), 'checkpoints.jsonl');
const keyFile = (dataDir: string) => path.join(auditDir(dataDir), 'audit-key.json');

interface AuditKey {
  pub: string;
  key: KeyObject;
}

/** The key file as written: the public half in clear (verifiers and witnesses read it), the private half sealed under the store key. */
interface AuditKeyFile {
  format: string;
  alg?: string;
  pub: string;
  /** pfd-audit-key/2: PKCS#8 DER sealed (store/sealed-secrets.ts, bound to `pub`). */
  sealed?: string;
  /** pfd-audit-key/1 (an older version's file): PKCS#8 DER in clear, base64 — sealed in place at the next start. */
  priv?: string;
}

const readKeyFile = (file: string): AuditKeyFile => {
  const k = JSON.parse(fs.readFileSync(file, 'utf8')) as AuditKeyFile;
  if (k.format !== KEY_FORMAT && k.format !== CLEAR_KEY_FORMAT) throw new Error(`${file}: not an audit key (${String(k.format)})`);
  return k;
};

const writeSealedKeyFile = (dataDir: string, pub: string, pkcs8: Buffer): void => {
  const sealed = sealSecret(storeKeyForSecret(dataDir, keyFile(dataDir)), 'audit-key', pub, pkcs8);
  writeFileDurably(keyFile(dataDir), JSON.stringify({ format: KEY_FORMAT, alg: 'ed25519', pub, sealed }) + '\n', { mode: 0o600 });
};

/**
 * The desk's audit signing key, created with the first checkpoint (Ed25519, a 0600 file outside the
 * database, its private half sealed under the store key: usable wherever the store is unlocked).
 */
export function loadOrCreateAuditKey(dataDir: string): AuditKey {
  const file = keyFile(dataDir);
  if (fs.existsSync(file)) {
    const k = readKeyFile(file);
    const der = k.sealed !== undefined ? openSecret(storeKeyForSecret(dataDir, file), 'audit-key', k.pub, k.sealed) : Buffer.from(k.priv ?? '', 'base64');
    return { pub: k.pub, key: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }) };
  }
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const pub = (publicKey.export({ type: 'spki', format: 'der' }) as Buffer).toString('base64');
  writeSealedKeyFile(dataDir, pub, privateKey.export({ type: 'pkcs8', format: 'der' }) as Buffer);
  return { pub, key: privateKey };
}

/** An older version's key file with the private key in clear, sealed in place (durably); false when there is nothing to seal. */
export function sealAuditKeyInPlace(dataDir: string): boolean {
  const file = keyFile(dataDir);
  if (!fs.existsSync(file)) return false;
  const k = readKeyFile(file);
  if (k.sealed !== undefined || k.priv === undefined) return false;
  writeSealedKeyFile(dataDir, k.pub, Buffer.from(k.priv, 'base64'));
  return true;
}

/** The public half of the audit key, or null when the desk never signed a checkpoint (an older store). */
export function auditKeyPub(dataDir: string): string | null {
  try {
    return (JSON.parse(fs.readFileSync(keyFile(dataDir), 'utf8')) as { pub: string }).pub;
  } catch {
    return null;
  }
}

const signedText = (c: Checkpoint) => [LINE_FORMAT, c.kind, c.epoch, c.fromEpoch ?? '', c.seq, c.hash, c.at, c.signedAt].join('\n');

/** Whether a checkpoint's signature holds under an audit key (base64 SPKI): the desk's verifier and the hub's witness (hub/audit-witness.ts) use this one rule. */
export function checkpointSignatureHolds(c: Checkpoint, sig: string, pub: string): boolean {
  try {
    const key = createPublicKey({ key: Buffer.from(pub, 'base64'), format: 'der', type: 'spki' });
    return verify(null, Buffer.from(signedText(c), 'utf8'), key, Buffer.from(String(sig), 'base64'));
  } catch {
    return false;
  }
}

/** The checkpoint file's lines as written, in order (a line torn by a crash is skipped); signatures not checked. */
export function checkpointLines(dataDir: string): CheckpointLine[] {
  const file = checkpointFile(dataDir);
  if (!fs.existsSync(file)) return [];
  const out: CheckpointLine[] = [];
  for (const text of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!text) continue;
    try {
      out.push(JSON.parse(text) as CheckpointLine);
    } catch {
      // torn: stands alone, skipped (as readCheckpoints does)
    }
  }
  return out;
}

function appendCheckpoint(dataDir: string, key: AuditKey, c: Checkpoint): void {
  const line: Line = { f: LINE_FORMAT, ...c, pub: key.pub, sig: sign(null, Buffer.from(signedText(c), 'utf8'), key.key).toString('base64') };
  appendLineDurably(checkpointFile(dataDir), JSON.stringify(line), { mode: 0o600 });
}

function chainHead(db: Db): { seq: number; hash: string; at: string } | null {
  return (db.prepare('SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1').get() as { seq: number; hash: string; at: string } | undefined) ?? null;
}

/** Signs the current head of the chain now (no line when nothing was added since the last one). */
export class AuditCheckpointer {
  private key: AuditKey | null = null;
  private lastSeq = 0;
  private lastEpoch = '';

  constructor(
    private readonly db: Db,
    private readonly dataDir: string,
    private readonly now: () => Date,
    private readonly every = CHECKPOINT_EVERY,
  ) {
    const last = readCheckpoints(dataDir).lines.at(-1);
    if (last) {
      this.lastSeq = last.seq;
      this.lastEpoch = last.epoch;
    }
  }

  /**
   * A store created new in a folder whose checkpoints name another store (the old database deleted
   * and a new one started): signs that the new store replaced them, so verifying the new store's
   * chain does not report the old one's heads; `audit-verify` lists the replacement.
   */
  replacedStore(): void {
    const read = readCheckpoints(this.dataDir);
    const epoch = currentEpoch(this.db).epoch;
    const announced = new Set(read.lines.filter((l) => l.kind !== 'head').map((l) => l.fromEpoch));
    const old = [...new Set(read.lines.filter((l) => l.epoch !== epoch && !announced.has(l.epoch)).map((l) => l.epoch))];
    if (!old.length) return;
    const head = chainHead(this.db) ?? { seq: 0, hash: '', at: '' };
    this.key ??= loadOrCreateAuditKey(this.dataDir);
    for (const fromEpoch of old) appendCheckpoint(this.dataDir, this.key, { kind: 'new-store', epoch, fromEpoch, ...head, signedAt: this.now().toISOString() });
  }

  /** After a write: a checkpoint once `every` entries have been added since the last one. */
  maybe(): void {
    const head = this.db.prepare('SELECT MAX(seq) FROM audit_log').pluck().get() as number | null;
    if (head !== null && head - this.lastSeq >= this.every) this.checkpoint();
  }

  checkpoint(): void {
    const head = chainHead(this.db);
    if (!head) return;
    const epoch = currentEpoch(this.db).epoch;
    if (head.seq === this.lastSeq && epoch === this.lastEpoch) return;
    this.key ??= loadOrCreateAuditKey(this.dataDir);
    appendCheckpoint(this.dataDir, this.key, { kind: 'head', epoch, ...head, signedAt: this.now().toISOString() });
    this.lastSeq = head.seq;
    this.lastEpoch = epoch;
  }
}

/** Signs, right after a restore committed, that the store's epoch changed from `fromEpoch` to the restored store's. */
export function signRestore(db: Db, dataDir: string, fromEpoch: string, now: () => Date): void {
  const head = chainHead(db);
  if (!head) return;
  appendCheckpoint(dataDir, loadOrCreateAuditKey(dataDir), { kind: 'restore', epoch: currentEpoch(db).epoch, fromEpoch, ...head, signedAt: now().toISOString() });
}

export interface CheckpointRead {
  /** Lines whose signature holds under the audit key, in file order. */
  lines: Checkpoint[];
  /** Lines whose signature does not hold under the audit key (a line that does not parse — torn — is skipped). */
  bad: { line: number; reason: string }[];
  keyPub: string | null;
  fileExists: boolean;
}

export function readCheckpoints(dataDir: string): CheckpointRead {
  const keyPub = auditKeyPub(dataDir);
  const file = checkpointFile(dataDir);
  if (!fs.existsSync(file)) return { lines: [], bad: [], keyPub, fileExists: false };
  const raw = fs.readFileSync(file, 'utf8').split('\n');
  if (raw.at(-1) === '') raw.pop();
  const lines: Checkpoint[] = [];
  const bad: CheckpointRead['bad'] = [];
  const pubKey = keyPub ? createPublicKey({ key: Buffer.from(keyPub, 'base64'), format: 'der', type: 'spki' }) : null;
  raw.forEach((text, i) => {
    let l: Line;
    try {
      l = JSON.parse(text) as Line;
    } catch {
      // A line torn by a crash or a full disk during an append stands alone (appendLineDurably) and is
      // skipped; skipping loses nothing an attacker could not also get by deleting the line.
      return;
    }
    const c: Checkpoint = { kind: l.kind, epoch: l.epoch, ...(l.fromEpoch ? { fromEpoch: l.fromEpoch } : {}), seq: l.seq, hash: l.hash, at: l.at, signedAt: l.signedAt };
    const ok = l.f === LINE_FORMAT && pubKey !== null && l.pub === keyPub && verify(null, Buffer.from(signedText(c), 'utf8'), pubKey, Buffer.from(String(l.sig), 'base64'));
    if (ok) lines.push(c);
    else bad.push({ line: i + 1, reason: '签名无效' });
  });
  return { lines, bad, keyPub, fileExists: true };
}

export interface CheckpointFinding {
  seq: number;
  reason: string;
}

export interface CheckpointCheck {
  /** How many checkpoints of the current epoch were compared, and the latest of them. */
  compared: number;
  latest: { seq: number; signedAt: string } | null;
  finding: CheckpointFinding | null;
}

/**
 * Compares the audit table with every signed checkpoint of the store's current epoch (and, for the
 * epochs a signed restore line replaced, none). Run after the chain itself was walked and found whole.
 */
export function checkAgainstCheckpoints(db: Db, dataDir: string): CheckpointCheck {
  const read = readCheckpoints(dataDir);
  const count = db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
  const none = (finding: CheckpointFinding | null): CheckpointCheck => ({ compared: 0, latest: null, finding });
  if (read.bad.length) return none({ seq: 0, reason: `检查点文件第 ${read.bad.map((b) => b.line).join('、')} 行${read.bad[0]!.reason}（检查点文件被改动）` });
  if (!read.keyPub) {
    // No key: this store never signed a checkpoint (made before checkpoints) — unless lines exist without it.
    return none(read.fileExists && read.lines.length === 0 && fs.statSync(checkpointFile(dataDir)).size > 0 ? { seq: 0, reason: '审计签名密钥缺失，检查点无法核对' } : null);
  }
  if (read.lines.length === 0) return none({ seq: 0, reason: '检查点文件缺失或为空：无法证明审计日志未被截断或重写' });

  let epoch: string;
  try {
    epoch = currentEpoch(db).epoch;
  } catch {
    epoch = '';
  }
  // The epochs a signed restore line replaced: their heads name entries the restored store never had.
  const replaced = new Set(read.lines.filter((l) => l.kind !== 'head').map((l) => l.fromEpoch!));
  const unannounced = read.lines.find((l) => l.epoch !== epoch && !replaced.has(l.epoch));
  if (unannounced) {
    return none({ seq: unannounced.seq, reason: `数据库不是检查点所记的那一个：检查点记到第 ${unannounced.seq} 条，而数据库的纪元已变且没有签名的恢复记录（数据库被替换或审计日志被整体重写）` });
  }
  const mine = read.lines.filter((l) => l.epoch === epoch && l.kind === 'head');
  const row = db.prepare('SELECT hash, at FROM audit_log WHERE seq = ?');
  const maxSeq = (db.prepare('SELECT MAX(seq) FROM audit_log').pluck().get() as number | null) ?? 0;
  let good = 0;
  for (const c of mine) {
    const r = row.get(c.seq) as { hash: string; at: string } | undefined;
    if (!r) {
      const reason =
        count === 0
          ? `审计日志被全部删除：已签名的检查点记到第 ${c.seq} 条，现在一条也没有`
          : `审计日志末尾被删除：已签名的检查点记到第 ${c.seq} 条，现在只到第 ${maxSeq} 条`;
      return { compared: mine.length, latest: latestOf(mine), finding: { seq: c.seq, reason } };
    }
    if (r.hash !== c.hash) {
      const range = `第 ${good + 1}–${c.seq} 条之间`;
      const reason =
        r.at !== c.at
          ? `${range}有记录被删除，其后的记录被重新编号并重算了哈希（第 ${c.seq} 条已不是签名时的那一条）`
          : `${range}有记录被改动并重算了哈希链（第 ${c.seq} 条的哈希与签名的检查点不符）`;
      return { compared: mine.length, latest: latestOf(mine), finding: { seq: c.seq, reason } };
    }
    good = c.seq;
  }
  return { compared: mine.length, latest: latestOf(mine), finding: null };
}

const latestOf = (lines: Checkpoint[]) => {
  const l = lines.at(-1);
  return l ? { seq: l.seq, signedAt: l.signedAt } : null;
};
