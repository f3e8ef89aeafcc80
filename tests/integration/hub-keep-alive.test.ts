import net from 'node:net';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { parseAnswer, readUntil, wholeAnswer } from '../helpers/raw-http';
import { tempDir } from '../helpers/temp';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys, type DeskKeys } from '../../electron/services/transfer/desk-keys';
import { H, signRequest, verifyAnswer, type HubCard } from '../../electron/services/hub/hub-protocol';

/**
 * An idle keep-alive connection is never closed by the hub while a desk may still reuse it
 * (electron/host/keep-alive.ts, applied by hub/server.ts as by the browser host). Desks reach the
 * hub with undici keep-alive, which stops reusing a connection a second before the advertised
 * timeout; with Node's defaults the hub advertised 5 s and closed at 5 s, so a desk whose event
 * loop stalled could send on a connection the hub was closing and get "other side closed" for a
 * request the hub never saw. The hub now advertises 5 s and keeps idle connections 30 s. Without
 * it the second request below meets a closed connection (the hub closed it at 5 s).
 */

const pgc = usePostgres();
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let card: HubCard;
let desk: DeskKeys;

beforeAll(async () => {
  const url = await createDatabase(pgc.cluster, 'hub_keep_alive');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 2 });
  card = (await hubIdentity(pool)).card;
  desk = createDeskKeys(tempDir('hub-keep-alive-desk-'), { deskId: 'desk-ka', name: '3号窗口', zone: 'intranet', signAlg: 'ed25519' });
  await enrolDesk(pool, desk.card, '李主任');
}, 120_000);

afterAll(async () => {
  await pool?.end();
  await hub?.close();
});

/** A signed GET /v1/health as the desk's connector sends it, written on the test's own connection; its answer. */
async function health(socket: net.Socket): Promise<{ status: number; keepAlive: string | undefined; signed: boolean; body: { hubId?: string } }> {
  const headers = signRequest({ deskId: desk.card.deskId, signAlg: 'ed25519', signKey: desk.signKey }, 'GET', '/v1/health', Buffer.alloc(0), new Date(), 24);
  const answer = readUntil(socket, wholeAnswer);
  socket.write(`GET /v1/health HTTP/1.1\r\nHost: 127.0.0.1:${hub.port}\r\n${Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`);
  const a = parseAnswer(await answer);
  return {
    status: a.status,
    keepAlive: a.headers['keep-alive'],
    signed: verifyAnswer(card, a.status, a.body, headers[H.nonce]!, a.headers[H.hubSignature] ?? null),
    body: JSON.parse(a.body.toString('utf8')) as { hubId?: string },
  };
}

describe('hub keep-alive', () => {
  it('advertises Keep-Alive: timeout=5 and still answers a signed request on the same connection after 7 s idle', async () => {
    const socket = net.connect({ host: '127.0.0.1', port: hub.port });
    try {
      const first = await health(socket);
      expect(first).toEqual({ status: 200, keepAlive: 'timeout=5', signed: true, body: expect.objectContaining({ hubId: card.hubId }) });
      // Idle past the advertised 5 s (a desk honouring it would have stopped reusing the connection at 4 s).
      await new Promise((r) => setTimeout(r, 7_000));
      expect(socket.destroyed).toBe(false);
      const second = await health(socket);
      expect(second).toEqual({ status: 200, keepAlive: 'timeout=5', signed: true, body: expect.objectContaining({ hubId: card.hubId }) });
    } finally {
      socket.destroy();
    }
  }, 30_000);
});
