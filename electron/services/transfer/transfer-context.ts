import type { Db } from '../../store/open-store';
import type { Logger } from '../../log/logger';
import type { Actor } from '../audit/audit-chain';
import type { WriteContext } from '../../store/write';
import type { FileStore } from '../files/file-store';
import type { TargetConfig } from '../sync/targets-config';
import type { Zone } from './desk-keys';

/** What the transfer services need; built by create-app.ts, or by the CLI without the app. */
export interface TransferCtx {
  db: Db;
  now(): Date;
  logger: Logger;
  write<T>(actor: Actor, fn: (w: WriteContext) => T): T;
  dataDir: string;
  files: FileStore;
  /** The targets as configured in sync-targets.json (with their `zones`). */
  targets: { all(): readonly TargetConfig[]; get(id: string): TargetConfig | undefined };
}

/** This desk's zone, once set up (null: no zone, every target counts as reachable). */
export function deskZone(db: Db): Zone | null {
  const r = db.prepare('SELECT zone FROM transfer_desk WHERE id = 1').get() as { zone: Zone } | undefined;
  return r?.zone ?? null;
}

/** Can this desk reach the target itself? (A target without `zones` is reachable from everywhere.) */
export function reachableHere(t: TargetConfig, zone: Zone | null): boolean {
  return !zone || !t.zones || t.zones.includes(zone);
}

export const ZONE_LABEL: Record<Zone, string> = { intranet: '内网', extranet: '外网' };
