import pg from 'pg';
import { expect, type Browser, type Page } from '@playwright/test';
import { freshDir, startHost, type RunningHost } from './host';
import { startCluster, type Cluster } from '../../../hub/cluster';
import { serve } from '../../../hub/main';
import { enrolDesk, hubIdentity } from '../../../hub/trust';
import { createDeskKeys, type DeskCard, type DeskKeys } from '../../../electron/services/transfer/desk-keys';
import type { HubCard } from '../../../electron/services/hub/hub-protocol';
import { HubConnector } from '../../../electron/services/hub/hub-connector';
import { writeSyncConfig, type HubTargetConfig } from '../../../electron/services/sync/targets-config';
import { hubTargetFor } from '../../helpers/hub-process';
import { TEST_REQUEST_TIMEOUT_MS } from '../../helpers/test-timeouts';

/**
 * The hall hub of an end-to-end spec (docs/hub.md; tests/README.md): a throwaway PostgreSQL cluster
 * (`hub/cluster.ts`), the real hub server in this process (`serve`), a small pool on its database for
 * the spec's own checks, and the hub's card. Desks get fresh data folders and keys, are enrolled
 * (by 李主任) unless told not to, and browser hosts are started on them with the hub as their only
 * sync target (quick sender timings). `close()` stops everything it started, hosts first.
 *
 *   let hub: E2eHub;
 *   test.beforeAll(async () => { hub = await startHub(); });
 *   test.afterAll(() => hub?.close());
 *   const A = await hub.host('desk-1', '1号窗口');        // enrolled, configured, started
 *   const five = await hub.connector('desk-5', '5号窗口', 15); // another window, pushing as its sender would
 *   await signIn(page, A.host, 'zhangmin');
 */

/**
 * The sender's timings of every hub spec's desk: probes and polls quick enough for a test; the
 * request timeout and lease of the integration desks (a slow answer on a loaded machine is waited
 * for, not retried — the hub's cut links and stopped listeners refuse at once, so nothing waits it out).
 */
const SENDER = { probeIntervalMs: 300, pollMs: 100, leaseMs: TEST_REQUEST_TIMEOUT_MS + 15_000, requestTimeoutMs: TEST_REQUEST_TIMEOUT_MS };
/** The password of every demo user. */
export const DEMO_PASSWORD = 'Desk@2026';

/** The hub target's own timings a spec may shorten (defaults in targets-config.ts). */
export type HubTimings = { pullMs?: number; feedWaitMs?: number; fieldMs?: number; heartbeatMs?: number };

export interface E2eDesk {
  deskId: string;
  dataDir: string;
  keys: DeskKeys;
}
export interface E2eDeskHost extends E2eDesk {
  host: RunningHost;
}

export interface E2eHub {
  readonly cluster: Cluster;
  /** A pool on the hub's database, for the spec's own queries. */
  readonly pool: pg.Pool;
  readonly card: HubCard;
  /** The hub's port (kept across stop() and restart()). */
  readonly port: number;
  /** The desk's hub target: the hub's address (or `port`, e.g. a relay's) and its pinned key. */
  target(port?: number): HubTargetConfig;
  enrol(card: DeskCard, opts?: { supervisorDesk?: boolean }): Promise<void>;
  /** A desk's data folder with its keys, enrolled unless `enrol: false`. */
  desk(deskId: string, name: string, opts?: { enrol?: boolean; supervisorDesk?: boolean }): Promise<E2eDesk>;
  /** An enrolled desk that is not a browser host: its signed client, as another window's sender. */
  connector(deskId: string, name: string, deskSchema: number): Promise<HubConnector>;
  /** A desk (as `desk()`) configured with the hub target (through `port` if given) and its browser host started. */
  host(deskId: string, name: string, opts?: { enrol?: boolean; supervisorDesk?: boolean; port?: number }): Promise<E2eDeskHost>;
  /** A browser host on an existing data folder (a desk started again); stopped by close(). */
  startHost(dataDir: string): Promise<RunningHost>;
  /** Stops the hub's listener (the hub unreachable); PostgreSQL stays up. */
  stop(): Promise<void>;
  /** Serves the hub again on the same port. */
  restart(): Promise<void>;
  /** Kills the hosts, ends the pool, stops the hub and the cluster. */
  close(): Promise<void>;
}

type Served = Awaited<ReturnType<typeof serve>>;

/** Starts the cluster and the hub; `timings` go into every desk's hub target. */
export async function startHub(opts: { timings?: HubTimings } = {}): Promise<E2eHub> {
  const cluster = await startCluster({ prefix: 'pfd-e2e-pg-' });
  let served: Served | null = null;
  let pool: pg.Pool | null = null;
  try {
    served = await serve(cluster.url, '127.0.0.1:0');
    pool = new pg.Pool({ connectionString: cluster.url, max: 2 });
    const card = (await hubIdentity(pool)).card;
    return hallHub(cluster, served, pool, card, opts.timings ?? {});
  } catch (e) {
    await pool?.end();
    await served?.close();
    cluster.stop();
    throw e;
  }
}

function hallHub(cluster: Cluster, first: Served, pool: pg.Pool, card: HubCard, timings: HubTimings): E2eHub {
  let served: Served | null = first;
  const port = first.port;
  const hosts: RunningHost[] = [];
  const hub: E2eHub = {
    cluster,
    pool,
    card,
    port,
    target: (to = port) => hubTargetFor(card, to, timings),
    async enrol(deskCard, o = {}) {
      await enrolDesk(pool, deskCard, '李主任', o);
    },
    async desk(deskId, name, o = {}) {
      const dataDir = freshDir(`desk-${deskId}-`);
      const keys = createDeskKeys(dataDir, { deskId, name, zone: 'intranet', signAlg: 'ed25519' });
      if (o.enrol !== false) await hub.enrol(keys.card, { supervisorDesk: o.supervisorDesk ?? false });
      return { deskId, dataDir, keys };
    },
    async connector(deskId, name, deskSchema) {
      return new HubConnector(hub.target(), (await hub.desk(deskId, name)).dataDir, deskSchema, TEST_REQUEST_TIMEOUT_MS);
    },
    async host(deskId, name, o = {}) {
      const d = await hub.desk(deskId, name, o);
      writeSyncConfig(d.dataDir, { version: 1, sender: SENDER, targets: [hub.target(o.port)] });
      return { ...d, host: await hub.startHost(d.dataDir) };
    },
    async startHost(dataDir) {
      const h = await startHost({ dataDir });
      hosts.push(h);
      return h;
    },
    async stop() {
      const s = served;
      served = null;
      await s?.close();
    },
    async restart() {
      if (served) throw new Error('the hub is already serving');
      served = await serve(cluster.url, `127.0.0.1:${port}`);
    },
    async close() {
      await Promise.all(hosts.map((h) => h.kill()));
      await pool.end();
      await hub.stop();
      cluster.stop();
    },
  };
  return hub;
}

/** Signs in on the page at `host` as a demo user; resolves on the home page. */
export async function signIn(page: Page, host: RunningHost, username: string): Promise<void> {
  await page.goto(host.url);
  await page.getByPlaceholder('用户名').fill(username);
  await page.getByPlaceholder('密码').fill(DEMO_PASSWORD);
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
}

/** A page of its own (one person at one desk: its own browser context, zh-CN, 1366×768), signed in. */
export async function openAs(browser: Browser, host: RunningHost, username: string): Promise<Page> {
  const page = await (await browser.newContext({ locale: 'zh-CN', viewport: { width: 1366, height: 768 } })).newPage();
  await signIn(page, host, username);
  return page;
}
