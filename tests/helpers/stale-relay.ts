import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A loopback TCP relay in front of a real server that plays the keep-alive race deterministically:
 * `closeIdle()` marks every connection open now as closed by the server (as its keep-alive timer
 * does), and the next request the client writes on such a connection is lost — the connection is
 * closed under it (FIN: undici's "other side closed"; or RST: ECONNRESET) before any byte of an
 * answer, and nothing of it reaches the server. With `loseEvery`, every request is lost, on fresh
 * connections too (a target that really resets). New connections are relayed as usual.
 */
export class StaleRelay {
  private server: net.Server | null = null;
  private readonly open = new Map<net.Socket, { stale: boolean; up: net.Socket }>();
  /** Connections the client opened. */
  connections = 0;
  /** Requests lost on a connection closed under them. */
  lost = 0;
  /** Every request is lost (not only those on connections marked by closeIdle). */
  loseEvery = false;

  constructor(
    private readonly toPort: number,
    private readonly how: 'fin' | 'rst' = 'fin',
  ) {}

  get port(): number {
    return (this.server!.address() as AddressInfo).port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}/`;
  }

  async start(): Promise<this> {
    this.server = net.createServer((c) => this.relay(c));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    return this;
  }

  /** The server's keep-alive timer fires on every connection open now. */
  closeIdle(): number {
    for (const s of this.open.values()) s.stale = true;
    return this.open.size;
  }

  private relay(c: net.Socket): void {
    this.connections++;
    const up = net.connect(this.toPort, '127.0.0.1');
    const state = { stale: false, up };
    this.open.set(c, state);
    for (const s of [c, up]) s.on('error', () => undefined);
    c.on('close', () => {
      this.open.delete(c);
      up.destroy();
    });
    up.on('close', () => c.destroy());
    up.on('data', (b: Buffer) => c.write(b));
    c.on('data', (b: Buffer) => {
      if (state.stale || this.loseEvery) {
        this.lost++;
        state.stale = true;
        up.destroy();
        if (this.how === 'rst') c.resetAndDestroy();
        else c.destroy();
        return;
      }
      up.write(b);
    });
  }

  async close(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const [c, { up }] of this.open) {
      c.destroy();
      up.destroy();
    }
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
