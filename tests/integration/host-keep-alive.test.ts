import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../e2e/support/host';
import { readUntil, wholeAnswer } from '../helpers/raw-http';

/**
 * An idle keep-alive connection is never closed by the browser host while a client may still
 * reuse it (electron/host/keep-alive.ts). CI under load saw an e2e RPC fail with "other side
 * closed": undici reused a connection just as the host's 5 s idle timer closed it. The host now
 * advertises 5 s and keeps idle connections 30 s. Without the fix the second request below meets
 * a closed connection (the host closed it at 5 s).
 */
let host: RunningHost;

beforeAll(async () => {
  host = await startHost({ port: 0 });
}, 60_000);

afterAll(async () => {
  await host?.kill();
});

describe('browser host keep-alive', () => {
  it('advertises Keep-Alive: timeout=5 and still answers on the same connection after 7 s idle', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: host.port });
    try {
      const first = readUntil(socket, wholeAnswer);
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`);
      const head = (await first).split('\r\n\r\n')[0]!;
      expect(head).toMatch(/^HTTP\/1\.1 200 /);
      expect(head).toMatch(/\r\nKeep-Alive: timeout=5\r\n/i);
      // Idle past the advertised 5 s (a client honouring it would have stopped reusing the connection at 4 s).
      await new Promise((r) => setTimeout(r, 7_000));
      expect(socket.destroyed).toBe(false);
      const second = readUntil(socket, wholeAnswer);
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${host.port}\r\n\r\n`);
      expect(await second).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      socket.destroy();
    }
  }, 30_000);
});
