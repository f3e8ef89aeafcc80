import { afterAll, beforeAll } from 'vitest';
import path from 'node:path';
import { runPg, startCluster, type Cluster } from '../../hub/cluster';

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

/**
 * A real backup of one database: `pg_dump -Fc` into the cluster's folder (written as the
 * `postgres` user); returns the file.
 */
export function dumpDatabase(cluster: Cluster, name: string, file = path.join(cluster.dir, `${name}-${Date.now()}.dump`)): string {
  runPg('pg_dump', ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'postgres', '-Fc', '-f', file, name]);
  return file;
}

/**
 * Restores a dump in place of the database: dropped (its connections ended), created again and
 * filled by `pg_restore` — the hall's database as it was when the backup was taken.
 */
export async function restoreDatabase(cluster: Cluster, name: string, file: string): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: cluster.url });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  runPg('pg_restore', ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'postgres', '-d', name, '--exit-on-error', file]);
}
