import { execFileSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

/**
 * A throwaway PostgreSQL cluster: initdb in a temp folder (owned by the `postgres` user when we
 * run as root, which PostgreSQL requires), a free loopback port, fsync on. Used by `npm run hub:dev`
 * and by the tests (tests/helpers/postgres.ts). Debian's PostgreSQL 15 binaries.
 */

export const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

export interface Cluster {
  dir: string;
  port: number;
  /** postgres://postgres@127.0.0.1:port/postgres */
  url: string;
  /** The postmaster's pid (for crash tests: kill -9). */
  pid(): number;
  /** pg_ctl stop -m fast; removes the folder unless keep. */
  stop(opts?: { keep?: boolean }): void;
}

const asRoot = () => process.getuid?.() === 0;

/** Runs a PostgreSQL binary, as the postgres user when we are root. */
export function pgArgs(bin: string, args: string[]): [string, string[]] {
  const exe = path.join(PG_BIN, bin);
  return asRoot() ? ['runuser', ['-u', 'postgres', '--', exe, ...args]] : [exe, args];
}

export function runPg(bin: string, args: string[]): string {
  const [cmd, a] = pgArgs(bin, args);
  return execFileSync(cmd, a, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

/** initdb + start; resolves once the server accepts connections. */
/** `env`: added to the server's environment (a test runs it under libfaketime: hub-offline-week.test.ts). */
export async function startCluster(opts: { prefix?: string; env?: Record<string, string> } = {}): Promise<Cluster> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), opts.prefix ?? 'pfd-pg-'));
  const data = path.join(dir, 'data');
  if (asRoot()) {
    fs.chmodSync(dir, 0o755);
    execFileSync('chown', ['postgres:postgres', dir]);
  }
  runPg('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C.UTF-8', '--no-instructions']);
  const port = await freePort();
  const logFile = path.join(dir, 'server.log');
  const [cmd, a] = pgArgs('pg_ctl', [
    'start', '-D', data, '-l', logFile, '-w', '-t', '60',
    '-o', `-c listen_addresses=127.0.0.1 -c port=${port} -c fsync=on -c unix_socket_directories=${dir} -c max_connections=200`,
  ]);
  execFileSync(cmd, a, { stdio: ['ignore', 'ignore', 'pipe'], ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}) });
  const pid = () => Number(fs.readFileSync(path.join(data, 'postmaster.pid'), 'utf8').split('\n')[0]);
  let stopped = false;
  return {
    dir,
    port,
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    pid,
    stop({ keep = false } = {}) {
      if (!stopped) {
        stopped = true;
        try {
          runPg('pg_ctl', ['stop', '-D', data, '-m', 'fast', '-w']);
        } catch {
          // already gone (a crash test killed it)
        }
      }
      if (!keep) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A child process's exit as a promise. */
export function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null || child.signalCode !== null ? Promise.resolve(child.exitCode) : new Promise((r) => child.once('exit', (code) => r(code)));
}

