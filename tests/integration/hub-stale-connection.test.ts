/**
 * The desk's hub connector on a keep-alive connection the hub side has just closed (a relay or
 * proxy between them with a shorter idle timeout than the hub's, or the hub's own timer): its GETs
 * (health, feed) are sent once more on a fresh connection, signed anew, and verified against the
 * answer to that second request (electron/services/sync/stale-connection.ts); a POST (heartbeat,
 * a case) is not sent again. The real hub on real PostgreSQL, behind tests/helpers/stale-relay.ts.
 */
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import { tempDir } from '../helpers/temp';
import { hubTargetFor } from '../helpers/hub-process';
import { StaleRelay } from '../helpers/stale-relay';
import { serve } from '../../hub/main';
import { enrolDesk, hubIdentity } from '../../hub/trust';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { HubConnector } from '../../electron/services/hub/hub-connector';
import { ConnectorFailure } from '../../electron/services/sync/http-connector';
import type { HubCard } from '../../electron/services/hub/hub-protocol';

const pgc = usePostgres();
let pool: pg.Pool;
let hub: { close(): Promise<void>; port: number };
let card: HubCard;
let dataDir: string;
const relays: StaleRelay[] = [];

beforeAll(async () => {
  const url = await createDatabase(pgc.cluster, 'hub_stale_connection');
  hub = await serve(url, '127.0.0.1:0');
  pool = new pg.Pool({ connectionString: url, max: 2 });
  card = (await hubIdentity(pool)).card;
  dataDir = tempDir('hub-stale-desk-');
  const keys = createDeskKeys(dataDir, { deskId: 'desk-stale', name: '5号窗口', zone: 'intranet', signAlg: 'ed25519' });
  await enrolDesk(pool, keys.card, '李主任');
}, 120_000);

afterEach(async () => {
  for (const r of relays.splice(0)) await r.close();
});

afterAll(async () => {
  await pool?.end();
  await hub?.close();
});

async function relayed(): Promise<{ relay: StaleRelay; c: HubConnector }> {
  const relay = await new StaleRelay(hub.port).start();
  relays.push(relay);
  return { relay, c: new HubConnector(hubTargetFor(card, relay.port), dataDir, 24, 10_000) };
}

/** Lets undici put the connection just used back into its pool (it waits one turn of the event loop before reusing one). */
async function pooled(): Promise<void> {
  for (let i = 0; i < 2; i++) await new Promise((r) => setImmediate(r));
}

describe('the hub connector on a keep-alive connection the hub side has just closed', () => {
  it('the health check and a feed pull (GETs) are sent again on a fresh connection, the second answer’s signature checked', async () => {
    const { relay, c } = await relayed();
    await c.probe();
    await pooled();
    expect(relay.closeIdle()).toBe(1);
    await c.probe(); // lost on the closed connection, then answered (and its answer's signature checked) on a new one
    expect(relay.lost).toBe(1);
    expect(relay.connections).toBe(2);
    expect(c.link.snapshot()).toMatchObject({ state: 'connected', reason: null });
    await pooled();
    relay.closeIdle();
    const page = await c.feedPage(0, 10);
    expect(page).toMatchObject({ items: [], next: 0, more: false });
    expect(relay.lost).toBe(2);
    expect(relay.connections).toBe(3);
  });

  it('a heartbeat (POST) on such a connection is not sent again: unknown, and the link says so', async () => {
    const { relay, c } = await relayed();
    await c.probe();
    await pooled();
    relay.closeIdle();
    const failed = await c.heartbeat({ backlog: 0, parked: 0, oldestWaitingAt: null, feedCursor: 0 }).then(
      () => null,
      (e: unknown) => e,
    );
    expect(failed).toBeInstanceOf(ConnectorFailure);
    expect((failed as ConnectorFailure).failure).toMatchObject({ kind: 'maybe_sent', message: '已发出，但未收到“全厅中心”的应答（连接被对方断开）' });
    expect(relay.lost).toBe(1);
    expect(relay.connections).toBe(1); // nothing sent again
    expect(c.link.snapshot()).toMatchObject({ state: 'unreachable', reason: '已发出，但未收到“全厅中心”的应答（连接被对方断开）' });
  });
});
