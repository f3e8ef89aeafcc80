import net from 'node:net';

/**
 * A loopback TCP proxy standing between one desk and the hub, so the hub can become unreachable
 * for that desk only (a network partition at the machine's edge). `cut()` makes it a black hole:
 * connections under way stop carrying bytes (their requests time out, outcome unknown) and new
 * ones are accepted and never answered; `heal()` drops what it held and forwards again.
 */
export interface Partition {
  port: number;
  cut(): void;
  heal(): void;
  close(): Promise<void>;
}

export async function partitionProxy(targetPort: number): Promise<Partition> {
  let open = true;
  const live = new Set<{ a: net.Socket; b: net.Socket }>();
  const held = new Set<net.Socket>();
  const hold = (s: net.Socket) => {
    s.pause();
    held.add(s);
    s.on('error', () => undefined);
  };
  const server = net.createServer((client) => {
    client.on('error', () => undefined);
    if (!open) return hold(client);
    const up = net.connect(targetPort, '127.0.0.1');
    up.on('error', () => client.destroy());
    client.on('error', () => up.destroy());
    const pair = { a: client, b: up };
    live.add(pair);
    client.pipe(up);
    up.pipe(client);
    const done = () => live.delete(pair);
    client.on('close', done);
    up.on('close', done);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    cut() {
      open = false;
      for (const { a, b } of live) {
        a.unpipe(b);
        b.unpipe(a);
        hold(a);
        hold(b);
      }
      live.clear();
    },
    heal() {
      for (const s of held) s.destroy();
      held.clear();
      open = true;
    },
    async close() {
      for (const s of held) s.destroy();
      for (const { a, b } of live) {
        a.destroy();
        b.destroy();
      }
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
