import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { loadSyncConfig, type SenderConfig, type TargetConfig } from './targets-config';

/** The data-sharing platform is always a target: its queries go through the outbox too. */
export const DATA_SHARING_TARGET_ID = 'data-sharing';
const DATA_SHARING_DEFAULT: TargetConfig = { id: DATA_SHARING_TARGET_ID, name: '数据共享交换平台', kind: 'data_sharing', concurrency: 2 };

export interface SyncTargets {
  all(): readonly TargetConfig[];
  get(id: string): TargetConfig | undefined;
  /** The targets accepted cases go to (http and manual). */
  caseTargets(): readonly TargetConfig[];
  sender: SenderConfig;
  /** Set when the configuration file was refused (shown with the status). */
  problem: string | null;
}

/**
 * Loads `<dataDir>/sync-targets.json` and records the targets in `sync_targets`
 * (one audited write, only when something changed).
 */
export function loadSyncTargets(deps: Deps, dataDir: string): SyncTargets {
  const loaded = loadSyncConfig(dataDir);
  if (!loaded.ok) deps.logger.error('sync.configRefused', { file: loaded.file, problem: loaded.problem });
  const declared = loaded.config.targets;
  const list: TargetConfig[] = declared.some((t) => t.kind === 'data_sharing') ? [...declared] : [...declared, DATA_SHARING_DEFAULT];
  const byId = new Map(list.map((t) => [t.id, t]));

  const existing = new Map(
    (deps.db.prepare('SELECT id, name, kind, config FROM sync_targets').all() as { id: string; name: string; kind: string; config: string }[]).map((r) => [r.id, r]),
  );
  const changed = list.filter((t) => {
    const r = existing.get(t.id);
    return !r || r.name !== t.name || r.kind !== t.kind || r.config !== JSON.stringify(t);
  });
  if (changed.length) {
    deps.write(SYSTEM_ACTOR, (w) => {
      const up = w.db.prepare(
        `INSERT INTO sync_targets (id, name, kind, config, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, config = excluded.config, updated_at = excluded.updated_at`,
      );
      for (const t of changed) up.run(t.id, t.name, t.kind, JSON.stringify(t), w.at.toISOString());
      w.audit({ action: 'sync.targetsConfigured', entityType: 'sync_targets', entityId: null, detail: { file: loaded.file, changed: changed.map((t) => t.id) } });
    });
  }
  deps.logger.info('sync.targets', { file: loaded.file, targets: list.map((t) => `${t.id}:${t.kind}`) });
  return {
    all: () => list,
    get: (id) => byId.get(id),
    caseTargets: () => list.filter((t) => t.kind !== 'data_sharing'),
    sender: loaded.config.sender,
    problem: loaded.ok ? null : loaded.problem,
  };
}
