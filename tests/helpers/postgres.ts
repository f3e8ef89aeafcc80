import { afterAll, beforeAll } from 'vitest';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort, pgArgs, runPg, startCluster, type Cluster } from '../../hub/cluster';

/**
 * A throwaway PostgreSQL cluster for one test file: the real server (Debian's PostgreSQL 15),
 * initdb in a temp folder owned by `postgres` when we run as root, a free loopback port, fsync on;
 * stopped with `pg_ctl stop -m fast` after the file's tests. Crash tests kill it with kill -9
 * (`process.kill(pg.cluster.pid(), 'SIGKILL')`). No mocks, no PGlite. Call at the top of the file.
 */
export function usePostgres(opts: { env?: () => Record<string, string> } = {}): { readonly cluster: Cluster } {
  let c: Cluster | null = null;
  beforeAll(async () => {
    c = await startCluster({ prefix: 'pfd-test-pg-', ...(opts.env ? { env: opts.env() } : {}) });
  }, 120_000);
  afterAll(async () => {
    if (!c) return;
    await clientsGone(c);
    c.stop();
  }, 60_000);
  return {
    get cluster(): Cluster {
      if (!c) throw new Error('the PostgreSQL cluster is not started yet (use it inside a test or hook)');
      return c;
    },
  };
}

/**
 * Waits (up to 15 s) until no other client is connected, before the cluster is stopped. A pool the
 * test ended has only *queued* its connections' goodbyes; `pg_ctl stop` runs synchronously and
 * blocks the event loop, so a goodbye not yet written would meet the server's "terminating
 * connection due to administrator command" — an uncaught error that fails the whole vitest run.
 * Waiting on pg_stat_activity follows the connections' own progress, not a fixed sleep; a pool a
 * test left open is waited for only up to the bound, then the stop goes ahead as before.
 */
async function clientsGone(cluster: Cluster): Promise<void> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: cluster.url });
  client.on('error', () => undefined); // the cluster may already be gone (a crash test killed it)
  try {
    await client.connect();
  } catch {
    return;
  }
  try {
    await othersGone(client, null, 'the file\'s tests');
  } catch {
    // the cluster went away meanwhile: nothing to wait for
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Polls pg_stat_activity (on `client`'s own connection) until no other client — of `database`, if given — is connected, up to 15 s. */
async function othersGone(client: import('pg').Client, database: string | null, after: string): Promise<void> {
  const until = Date.now() + 15_000;
  for (;;) {
    const others = Number(
      (
        await client.query<{ n: string }>(
          `SELECT count(*) AS n FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND ($1::text IS NULL OR datname = $1)`,
          [database],
        )
      ).rows[0]!.n,
    );
    if (others === 0) return;
    if (Date.now() > until) {
      console.warn(`usePostgres: ${others} client(s) still connected 15 s after ${after} — a pool left open; going ahead anyway`);
      return;
    }
    await new Promise((r) => setTimeout(r, 25));
  }
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
    // A pool the test just ended may not have said goodbye yet: FORCE would end it with an uncaught 57P01.
    await othersGone(client, name, `the pools of ${name} were ended`);
    await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  runPg('pg_restore', ['-h', '127.0.0.1', '-p', String(cluster.port), '-U', 'postgres', '-d', name, '--exit-on-error', file]);
}

/** A cluster's data folder (startCluster puts it in `<dir>/data`). */
export const dataDir = (c: Pick<Cluster, 'dir'>) => path.join(c.dir, 'data');

/** Runs a SQL statement on a cluster's `postgres` database; returns the rows. */
export async function sql<T = Record<string, unknown>>(c: Pick<Cluster, 'url'>, text: string): Promise<T[]> {
  const pg = (await import('pg')).default;
  const client = new pg.Client({ connectionString: c.url });
  await client.connect();
  try {
    return (await client.query(text)).rows as T[];
  } finally {
    await client.end();
  }
}

/**
 * A streaming standby of `primary`: `pg_basebackup -R -X stream` (primary_conninfo written by -R)
 * into a temp folder, started on its own loopback port as `cluster_name = name`. With
 * `synchronous`, the primary is then set to wait for it at every commit
 * (`synchronous_standby_names = name`, synchronous_commit on) and this resolves once
 * pg_stat_replication shows it `sync`: an acknowledged commit is on both.
 */
export async function startStandby(primary: Cluster, opts: { name?: string; synchronous?: boolean } = {}): Promise<Cluster> {
  const name = opts.name ?? 'standby1';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pfd-test-pg-standby-'));
  const data = path.join(dir, 'data');
  if (process.getuid?.() === 0) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  runPg('pg_basebackup', ['-h', '127.0.0.1', '-p', String(primary.port), '-U', 'postgres', '-D', data, '-R', '-X', 'stream', '-c', 'fast']);
  const port = await freePort();
  const [cmd, a] = pgArgs('pg_ctl', [
    'start', '-D', data, '-l', path.join(dir, 'server.log'), '-w', '-t', '60',
    '-o', `-c listen_addresses=127.0.0.1 -c port=${port} -c fsync=on -c unix_socket_directories=${dir} -c max_connections=200 -c cluster_name=${name}`,
  ]);
  execFileSync(cmd, a, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stopped = false;
  const standby: Cluster = {
    dir,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid: () => Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]),
    stop({ keep = false } = {}) {
      if (!stopped) {
        stopped = true;
        try {
          runPg('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
        } catch {
          // already gone
        }
      }
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  if (opts.synchronous) {
    await sql(primary, `ALTER SYSTEM SET synchronous_standby_names = '${name}'`);
    await sql(primary, 'SELECT pg_reload_conf()');
    for (let i = 0; ; i++) {
      const r = await sql<{ sync_state: string }>(primary, `SELECT sync_state FROM pg_stat_replication WHERE application_name = '${name}'`);
      if (r[0]?.sync_state === 'sync') break;
      if (i > 600) throw new Error(`standby ${name} not synchronous after 60 s: ${JSON.stringify(r)}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }
  return standby;
}

/** Stops a cluster the hard way (`pg_ctl stop -m immediate`: no shutdown checkpoint, like a crash). */
export function crashCluster(c: Pick<Cluster, 'dir'>): void {
  runPg('pg_ctl', ['stop', '-D', dataDir(c), '-m', 'immediate', '-w']);
}

/** `pg_ctl promote`: the standby ends recovery and becomes a primary; resolves once it accepts writes. */
export async function promote(standby: Cluster): Promise<void> {
  runPg('pg_ctl', ['promote', '-D', dataDir(standby), '-w', '-t', '60']);
  for (let i = 0; ; i++) {
    const r = await sql<{ r: boolean }>(standby, 'SELECT pg_is_in_recovery() AS r');
    if (r[0]?.r === false) return;
    if (i > 600) throw new Error('standby still in recovery 60 s after promote');
    await new Promise((res) => setTimeout(res, 100));
  }
}
