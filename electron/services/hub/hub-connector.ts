import type { Db } from '../../store/open-store';
import { loadDeskKeys, readDeskCard } from '../transfer/desk-keys';
import { ConnectorFailure, networkFailure } from '../sync/http-connector';
import { lastError, sendOnceMore } from '../sync/stale-connection';
import type { Claimed } from '../sync/sender-store';
import type { HubTargetConfig } from '../sync/targets-config';
import type { FileStore } from '../files/file-store';
import { uploadCaseFiles } from './hub-files';
import { H, HUB_PROTOCOL, protocolMismatchMessage, signRequest, verifyAnswer } from './hub-protocol';
import { HubLink } from './hub-link';
import type { HallRecordKind } from './hall-records';

/**
 * The desk's side of the hub protocol (docs/hub.md): signed requests with the desk's transfer
 * key, answers checked against the hub key pinned at enrolment. Failures are classified like
 * the HTTP connector's, so the sender's exactly-once machinery (leases, unknown outcomes
 * resolved by re-sending under the same idempotency key) applies unchanged.
 */

export interface FeedItem {
  seq: number;
  kind: string;
  ownerDesk: string;
  key: string;
  body: unknown;
}

/** The hub's answer to a hall record push (hub/records.ts). */
export interface RecordAnswer {
  kind: HallRecordKind;
  recordId: string;
  version: number;
  outcome: 'current' | 'conflict' | 'kept';
  duplicate: boolean;
  current: { version: number; body: unknown };
}

/** An open conflict of a shared record, as the hub lists it (hub/records.ts). */
export interface HubConflict {
  id: number;
  kind: 'credit' | 'applicant';
  recordId: string;
  openedAt: string;
  currentVersion: number;
  versions: { version: number; baseVersion: number; deskId: string; deskName: string; receivedAt: string; current: boolean; body: unknown }[];
}

/**
 * One page of the feed. `anchor` names the hub's row at the cursor the page was asked after
 * ('origin' for 0, null if the hub has no such row), `nextToken` the row at `next`: the desk
 * checks the first against the token it stored with its cursor (hub-puller.ts). Absent from
 * hubs that predate them.
 */
export interface FeedPage {
  items: FeedItem[];
  next: number;
  more: boolean;
  anchor?: string | null;
  nextToken?: string | null;
}

/** The desk's schema version: the number of its applied migrations (sent with every request). */
export function deskSchemaVersion(db: Db): number {
  return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
}

/** A request's own time limit (a long-poll waits longer than the default) and a way to cancel it. */
export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export class HubConnector {
  /** The protocol the hub said it speaks in its latest answer. */
  hubProtocol: number | null = null;
  /** What this desk last saw of the hub (shown beside the sync status: hub-link.ts). */
  readonly link: HubLink;

  constructor(
    readonly target: HubTargetConfig,
    private readonly dataDir: string,
    private readonly deskSchema: number,
    private readonly timeoutMs: number,
    private readonly now: () => Date = () => new Date(),
    /** The desk's file store: a pushed case's files are uploaded from it first (hub-files.ts). */
    readonly files: FileStore | null = null,
  ) {
    this.link = new HubLink(now);
  }

  private signer() {
    if (!readDeskCard(this.dataDir)) throw new ConnectorFailure({ kind: 'not_sent', message: '本机尚未生成工作台密钥，不能连接全厅中心（请先完成本机设置）' });
    const k = loadDeskKeys(this.dataDir);
    return { deskId: k.card.deskId, signAlg: k.card.signAlg, signKey: k.signKey };
  }

  /** One signed request; the answer must carry the pinned hub key's signature over it. */
  async request(method: 'GET' | 'POST' | 'PUT', p: string, payload?: unknown, opts: RequestOptions = {}): Promise<{ status: number; json: unknown }> {
    try {
      const r = await this.exchange(method, p, payload, opts);
      this.observe(r);
      return r;
    } catch (e) {
      if (e instanceof ConnectorFailure) this.link.unreachable(e.message);
      throw e;
    }
  }

  /** The link's state after a verified answer: refused (401/403/426, the hub's own words), busy (5xx) or answered. */
  private observe(r: { status: number; json: unknown }): void {
    const e = (r.json as { error?: { code?: string; message?: string } } | null)?.error;
    if (r.status === 401 || r.status === 403 || r.status === 426) this.link.refused(e?.code ?? String(r.status), e?.message ?? `全厅中心拒绝了本工作台（HTTP ${r.status}）`);
    else if (r.status >= 500) this.link.unreachable(e?.message ?? `全厅中心暂时不可用（HTTP ${r.status}）`);
    else this.link.answered();
  }

  private async exchange(method: 'GET' | 'POST' | 'PUT', p: string, payload: unknown, opts: RequestOptions): Promise<{ status: number; json: unknown }> {
    const r = await this.requestRaw(method, p, payload === undefined ? null : { bytes: Buffer.from(JSON.stringify(payload), 'utf8'), type: 'application/json' }, opts);
    let json: unknown = null;
    try {
      json = r.raw.length ? JSON.parse(r.raw.toString('utf8')) : null;
    } catch {
      throw new ConnectorFailure({ kind: 'maybe_sent', message: `“${this.target.name}”的应答不是有效的 JSON` });
    }
    return { status: r.status, json };
  }

  /** A signed request with a raw body (a file chunk) and the answer's raw bytes, its signature checked. */
  async requestRaw(method: 'GET' | 'POST' | 'PUT', p: string, payload: { bytes: Buffer; type: string } | null, opts: RequestOptions = {}): Promise<{ status: number; raw: Buffer; type: string }> {
    const body = payload ? payload.bytes : Buffer.alloc(0);
    const signer = this.signer();
    const limit = AbortSignal.timeout(opts.timeoutMs ?? this.timeoutMs); // one time limit for both tries
    const signal = opts.signal ? AbortSignal.any([limit, opts.signal]) : limit;
    let headers: Record<string, string> = {};
    let res: Response;
    try {
      // A GET that met a connection the hub had just closed is sent once more, signed anew (sync/stale-connection.ts).
      res = await sendOnceMore(method, () => {
        headers = signRequest(signer, method, p, body, this.now(), this.deskSchema);
        return fetch(new URL(p, this.target.baseUrl), {
          method,
          headers: { ...headers, ...(payload ? { 'content-type': payload.type } : {}) },
          body: payload ? new Uint8Array(body) : undefined,
          signal,
        });
      });
    } catch (e) {
      throw new ConnectorFailure(networkFailure(lastError(e), this.target.name));
    }
    let raw: Buffer;
    try {
      raw = Buffer.from(await res.arrayBuffer());
    } catch (e) {
      throw new ConnectorFailure({ ...networkFailure(e, this.target.name), kind: 'maybe_sent' });
    }
    if (!verifyAnswer(this.target.hub, res.status, raw, headers[H.nonce]!, res.headers.get(H.hubSignature))) {
      // Not the hub we enrolled with (or a changed answer): whatever it says is not believed.
      throw new ConnectorFailure({ kind: 'maybe_sent', message: `“${this.target.name}”的应答签名无效（不是登记时的全厅中心），已不予采信` });
    }
    this.hubProtocol = Number(res.headers.get(H.protocol)) || null;
    return { status: res.status, raw, type: res.headers.get('content-type') ?? '' };
  }

  /** A non-2xx answer as the failure it means for an entry (docs/hub.md: refusals). */
  fail(r: { status: number; json: unknown }): never {
    const e = (r.json as { error?: { code?: string; message?: string } } | null)?.error;
    const message = e?.message ?? `“${this.target.name}”答复 HTTP ${r.status}`;
    if (r.status === 426) throw new ConnectorFailure({ kind: 'not_sent', message: e?.message ?? protocolMismatchMessage(HUB_PROTOCOL) });
    // Not enrolled, removed, clock off, bad signature: nothing was written; the entries wait (offline) until that is fixed.
    if (r.status === 401 || r.status === 403) throw new ConnectorFailure({ kind: 'not_sent', message: `全厅中心拒绝了本工作台：${message}` });
    if (r.status === 409 || r.status === 429 || r.status >= 500) throw new ConnectorFailure({ kind: 'retry', status: r.status, retryAfterMs: null, message });
    throw new ConnectorFailure({ kind: 'rejected', status: r.status, field: null, message });
  }

  async probe(): Promise<void> {
    const r = await this.request('GET', '/v1/health');
    if (r.status !== 200) this.fail(r);
    if (this.hubProtocol !== HUB_PROTOCOL) {
      const message = protocolMismatchMessage(HUB_PROTOCOL, { min: this.hubProtocol ?? 0, max: this.hubProtocol ?? 0 });
      this.link.refused('PROTOCOL', message);
      throw new ConnectorFailure({ kind: 'not_sent', message });
    }
  }

  /** Tells the hub what this desk holds for it (hub-heartbeat.ts); answers the feed's last number. */
  async heartbeat(report: { backlog: number; parked: number; oldestWaitingAt: string | null; feedCursor: number }): Promise<{ feedLast: number }> {
    const r = await this.request('POST', '/v1/heartbeat', report);
    if (r.status !== 200) this.fail(r);
    const feedLast = Number((r.json as { feedLast?: unknown } | null)?.feedLast);
    if (Number.isSafeInteger(feedLast)) this.link.feedLastIs(feedLast);
    return { feedLast };
  }

  /** Pushes one case entry (a revision of a case) under its idempotency key. */
  async deliver(entry: Claimed): Promise<{ targetCaseNo: string; via: 'answer' | 'duplicate' }> {
    const doc = JSON.parse(entry.document) as { caseNo: string; record?: { files?: { sha256: string; size: number; mime: string }[] } };
    // Files first: the hub takes a case only once it holds every file its record refers to.
    if (doc.record?.files?.length) await uploadCaseFiles(this, doc.record.files);
    const r = await this.request('POST', '/v1/cases', { idempotencyKey: entry.idempotency_key, caseNo: doc.caseNo, revision: entry.revision, document: JSON.parse(entry.document) as unknown });
    if (r.status !== 200 && r.status !== 201) this.fail(r);
    const b = r.json as { caseNo?: string; duplicate?: boolean };
    if (!b?.caseNo) throw new ConnectorFailure({ kind: 'maybe_sent', message: `“${this.target.name}”的应答缺少编号` });
    return { targetCaseNo: b.caseNo, via: b.duplicate ? 'duplicate' : 'answer' };
  }

  /**
   * One page of the hall's change feed after a cursor. With `waitMs`, the hub holds the request
   * until an item after the cursor is committed or waitMs passed (long-poll, hub/feed-wait.ts).
   */
  async feedPage(after: number, limit: number, wait: { waitMs?: number; signal?: AbortSignal } = {}): Promise<FeedPage> {
    const waitMs = wait.waitMs ?? 0;
    const r = await this.request('GET', `/v1/feed?after=${after}&limit=${limit}${waitMs > 0 ? `&waitMs=${waitMs}` : ''}`, undefined, { timeoutMs: this.timeoutMs + waitMs, signal: wait.signal });
    if (r.status !== 200) this.fail(r);
    return r.json as FeedPage;
  }

  /** How many of this desk's cases the hub holds (reconciliation, hub-reconcile.ts). */
  async caseCount(): Promise<number> {
    const r = await this.request('GET', '/v1/cases/summary');
    if (r.status !== 200) this.fail(r);
    const n = (r.json as { cases?: unknown } | null)?.cases;
    if (!Number.isInteger(n)) throw new ConnectorFailure({ kind: 'retry', status: r.status, retryAfterMs: null, message: `“${this.target.name}”的核对应答缺少件数` });
    return n as number;
  }

  /** Which of these idempotency keys of this desk the hub holds. */
  async heldKeys(keys: readonly string[]): Promise<Set<string>> {
    const r = await this.request('POST', '/v1/cases/held', { keys });
    if (r.status !== 200) this.fail(r);
    const held = (r.json as { held?: unknown } | null)?.held;
    if (!Array.isArray(held)) throw new ConnectorFailure({ kind: 'retry', status: r.status, retryAfterMs: null, message: `“${this.target.name}”的核对应答缺少结果` });
    return new Set(held as string[]);
  }

  /** Pushes one change of a hall record (not a case) under its idempotency key (hub/records.ts). */
  async pushRecord(p: { kind: string; recordId: string; baseVersion: number; body: Record<string, unknown>; idempotencyKey: string }): Promise<RecordAnswer> {
    const r = await this.request('POST', '/v1/records', p);
    if (r.status !== 200 && r.status !== 201) this.fail(r);
    const a = r.json as RecordAnswer | null;
    if (!a || !Number.isInteger(a.version) || !a.current) throw new ConnectorFailure({ kind: 'maybe_sent', message: `“${this.target.name}”的应答缺少版本` });
    return a;
  }

  /** The hall's open conflicts of shared records. */
  async conflicts(): Promise<HubConflict[]> {
    const r = await this.request('GET', '/v1/conflicts');
    if (r.status !== 200) this.fail(r);
    return (r.json as { conflicts: HubConflict[] }).conflicts;
  }

  /** Settles a conflict by the version a supervisor chose; the hub's refusal (already settled…) is thrown as a ConnectorFailure with its Chinese message. */
  async settleConflict(conflictId: number, version: number, by: string): Promise<{ conflictId: number; version: number; chosenVersion: number }> {
    const r = await this.request('POST', '/v1/conflicts/settle', { conflictId, version, by });
    if (r.status !== 200) this.fail(r);
    return r.json as { conflictId: number; version: number; chosenVersion: number };
  }
}
