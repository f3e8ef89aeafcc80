import fs from 'node:fs';
import path from 'node:path';
import { writeFileDurably } from '../../store/durable-write';
import { openSecret, SealedSecretError, sealSecret, storeKeyForSecret } from '../../store/sealed-secrets';
import { z } from 'zod';
import { hubFingerprint } from '../hub/hub-protocol';

/**
 * The sync targets, declared in `<dataDir>/sync-targets.json` (format in
 * docs/sync.md). Read once at start; a file that does not parse is refused
 * with a precise message and the desk starts with no sync targets (nothing
 * already queued is lost: entries wait until the file is fixed).
 */

/** One field of a target's payload (http) or screen (manual), taken from the case document. */
const FieldSpec = z
  .object({
    /** The target's name for the field (payload key; for manual targets, a stable key). */
    name: z.string().min(1),
    /** The label on the target's screen (manual) or in the desk's views. */
    label: z.string().min(1).optional(),
    /** Path into the case document: `caseNo`, `applicant.name`, `items[].name`, … */
    from: z.string().min(1).optional(),
    /** A fixed value instead of `from`. */
    value: z.union([z.string(), z.number(), z.boolean()]).optional(),
    /** Arrays (`items[].name`) are joined with this into one string; unset keeps the array. */
    join: z.string().optional(),
    /** `date`: an ISO time as YYYY-MM-DD in China time; `datetime`: YYYY-MM-DD HH:mm. */
    format: z.enum(['date', 'datetime']).optional(),
    hint: z.string().optional(),
  })
  .strict()
  .refine((f) => f.from !== undefined || f.value !== undefined, { message: 'field needs "from" or "value"' });
export type FieldSpec = z.infer<typeof FieldSpec>;

const AppliesTo = z
  .object({
    /** Only cases with at least one item of these departments (service_items.department). */
    departments: z.array(z.string()).optional(),
    /** Only cases with at least one of these service item codes. */
    serviceItems: z.array(z.string()).optional(),
  })
  .strict();

const Common = {
  id: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,39}$/, 'target id: lowercase letters, digits, - and _'),
  name: z.string().min(1),
  appliesTo: AppliesTo.optional(),
  /**
   * The network zones this target can be reached from (政务内网 'intranet', 互联网/外网 'extranet').
   * Unset: reachable from any desk. A desk in another zone carries the target's entries across
   * in transfer bundles instead of sending them (docs/transfer.md).
   */
  zones: z.array(z.enum(['intranet', 'extranet'])).min(1).optional(),
};

const HttpTarget = z
  .object({
    ...Common,
    kind: z.literal('http'),
    baseUrl: z.string().url(),
    /**
     * The auth header the target expects; `valueEnv` reads the secret from the environment instead.
     * The desk keeps `value` sealed under the store key (`sealed`, store/sealed-secrets.ts): a value
     * written in clear (by hand, an older version) is sealed in place at the next start.
     */
    auth: z.object({ header: z.string().min(1), value: z.string().optional(), valueEnv: z.string().optional(), sealed: z.string().optional() }).strict().optional(),
    /** `key`: the target de-duplicates on Idempotency-Key; `none`: the desk looks a case up before re-sending an unknown entry. */
    idempotency: z.enum(['key', 'none']),
    /** Cases sent to this target at the same time (different cases; one case's entries go in order). */
    concurrency: z.number().int().min(1).max(32).default(4),
    /** Upload the case's files (scans, signed commitments) before the case. */
    sendFiles: z.boolean().default(true),
    fields: z.array(FieldSpec).min(1),
  })
  .strict();

const ManualTarget = z
  .object({
    ...Common,
    kind: z.literal('manual'),
    /** The name of the target's screen the clerk types into. */
    screen: z.string().min(1),
    fields: z.array(FieldSpec).min(1),
  })
  .strict();

const DataSharingTarget = z
  .object({
    ...Common,
    kind: z.literal('data_sharing'),
    /** Queries at the same time. */
    concurrency: z.number().int().min(1).max(32).default(2),
  })
  .strict();

/**
 * The hall hub (docs/hub.md): accepted cases are pushed to it through the outbox, signed with the
 * desk's transfer key; its answers must carry the signature of the hub key pinned here at
 * enrolment, whose fingerprint the supervisor compared with the hub's.
 */
const HubTarget = z
  .object({
    ...Common,
    kind: z.literal('hub'),
    baseUrl: z.string().url(),
    hub: z
      .object({ hubId: z.string().min(1), signPub: z.string().min(1), fingerprint: z.string().min(1) })
      .strict()
      .refine((h) => hubFingerprint(h) === h.fingerprint, { message: '全厅中心公钥与登记时核对的指纹不符' }),
    concurrency: z.number().int().min(1).max(32).default(4),
    /** How often the hall's change feed is pulled while the hub is reachable. */
    pullMs: z.number().int().min(10).default(2_000),
    /**
     * Long-poll: a pull that has read everything waits at the hub up to this long for the next item
     * (it answers as soon as one is committed), so a change at one window reaches the others at once
     * (docs/hub.md). 0: plain polling every pullMs.
     */
    feedWaitMs: z.number().int().min(0).max(60_000).default(20_000),
    /** How often the desk checks that the hub still holds what it acknowledged (besides each reconnection and a rewound feed). */
    reconcileMs: z.number().int().min(100).default(300_000),
    /** How often the desk tells the hub its backlog and feed cursor (the supervisor's desk list). */
    heartbeatMs: z.number().int().min(10).default(10_000),
    /** How often field work goes through the hub by itself (offers, packages, results: hub/hall-field-auto.ts); 0: only when asked. */
    fieldMs: z.number().int().min(0).default(3_000),
  })
  .strict();

export const TargetConfig = z.discriminatedUnion('kind', [HttpTarget, ManualTarget, DataSharingTarget, HubTarget]);
export type TargetConfig = z.infer<typeof TargetConfig>;
export type HttpTargetConfig = z.infer<typeof HttpTarget>;
export type ManualTargetConfig = z.infer<typeof ManualTarget>;
export type HubTargetConfig = z.infer<typeof HubTarget>;

export const SenderConfig = z
  .object({
    /** How long a sender holds an entry before it counts as "maybe sent" (unknown). */
    leaseMs: z.number().int().min(100).default(60_000),
    /** Back-off after a failure: min(maxMs, baseMs · 2^(attempt-1)) with ±50 % jitter. */
    backoffBaseMs: z.number().int().min(1).default(2_000),
    backoffMaxMs: z.number().int().min(1).default(5 * 60_000),
    /** How often an unreachable target is probed (and a reachable one re-checked when idle). */
    probeIntervalMs: z.number().int().min(10).default(15_000),
    requestTimeoutMs: z.number().int().min(100).default(20_000),
    /** Upload chunk size, and the size above which a file goes in the bulk lane (one at a time per target). */
    chunkBytes: z.number().int().min(1024).default(1024 * 1024),
    largeFileBytes: z.number().int().min(1).default(4 * 1024 * 1024),
    /** How often the sender looks for entries whose retry time has come (and expired leases). */
    pollMs: z.number().int().min(10).default(1_000),
    /**
     * Acknowledgements are recorded in batches of up to this many (one transaction, one fsync), at
     * most ackFlushMs late: each commit blocks the main thread for an fsync, so fewer is better.
     */
    ackBatch: z.number().int().min(1).default(128),
    ackFlushMs: z.number().int().min(0).default(200),
    /** A target's Date header this far from our clock raises the clock warning. */
    clockSkewWarnMs: z.number().int().min(1000).default(5 * 60_000),
  })
  .strict()
  .refine((c) => c.leaseMs > c.requestTimeoutMs, { message: 'leaseMs must be longer than requestTimeoutMs (a request must end before its lease)', path: ['leaseMs'] });
export type SenderConfig = z.infer<typeof SenderConfig>;

export const SyncConfig = z
  .object({
    version: z.literal(1),
    sender: SenderConfig.prefault({}),
    targets: z.array(TargetConfig),
  })
  .strict()
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.targets.forEach((t, i) => {
      if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: ['targets', i, 'id'], message: `duplicate target id ${t.id}` });
      seen.add(t.id);
    });
  });
export type SyncConfig = z.infer<typeof SyncConfig>;

export const SYNC_CONFIG_FILE = 'sync-targets.json';

export function syncConfigPath(dataDir: string): string {
  return path.join(dataDir, SYNC_CONFIG_FILE);
}

export type LoadedConfig = { ok: true; config: SyncConfig; file: string | null } | { ok: false; config: SyncConfig; file: string; problem: string };

const EMPTY: SyncConfig = { version: 1, sender: SenderConfig.parse({}), targets: [] };

/** Reads the targets file; no file = no targets (sync is off until a file is installed). */
export function loadSyncConfig(dataDir: string): LoadedConfig {
  const file = syncConfigPath(dataDir);
  if (!fs.existsSync(file)) return { ok: true, config: EMPTY, file: null };
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    return { ok: false, config: EMPTY, file, problem: `同步目标配置文件不是有效的 JSON：${(e as Error).message}` };
  }
  const parsed = SyncConfig.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues[0]!;
    return { ok: false, config: EMPTY, file, problem: `同步目标配置有误（${first.path.join('.')}）：${first.message}` };
  }
  const config = parsed.data;
  for (const t of config.targets) {
    if (t.kind !== 'http' || t.auth?.sealed === undefined) continue;
    try {
      t.auth.value = openSecret(storeKeyForSecret(dataDir, file), 'sync-target-token', t.id, t.auth.sealed).toString('utf8');
    } catch (e) {
      if (!(e instanceof SealedSecretError)) throw e;
      return { ok: false, config: EMPTY, file, problem: `同步目标“${t.name}”的认证令牌无法用本数据目录的密钥解开（配置文件来自另一数据目录，或已被改动），请重新填写该令牌` };
    }
    delete t.auth.sealed;
  }
  return { ok: true, config, file };
}

/** Each http target's token in `targets` (the file's JSON, as parsed) sealed under the store key; true if any was in clear. */
function sealTokens(dataDir: string, targets: unknown): boolean {
  let changed = false;
  if (!Array.isArray(targets)) return false;
  for (const t of targets as { kind?: unknown; id?: unknown; auth?: { value?: unknown; sealed?: unknown } }[]) {
    if (!t || t.kind !== 'http' || typeof t.id !== 'string' || !t.auth || typeof t.auth.value !== 'string') continue;
    t.auth.sealed = sealSecret(storeKeyForSecret(dataDir, syncConfigPath(dataDir)), 'sync-target-token', t.id, t.auth.value);
    delete t.auth.value;
    changed = true;
  }
  return changed;
}

/** Writes a config durably (the one primitive: bytes checked, file and folder flushed), its tokens sealed — used by the demo seed and tests. */
export function writeSyncConfig(dataDir: string, config: z.input<typeof SyncConfig>): void {
  const parsed = SyncConfig.parse(config);
  sealTokens(dataDir, parsed.targets);
  writeFileDurably(syncConfigPath(dataDir), JSON.stringify(parsed, null, 2) + '\n', { mode: 0o600 });
}

/**
 * Tokens written in clear into `sync-targets.json` (installed by hand, an older version's file)
 * sealed in place at start, the rest of the file as it was; false when there is nothing to seal (no
 * file, no clear token, or a file that does not parse — loadSyncConfig reports that one).
 */
export function sealSyncTokensInPlace(dataDir: string): boolean {
  const file = syncConfigPath(dataDir);
  if (!fs.existsSync(file)) return false;
  let raw: { targets?: unknown };
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8')) as { targets?: unknown };
  } catch {
    return false;
  }
  if (!raw || typeof raw !== 'object' || !sealTokens(dataDir, raw.targets)) return false;
  writeFileDurably(file, JSON.stringify(raw, null, 2) + '\n', { mode: 0o600 });
  return true;
}

/** The auth header value of an http target (from the file or the environment). */
export function authHeader(t: HttpTargetConfig): [string, string] | null {
  if (!t.auth) return null;
  const value = t.auth.valueEnv ? process.env[t.auth.valueEnv] : t.auth.value;
  return value ? [t.auth.header, value] : null;
}
