import type pg from 'pg';
import type { CreateAppOptions } from '../../electron/app/create-app';
import type { HubCard } from '../../electron/services/hub/hub-protocol';
import { createDeskKeys } from '../../electron/services/transfer/desk-keys';
import { enrolDesk } from '../../hub/trust';
import { dbFile, FAST_SENDER, writeConfig } from './sync-desks';
import { testDesk, type TestDesk } from './app';
import { hubTargetFor, readDesk } from './hub-process';
import { tempDir } from './temp';

/**
 * Desks of a hall in the hub's integration tests: a desk with its own keys, enrolled at the hub by
 * the supervisor (李主任), its only sync target the hub (pinned to the hub's card) at a loopback
 * port — the hub's own, or a relay's the test can cut — and read-only looks into its store.
 */

/** The hall a desk joins: the hub's database (where it is enrolled) and the hub's card (pinned by the desk). */
export interface Hall {
  pool: pg.Pool;
  card: HubCard;
}

export interface HubConfigOptions {
  /** Settings added to the hub target (pullMs, feedWaitMs, fieldMs …). */
  target?: Record<string, unknown>;
  /** Sender settings replacing FAST_SENDER's. */
  sender?: Record<string, unknown>;
}

export interface HallDeskOptions extends HubConfigOptions {
  deskId: string;
  /** The loopback port the desk reaches the hub on (the hub's or a relay's); null: enrolled, but no hub target yet. */
  port: number | null;
  /** The window's name on the desk's card; `<deskId> 窗口` unless given. */
  name?: string;
  /** Names the desk's temporary data folder: `<dir>-<deskId>-…` (the test's name, for a look after a failure). */
  dir?: string;
  /** Enrolled as the supervisor's desk. */
  supervisorDesk?: boolean;
  /** Options of the desk app (now, monotonic, backups …). */
  app?: Partial<CreateAppOptions>;
}

/** Writes the desk's sync settings: the fast test sender and the hub at `port` as its only target (none when `port` is null). */
export function writeHubConfig(dataDir: string, card: HubCard, port: number | null, o: HubConfigOptions = {}): void {
  writeConfig(dataDir, { version: 1, sender: { ...FAST_SENDER, ...o.sender }, targets: port === null ? [] : [hubTargetFor(card, port, o.target)] });
}

/** A desk with its own keys and data folder, enrolled at the hub, reaching it at `o.port`; started. */
export async function enrolledDesk(hall: Hall, o: HallDeskOptions): Promise<TestDesk> {
  const dataDir = tempDir(`${o.dir ?? 'hub'}-${o.deskId}-`);
  const keys = createDeskKeys(dataDir, { deskId: o.deskId, name: o.name ?? `${o.deskId} 窗口`, zone: 'intranet', signAlg: 'ed25519' });
  await enrolDesk(hall.pool, keys.card, '李主任', o.supervisorDesk ? { supervisorDesk: true } : {});
  writeHubConfig(dataDir, hall.card, o.port, o);
  return testDesk({ dataDir, ...o.app });
}

/** The rows of a query on the desk's store, through a read-only connection. */
export function deskRows<T>(d: TestDesk, sql: string, ...args: unknown[]): T[] {
  return readDesk(dbFile(d.dataDir), (db) => db.prepare(sql).all(...args) as T[]);
}
