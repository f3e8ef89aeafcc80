import type pg from 'pg';

/**
 * Long-poll of the feed (docs/hub.md): a desk that has read everything asks `GET /v1/feed?after=S&waitMs=N`
 * and the hub holds the request until an item after S is committed or N ms have passed. Wake-ups come
 * from PostgreSQL's LISTEN/NOTIFY (the `feed_notify` trigger, delivered at commit), so every hub process
 * behind a load balancer wakes its own waiters and the hub still keeps no state outside PostgreSQL.
 * Without a listening connection (the database restarting) waiters re-read every `recheckMs`.
 */
export class FeedWaiter {
  private client: pg.PoolClient | null = null;
  /** Releases `client`, once however often it is called (close, and its error handler). */
  private dropClient: (() => void) | null = null;
  private connecting: Promise<void> | null = null;
  private readonly waiters = new Set<() => void>();
  private closed = false;

  constructor(
    private readonly pool: pg.Pool,
    private readonly recheckMs = 2_000,
  ) {}

  private listen(): Promise<void> {
    if (this.client || this.connecting || this.closed) return this.connecting ?? Promise.resolve();
    this.connecting = (async () => {
      try {
        const c = await this.pool.connect();
        let released = false;
        // Once only: an error may come after close() released it (the backend's goodbye as the database stops).
        const drop = () => {
          if (released) return;
          released = true;
          if (this.client === c) this.client = null;
          c.release(true);
        };
        c.on('notification', () => this.wakeAll());
        // The connection died (database restarted): drop it; the next wait listens again.
        c.on('error', drop);
        await c.query('LISTEN pfd_feed');
        if (this.closed) drop();
        else {
          this.client = c;
          this.dropClient = drop;
        }
      } catch {
        // Not listening: waiters fall back to re-reading every recheckMs.
      } finally {
        this.connecting = null;
      }
    })();
    return this.connecting;
  }

  private wakeAll(): void {
    for (const w of [...this.waiters]) w();
  }

  /**
   * Waits until `hasItems()` is true or `waitMs` passed (or `aborted` fires: the request went away).
   * Listens first, then checks, so an item committed in between is not missed.
   */
  async waitFor(hasItems: () => Promise<boolean>, waitMs: number, aborted?: AbortSignal): Promise<void> {
    const until = Date.now() + waitMs;
    await this.listen();
    while (!this.closed && !aborted?.aborted && Date.now() < until) {
      let wake!: () => void;
      const woken = new Promise<void>((r) => (wake = r));
      this.waiters.add(wake);
      const timer = setTimeout(wake, Math.min(this.recheckMs, Math.max(0, until - Date.now())));
      aborted?.addEventListener('abort', wake, { once: true });
      try {
        if (await hasItems()) return;
        await woken;
      } finally {
        clearTimeout(timer);
        this.waiters.delete(wake);
        aborted?.removeEventListener('abort', wake);
      }
      if (!this.client) await this.listen();
    }
  }

  close(): void {
    this.closed = true;
    this.wakeAll();
    this.dropClient?.();
    this.dropClient = null;
  }
}
