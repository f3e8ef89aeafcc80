/**
 * The data-sharing platform (数据共享交换平台) seen from the desk. One
 * interface; the HTTP connector talks to the platform (or the simulator in
 * sim/); without a configured address the platform counts as unreachable and
 * queries are queued.
 */
import { lastError, sendOnceMore } from '../sync/stale-connection';

export interface DataSharingQuery {
  source: string;
  dataset: string;
  query: string;
  subject: { idType: string; idNumber: string; name: string };
  /** Our idempotency key: the same query asked twice is one query. */
  requestId: string;
}

export type DataSharingAnswer =
  | { status: 'found'; reference: string; data: Record<string, unknown> }
  | { status: 'not_found'; reference: string };

export class PlatformUnreachable extends Error {}

export interface DataSharingConnector {
  query(q: DataSharingQuery): Promise<DataSharingAnswer>;
  /** Is the platform there at all? Throws PlatformUnreachable when not (used by the sync sender). Optional: without it, the platform counts as there. */
  probe?(): Promise<void>;
}

export class UnconfiguredDataSharing implements DataSharingConnector {
  async query(): Promise<DataSharingAnswer> {
    throw new PlatformUnreachable('未配置数据共享平台地址');
  }

  async probe(): Promise<void> {
    throw new PlatformUnreachable('未配置数据共享平台地址');
  }
}

export class HttpDataSharingConnector implements DataSharingConnector {
  constructor(
    private readonly baseUrl: string,
    private readonly timeoutMs = 8000,
  ) {}

  /** Any HTTP answer from the platform's address counts as reachable; a refused connection does not. */
  async probe(): Promise<void> {
    try {
      const signal = AbortSignal.timeout(Math.min(this.timeoutMs, 5000));
      // Sent once more if it met a connection the platform had just closed (sync/stale-connection.ts).
      const res = await sendOnceMore('GET', () => fetch(this.baseUrl, { method: 'GET', signal }));
      await res.arrayBuffer().catch(() => undefined);
    } catch (e) {
      throw new PlatformUnreachable(`共享平台无法连接：${(lastError(e) as Error).message}`);
    }
  }

  async query(q: DataSharingQuery): Promise<DataSharingAnswer> {
    let res: Response;
    try {
      res = await fetch(new URL('/api/query', this.baseUrl), {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', 'Idempotency-Key': q.requestId },
        body: JSON.stringify(q),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new PlatformUnreachable(`共享平台无法连接：${(e as Error).message}`);
    }
    if (res.status >= 500 || res.status === 429) throw new PlatformUnreachable(`共享平台暂时不可用（HTTP ${res.status}）`);
    const body = (await res.json().catch(() => null)) as { reference?: string; data?: Record<string, unknown>; message?: string } | null;
    if (res.status === 404) return { status: 'not_found', reference: body?.reference ?? '' };
    if (!res.ok || !body) throw new Error(`共享平台拒绝了查询（HTTP ${res.status}）：${body?.message ?? ''}`);
    return { status: 'found', reference: body.reference ?? '', data: body.data ?? {} };
  }
}
