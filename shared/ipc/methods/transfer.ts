/**
 * Intranet ↔ extranet transfer (政务内网/外网): signed, encrypted bundles carried as files
 * between two desks whose networks are not connected (electron/services/transfer,
 * docs/transfer.md). Folders are paths on the desk PC (a USB drive, the gateway's drop folder).
 */
import { z } from 'zod';
import { method, trimmed } from '../method';

export const ZONES = ['intranet', 'extranet'] as const;
export type Zone = (typeof ZONES)[number];
export const ZONE_LABELS: Record<Zone, string> = { intranet: '政务内网', extranet: '互联网（外网）' };
export const SIGN_ALGS = ['ed25519', 'sm2-sm3'] as const;
export const SIGN_ALG_LABELS: Record<(typeof SIGN_ALGS)[number], string> = { 'ed25519': 'Ed25519', 'sm2-sm3': 'SM2/SM3（商用密码）' };

const Desk = z.object({
  deskId: z.string(),
  name: z.string(),
  zone: z.enum(ZONES),
  signAlg: z.enum(SIGN_ALGS),
  fingerprint: z.string(),
  at: z.string(),
});

export const TransferStatus = z.object({
  desk: Desk.nullable(),
  peer: Desk.nullable(),
  /** This desk's card (public keys), to hand to the peer desk. */
  card: z.string().nullable(),
  sm2Available: z.boolean(),
  /** The zone the running sender was started with (a zone set since takes effect at the next start). */
  senderZone: z.enum(ZONES).nullable(),
  dropFolder: z.string().nullable(),
  /** Targets with the zones they are reachable from, and whether this desk reaches them. */
  targets: z.array(z.object({ id: z.string(), name: z.string(), zones: z.array(z.enum(ZONES)).nullable(), reachableHere: z.boolean() })),
  waiting: z.number().int(),
  toExport: z.number().int(),
  gaps: z.array(z.number().int()),
});
export type TransferStatus = z.infer<typeof TransferStatus>;

export const ImportOutcome = z.object({
  file: z.string(),
  status: z.enum(['applied', 'already', 'refused']),
  bundleId: z.string().nullable(),
  seq: z.number().int().nullable(),
  entriesNew: z.number().int(),
  entriesKnown: z.number().int(),
  acks: z.number().int(),
  reason: z.string().nullable(),
  code: z.string().nullable(),
  at: z.string(),
});
export type ImportOutcome = z.infer<typeof ImportOutcome>;

export const BundleOut = z.object({
  bundleId: z.string(),
  seq: z.number().int(),
  folder: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  entries: z.number().int(),
  files: z.number().int(),
  acks: z.number().int(),
  bytes: z.number().int(),
  confirmedAt: z.string().nullable(),
});
export const BundleIn = z.object({
  bundleId: z.string(),
  seq: z.number().int(),
  createdAt: z.string(),
  appliedAt: z.string(),
  entriesNew: z.number().int(),
  entriesKnown: z.number().int(),
  files: z.number().int(),
  acks: z.number().int(),
});

export const WaitingItem = z.object({
  entryId: z.number().int(),
  caseNo: z.string(),
  applicantName: z.string(),
  targetName: z.string(),
  idempotencyKey: z.string(),
  /** exported: sent, no receipt yet; received: the peer has it, the target's answer not yet back. */
  state: z.enum(['exported', 'received', 'acknowledged', 'parked']),
  exports: z.number().int(),
  lastSeq: z.number().int(),
  receivedAt: z.string().nullable(),
});

export const ReceivedCase = z.object({
  caseId: z.number().int(),
  caseNo: z.string(),
  originCaseNo: z.string(),
  applicantName: z.string(),
  /** The case's status as last carried (a status change after acceptance: terminated / revoked) and its reason. */
  status: z.string(),
  statusReason: z.string().nullable(),
  items: z.array(z.string()),
  pages: z.array(z.object({ sha256: z.string(), name: z.string(), kind: z.string(), size: z.number().int() })),
  commitments: z.array(z.object({ certificateCode: z.string(), digest: z.string(), signedAt: z.string() })),
  entryState: z.string().nullable(),
  targetName: z.string().nullable(),
  targetCaseNo: z.string().nullable(),
  receivedAt: z.string(),
});

const Folder = trimmed(1000);

export const transferMethods = {
  'transfer.status': method({ access: 'session', passive: true, input: z.object({}).strict(), output: TransferStatus }),
  /** Sets this desk's zone and creates its keys (once). */
  'transfer.setup': method({
    access: ['supervisor'],
    input: z.object({ zone: z.enum(ZONES), name: trimmed(60), signAlg: z.enum(SIGN_ALGS) }).strict(),
    output: TransferStatus,
  }),
  /** Pairs with the peer desk: its card, and the fingerprint both clerks compared. */
  'transfer.pair': method({
    access: ['supervisor'],
    input: z.object({ card: z.string().min(10).max(20_000), fingerprint: trimmed(40) }).strict(),
    output: TransferStatus,
  }),
  /** The folder watched for bundles from the peer (the gateway's drop folder); null stops watching. */
  'transfer.setDropFolder': method({ access: ['supervisor'], input: z.object({ folder: Folder.nullable() }).strict(), output: TransferStatus }),
  'transfer.export': method({
    access: ['clerk', 'supervisor'],
    input: z.object({ folder: Folder, chunkMb: z.number().min(0.01).max(4096).optional() }).strict(),
    output: z.object({ bundleId: z.string(), seq: z.number().int(), entries: z.number().int(), files: z.number().int(), acks: z.number().int(), parts: z.number().int(), bytes: z.number().int(), manifestFile: z.string() }),
  }),
  /** Imports every bundle in the folder (by sequence number), each verified in full first. */
  'transfer.import': method({
    access: ['clerk', 'supervisor'],
    input: z.object({ folder: Folder }).strict(),
    output: z.object({ outcomes: z.array(ImportOutcome), gaps: z.array(z.number().int()) }),
  }),
  'transfer.history': method({
    access: 'session',
    passive: true,
    input: z.object({}).strict(),
    output: z.object({ out: z.array(BundleOut), in: z.array(BundleIn), refused: z.array(ImportOutcome), gaps: z.array(z.number().int()) }),
  }),
  /** Entries carried to the peer and not yet acknowledged. */
  'transfer.waiting': method({ access: 'session', passive: true, input: z.object({}).strict(), output: z.object({ items: z.array(WaitingItem) }) }),
  /** Cases that came from the peer desk, with their pages and commitments. */
  'transfer.received': method({ access: 'session', passive: true, input: z.object({}).strict(), output: z.object({ cases: z.array(ReceivedCase) }) }),
} as const;
