import { ConnectorFailure } from './http-connector';

/**
 * Why one delivery attempt (or one file's upload within it) ended: a closed set, in English, for
 * the structured log (`sync.upload`, `sync.attemptFailed`, `sync.outcomeUnknown`). The clerk is told
 * the Chinese message of the failure; this says, for whoever reads the log, which request ended it
 * and after how long (measured on the monotonic clock, from the request's start).
 */
export const ATTEMPT_END_REASONS = [
  /** Everything went: the file's upload completed (or the target already held it). */
  'completed',
  /** No answer in the request timeout (ours) or undici's own header/body timeouts. */
  'request_timeout',
  /** The connection was reset or closed by the other side while the request or its answer was under way. */
  'connection_reset',
  /** Connection refused: nothing was sent. */
  'connection_refused',
  /** No route, no name, connect timeout: nothing was sent. */
  'unreachable',
  /** Another network error after the request went out (`code` says which). */
  'connection_lost',
  /** The target answered with a status that ends the attempt (`status`: 4xx, 5xx, 429). */
  'target_answered',
  /** The target answered 2xx, but without what the protocol requires (no caseNo, no uploadId). */
  'answer_invalid',
  /** This claim no longer holds the entry (its lease ran out and was recovered, or it was claimed again). */
  'lease_lost',
  /** The sender is stopping (the app closes): no further request was started. */
  'stopped',
  /** The desk's own stored file is missing, damaged or not the recorded size. */
  'file_unreadable',
  /** Anything else (a bug): `error` holds the message. */
  'error',
] as const;

export type AttemptEndReason = (typeof ATTEMPT_END_REASONS)[number];

/** The requests of the HTTP/JSON protocol (docs/sync-protocol.md), as named in the log. */
export type RequestOp = 'probe' | 'postCase' | 'lookup' | 'startUpload' | 'uploadStatus' | 'putChunk' | 'completeUpload';

export interface AttemptEnd {
  ended: AttemptEndReason;
  /** The request that ended it, when a request did. */
  request?: RequestOp;
  /** How long that request had run, ms (monotonic). */
  afterMs?: number;
  /** The HTTP status, when the target answered. */
  status?: number;
  /** The network error's code (`UND_ERR_SOCKET`, `TimeoutError`, `ECONNREFUSED`). */
  code?: string;
  /** The message, for `file_unreadable`, `answer_invalid` and `error`. */
  error?: string;
  /** The request was sent twice (an idempotent one whose connection was closed under it: stale-connection.ts); why the first try failed. */
  retriedAfter?: string;
}

const NETWORK_REASONS: Record<string, AttemptEndReason> = {
  TimeoutError: 'request_timeout',
  AbortError: 'request_timeout',
  UND_ERR_HEADERS_TIMEOUT: 'request_timeout',
  UND_ERR_BODY_TIMEOUT: 'request_timeout',
  UND_ERR_SOCKET: 'connection_reset',
  ECONNRESET: 'connection_reset',
  EPIPE: 'connection_reset',
  UND_ERR_CLOSED: 'connection_reset',
  ECONNREFUSED: 'connection_refused',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  ENOTFOUND: 'unreachable',
  EAI_AGAIN: 'unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'unreachable',
};

/** A request that failed without an HTTP answer, by its error code. */
export function networkEnd(code: string, request: RequestOp, afterMs: number): AttemptEnd {
  return { ended: NETWORK_REASONS[code] ?? 'connection_lost', request, afterMs: Math.round(afterMs), code: code || 'unknown' };
}

/** The claim no longer holds the entry: nothing more is sent, and nothing is to be recorded for this attempt. */
export class LeaseLost extends Error {
  constructor(entryId: number, before: string) {
    super(`lease of entry ${entryId} lost before ${before}`);
    this.name = 'LeaseLost';
  }
}

/** The desk's own stored file cannot be sent (missing, damaged, not the recorded size). `message`: Chinese, for the clerk. */
export class FileUnreadable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileUnreadable';
  }
}

/** Why an attempt that threw `e` ended. */
export function endOf(e: unknown): AttemptEnd {
  if (e instanceof LeaseLost) return { ended: 'lease_lost' };
  if (e instanceof FileUnreadable) return { ended: 'file_unreadable', error: e.message };
  if (e instanceof ConnectorFailure) {
    if (e.end) return e.end;
    const f = e.failure; // from a connector that does not trace its requests (hub, data sharing)
    if ((f.kind === 'retry' || f.kind === 'rejected') && f.status > 0) return { ended: 'target_answered', status: f.status };
  }
  return { ended: 'error', error: String((e as Error)?.message ?? e) };
}
