/** Shapes shared by the vertical-system simulator's modules (see docs/sync-protocol.md). */

export interface TargetConfig {
  /** Stable id, e.g. 'gongan'; the store keys everything by it, so a restart finds its data again. */
  id: string;
  name: string;
  /** 0 = any free port on 127.0.0.1. */
  port: number;
  token: string;
  honourIdempotency: boolean;
  /** The chunk size the target prefers (announced when an upload is created). */
  chunkSize: number;
  /** Prefix of the case numbers it gives, e.g. 'GA'; defaults to the id in capitals. */
  caseNoPrefix?: string;
}

export type Reject422 = { rate: number } | { field: string; pattern: string };

export interface Faults {
  refuse?: boolean;
  delayMs?: number;
  /** Answers to /api/ requests are held (the request handled first) until faults without it are set: a request "in flight" for as long as a test needs, whatever the machine's speed. */
  holdAnswers?: boolean;
  rate5xx?: number;
  rate429?: number;
  retryAfterS?: number;
  reject422?: Reject422;
  dropAfterCommitRate?: number;
  cutUploadAfterBytes?: number;
  cutUploadTimes?: number;
  honourIdempotency?: boolean;
  /** The Date header of every data-port answer is this many seconds off (the desk's clock check). */
  clockSkewS?: number;
  /** Makes the random faults (5xx, 429, drop) repeat the same sequence from this fault setting on. */
  seed?: number;
}

export interface Stats {
  /** Every request that reached the data port (health probes included). */
  requests: number;
  stored: number;
  duplicatesServed: number;
  rejected: number;
  dropped: number;
  /** How many times a refuse fault closed the data port (refused connections never reach the process). */
  refused: number;
  status5xx: number;
  status429: number;
  /** Later revisions of a case already held, stored as versions of it (not as new cases). */
  revisionsStored: number;
  uploadsComplete: number;
  /** Chunk PUTs cut by the cutUploadAfterBytes fault. */
  uploadsCut: number;
}

/** The status change a revision tells of (docs/sync-protocol.md): 终止办理, 撤销决定, … */
export interface StatusChange {
  status: string;
  statusLabel?: string;
  action?: string;
  previousStatus?: string;
  legalBasis: string;
  reason: string;
  at: string;
  /** Only these items of the case ended (the others stand); absent = the whole case. */
  items?: { code: string; name: string; department: string }[];
}

/** One message the target stored about a case: its first arrival, and each later revision. */
export interface StoredVersion {
  revision: number;
  idempotencyKey: string | null;
  statusChange: StatusChange | null;
  payload: Record<string, unknown>;
  receivedAt: string;
}

export interface StoredCase {
  caseNo: string;
  externalRef: string;
  idempotencyKey: string | null;
  /** The payload of the case's first arrival. */
  payload: Record<string, unknown>;
  receivedAt: string;
  /** The status the case's latest status change set (by revision), or null if none came. */
  status: string | null;
  /** Every version stored, in the order received (the first arrival included). */
  versions: StoredVersion[];
}

export interface TargetInfo {
  id: string;
  name: string;
  port: number;
  url: string;
  honourIdempotency: boolean;
  chunkSize: number;
  refused: boolean;
}

export function emptyStats(): Stats {
  return { requests: 0, stored: 0, duplicatesServed: 0, rejected: 0, dropped: 0, refused: 0, status5xx: 0, status429: 0, revisionsStored: 0, uploadsComplete: 0, uploadsCut: 0 };
}
