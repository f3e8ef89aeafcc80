import { afterAll, beforeAll } from 'vitest';
import { startCluster, type Cluster } from '../../hub/cluster';

/**
 * A throwaway PostgreSQL cluster for one test file: the real server (Debian's PostgreSQL 15),
 * initdb in a temp folder owned by `postgres` when we run as root, a free loopback port, fsync on;
 * stopped with `pg_ctl stop -m fast` after the file's tests. Crash tests kill it with kill -9
 * (`process.kill(pg.cluster.pid(), 'SIGKILL')`). No mocks, no PGlite. Call at the top of the file.
 */
export function usePostgres(): { readonly cluster: Cluster } {
  let c: Cluster | null = null;
  beforeAll(async () => {
    c = await startCluster({ prefix: 'pfd-test-pg-' });
  }, 120_000);
  afterAll(() => c?.stop());
  return {
    get cluster(): Cluster {
      if (!c) throw new Error('the PostgreSQL cluster is not started yet (use it inside a test or hook)');
      return c;
    },
  };
}

/** A fresh database in the cluster (one per test that wants a clean hub). */
export async function createDatabase(cluster: Cluster, name: string): Promise<string> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return cluster.url.replace(/\/postgres$/, `/${name}`);
}
