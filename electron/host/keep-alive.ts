/**
 * Idle keep-alive connections: the client must always be the one to close them.
 *
 * A client that reuses an idle connection at the moment the server closes it gets "other side
 * closed" for a request the server never saw (seen in CI under load: an e2e RPC to the browser host
 * failed so). Node's server closes an idle connection after `keepAliveTimeout` (5 s by default)
 * and advertises exactly that in `Keep-Alive: timeout=5`; clients such as undici's fetch stop
 * reusing a connection a second before the advertised timeout — a margin that an event loop stalled
 * on a loaded machine eats. So the server advertises 5 s and keeps idle connections for 30 s:
 * a client that honours the hint has closed (or reused it safely) long before the server does.
 * (Node 24 has `keepAliveTimeoutBuffer` for this; Node 20 does not.)
 * Applied by both servers desks talk to on keep-alive connections: the browser host and the hall hub
 * (`hub/server.ts`; tests/integration/host-keep-alive.test.ts, hub-keep-alive.test.ts).
 */
import type http from 'node:http';

/** What clients are told (seconds) and how long the server really keeps an idle connection (ms). */
export const ADVERTISED_KEEP_ALIVE_S = 5;
export const SERVER_KEEP_ALIVE_MS = 30_000;

export function keepAliveLongerThanAdvertised(server: http.Server): void {
  server.keepAliveTimeout = SERVER_KEEP_ALIVE_MS;
  server.prependListener('request', (_req: http.IncomingMessage, res: http.ServerResponse) => {
    // Set before any handler writes: Node then sends this header instead of its own timeout=30.
    res.setHeader('Keep-Alive', `timeout=${ADVERTISED_KEEP_ALIVE_S}`);
  });
}
