// Shared by the hub benches (bench/hub-*.bench.ts): a throwaway PostgreSQL cluster, the hub as its
// own process (hub/main.ts serve, the real HTTP API), enrolled desks with their own keys and the
// desk's real signed client (HubConnector), a real case document, and per-process CPU and RSS
// read from /proc.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { createApp } from '../electron/app/create-app';
import { HubConnector } from '../electron/services/hub/hub-connector';
import { hubFingerprint, type HubCard } from '../electron/services/hub/hub-protocol';
import type { CaseDocument } from '../electron/services/sync/case-document';
import { TargetConfig, type HubTargetConfig } from '../electron/services/sync/targets-config';
import { createDeskKeys } from '../electron/services/transfer/desk-keys';
import { exited, freePort, startCluster, type Cluster } from '../hub/cluster';
import { migrate } from '../hub/migrate';
import { enrolDesk, hubIdentity } from '../hub/trust';
import { queueClones } from '../tests/helpers/sync-desks';
import { ROOT, tempDir } from './lib';

export { startCluster, type Cluster };

// The desks' key files are sealed under each data folder's store key (store/sealed-secrets.ts): createDeskKeys
// unlocks a folder no one unlocked yet with the browser host's key file beside it.

/** A new database in the cluster, migrated to the hub's schema; its URL. */
export async function hubDatabase(cluster: Cluster, name: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${name}`);
  } finally {
    await admin.end();
  }
  const url = cluster.url.replace(/\/postgres$/, `/${name}`);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  try {
    await migrate(pool);
    await hubIdentity(pool);
  } finally {
    await pool.end();
  }
  return url;
}

export interface HubProcess {
  child: ChildProcess;
  pid: number;
  port: number;
  card: HubCard;
  stop(): Promise<void>;
}

/** The hub as its own process (`node --import tsx hub/main.ts serve`), resolved once it listens. */
export async function spawnHub(url: string, port?: number): Promise<HubProcess> {
  const p = port ?? (await freePort());
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'hub', 'main.ts'), 'serve', '--database-url', url, '--listen', `127.0.0.1:${p}`], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (b: Buffer) => {
    err += b.toString();
    if (err.length > 20_000) err = err.slice(-10_000);
  });
  await new Promise<void>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('"hub.listening"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`hub exited (${code}) before listening: ${err}`)));
  });
  const pool = new pg.Pool({ connectionString: url, max: 1 });
  const card = (await hubIdentity(pool)).card;
  await pool.end();
  return {
    child,
    pid: child.pid!,
    port: p,
    card,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited(child);
      const refusals = err.split('\n').filter((l) => l.includes('"hub.failed"'));
      if (refusals.length) console.log(`  hub log: ${refusals.length} failed requests, first: ${refusals[0]!.slice(0, 300)}`);
    },
  };
}

export function hubTarget(card: HubCard, port: number, extra: Record<string, unknown> = {}): HubTargetConfig {
  return TargetConfig.parse({
    id: 'hub',
    name: '全厅中心',
    kind: 'hub',
    baseUrl: `http://127.0.0.1:${port}`,
    hub: { hubId: card.hubId, signPub: card.signPub, fingerprint: hubFingerprint(card) },
    ...extra,
  }) as HubTargetConfig;
}

export interface BenchDesk {
  deskId: string;
  dataDir: string;
}

/** n desks with their own keys (Ed25519, as the desks default to), enrolled in every database given. */
export async function enrolledDesks(n: number, urls: readonly string[], prefix = 'desk'): Promise<BenchDesk[]> {
  const desks: BenchDesk[] = [];
  for (let i = 0; i < n; i++) {
    const dataDir = tempDir(`bench-hub-${prefix}-${i}-`);
    const deskId = `${prefix}-${String(i + 1).padStart(2, '0')}`;
    createDeskKeys(dataDir, { deskId, name: `${i + 1}号窗口`, zone: 'intranet', signAlg: 'ed25519' });
    desks.push({ deskId, dataDir });
  }
  await enrolIn(desks, urls);
  return desks;
}

/** Removes the desks' temp folders (their keys). */
export function removeDesks(desks: readonly BenchDesk[]): void {
  for (const d of desks) fs.rmSync(d.dataDir, { recursive: true, force: true });
}

export async function enrolIn(desks: readonly BenchDesk[], urls: readonly string[]): Promise<void> {
  const { readDeskCard } = await import('../electron/services/transfer/desk-keys');
  for (const url of urls) {
    const pool = new pg.Pool({ connectionString: url, max: 1 });
    try {
      for (const d of desks) await enrolDesk(pool, readDeskCard(d.dataDir)!, '基准');
    } finally {
      await pool.end();
    }
  }
}

/** The desk's schema version sent with each request (the number of the desk's migrations). */
export const DESK_SCHEMA = fs.readdirSync(path.join(ROOT, 'migrations')).filter((f) => /^\d{4}_.*\.sql$/.test(f)).length;

export function connector(card: HubCard, port: number, desk: BenchDesk, timeoutMs = 60_000): HubConnector {
  return new HubConnector(hubTarget(card, port), desk.dataDir, DESK_SCHEMA, timeoutMs);
}

/** The document of one real accepted case (accepted through the intake methods of a demo desk). */
export async function realCaseDocument(): Promise<CaseDocument> {
  const dataDir = tempDir('bench-hub-doc-');
  const app = await createApp({ dataDir, sync: false, backups: false });
  try {
    return (await queueClones(app, 0)).doc;
  } finally {
    app.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The push body a desk sends for a case (HubConnector.deliver's). */
export function pushBody(doc: CaseDocument, deskId: string, i: number): { idempotencyKey: string; caseNo: string; revision: number; document: CaseDocument } {
  const caseNo = `${doc.caseNo}-${deskId}-${String(i).padStart(6, '0')}`;
  return { idempotencyKey: `bench:${deskId}:${caseNo}:1`, caseNo, revision: 1, document: { ...doc, caseNo } };
}

const TICK = 100; // USER_HZ on Linux

/** CPU seconds (user + system) of one process so far; with `reaped`, plus those of its children that exited and were waited for. */
export function cpuSeconds(pid: number, reaped = false): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields 14-17: utime, stime, cutime, cstime
    return (Number(f[11]) + Number(f[12]) + (reaped ? Number(f[13]) + Number(f[14]) : 0)) / TICK;
  } catch {
    return 0;
  }
}

/** CPU seconds of the postmaster and every process it started (the backends, WAL writer, checkpointer…), those that exited included. */
export function postgresCpuSeconds(cluster: Cluster): number {
  const root = cluster.pid();
  let sum = cpuSeconds(root, true);
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === root) sum += cpuSeconds(Number(p));
    } catch {
      // gone meanwhile
    }
  }
  return sum;
}

/** Pins a process and all its threads to the given CPUs (taskset); its children started later inherit that. */
export function pin(pid: number, cpus: string): void {
  execFileSync('taskset', ['-a', '-p', '-c', cpus, String(pid)], { stdio: 'ignore' });
}

/** Pins the postmaster and every process it has started (backends forked later inherit its CPUs). */
export function pinPostgres(cluster: Cluster, cpus: string): void {
  const root = cluster.pid();
  pin(root, cpus);
  for (const p of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${p}/stat`, 'utf8');
      if (Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === root) pin(Number(p), cpus);
    } catch {
      // gone meanwhile
    }
  }
}

/** Resident set size of a process, in MB (VmRSS). */
export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The CPU seconds of this process, the hub and PostgreSQL over a window (who did the work). */
export class CpuWindow {
  private readonly start: { self: number; hub: number; pg: number; wall: number };
  constructor(
    private readonly hubPid: number,
    private readonly cluster: Cluster,
  ) {
    this.start = this.read();
  }

  private read() {
    const u = process.cpuUsage();
    return { self: (u.user + u.system) / 1e6, hub: cpuSeconds(this.hubPid), pg: postgresCpuSeconds(this.cluster), wall: performance.now() / 1000 };
  }

  end(): { wallS: number; benchCpuS: number; hubCpuS: number; pgCpuS: number } {
    const e = this.read();
    const r = (x: number) => Number(x.toFixed(2));
    return { wallS: r(e.wall - this.start.wall), benchCpuS: r(e.self - this.start.self), hubCpuS: r(e.hub - this.start.hub), pgCpuS: r(e.pg - this.start.pg) };
  }
}

export const fmtCpu = (c: ReturnType<CpuWindow['end']>): string =>
  `CPU s over ${c.wallS.toFixed(1)} s wall: bench ${c.benchCpuS.toFixed(1)}, hub ${c.hubCpuS.toFixed(1)}, PostgreSQL ${c.pgCpuS.toFixed(1)} (of ${os.cpus().length} cores)`;

/** Runs `fn(i)` for i in 0..n-1 with at most `width` at a time. */
export async function inParallel<T>(n: number, width: number, fn: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = new Array(n);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, n) }, async () => {
      while (next < n) {
        const i = next++;
        out[i] = await fn(i);
      }
    }),
  );
  return out;
}
