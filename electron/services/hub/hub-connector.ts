import type { Db } from '../../store/open-store';
import { loadDeskKeys, readDeskCard } from '../transfer/desk-keys';
import { ConnectorFailure, networkFailure } from '../sync/http-connector';
import type { Claimed } from '../sync/sender-store';
import type { HubTargetConfig } from '../sync/targets-config';
import { H, HUB_PROTOCOL, protocolMismatchMessage, signRequest, verifyAnswer } from './hub-protocol';
import { HubLink } from './hub-link';

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

/** The desk's schema version: the number of its applied migrations (sent with every request). */
export function deskSchemaVersion(db: Db): number {
  return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
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
  ) {
    this.link = new HubLink(now);
  }

  private signer() {
    if (!readDeskCard(this.dataDir)) throw new ConnectorFailure({ kind: 'not_sent', message: '本机尚未生成工作台密钥，不能连接全厅中心（请先完成本机设置）' });
    const k = loadDeskKeys(this.dataDir);
    return { deskId: k.card.deskId, signAlg: k.card.signAlg, signKey: k.signKey };
  }

  /** One signed request; the answer must carry the pinned hub key's signature over it. */
  async request(method: 'GET' | 'POST', p: string, payload?: unknown): Promise<{ status: number; json: unknown }> {
    try {
      const r = await this.exchange(method, p, payload);
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

  private async exchange(method: 'GET' | 'POST', p: string, payload?: unknown): Promise<{ status: number; json: unknown }> {
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
    const doc = JSON.parse(entry.document) as { caseNo: string };
    const r = await this.request('POST', '/v1/cases', { idempotencyKey: entry.idempotency_key, caseNo: doc.caseNo, revision: entry.revision, document: JSON.parse(entry.document) as unknown });
    if (r.status !== 200 && r.status !== 201) this.fail(r);
    const b = r.json as { caseNo?: string; duplicate?: boolean };
    if (!b?.caseNo) throw new ConnectorFailure({ kind: 'maybe_sent', message: `“${this.target.name}”的应答缺少编号` });
    return { targetCaseNo: b.caseNo, via: b.duplicate ? 'duplicate' : 'answer' };
  }

  /** One page of the hall's change feed after a cursor. */
  async feedPage(after: number, limit: number): Promise<{ items: FeedItem[]; next: number; more: boolean }> {
    const r = await this.request('GET', `/v1/feed?after=${after}&limit=${limit}`);
    if (r.status !== 200) this.fail(r);
    return r.json as { items: FeedItem[]; next: number; more: boolean };
  }
}
