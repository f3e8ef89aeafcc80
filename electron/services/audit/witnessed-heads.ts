import { z } from 'zod';
import type { Db } from '../../store/open-store';
import { auditKeyPub, checkpointLines, checkpointSignatureHolds, type Checkpoint } from './checkpoints';

/**
 * Signed heads witnessed by the peer desk (docs/audit-checkpoints.md, "Witnessed by the peer desk").
 * Every transfer bundle carries its sender's latest signed head (`CarriedHead`, inside the manifest
 * the sender signs with its paired desk key); the receiving desk records it, once its signature holds
 * under the audit key it names, in `audit_witnessed_heads` (migration 0024, append-only), in the
 * bundle's import transaction. `audit-verify --witness <peer's folder>` then compares this desk's
 * audit table with what the peer witnessed: a head whose entry is gone or whose hash differs is a
 * rewrite that this folder's own checkpoint file can no longer prove (it may have been replaced too).
 */

export const CarriedHead = z
  .object({
    kind: z.literal('head'),
    epoch: z.string().max(64),
    seq: z.number().int().min(0),
    hash: z.string().max(64),
    at: z.string().max(64),
    signedAt: z.string().max(64),
    pub: z.string().max(200),
    sig: z.string().max(200),
  })
  .strict();
export type CarriedHead = z.infer<typeof CarriedHead>;

/** This desk's latest signed head (under its current audit key), to carry to the peer; null before the first checkpoint. */
export function latestSignedHead(dataDir: string): CarriedHead | null {
  const pub = auditKeyPub(dataDir);
  if (!pub) return null;
  const l = checkpointLines(dataDir)
    .filter((x) => x.kind === 'head' && x.pub === pub)
    .at(-1);
  if (!l || !checkpointSignatureHolds(l, l.sig, pub)) return null;
  return { kind: 'head', epoch: l.epoch, seq: l.seq, hash: l.hash, at: l.at, signedAt: l.signedAt, pub, sig: l.sig };
}

/**
 * Records a head the peer carried, inside the caller's write transaction. Kept once (by signature);
 * a head whose signature does not hold under the key it names is not recorded ('bad').
 */
export function recordWitnessedHead(db: Db, peerDeskId: string, h: CarriedHead, via: 'bundle' | 'field_result', ref: string, at: string): 'recorded' | 'known' | 'bad' {
  const c: Checkpoint = { kind: 'head', epoch: h.epoch, seq: h.seq, hash: h.hash, at: h.at, signedAt: h.signedAt };
  if (!checkpointSignatureHolds(c, h.sig, h.pub)) return 'bad';
  const r = db
    .prepare(
      `INSERT INTO audit_witnessed_heads (peer_desk_id, pub, kind, epoch, seq, hash, at, signed_at, sig, via, via_ref, received_at)
       VALUES (?, ?, 'head', ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (peer_desk_id, sig) DO NOTHING`,
    )
    .run(peerDeskId, h.pub, h.epoch, h.seq, h.hash, h.at, h.signedAt, h.sig, via, ref, at);
  return r.changes ? 'recorded' : 'known';
}

export interface WitnessCheck {
  /** Heads of this desk the witness holds. */
  compared: number;
  latest: { seq: number; signedAt: string } | null;
  /** The first disagreement, in Chinese, with the entry it concerns. */
  finding: { seq: number; reason: string } | null;
}

interface WitnessedRow {
  pub: string;
  epoch: string;
  seq: number;
  hash: string;
  at: string;
  signed_at: string;
  sig: string;
  via: string;
  via_ref: string;
}

/**
 * Compares this desk's audit table (`db`, its audit key `ownPub` — null when the key file is gone)
 * with the heads another desk witnessed of it (`witness`, that desk's store, read-only).
 */
export function checkAgainstWitness(db: Db, deskId: string, ownPub: string | null, witness: Db): WitnessCheck {
  const rows = (witness.prepare('SELECT pub, epoch, seq, hash, at, signed_at, sig, via, via_ref FROM audit_witnessed_heads WHERE peer_desk_id = ? ORDER BY seq, id').all(deskId) as WitnessedRow[]).filter((r) =>
    checkpointSignatureHolds({ kind: 'head', epoch: r.epoch, seq: r.seq, hash: r.hash, at: r.at, signedAt: r.signed_at }, r.sig, r.pub),
  );
  const latest = rows.length ? { seq: rows.at(-1)!.seq, signedAt: rows.at(-1)!.signed_at } : null;
  const out = (finding: WitnessCheck['finding']): WitnessCheck => ({ compared: rows.length, latest, finding });
  if (!rows.length) return out(null);
  const keyChanged = rows.find((r) => r.pub !== ownPub);
  if (keyChanged) return out({ seq: keyChanged.seq, reason: `审计签名密钥已更换：对端工作台见证的检查点（记到第 ${keyChanged.seq} 条，经${viaLabel(keyChanged)}）是用另一把密钥签名的` });
  let epoch: string | null;
  try {
    epoch = (db.prepare('SELECT epoch FROM store_epochs ORDER BY seq DESC LIMIT 1').pluck().get() as string | undefined) ?? null;
  } catch {
    epoch = null;
  }
  const row = db.prepare('SELECT hash FROM audit_log WHERE seq = ?');
  const maxSeq = (db.prepare('SELECT MAX(seq) FROM audit_log').pluck().get() as number | null) ?? 0;
  for (const r of rows.filter((x) => x.epoch === epoch)) {
    const mine = row.get(r.seq) as { hash: string } | undefined;
    if (!mine) return out({ seq: r.seq, reason: `对端工作台见证的检查点记到第 ${r.seq} 条（经${viaLabel(r)}），本机审计日志现在只到第 ${maxSeq} 条：末尾被删除` });
    if (mine.hash !== r.hash) return out({ seq: r.seq, reason: `第 ${r.seq} 条的哈希与对端工作台见证的检查点（经${viaLabel(r)}）不符：此前的记录被改动、删除或重新编号并重算了哈希链` });
  }
  return out(null);
}

const viaLabel = (r: { via: string; via_ref: string }) => (r.via === 'bundle' ? `交换包 ${r.via_ref}` : `外勤结果 ${r.via_ref}`);
