import { CarriedHead } from '../audit/witnessed-heads';
import { z } from 'zod';
import { Consequence } from '../../../shared/ipc/methods/verification';

/**
 * The two files of field mode (外勤). They map onto a transfer bundle later
 * (docs/verification.md): the package is one signed record addressed to one
 * assistant; the result is one record with attachments, applied once by its id.
 */
export const PACKAGE_FORMAT = 'pfd-field-package';
export const RESULT_FORMAT = 'pfd-field-result';

export interface FieldPackageBody {
  format: typeof PACKAGE_FORMAT;
  version: 1;
  packageId: string;
  issuedAt: string;
  hall: { name: string; publicKey: string };
  assistant: { id: number; name: string };
  checkoutKey: string;
  /** The key the laptop makes for this package: SM2 when the hall's transfer suite is SM2 (field-device-key.ts). Absent in older packages: Ed25519. */
  deviceKeyAlg?: 'ed25519' | 'sm2-sm3';
  task: {
    id: number;
    caseNo: string;
    applicantName: string;
    idNumberMasked: string;
    /** The registered address (null: 地址未登记) and full phone; absent in packages issued before they were carried. */
    applicantAddress?: string | null;
    applicantPhone?: string;
    certificate: string;
    items: string[];
    department: string;
    method: string;
    dueAt: string | null;
    commitmentText: string;
    checklist: { key: string; text: string }[];
    needsSignature: boolean;
  };
}
export interface FieldPackage extends FieldPackageBody {
  signature: string;
}

export interface FieldWork {
  answers: Record<string, boolean>;
  notes: string;
  address: string;
  coords: { lat: number; lng: number; accuracy: number | null } | null;
  outcome: 'true' | 'false' | 'unable' | null;
  consequence: {
    legalBasis: string;
    reason: string;
    severity: '轻微' | '一般' | '严重';
    rectificationDeadline?: string;
    penalty?: string;
  } | null;
}

export interface FieldResultBody {
  format: typeof RESULT_FORMAT;
  version: 1;
  resultId: string;
  packageId: string;
  taskId: number;
  assistant: { id: number; name: string };
  finishedAt: string;
  work: FieldWork;
  evidence: { kind: 'photo' | 'signature'; sha256: string; takenAt: string; mime: string; base64: string }[];
  /** The laptop's latest signed audit head, for the hall desk to witness (services/audit/witnessed-heads.ts); absent before its first checkpoint or without a desk card. */
  auditHead?: FieldAuditHead;
}
export interface FieldResult extends FieldResultBody {
  /** The laptop's signature over the body with its registered key (field-device-key.ts). */
  laptopSignature?: string;
  /** HMAC under the checkout key over the body and the laptop's signature. */
  mac: string;
}

/**
 * The whole shape of a field result file, checked at the hall's boundary before anything in it is
 * used (a missing or non-string `mac`, a non-array `evidence`, a wrong type anywhere is BAD_INPUT
 * naming the place, never INTERNAL). Top-level keys beyond these are let through untouched (the MAC
 * covers them), so a later format addition does not need this schema first; the parts the hall
 * reads are exact. The work's own rules (a consequence's measures, its dates) are the contract's
 * and outcome.ts's, applied afterwards.
 */
const Str = (max: number) => z.string().max(max);
const Iso = Str(40).refine((s) => !Number.isNaN(Date.parse(s)), '不是有效的时间');
/** The laptop's signed audit head with the laptop's desk id (its desk card), carried in a field result. */
export const FieldAuditHead = CarriedHead.extend({ deskId: z.string().min(1).max(64) }).strict();
export type FieldAuditHead = z.infer<typeof FieldAuditHead>;

export const FieldResultShape = z
  .object({
    format: z.literal(RESULT_FORMAT),
    version: z.literal(1),
    resultId: Str(64).min(1),
    packageId: Str(64).min(1),
    taskId: z.number().int().positive(),
    assistant: z.object({ id: z.number().int().positive(), name: Str(100) }).strict(),
    finishedAt: Iso,
    work: z
      .object({
        answers: z.record(Str(100), z.boolean()),
        notes: Str(2000),
        address: Str(200),
        coords: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), accuracy: z.number().nullable() }).strict().nullable(),
        outcome: z.enum(['true', 'false', 'unable']).nullable(),
        consequence: Consequence.nullable(),
      })
      .strict(),
    evidence: z
      .array(
        z
          .object({
            kind: z.enum(['photo', 'signature']),
            sha256: z.string().regex(/^[0-9a-f]{64}$/),
            takenAt: Iso,
            mime: z.enum(['image/jpeg', 'image/png']),
            base64: z.string().max(Math.ceil((20 * 1024 * 1024 * 4) / 3)),
          })
          .strict(),
      )
      .max(100),
    laptopSignature: z.string().min(1).max(512).optional(),
    mac: z.string().regex(/^[0-9a-f]{64}$/),
    auditHead: FieldAuditHead.optional(),
  })
  .passthrough();
