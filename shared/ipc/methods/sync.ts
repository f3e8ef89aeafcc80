/**
 * Sync to the departmental vertical systems (国垂/省垂) and the data-sharing
 * platform through the durable outbox (electron/services/sync).
 *
 * Accepting a case writes one outbox entry per target system in the same
 * transaction; the sender pushes them when a target is reachable. Targets
 * with no interface at all use the manual re-entry connector: the clerk sees
 * the fields that system's screen needs, in its order, types them in, and
 * records the number the target gave.
 */
import { z } from 'zod';
import { method, Ok, trimmed } from '../method';

export const OUTBOX_STATES = ['pending', 'in_flight', 'retry_wait', 'parked', 'unknown', 'acknowledged', 'superseded'] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];
export const OUTBOX_STATE_LABELS: Record<OutboxState, string> = {
  pending: '待发送',
  in_flight: '发送中',
  retry_wait: '等待重试',
  parked: '已退回',
  unknown: '结果未知',
  acknowledged: '已送达',
  superseded: '已被新版本取代',
};

export const CONNECTOR_KINDS = ['http', 'manual', 'data_sharing', 'hub'] as const;
export type ConnectorKind = (typeof CONNECTOR_KINDS)[number];
export const CONNECTOR_KIND_LABELS: Record<ConnectorKind, string> = { http: '接口推送', manual: '人工补录', data_sharing: '数据共享', hub: '全厅中心' };

const Id = z.number().int().positive();
const Iso = z.string();

export const SyncTargetStatus = z.object({
  id: z.string(),
  name: z.string(),
  kind: z.enum(CONNECTOR_KINDS),
  /** null for manual targets (nothing to probe) or before the first probe. */
  reachable: z.boolean().nullable(),
  lastProbeAt: Iso.nullable(),
  /** Entries not yet acknowledged (pending, in flight, retry, unknown; parked counted apart). */
  queueLength: z.number().int(),
  parked: z.number().int(),
  unknown: z.number().int(),
  /** Created-at of the oldest entry still waiting, or null. */
  oldestWaitingAt: Iso.nullable(),
  lastError: z.string().nullable(),
});
export type SyncTargetStatus = z.infer<typeof SyncTargetStatus>;

export const OutboxEntryView = z.object({
  id: Id,
  caseId: Id,
  caseNo: z.string(),
  applicantName: z.string(),
  targetId: z.string(),
  targetName: z.string(),
  revision: z.number().int(),
  idempotencyKey: z.string(),
  state: z.enum(OUTBOX_STATES),
  attempts: z.number().int(),
  nextAttemptAt: Iso.nullable(),
  lastError: z.string().nullable(),
  /** The target's reason when it refused the entry (parked). */
  parkedReason: z.string().nullable(),
  /** The number the target gave the case, once acknowledged. */
  targetCaseNo: z.string().nullable(),
  createdAt: Iso,
  acknowledgedAt: Iso.nullable(),
  /** The status change this revision tells the target of (终止办理, 撤销决定); null for the case as accepted. */
  statusChange: z.string().nullable(),
  /**
   * The origin desk's case number when this entry was carried here from the peer desk (its case a
   * mirror): a refusal of it is corrected and re-sent there, not here (docs/transfer.md).
   */
  originCaseNo: z.string().nullable(),
  /** Files still to upload for this entry: bytes sent of total. */
  files: z.array(z.object({ sha256: z.string(), name: z.string(), size: z.number().int(), sentBytes: z.number().int() })),
});
export type OutboxEntryView = z.infer<typeof OutboxEntryView>;

/** One field of a manual target's screen, in that screen's order. */
export const ManualField = z.object({ label: z.string(), value: z.string(), hint: z.string().optional() });

/**
 * A revision telling a manual target of a status change: what the clerk must do by hand in that
 * system (终止办理 or 撤销决定 of the case entered there, or enter it with its new status), and the
 * facts to type, copy-ready.
 */
export const ManualChange = z.object({
  /** 终止办理 / 撤销决定. */
  action: z.string(),
  /** The case's new status: 终止 / 撤销. */
  statusLabel: z.string(),
  /** The number the target gave the case when it was entered there; null if it never was. */
  enteredAs: z.string().nullable(),
  enteredAt: Iso.nullable(),
  instruction: z.string(),
  fields: z.array(ManualField),
});
export type ManualChange = z.infer<typeof ManualChange>;

export const syncMethods = {
  /** Per target: reachability, queue length, oldest waiting entry, parked count. Background polling. */
  'sync.status': method({
    access: 'session',
    passive: true,
    input: z.object({}).strict(),
    output: z.object({
      targets: z.array(SyncTargetStatus),
      /** Set when this machine's clock looks wrong (behind the last time seen, or far from a target's Date header). */
      clockWarning: z.string().nullable(),
      /** Set when <dataDir>/sync-targets.json was refused (the desk then runs without its vertical targets). */
      configProblem: z.string().nullable().optional(),
      now: Iso,
    }),
  }),
  /** Entries, filtered; newest first. */
  'sync.entries': method({
    access: 'session',
    passive: true,
    input: z
      .object({
        targetId: z.string().optional(),
        caseId: Id.optional(),
        states: z.array(z.enum(OUTBOX_STATES)).optional(),
        limit: z.number().int().min(1).max(500).default(100),
      })
      .strict(),
    output: z.object({ entries: z.array(OutboxEntryView), total: z.number().int() }),
  }),
  /** Asks for a probe and a send round now (e.g. after the clerk plugged the network back). */
  'sync.kick': method({ access: 'session', input: z.object({ targetId: z.string().optional() }).strict(), output: Ok }),
  /**
   * A parked entry after the clerk fixed the case: creates a new revision with a new idempotency
   * key from the case as it is now; the parked one becomes superseded.
   */
  'sync.resend': method({
    access: ['clerk', 'supervisor'],
    input: z.object({ entryId: Id, note: trimmed(200).optional() }).strict(),
    output: z.object({ entry: OutboxEntryView }),
  }),
  /** An unknown entry the clerk checked on the target's own screen. */
  'sync.resolveUnknown': method({
    access: ['clerk', 'supervisor'],
    input: z.object({ entryId: Id, outcome: z.enum(['arrived', 'not_arrived']), targetCaseNo: trimmed(64).optional() }).strict(),
    output: z.object({ entry: OutboxEntryView }),
  }),
  /**
   * Manual re-entry: the copy-ready fields of one entry, in the target screen's order; for a
   * revision that tells of a status change, also what to do about it in that system.
   */
  'sync.manual.view': method({
    access: ['clerk', 'supervisor'],
    input: z.object({ entryId: Id }).strict(),
    output: z.object({ entry: OutboxEntryView, screen: z.string(), fields: z.array(ManualField), change: ManualChange.nullable() }),
  }),
  /**
   * Manual re-entry: the clerk entered the case (or its status change) in the target's system and
   * records its number. One case's revisions are entered in order.
   */
  'sync.manual.markEntered': method({
    access: ['clerk', 'supervisor'],
    input: z.object({ entryId: Id, targetCaseNo: trimmed(64) }).strict(),
    output: z.object({ entry: OutboxEntryView }),
  }),
} as const;
