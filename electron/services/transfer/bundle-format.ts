import { CarriedHead } from '../audit/witnessed-heads';
import { z } from 'zod';

/**
 * The transfer bundle (docs/transfer.md). On disk, in any folder (a USB drive, the gateway's
 * drop folder):
 *
 *   <bundleId>.manifest.json   {format, alg, body, sig}: `body` is the manifest as a JSON string,
 *                              `sig` the sender's signature over its UTF-8 bytes
 *   <bundleId>.index           the manifest's list of every entry (idempotency key, hash) and file
 *                              (hash, size), sealed in chunks; its size and SHA-256 are in `body`
 *   <bundleId>.p00000 …        the encrypted parts, in order, each holding at most chunkBytes of
 *                              plaintext, sealed in segments of segmentBytes (+16 bytes each)
 *
 * The parts are one plaintext record stream cut into segments of segmentBytes (1 MB, or the chunk
 * size if smaller), each sealed with AES-256-GCM (nonce = stream, part and segment index; AAD =
 * bundle id, the same, and the last-segment flag); a part holds floor(chunkBytes / segmentBytes)
 * segments. Both sides hold a few segments at a time, whatever the chunk size. Records:
 *   'E' entry  — header: the outbox entry (idempotency key, target, document, file refs)
 *   'F' file   — header {sha256, size, mime}, then `size` raw bytes (content-addressed)
 *   'A' acks   — header: a batch of acknowledgements of what this desk received from the peer
 *   'Z' end    — header {entries, files, acks}
 * Each record is: type (1 byte) · header length (u32 BE) · header (UTF-8 JSON) · payload.
 *
 * The index lists the records in stream order, one JSON array per line (IndexItem), so that
 * both sides stream it: memory does not grow with the number of entries.
 */

export const FORMAT = 'pfd-transfer/2';
/** How the parts and the index are encrypted (bundle-crypto.ts): AES-256-GCM, or SM4-CBC + HMAC-SM3 (商用密码). */
export const ENC_ALGS = ['x25519-hkdf-sha256-aes-256-gcm', 'x25519-hkdf-sm3-sm4-cbc-hmac-sm3'] as const;
export type EncAlg = (typeof ENC_ALGS)[number];
export const MANIFEST_SUFFIX = '.manifest.json';
export const PART_RE = /^(.+)\.p(\d{5})$/;
export const partName = (bundleId: string, i: number) => `${bundleId}.p${String(i).padStart(5, '0')}`;
export const manifestName = (bundleId: string) => `${bundleId}${MANIFEST_SUFFIX}`;
export const indexName = (bundleId: string) => `${bundleId}.index`;
export const MAX_MANIFEST_BYTES = 64 * 1024 * 1024;
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** The unit of sealing within a part (smaller when the chunk size is smaller). */
export const SEGMENT_BYTES = 1024 * 1024;
/** The segment size a manifest may name (what an importer is willing to hold in memory). */
export const MAX_SEGMENT_BYTES = 16 * 1024 * 1024;
/** The index is sealed in segments of this many plaintext bytes (read one at a time on import). */
export const INDEX_SEGMENT_BYTES = 256 * 1024;

/** Segments per part for a chunk size: a part holds at most chunkBytes of plaintext. */
export function segmentsPerPart(chunkBytes: number, segmentBytes: number): number {
  return Math.max(1, Math.floor(chunkBytes / segmentBytes));
}
/** An index line longer than this is refused (a key is at most 400 characters). */
export const MAX_INDEX_LINE = 4096;

const Fp = z.string().regex(/^[0-9A-F]{4}(-[0-9A-F]{4}){4}$/);
const Sha = z.string().regex(/^[0-9a-f]{64}$/);

export const ManifestBody = z
  .object({
    format: z.literal(FORMAT),
    bundleId: z.string().regex(/^[A-Za-z0-9_-]{8,80}$/),
    sender: z.object({ deskId: z.string(), fingerprint: Fp, zone: z.enum(['intranet', 'extranet']) }).strict(),
    receiver: z.object({ deskId: z.string(), fingerprint: Fp }).strict(),
    /** Per direction (sender → receiver), from 1, no gaps on the sending side. */
    seq: z.number().int().min(1),
    /** SHA-256 of the previous bundle's manifest body in this direction ('' for the first). */
    prevHash: z.union([Sha, z.literal('')]),
    createdAt: z.string(),
    expiresAt: z.string(),
    enc: z
      .object({
        alg: z.enum(ENC_ALGS),
        ephemeralPub: z.string(),
        chunkBytes: z.number().int().min(1024),
        segmentBytes: z.number().int().min(1024).max(MAX_SEGMENT_BYTES),
      })
      .strict(),
    parts: z.array(z.object({ name: z.string(), size: z.number().int().min(16), sha256: Sha }).strict()).min(1),
    plainBytes: z.number().int().min(0),
    counts: z.object({ entries: z.number().int().min(0), files: z.number().int().min(0), acks: z.number().int().min(0) }).strict(),
    /** The index file (every entry's key and hash, every file's hash and size, the acks' hash), sealed under the bundle key. */
    index: z.object({ name: z.string(), size: z.number().int().min(16), sha256: Sha, segmentBytes: z.number().int().min(1024).max(MAX_SEGMENT_BYTES) }).strict(),
    /** Which of the peer's bundles this desk had applied when it wrote this one. */
    peerApplied: z.object({ through: z.number().int().min(0), also: z.array(z.number().int().min(1)) }).strict(),
    /** The sender's latest signed audit head, for the receiver to witness (services/audit/witnessed-heads.ts); absent before its first checkpoint. */
    auditHead: CarriedHead.optional(),
  })
  .strict();
export type ManifestBody = z.infer<typeof ManifestBody>;

export const ManifestFile = z.object({ format: z.literal(FORMAT), alg: z.enum(['ed25519', 'sm2-sm3']), body: z.string(), sig: z.string().min(1) }).strict();

/**
 * One line of the index, in the order of the record stream: an entry (its idempotency key and the
 * SHA-256 of its record header), a file (SHA-256 and size), and last the SHA-256 of the acks.
 */
export type IndexItem = ['E', string, string] | ['F', string, number] | ['A', string];

/** One outbox entry carried across (record 'E'). */
export interface EntryRecord {
  key: string;
  target: { id: string; name: string; kind: string };
  kind: 'case' | 'query';
  subject: string;
  revision: number;
  caseNo: string;
  /** The outbox document as stored (a JSON string, byte for byte). */
  document: string;
  createdAt: string;
  /** Every file of the case (pages, commitment PDF, signature …): name, kind, sha256. */
  files: { sha256: string; name: string; kind: string; size: number; mime: string }[];
  /** The entry's outbox_files rows on the sending desk (what the target will be uploaded). */
  outboxFiles: { sha256: string; name: string; kind: string; size: number }[];
}

/** What the receiving desk reports about an entry it received (record 'A'). */
export interface AckRecord {
  key: string;
  /** received: applied here and queued; acknowledged: the target took it (its case number); parked: refused by the target. */
  state: 'received' | 'acknowledged' | 'parked';
  targetCaseNo?: string | null;
  at?: string | null;
  reason?: string | null;
}

export const REC = { entry: 0x45, file: 0x46, acks: 0x41, end: 0x5a } as const;

/** Why a bundle was refused (stable codes; the Chinese text is in refusal.ts). */
export type RefusalCode =
  | 'not_found'
  | 'unreadable'
  | 'unsigned'
  | 'bad_signature'
  | 'malformed'
  | 'not_paired'
  | 'wrong_sender'
  | 'wrong_receiver'
  | 'expired'
  | 'missing_part'
  | 'tampered'
  | 'chain_broken'
  | 'no_keys'
  | 'local_precondition';

export class BundleRefused extends Error {
  constructor(
    readonly code: RefusalCode,
    readonly userMessage: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(`${code}: ${userMessage}`);
  }
}
