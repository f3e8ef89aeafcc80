import net from 'node:net';

/** A loopback TCP relay (e.g. a desk's way to the hub) that a test can cut — open connections destroyed, new ones refused — and open again on the same port. */
export class CuttableProxy {
  private server: net.Server | null = null;
  private readonly sockets = new Set<net.Socket>();
  constructor(
    readonly port: number,
    private readonly to: () => number,
  ) {}
  async open(): Promise<void> {
    this.server = net.createServer((c) => {
      const up = net.connect(this.to(), '127.0.0.1');
      for (const s of [c, up]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => undefined);
      }
      c.pipe(up).pipe(c);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', () => r()));
  }
  async cut(): Promise<void> {
    const s = this.server;
    this.server = null;
    for (const x of this.sockets) x.destroy();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  }
}
