import { performance } from 'node:perf_hooks';
import { authHeader, type HttpTargetConfig } from './targets-config';
import { networkEnd, type AttemptEnd, type RequestOp } from './attempt-end';
import { errorCode, FailedTwice, lastError, sendOnceMore } from './stale-connection';

/**
 * The HTTP/JSON connector: speaks docs/sync-protocol.md to one target. It
 * only talks and classifies what happened; the sender decides what that
 * means for the entry.
 */

/** How a request failed, as far as the outbox is concerned. */
export type Failure =
  /** The request never reached the target (connection refused, no route): safe to send again. `detail`: the technical cause, for the log. */
  | { kind: 'not_sent'; message: string; detail?: string }
  /** It may have reached the target (reset, timeout, cut answer): the entry's outcome is unknown. */
  | { kind: 'maybe_sent'; message: string; detail?: string }
  /** The target is overloaded or failing (5xx, 429): nothing stored, retry later. */
  | { kind: 'retry'; message: string; status: number; retryAfterMs: number | null }
  /** The target refused the content (4xx): park with its reason; never retried blindly. */
  | { kind: 'rejected'; message: string; status: number; field: string | null };

export class ConnectorFailure extends Error {
  constructor(
    readonly failure: Failure,
    /** Why the attempt ended, for the log (attempt-end.ts): set by the connectors that trace their requests. */
    readonly end: AttemptEnd | null = null,
  ) {
    super(failure.message);
  }
}

/** One request's answer, with what the log needs to say which request it was and how long it took. */
interface Answer {
  status: number;
  json: unknown;
  retryAfter: string | null;
  op: RequestOp;
  afterMs: number;
}

/** One case a target holds under a reference; `revisions`: the desk's revisions of it the target stored, if it reports them. */
export interface LookupItem {
  caseNo: string;
  externalRef: string;
  revisions?: number[];
}

export interface PostResult {
  caseNo: string;
  duplicate: boolean;
}

export interface UploadState {
  uploadId: string;
  received: number;
  complete: boolean;
  fileId: string | null;
  chunkSize: number | null;
}

/** Connect-level errors: nothing was sent. What the clerk is told for each. */
const NOT_SENT: Record<string, string> = {
  ECONNREFUSED: '对方拒绝连接',
  EHOSTUNREACH: '网络不通',
  ENETUNREACH: '网络不通',
  ENOTFOUND: '无法解析对方地址',
  EAI_AGAIN: '无法解析对方地址',
  UND_ERR_CONNECT_TIMEOUT: '连接超时',
};

/** After the request went out: why no answer came. */
const ANSWER_LOST: Record<string, string> = {
  TimeoutError: '等待应答超时',
  AbortError: '等待应答超时',
  UND_ERR_HEADERS_TIMEOUT: '等待应答超时',
  UND_ERR_BODY_TIMEOUT: '等待应答超时',
  UND_ERR_SOCKET: '连接被对方断开',
  ECONNRESET: '连接被对方重置',
  EPIPE: '连接被对方断开',
  UND_ERR_CLOSED: '连接已关闭',
};

/** The precise cause, for the log: `UND_ERR_SOCKET: other side closed`. */
function errorDetail(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string } };
  return `${errorCode(e) || 'Error'}: ${err.cause?.message ?? err.message ?? String(e)}`;
}

/**
 * A request that failed without an HTTP answer: not sent (connect-level), or sent with its answer
 * lost — then the target may have stored it, and the clerk is told so, not "cannot connect".
 */
export function networkFailure(e: unknown, targetName: string): Failure {
  const code = errorCode(e);
  const detail = errorDetail(e);
  const notSent = NOT_SENT[code];
  if (notSent) return { kind: 'not_sent', message: `无法连接“${targetName}”：${notSent}`, detail };
  return { kind: 'maybe_sent', message: `已发出，但未收到“${targetName}”的应答（${ANSWER_LOST[code] ?? '连接中断'}）`, detail };
}

export class HttpTargetConnector {
  /** The Date header of the latest answer (for the clock check). */
  lastServerDate: Date | null = null;

  constructor(
    readonly target: HttpTargetConfig,
    private readonly timeoutMs: number,
  ) {}

  private url(p: string): URL {
    return new URL(p, this.target.baseUrl.endsWith('/') ? this.target.baseUrl : `${this.target.baseUrl}/`);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { ...extra };
    const auth = authHeader(this.target);
    if (auth) h[auth[0]] = auth[1];
    return h;
  }

  /** One request; network failures become ConnectorFailure, HTTP answers are returned. */
  private async request(op: RequestOp, method: string, p: string, opts: { body?: Uint8Array | string; headers?: Record<string, string>; timeoutMs?: number } = {}): Promise<Answer> {
    const started = performance.now();
    const lost = (e: unknown) => networkEnd(errorCode(e), op, performance.now() - started);
    let res: Response;
    const signal = AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs); // one time limit for both tries
    try {
      // A GET that met a connection the target had just closed is sent once more (stale-connection.ts).
      res = await sendOnceMore(method, () => fetch(this.url(p), { method, headers: this.headers(opts.headers), body: opts.body as RequestInit['body'], signal }));
    } catch (e) {
      const err = lastError(e);
      const end = lost(err);
      if (e instanceof FailedTwice) end.retriedAfter = e.firstCode;
      throw new ConnectorFailure(networkFailure(err, this.target.name), end);
    }
    const date = res.headers.get('date');
    if (date) {
      const d = new Date(date);
      if (!Number.isNaN(d.getTime())) this.lastServerDate = d;
    }
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw new ConnectorFailure({ kind: 'maybe_sent', message: `已发出，但“${this.target.name}”的应答中途中断（${ANSWER_LOST[errorCode(e)] ?? '连接中断'}）`, detail: errorDetail(e) }, lost(e));
    }
    let json: unknown = null;
    if (text) {
      try {
        json = JSON.parse(text);
      } catch {
        json = { raw: text.slice(0, 200) };
      }
    }
    return { status: res.status, json, retryAfter: res.headers.get('retry-after'), op, afterMs: Math.round(performance.now() - started) };
  }

  /** A 2xx answer that lacks what the protocol requires: it may have been stored, the outcome is unknown. */
  private invalid(r: Answer, message: string): ConnectorFailure {
    return new ConnectorFailure({ kind: 'maybe_sent', message }, { ended: 'answer_invalid', request: r.op, afterMs: r.afterMs, status: r.status, error: message });
  }

  /** Turns a non-2xx answer into the failure it means. */
  private fail(r: Answer, doing: string): never {
    const end: AttemptEnd = { ended: 'target_answered', request: r.op, afterMs: r.afterMs, status: r.status };
    const body = r.json as { error?: { message?: string; field?: string; code?: string } } | null;
    const reason = body?.error?.message ?? `HTTP ${r.status}`;
    if (r.status === 429 || r.status >= 500) {
      const s = r.retryAfter ? Number(r.retryAfter) : NaN;
      const at = r.retryAfter && Number.isNaN(s) ? Date.parse(r.retryAfter) - Date.now() : s * 1000;
      throw new ConnectorFailure({ kind: 'retry', status: r.status, retryAfterMs: Number.isFinite(at) && at >= 0 ? at : null, message: `“${this.target.name}”暂时不可用（${doing}，HTTP ${r.status}）` }, end);
    }
    throw new ConnectorFailure({ kind: 'rejected', status: r.status, field: body?.error?.field ?? null, message: reason }, end);
  }

  /** The reachability probe. */
  async probe(): Promise<void> {
    const r = await this.request('probe', 'GET', 'health', { timeoutMs: Math.min(this.timeoutMs, 5000) });
    if (r.status !== 200) this.fail(r, '探测');
  }

  async postCase(payload: Record<string, unknown>, idempotencyKey: string): Promise<PostResult> {
    const r = await this.request('postCase', 'POST', 'api/cases', {
      body: JSON.stringify(payload),
      headers: { 'Content-Type': 'application/json', 'Idempotency-Key': idempotencyKey },
    });
    if (r.status !== 200 && r.status !== 201) this.fail(r, '推送办件');
    const b = r.json as { caseNo?: string; duplicate?: boolean };
    if (!b?.caseNo) throw this.invalid(r, `“${this.target.name}”的应答缺少编号`);
    return { caseNo: b.caseNo, duplicate: b.duplicate === true };
  }

  /**
   * The look-up before re-sending an unknown entry to a target that does not de-duplicate: the
   * cases the target holds under this reference, with the revisions it stored of each (when it says).
   */
  async lookup(externalRef: string): Promise<LookupItem[]> {
    const r = await this.request('lookup', 'GET', `api/cases?externalRef=${encodeURIComponent(externalRef)}`);
    if (r.status !== 200) this.fail(r, '查询办件');
    const items = (r.json as { items?: LookupItem[] })?.items ?? [];
    return items.filter((i) => i?.externalRef === externalRef && typeof i.caseNo === 'string');
  }

  async startUpload(f: { sha256: string; size: number; name: string; externalRef: string }): Promise<UploadState> {
    const r = await this.request('startUpload', 'POST', 'api/uploads', { body: JSON.stringify(f), headers: { 'Content-Type': 'application/json' } });
    if (r.status !== 200 && r.status !== 201) this.fail(r, '开始上传');
    return this.uploadState(r, r.json, f.size);
  }

  async uploadStatus(uploadId: string, size: number): Promise<UploadState | null> {
    const r = await this.request('uploadStatus', 'GET', `api/uploads/${encodeURIComponent(uploadId)}`);
    if (r.status === 404) return null;
    if (r.status !== 200) this.fail(r, '查询上传进度');
    return this.uploadState(r, { uploadId, ...(r.json as object) }, size);
  }

  private uploadState(r: Answer, json: unknown, size: number): UploadState {
    const b = json as { uploadId?: string; received?: number; complete?: boolean; fileId?: string; chunkSize?: number };
    if (!b?.uploadId) throw this.invalid(r, `“${this.target.name}”的上传应答缺少 uploadId`);
    return { uploadId: b.uploadId, received: b.complete ? size : (b.received ?? 0), complete: b.complete === true, fileId: b.fileId ?? null, chunkSize: b.chunkSize ?? null };
  }

  /** One chunk at an offset; returns the target's new offset (its own, on a 409). */
  async putChunk(uploadId: string, offset: number, bytes: Uint8Array): Promise<number> {
    const r = await this.request('putChunk', 'PUT', `api/uploads/${encodeURIComponent(uploadId)}?offset=${offset}`, {
      body: bytes,
      headers: { 'Content-Type': 'application/octet-stream' },
    });
    if (r.status === 409) return (r.json as { received: number }).received;
    if (r.status !== 200) this.fail(r, '上传分块');
    return (r.json as { received: number }).received;
  }

  async completeUpload(uploadId: string): Promise<string> {
    const r = await this.request('completeUpload', 'POST', `api/uploads/${encodeURIComponent(uploadId)}/complete`);
    if (r.status !== 200) this.fail(r, '完成上传');
    return (r.json as { fileId: string }).fileId;
  }
}
