/**
 * The hub's witness of every desk's audit log (docs/audit-checkpoints.md, "Witnessed by the hub"):
 * the supervisor lists every desk of the hall with what the hub witnessed of its audit log, and
 * verifies one desk's chain at the hub end to end against its signed checkpoints (审计见证 on 全厅中心).
 */
import { z } from 'zod';
import { method } from '../method';

const Iso = z.string();
const CheckpointRef = z.object({ seq: z.number().int(), signedAt: Iso }).nullable();

export const WitnessDeskView = z.object({
  deskId: z.string(),
  name: z.string(),
  removed: z.boolean(),
  /** Entries of the desk's current store epoch the hub holds. */
  entries: z.number().int(),
  lastSeq: z.number().int().nullable(),
  /** The latest signed head checkpoint the hub holds (seq, when the desk signed it). */
  lastCheckpoint: CheckpointRef,
  /** When the desk last sent entries or checkpoints. */
  lastSentAt: Iso.nullable(),
  /** Disagreements the hub recorded for the desk. */
  findings: z.number().int(),
  self: z.boolean(),
});
export type WitnessDeskView = z.infer<typeof WitnessDeskView>;

export const WITNESS_VERDICTS = ['consistent', 'tampered', 'bad_signature', 'missing'] as const;

export const WitnessVerdictView = z.object({
  deskId: z.string(),
  name: z.string(),
  verdict: z.enum(WITNESS_VERDICTS),
  /** In Chinese: 一致… / 发现篡改：第 N 条起与全厅中心见证的记录不一致… / 签名无效… / 缺少… */
  message: z.string(),
  firstSeq: z.number().int().nullable(),
  entries: z.number().int(),
  checkpoints: z.number().int(),
  lastCheckpoint: CheckpointRef,
  lastSentAt: Iso.nullable(),
  /** When the hub first found the disagreement reported. */
  foundAt: Iso.nullable(),
  verifiedAt: Iso,
});
export type WitnessVerdictView = z.infer<typeof WitnessVerdictView>;

export const auditWitnessMethods = {
  /** Every desk of the hall with what the hub witnessed of its audit log. */
  'hub.audit.desks': method({
    access: ['supervisor'],
    passive: true,
    input: z.object({}).strict(),
    output: z.object({ hubName: z.string(), desks: z.array(WitnessDeskView) }),
  }),
  /** 核验: the desk's chain verified at the hub against its signed checkpoints; audited here and at the hub. */
  'hub.audit.verify': method({
    access: ['supervisor'],
    input: z.object({ deskId: z.string().trim().min(1).max(64) }).strict(),
    output: WitnessVerdictView,
  }),
} as const;
