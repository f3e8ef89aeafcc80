import type { Db } from '../../store/open-store';
import { loadDeskKeys, readDeskCard } from '../transfer/desk-keys';
import { ConnectorFailure, networkFailure } from '../sync/http-connector';
import type { Claimed } from '../sync/sender-store';
import type { HubTargetConfig } from '../sync/targets-config';
import { H, HUB_PROTOCOL, protocolMismatchMessage, signRequest, verifyAnswer } from './hub-protocol';

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

export class HubConnector {
  /** The protocol the hub said it speaks in its latest answer. */
  hubProtocol: number | null = null;

  constructor(
    readonly target: HubTargetConfig,
    private readonly dataDir: string,
    private readonly deskSchema: number,
    private readonly timeoutMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private signer() {
    if (!readDeskCard(this.dataDir)) throw new ConnectorFailure({ kind: 'not_sent', message: '本机尚未生成工作台密钥，不能连接全厅中心（请先完成本机设置）' });
    const k = loadDeskKeys(this.dataDir);
    return { deskId: k.card.deskId, signAlg: k.card.signAlg, signKey: k.signKey };
  }

  /** One signed request; the answer must carry the pinned hub key's signature over it. */
  async request(method: 'GET' | 'POST', p: string, payload?: unknown): Promise<{ status: number; json: unknown }> {
    const body = payload === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(payload), 'utf8');
    const headers = signRequest(this.signer(), method, p, body, this.now(), this.deskSchema);
    let res: Response;
    try {
      res = await fetch(new URL(p, this.target.baseUrl), {
        method,
        headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
        body: payload === undefined ? undefined : body,
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new ConnectorFailure(networkFailure(e, this.target.name));
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
    let json: unknown = null;
    try {
      json = raw.length ? JSON.parse(raw.toString('utf8')) : null;
    } catch {
      throw new ConnectorFailure({ kind: 'maybe_sent', message: `“${this.target.name}”的应答不是有效的 JSON` });
    }
    return { status: res.status, json };
  }

  /** A non-2xx answer as the failure it means for an entry (docs/hub.md: refusals). */
  private fail(r: { status: number; json: unknown }): never {
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
    if (this.hubProtocol !== HUB_PROTOCOL) throw new ConnectorFailure({ kind: 'not_sent', message: protocolMismatchMessage(HUB_PROTOCOL, { min: this.hubProtocol ?? 0, max: this.hubProtocol ?? 0 }) });
  }

  /** Pushes one case entry (a revision of a case) under its idempotency key. */
  async deliver(entry: Claimed): Promise<{ targetCaseNo: string; via: 'answer' | 'duplicate' }> {
    const doc = JSON.parse(entry.document) as { caseNo: string };
    const r = await this.request('POST', '/v1/cases', { idempotencyKey: entry.idempotency_key, caseNo: doc.caseNo, revision: entry.revision, document: JSON.parse(entry.document) as unknown });
    if (r.status !== 200 && r.status !== 201) this.fail(r);
    const b = r.json as { caseNo?: string; duplicate?: boolean };
    if (!b?.caseNo) throw new ConnectorFailure({ kind: 'maybe_sent', message: `“${this.target.name}”的应答缺少编号` });
    return { targetCaseNo: b.caseNo, via: b.duplicate ? 'duplicate' : 'answer' };
  }

  /** One page of the hall's change feed after a cursor. */
  async feedPage(after: number, limit: number): Promise<FeedPage> {
    const r = await this.request('GET', `/v1/feed?after=${after}&limit=${limit}`);
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
}
