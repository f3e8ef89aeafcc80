import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { usePostgres } from '../helpers/postgres';
import { FeedWaiter } from '../../hub/feed-wait';

/**
 * The feed's listening connection (hub/feed-wait.ts) is released once, however many errors it
 * reports. Seen in e2e: the hub closed (its listening connection released, the Terminate sent) and
 * the cluster was stopped before that backend had read the Terminate; the backend's goodbye
 * (FATAL 57P01, terminating connection due to administrator command) then reached the released
 * client, whose error handler released it again — pg-pool threw "Release called on client which
 * has already been released to the pool" as an uncaught exception in the hub's process.
 * Here the same order is made certain: the backend is stopped (SIGSTOP) before the close, told to
 * terminate, then continued. Without the fix vitest reports that uncaught exception.
 */

const pgc = usePostgres();
let pool: pg.Pool;

beforeAll(() => {
  pool = new pg.Pool({ connectionString: pgc.cluster.url, max: 4 });
});
afterAll(async () => {
  await pool?.end();
});

const listenerPid = async (): Promise<number | null> =>
  (await pool.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN pfd_feed'`)).rows[0]?.pid ?? null;

describe('feed waiter', () => {
  it('a listening connection released by close() and then told by its backend that it is terminated is not released again', async () => {
    const own = new pg.Pool({ connectionString: pgc.cluster.url, max: 2 });
    // As the hub's pool (hub/main.ts serve): an error of a client it holds is logged, not thrown.
    const poolErrors: string[] = [];
    own.on('error', (e) => poolErrors.push(e.message));
    const clients: pg.PoolClient[] = [];
    own.on('connect', (c) => clients.push(c as pg.PoolClient));
    const errors: string[] = [];
    const waiter = new FeedWaiter(own, 50);
    // A wait with nothing to come listens first.
    await waiter.waitFor(async () => false, 100);
    const pid = await listenerPid();
    expect(pid).not.toBeNull();
    const listening = clients.find((c) => (c as unknown as { processID: number }).processID === pid)!;
    listening.on('error', (e) => errors.push(e.message));
    const ended = new Promise((r) => listening.once('end', r));

    process.kill(pid!, 'SIGSTOP');
    try {
      waiter.close(); // the Terminate waits in the stopped backend's socket
      expect((await pool.query<{ ok: boolean }>('SELECT pg_terminate_backend($1) AS ok', [pid])).rows[0]!.ok).toBe(true);
    } finally {
      process.kill(pid!, 'SIGCONT');
    }
    await ended;
    // The backend said goodbye to a client already released: heard (and by the pool, which logs it), and nothing else happened.
    expect(errors).toEqual(['terminating connection due to administrator command']);
    expect(poolErrors).toEqual(['terminating connection due to administrator command']);
    expect(await listenerPid()).toBeNull();
    waiter.close();
    await own.end();
    expect(own.totalCount).toBe(0);
  }, 60_000);
});
