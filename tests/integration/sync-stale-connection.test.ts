/**
 * A request sent on a keep-alive connection the target has just closed (its keep-alive timer
 * fired as the desk reused the connection). Under load the desk once marked a target unreachable
 * for it — a false "offline" — because its health check met such a connection. An idempotent
 * request (GET) that loses its connection before any byte of an answer is now sent once more on
 * a fresh connection (electron/services/sync/stale-connection.ts); a POST is not (its outcome stays
 * unknown, as before). The race is played without timing luck by a relay that closes the
 * connections the test says the server closed (tests/helpers/stale-relay.ts).
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ConnectorFailure, HttpTargetConnector } from '../../electron/services/sync/http-connector';
import { endOf, type AttemptEnd } from '../../electron/services/sync/attempt-end';
import type { HttpTargetConfig } from '../../electron/services/sync/targets-config';
import { StaleRelay } from '../helpers/stale-relay';
import { HttpDataSharingConnector } from '../../electron/services/data-sharing/connector';
import { testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { FAST_SENDER, httpTarget, simTarget, waitFor, writeConfig } from '../helpers/sync-desks';
import { startVerticalSim } from '../../sim/vertical-system';

const servers: http.Server[] = [];
const relays: StaleRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});
afterAll(async () => {
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

/** Every request the target received, as `METHOD /path`. */
const received: string[] = [];

/** A loopback target speaking the few answers these tests need; it keeps idle connections open (the relay closes them). */
async function target(): Promise<number> {
  const s = http.createServer((req, res) => {
    received.push(`${req.method} ${req.url}`);
    req.resume();
    req.on('end', () => {
      const json = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.url === '/health') json(200, { target: 't', ok: true });
      else if (req.method === 'POST' && req.url === '/api/cases') json(201, { caseNo: `T-${received.length}` });
      else if (req.method === 'GET' && req.url?.startsWith('/api/cases?')) json(200, { items: [{ caseNo: 'T-1', externalRef: 'A-1', revisions: [1] }] });
      else if (req.method === 'GET' && req.url?.startsWith('/api/uploads/')) json(200, { received: 1024, size: 4096, complete: false });
      else json(404, { error: { message: '无此接口' } });
    });
  });
  s.keepAliveTimeout = 60_000;
  servers.push(s);
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return (s.address() as AddressInfo).port;
}

async function relayed(how: 'fin' | 'rst' = 'fin'): Promise<StaleRelay> {
  const r = await new StaleRelay(await target(), how).start();
  relays.push(r);
  received.length = 0;
  return r;
}

function connector(baseUrl: string, timeoutMs = 10_000): HttpTargetConnector {
  const t = { id: 't', name: '测试目标', kind: 'http', baseUrl, auth: null, idempotency: 'key', fields: [], concurrency: 1, sendFiles: true } as unknown as HttpTargetConfig;
  return new HttpTargetConnector(t, timeoutMs);
}

/** Lets undici put the connection just used back into its pool (it waits one turn of the event loop before reusing one). */
async function pooled(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
}

async function failureOf(p: Promise<unknown>): Promise<{ e: ConnectorFailure; end: AttemptEnd }> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectorFailure);
    return { e: e as ConnectorFailure, end: endOf(e) };
  }
  throw new Error('the request did not fail');
}

describe('a request on a keep-alive connection the target has just closed', () => {
  for (const how of ['fin', 'rst'] as const) {
    it(`the health check (GET) is sent once more on a fresh connection and succeeds (closed by ${how.toUpperCase()})`, async () => {
      const relay = await relayed(how);
      const c = connector(relay.url);
      await c.probe();
      expect(relay.connections).toBe(1);
      await pooled();
      expect(relay.closeIdle()).toBe(1);
      await c.probe(); // on the reused connection: lost, then sent again on a new one
      expect(relay.lost).toBe(1);
      expect(relay.connections).toBe(2);
      expect(received).toEqual(['GET /health', 'GET /health']);
    });
  }

  it('the look-up and the upload status (GETs) too', async () => {
    const relay = await relayed();
    const c = connector(relay.url);
    await c.probe();
    await pooled();
    relay.closeIdle();
    expect(await c.lookup('A-1')).toEqual([{ caseNo: 'T-1', externalRef: 'A-1', revisions: [1] }]);
    await pooled();
    relay.closeIdle();
    expect(await c.uploadStatus('u1', 4096)).toEqual({ uploadId: 'u1', received: 1024, complete: false, fileId: null, chunkSize: null });
    expect(relay.lost).toBe(2);
    expect(received).toEqual(['GET /health', 'GET /api/cases?externalRef=A-1', 'GET /api/uploads/u1']);
  });

  it('several pooled connections closed at once: each GET lands on a fresh one', async () => {
    const relay = await relayed();
    const c = connector(relay.url);
    await Promise.all([c.probe(), c.probe(), c.probe()]); // three at once: three connections
    await pooled();
    expect(relay.closeIdle()).toBe(3);
    await Promise.all([c.probe(), c.probe(), c.probe()]); // each on a closed one: lost, then sent on a new one
    expect(relay.lost).toBe(3);
    expect(relay.connections).toBe(6);
    await pooled();
    await c.probe(); // the new connections are reused
    expect(relay.connections).toBe(6);
    expect(received).toEqual(Array(7).fill('GET /health'));
  });

  it('the data-sharing platform’s reachability check (GET) too', async () => {
    const relay = await relayed();
    const platform = new HttpDataSharingConnector(relay.url);
    await platform.probe();
    await pooled();
    expect(relay.closeIdle()).toBe(1);
    await platform.probe();
    expect(relay.lost).toBe(1);
    expect(relay.connections).toBe(2);
    expect(received).toEqual(['GET /', 'GET /']);
  });

  it('a POST of a case on such a connection is not sent again: its outcome is unknown, as before', async () => {
    const relay = await relayed();
    const c = connector(relay.url);
    expect(await c.postCase({ externalRef: 'A-1' }, 'k1')).toEqual({ caseNo: 'T-1', duplicate: false });
    await pooled();
    relay.closeIdle();
    const { e, end } = await failureOf(c.postCase({ externalRef: 'A-2' }, 'k2'));
    expect(e.failure.kind).toBe('maybe_sent');
    expect(e.failure.message).toBe('已发出，但未收到“测试目标”的应答（连接被对方断开）');
    expect(end).toMatchObject({ ended: 'connection_reset', request: 'postCase', code: 'UND_ERR_SOCKET' });
    expect(end.retriedAfter).toBeUndefined();
    expect(relay.lost).toBe(1);
    expect(relay.connections).toBe(1); // no second connection: nothing was sent again
    expect(received).toEqual(['POST /api/cases']);
  });

  it('a target that resets every request: the GET is sent twice only, and the attempt ends connection_reset on it', async () => {
    const relay = await relayed();
    relay.loseEvery = true;
    const { e, end } = await failureOf(connector(relay.url).lookup('A-1'));
    expect(e.failure.kind).toBe('maybe_sent');
    expect(end).toMatchObject({ ended: 'connection_reset', request: 'lookup', code: 'UND_ERR_SOCKET', retriedAfter: 'UND_ERR_SOCKET' });
    expect(relay.lost).toBe(2);
    expect(relay.connections).toBe(2);
    expect(received).toEqual([]);
  });
});

describe('the sender beside such a target', () => {
  let d: TestDesk | null = null;
  afterEach(async () => {
    await d?.app.stopSync();
    d?.app.close();
    d = null;
  });

  it('health checks that meet closed connections keep the target reachable: no false 连接被对方断开', async () => {
    const sim = await startVerticalSim({ dataDir: tempDir('sim-stale-'), targets: [simTarget('zwfw', true)] });
    try {
      const relay = await new StaleRelay(Number(new URL(sim.targets.zwfw!).port)).start();
      relays.push(relay);
      const dataDir = tempDir('desk-stale-');
      writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: [httpTarget('zwfw', relay.url, 'key')] });
      d = await testDesk({ dataDir });
      const desk = d;
      const token = (await desk.signIn('zhangmin')).token;
      const target = async () => (await desk.call('sync.status', {}, token)).targets.find((t) => t.id === 'zwfw')!;
      await waitFor('the target to be reachable', async () => (await target()).reachable === true);
      // Three times the target's keep-alive timer fires while the desk holds an idle connection:
      // the next health check is written on it and lost; the desk checks again on a new connection.
      for (let round = 1; round <= 3; round++) {
        const connections = relay.connections;
        await waitFor('a connection in the pool', () => relay.closeIdle() > 0);
        await waitFor(`round ${round}: a health check to meet the closed connection`, () => relay.lost >= round);
        await waitFor(`round ${round}: the health check sent again on a new connection`, () => relay.connections > connections);
      }
      const unreachable = desk.app.logger.recent().filter((e) => e.event === 'sync.targetUnreachable' && e.target === 'zwfw');
      expect(unreachable).toEqual([]);
      expect(await target()).toMatchObject({ reachable: true, lastError: null });
    } finally {
      await sim.close();
    }
  }, 60_000);
});
