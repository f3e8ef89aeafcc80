/**
 * The one IPC contract. Every method the renderer may call is declared here
 * once (or in shared/ipc/methods/<feature>.ts, joined below), with zod
 * schemas for its input and output. The renderer's client and the main
 * side's handler map are both typed from this object, and the main side
 * validates every input against it before any handler runs.
 */
import { z } from 'zod';
import { ROLES, ROLES_THAT_MAY_REVEAL_ID } from '../domain/roles';
import { CERTIFICATE_METHODS } from '../domain/catalog';
import { passwordProblem } from '../rules/password';
import { Empty, method, Ok, trimmed, type MethodSpec } from './method';
import { catalogIoMethods } from './methods/catalog-io';
import { intakeMethods } from './methods/intake';
import { scansMethods } from './methods/scans';
import { syncMethods } from './methods/sync';
import { cameraMethods } from './methods/camera';
import { verificationMethods } from './methods/verification';
import { transferMethods } from './methods/transfer';
import { storeMethods } from './methods/store';
import { calendarMethods } from './methods/calendar';
import { hallRecordsMethods } from './methods/hall-records';
import { hallFieldMethods } from './methods/hall-field';
import { hubMethods } from './methods/hub';
import { hallCasesMethods } from './methods/hall-cases';
import { homeMethods } from './methods/home';
import { hallAssistanceMethods } from './methods/hall-assistance';
import { hallTasksMethods } from './methods/hall-tasks';
import { auditWitnessMethods } from './methods/audit-witness';
import { applicantsMethods, ApplicantInput, ApplicantView } from './methods/applicants';

export { method, type Access, type MethodSpec } from './method';

const RoleSchema = z.enum(ROLES);

// ---------- shared shapes ----------
export const UserView = z.object({
  id: z.number().int(),
  username: z.string(),
  displayName: z.string(),
  role: RoleSchema,
});
export type UserView = z.infer<typeof UserView>;

export const SessionInfo = z.object({
  token: z.string(),
  user: UserView,
  idleLockMs: z.number().int().positive(),
  /** True: a demo user on a production desk, who must change the password before anything else. */
  mustChangePassword: z.boolean().optional(),
});
export type SessionInfo = z.infer<typeof SessionInfo>;

export const HallInfo = z.object({ code: z.string(), name: z.string(), region: z.string() });

export const StoreProblem = z.object({
  kind: z.enum(['corrupt', 'unreadable', 'newer_version', 'migration_changed', 'migration_gap', 'not_desk_db', 'empty', 'missing']),
  message: z.string(),
  detail: z.string(),
  dbPath: z.string(),
  backups: z.array(z.string()),
});
export type StoreProblem = z.infer<typeof StoreProblem>;

export const SystemStatus = z.object({
  state: z.enum(['ready', 'recovery']),
  appVersion: z.string(),
  schemaVersion: z.number().int().nullable(),
  hall: HallInfo.nullable(),
  problem: StoreProblem.nullable(),
  /** True on a production start with no users yet: the first supervisor must be created. */
  needsSetup: z.boolean(),
  serverTime: z.string(),
});
export type SystemStatus = z.infer<typeof SystemStatus>;

export { ID_TYPES, ID_TYPE_LABELS, type IdType, ApplicantInput, ApplicantView, SIGNER_ROLES, SIGNER_ROLE_LABELS, type SignerRole, CreditBlockView } from './methods/applicants';

export const CertificateItemView = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  issuer: z.string(),
  legalBasis: z.string(),
  method: z.enum(CERTIFICATE_METHODS),
  methodNote: z.string(),
  /** 适用情形: needed only when the question has this answer (是 = true); null = always. */
  circumstance: z.object({ code: z.string(), question: z.string(), defaultAnswer: z.boolean(), appliesWhen: z.boolean(), position: z.number().int() }).nullable(),
  /** 证明对象 (申请人本人, 子女 …); 有效期 in months (null = 长期). */
  subject: z.string(),
  validityMonths: z.number().int().nullable(),
});
export type CertificateItemView = z.infer<typeof CertificateItemView>;

export const ServiceItemView = z.object({
  id: z.number().int(),
  code: z.string(),
  name: z.string(),
  department: z.string(),
  kind: z.string(),
  timeLimitDays: z.number().int(),
  bundles: z.array(z.string()),
  certificates: z.array(CertificateItemView),
  /** Certificates handling this item produces (由本件产生 for later items of the case). */
  produces: z.array(z.object({ id: z.number().int(), name: z.string() })),
  riskClass: z.string(),
});
export type ServiceItemView = z.infer<typeof ServiceItemView>;

export const AuditEntryView = z.object({
  seq: z.number().int(),
  at: z.string(),
  actor: z.string(),
  action: z.string(),
  entityType: z.string().nullable(),
  entityId: z.string().nullable(),
  detail: z.string(),
  hash: z.string(),
  /** The person behind `actor` (a user's display name), when the entry names a user. */
  actorName: z.string().nullable(),
  /** What the entity is to a person: a case's number, a user's name. */
  entityLabel: z.string().nullable(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditVerifyResult = z.object({
  ok: z.boolean(),
  checked: z.number().int(),
  /** `by`: found walking the chain, or by comparing it with the signed checkpoints (then `seq` 0: not one entry). */
  firstBroken: z.object({ seq: z.number().int(), reason: z.string(), by: z.enum(['chain', 'checkpoint']).optional() }).nullable(),
  /**
   * The signed checkpoints of the chain's head kept outside the database (electron/services/audit/checkpoints.ts):
   * how many of the store's epoch were compared, and the latest. A store from before checkpoints has none.
   */
  checkpoints: z.object({ compared: z.number().int(), latestSeq: z.number().int().nullable(), latestSignedAt: z.string().nullable() }),
  /**
   * Entries whose time is earlier than their predecessor's (the clock was set back): a warning, not
   * a broken chain — the times are as written, the hashes hold. The first 100 are listed; `count` is all of them.
   */
  backwardTimes: z.object({
    count: z.number().int(),
    entries: z.array(z.object({ seq: z.number().int(), at: z.string(), previousAt: z.string() })),
  }),
});
export type AuditVerifyResult = z.infer<typeof AuditVerifyResult>;

/** A new password must not contain the user name it is for (the rest of the policy is NewPassword's). */
function refuseUsernameInPassword(v: { username: string; password: string }, ctx: z.RefinementCtx): void {
  if (passwordProblem(v.password)) return; // already reported by NewPassword
  const p = passwordProblem(v.password, v.username);
  if (p) ctx.addIssue({ code: 'custom', path: ['password'], message: p });
}

const NewPassword = z.string().superRefine((v, ctx) => {
  const p = passwordProblem(v);
  if (p) ctx.addIssue({ code: 'custom', message: p });
});

// ---------- the methods ----------
const foundationMethods = {
  'system.status': method({ access: 'public', passive: true, input: Empty, output: SystemStatus }),

  'setup.initialize': method({
    access: 'public',
    input: z
      .object({
        hall: z.object({ code: trimmed(32), name: trimmed(64), region: trimmed(64) }).strict(),
        admin: z
          .object({
            username: z.string().trim().regex(/^[a-z][a-z0-9_.-]{2,31}$/, '用户名须以小写字母开头，3-32位小写字母、数字或 _ . -'),
            displayName: trimmed(32),
            password: NewPassword,
          })
          .strict()
          .superRefine(refuseUsernameInPassword),
      })
      .strict(),
    output: SessionInfo,
  }),

  'auth.signIn': method({
    access: 'public',
    input: z.object({ username: trimmed(64), password: z.string().min(1).max(128) }).strict(),
    output: SessionInfo,
  }),
  'auth.signOut': method({ access: 'session', allowWhenLocked: true, allowBeforePasswordChange: true, input: Empty, output: Ok }),
  'auth.lock': method({ access: 'session', allowWhenLocked: true, allowBeforePasswordChange: true, input: Empty, output: Ok }),
  'auth.unlock': method({
    access: 'session',
    allowWhenLocked: true,
    allowBeforePasswordChange: true,
    input: z.object({ password: z.string().min(1).max(128) }).strict(),
    output: SessionInfo,
  }),
  'auth.changePassword': method({
    access: 'session',
    allowBeforePasswordChange: true,
    input: z.object({ oldPassword: z.string().min(1).max(128), newPassword: NewPassword }).strict(),
    output: Ok,
  }),

  'home.summary': method({
    access: 'session',
    passive: true,
    input: Empty,
    output: z.object({
      hall: HallInfo,
      user: UserView,
      /** The desk's clock (ISO instant): the page greets and dates by it, in China time, not by the browser's. */
      now: z.string(),
      counts: z.object({
        serviceItems: z.number().int(),
        certificateItems: z.number().int(),
        applicants: z.number().int(),
        auditToday: z.number().int(),
      }),
      certificatesByMethod: z.array(z.object({ method: z.enum(CERTIFICATE_METHODS), count: z.number().int() })),
      sync: z.object({ targetsConfigured: z.number().int(), pending: z.number().int() }),
    }),
  }),

  'catalog.listServiceItems': method({
    access: 'session',
    input: z.object({ query: z.string().trim().max(50).optional() }).strict(),
    output: z.array(ServiceItemView),
  }),
  'catalog.listCertificateItems': method({
    access: 'session',
    input: z
      .object({ query: z.string().trim().max(50).optional(), method: z.enum(CERTIFICATE_METHODS).optional() })
      .strict(),
    output: z.array(CertificateItemView),
  }),

  'applicants.create': method({
    access: ['clerk', 'assistant', 'supervisor'],
    input: ApplicantInput,
    output: ApplicantView,
  }),
  'applicants.findSimilar': method({
    access: 'session',
    input: z.object({ name: z.string().trim().max(100), idNumber: z.string().trim().toUpperCase().max(18), phone: z.string().trim().max(20) }).strict(),
    output: z.array(z.object({ applicant: ApplicantView, reason: z.string() })),
  }),
  'devices.readIdCard': method({
    access: ['clerk', 'assistant', 'supervisor'],
    input: Empty,
    output: z.discriminatedUnion('status', [
      z.object({ status: z.literal('no_device'), message: z.string() }),
      z.object({ status: z.literal('no_card'), message: z.string() }),
      z.object({
        status: z.literal('card'),
        card: z.object({
          name: z.string(),
          idNumber: z.string(),
          gender: z.string(),
          nation: z.string(),
          birthDate: z.string(),
          address: z.string(),
          issuer: z.string(),
          validFrom: z.string(),
          validUntil: z.string(),
        }),
        /** Read by the simulated reader (development, demo): the page says so, never passing it off as a real card. */
        simulated: z.boolean().optional(),
      }),
    ]),
  }),
  'applicants.list': method({
    access: 'session',
    input: z.object({ query: z.string().trim().max(50).optional(), limit: z.number().int().min(1).max(200).default(50) }).strict(),
    output: z.array(ApplicantView),
  }),
  'applicants.revealId': method({
    access: ROLES_THAT_MAY_REVEAL_ID,
    input: z.object({ id: z.number().int().positive(), reason: trimmed(100) }).strict(),
    output: z.object({ idNumber: z.string() }),
  }),

  'users.list': method({ access: ['supervisor'], input: Empty, output: z.array(UserView.extend({ active: z.boolean(), lockedUntil: z.string().nullable(), failedAttempts: z.number().int() })) }),
  'users.create': method({
    access: ['supervisor'],
    input: z
      .object({
        username: z.string().trim().regex(/^[a-z][a-z0-9_.-]{2,31}$/, '用户名须以小写字母开头，3-32位小写字母、数字或 _ . -'),
        displayName: trimmed(32),
        role: RoleSchema,
        password: NewPassword,
      })
      .strict()
      .superRefine(refuseUsernameInPassword),
    output: UserView,
  }),
  'users.unlock': method({ access: ['supervisor'], input: z.object({ id: z.number().int().positive() }).strict(), output: Ok }),
  'users.resetPassword': method({
    access: ['supervisor'],
    input: z.object({ id: z.number().int().positive(), password: NewPassword }).strict(),
    output: Ok,
  }),
  'users.setActive': method({
    access: ['supervisor'],
    input: z.object({ id: z.number().int().positive(), active: z.boolean() }).strict(),
    output: Ok,
  }),

  'audit.list': method({
    access: ['supervisor'],
    input: z
      .object({
        beforeSeq: z.number().int().positive().optional(),
        limit: z.number().int().min(1).max(500).default(100),
        /** Filters: by person, by action (a whole key or its prefix, e.g. `case.`), by case number, by day range. */
        actorId: z.number().int().positive().optional(),
        action: z.string().trim().min(1).max(64).optional(),
        caseNo: z.string().trim().min(1).max(40).optional(),
        fromDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
        toDay: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
      })
      .strict(),
    output: z.array(AuditEntryView),
  }),
  'audit.verify': method({ access: ['supervisor'], input: Empty, output: AuditVerifyResult }),
} as const satisfies Record<string, MethodSpec>;

export const contract = {
  ...foundationMethods,
  ...catalogIoMethods,
  ...intakeMethods,
  ...scansMethods,
  ...syncMethods,
  ...cameraMethods,
  ...verificationMethods,
  ...transferMethods,
  ...storeMethods,
  ...hallRecordsMethods,
  ...hallFieldMethods,
  ...calendarMethods,
  ...hubMethods,
  ...hallCasesMethods,
  ...homeMethods,
  ...hallAssistanceMethods,
  ...hallTasksMethods,
  ...auditWitnessMethods,
  ...applicantsMethods,
} as const satisfies Record<string, MethodSpec>;

export type Contract = typeof contract;
export type MethodName = keyof Contract;
export type MethodInput<M extends MethodName> = z.input<Contract[M]['input']>;
export type ParsedInput<M extends MethodName> = z.output<Contract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<Contract[M]['output']>;

export function isMethodName(name: string): name is MethodName {
  return Object.prototype.hasOwnProperty.call(contract, name);
}
