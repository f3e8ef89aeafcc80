import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildSync } from 'esbuild';
import Database from 'better-sqlite3';
import { openTestStore } from './store';
import type pg from 'pg';
import { exited } from '../../hub/cluster';
import { hubFingerprint, type HubCard } from '../../electron/services/hub/hub-protocol';
import { TargetConfig, type HubTargetConfig } from '../../electron/services/sync/targets-config';
import { ROOT } from './temp';

/**
 * The hub as its own process (hub/main.ts under tsx), for tests that stop, kill or restart it, and
 * read-only looks into a desk's store and the hub's tables, shared by the hub's recovery tests.
 */

export interface HubProcess {
  child: ChildProcess;
  /** SIGTERM (or SIGKILL) and wait for the exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

let bundle: string | null = null;

/**
 * hub/main.ts bundled once per test process (esbuild, like the desk's main bundles): the same
 * source, but a start costs a plain `node` start instead of tsx compiling it again — the kill
 * tests start the hub 20 times and more. The migrations are read from hub/migrations as always.
 */
function hubBundle(): string {
  if (bundle) return bundle;
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pfd-hub-bundle-')), 'hub.js');
  buildSync({
    entryPoints: [path.join(ROOT, 'hub', 'main.ts')],
    bundle: true,
    platform: 'node',
    target: 'node20',
    outfile: out,
    external: ['pg-native'],
    define: { __dirname: JSON.stringify(path.join(ROOT, 'hub')) },
    logLevel: 'warning',
  });
  return (bundle = out);
}

/** Starts `npm run hub -- serve` (bundled) against `url` on a loopback port; resolves once it listens. `env` adds to the environment (HUB_KILL_AT). */
export async function startHubProcess(url: string, port: number, env: Record<string, string> = {}): Promise<HubProcess> {
  const child = spawn(process.execPath, [hubBundle(), 'serve', '--database-url', url, '--listen', `127.0.0.1:${port}`], {
    cwd: ROOT,
    env: { ...process.env, HUB_KILL_AT: '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('"hub.listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hub exited (${code}) before listening: ${err}`)));
  });
  return {
    child,
    async stop(signal: NodeJS.Signals = 'SIGTERM') {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await exited(child);
    },
  };
}

/** The desk's hub target for a hub card on a loopback port. */
export function hubTargetFor(card: Pick<HubCard, 'hubId' | 'signPub'>, port: number, extra: Record<string, unknown> = {}): HubTargetConfig {
  return TargetConfig.parse({
    id: 'hub',
    name: '全厅中心',
    kind: 'hub',
    baseUrl: `http://127.0.0.1:${port}`,
    hub: { hubId: card.hubId, signPub: card.signPub, fingerprint: hubFingerprint(card) },
    ...extra,
  }) as HubTargetConfig;
}

/** A read-only look into a desk's store file. */
export function readDesk<T>(file: string, fn: (db: Database.Database) => T): T {
  const db = openTestStore(file, { readonly: true });
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

/** The desk's hub entries (key, state), in order. */
export function hubEntries(file: string): { key: string; state: string }[] {
  return readDesk(file, (db) => db.prepare(`SELECT idempotency_key AS key, state FROM outbox_entries WHERE target_id = 'hub' ORDER BY id`).all() as { key: string; state: string }[]);
}

/** The feed records a desk holds from the hub, as `seq owner key` lines in order. */
export function deskFeed(file: string): string[] {
  return readDesk(file, (db) => (db.prepare(`SELECT seq, owner_desk AS o, record_key AS k FROM hub_feed_records WHERE target_id = 'hub' ORDER BY seq`).all() as { seq: number; o: string; k: string }[]).map((r) => `${r.seq} ${r.o} ${r.k}`));
}

/** The hub's feed as `seq owner key` lines in order. */
export async function hubFeed(pool: pg.Pool): Promise<string[]> {
  return (await pool.query<{ seq: string; o: string; k: string }>('SELECT seq, owner_desk AS o, record_key AS k FROM feed ORDER BY seq')).rows.map((r) => `${r.seq} ${r.o} ${r.k}`);
}

/** How many times an audited action appears in a desk's log. */
export function auditCount(file: string, action: string): number {
  return readDesk(file, (db) => (db.prepare('SELECT count(*) AS n FROM audit_log WHERE action = ?').get(action) as { n: number }).n);
}
