/**
 * Verification after acceptance (事中事后核查): the supervisor's board, assignment,
 * outcomes with their consequences, department assistance (部门协查) tracking,
 * figures; and field mode (外勤) for assistants: a task taken for offline work
 * travels to the assistant's laptop as a signed field package and comes back
 * as a signed field result that applies once.
 */
import { z } from 'zod';
import { method, trimmed } from '../method';
import { VERIFICATION_SOURCES } from '../../rules/verification-consequences';

const Id = z.number().int().positive();
const Iso = z.string();
const Base64 = (maxMb: number) => z.string().max(Math.ceil((maxMb * 1024 * 1024 * 4) / 3)).regex(/^[A-Za-z0-9+/=]*$/, '文件内容格式不正确');

/** A 协查 reply recorded by hand (phone call, or letter with its scanned page): one shape for intake and the 协查 tab. */
export const AssistanceReplyInput = z
  .object({
    requestId: Id,
    outcome: z.enum(['confirmed', 'denied']),
    reply: trimmed(500),
    channel: z.enum(['phone', 'letter']),
    scanBase64: Base64(15).optional(),
  })
  .strict();
const Hall = ['assistant', 'supervisor'] as const;
const Worker = ['clerk', 'assistant', 'supervisor'] as const;

export const TASK_STATES = ['unassigned', 'assigned', 'in_field', 'escalated', 'passed', 'failed', 'exempt', 'cancelled'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TASK_STATE_LABELS: Record<TaskState, string> = {
  unassigned: '待分派',
  assigned: '已分派',
  in_field: '外勤中',
  escalated: '无法核实·已上报',
  passed: '核查属实',
  failed: '承诺不实',
  exempt: '免于核查/未抽中',
  cancelled: '已取消',
};

/** The board's states when none are chosen: everything but 免于核查/未抽中 and 已取消. */
export const BOARD_DEFAULT_STATES: readonly TaskState[] = TASK_STATES.filter((s) => s !== 'exempt' && s !== 'cancelled');
export const BOARD_MAX_PAGE_SIZE = 200;

export const SEVERITIES = ['轻微', '一般', '严重'] as const;

export const RectificationView = z.object({
  id: Id,
  taskId: Id,
  caseId: Id,
  caseNo: z.string(),
  applicantName: z.string(),
  certificate: z.string(),
  requirement: z.string(),
  workingDays: z.number().int(),
  orderedAt: Iso,
  dueAt: Iso,
  overdue: z.boolean(),
  closedAt: Iso.nullable(),
  closingNote: z.string().nullable(),
});
export type RectificationView = z.infer<typeof RectificationView>;

export const TaskView = z.object({
  id: Id,
  /** Why it was opened: 抽查 / 投诉举报 / 日常监管 / 双随机. */
  source: z.enum(VERIFICATION_SOURCES),
  sourceNote: z.string().nullable(),
  /** The case's items: which relied on this certificate (pre-checked in the outcome dialog), which still stand. */
  caseItems: z.array(z.object({ id: Id, name: z.string(), department: z.string(), status: z.enum(['active', 'terminated', 'revoked']), relied: z.boolean() })),
  /** The rectification ordered with the outcome, flagged when past due and still open. */
  rectification: RectificationView.nullable(),
  caseId: Id,
  caseNo: z.string(),
  caseStatus: z.string(),
  applicantName: z.string(),
  idNumberMasked: z.string(),
  certificate: z.string(),
  items: z.array(z.string()),
  department: z.string(),
  method: z.string(),
  dueAt: Iso.nullable(),
  overdue: z.boolean(),
  state: z.enum(TASK_STATES),
  stateText: z.string(),
  assignedTo: z.object({ id: Id, name: z.string() }).nullable(),
  checkedOutBy: z.object({ id: Id, name: z.string() }).nullable(),
  checkedOutAt: Iso.nullable(),
  sample: z.object({ seed: z.string(), ratio: z.number(), draw: z.number(), sampled: z.boolean() }).nullable(),
  outcome: z.enum(['true', 'false', 'unable']).nullable(),
  outcomeAt: Iso.nullable(),
  result: z.record(z.string(), z.unknown()),
  evidence: z.array(z.object({ position: z.number().int(), kind: z.enum(['photo', 'signature']), sha256: z.string(), takenAt: Iso })),
});
export type TaskView = z.infer<typeof TaskView>;

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD');

/** Proportionate measures (shared/rules/verification-consequences.ts); the severity then follows them. */
export const MeasuresInput = z
  .object({
    rectify: z.object({ requirement: trimmed(300), workingDays: z.number().int().min(1, '整改期限至少 1 个工作日').max(120, '整改期限不能超过 120 个工作日') }).strict().optional(),
    endItems: z.object({ serviceItemIds: z.array(Id).min(1, '请至少选择一个事项') }).strict().optional(),
    refer: z.object({ to: trimmed(100), on: Day }).strict().optional(),
  })
  .strict()
  .refine((m) => m.rectify || m.endItems || m.refer, { message: '请至少选择一项处理措施' });

export const Consequence = z
  .object({
    legalBasis: trimmed(300),
    reason: trimmed(500),
    /** Without measures (older field results): the severity chosen, and the whole case ends. With measures: ignored, the rule decides. */
    severity: z.enum(SEVERITIES).optional(),
    measures: MeasuresInput.optional(),
    rectificationDeadline: Day.optional(),
    penalty: trimmed(300).optional(),
  })
  .strict()
  .refine((c) => c.measures || c.severity, { message: '请选择处理措施或失信程度', path: ['measures'] });
export type Consequence = z.infer<typeof Consequence>;

export const OutcomeInput = z
  .object({
    taskId: Id,
    outcome: z.enum(['true', 'false', 'unable']),
    note: trimmed(1000),
    /** Required when the commitment was false. */
    consequence: Consequence.optional(),
  })
  .strict();

export const AssistanceView = z.object({
  id: Id,
  caseId: Id,
  caseNo: z.string(),
  applicantName: z.string(),
  certificate: z.string(),
  department: z.string(),
  mode: z.string(),
  createdAt: Iso,
  dueAt: Iso,
  status: z.enum(['open', 'replied', 'cancelled']),
  overdue: z.boolean(),
  /** Replied after the due date. */
  late: z.boolean(),
  reply: z.string().nullable(),
  outcome: z.string().nullable(),
  channel: z.string().nullable(),
  repliedAt: Iso.nullable(),
  scanSha256: z.string().nullable(),
});
export type AssistanceView = z.infer<typeof AssistanceView>;

const FigureRow = z.object({ key: z.string(), due: z.number().int(), done: z.number().int(), overdue: z.number().int(), falseCount: z.number().int(), falseShare: z.number() });
export type FigureRow = z.infer<typeof FigureRow>;

export const FieldWorkView = z.object({
  packageId: z.string(),
  taskId: Id,
  state: z.enum(['working', 'finished']),
  caseNo: z.string(),
  applicantName: z.string(),
  idNumberMasked: z.string(),
  /** Where to go: the applicant's registered address; null shows 地址未登记. */
  applicantAddress: z.string().nullable(),
  /** Whom to call: the full phone (its checkout into the package is audited). */
  applicantPhone: z.string().nullable(),
  certificate: z.string(),
  items: z.array(z.string()),
  method: z.string(),
  dueAt: Iso.nullable(),
  commitmentText: z.string(),
  checklist: z.array(z.object({ key: z.string(), text: z.string() })),
  needsSignature: z.boolean(),
  work: z.object({
    answers: z.record(z.string(), z.boolean()),
    notes: z.string(),
    address: z.string(),
    coords: z.object({ lat: z.number(), lng: z.number(), accuracy: z.number().nullable() }).nullable(),
    outcome: z.enum(['true', 'false', 'unable']).nullable(),
    consequence: Consequence.nullable(),
  }),
  photos: z.array(z.object({ position: z.number().int(), kind: z.enum(['photo', 'signature']), sha256: z.string(), takenAt: Iso })),
  resultId: z.string().nullable(),
});
export type FieldWorkView = z.infer<typeof FieldWorkView>;

export const verificationMethods = {
  /**
   * One page of the board, filtered and counted in SQL: tasks in the chosen states (default: all
   * but 免于核查 and 已取消), overdue first, then by due date; `counts` per state and `overdue` under
   * the same other filters (mine, overdueOnly, query) — what each tab would list; the assistants a
   * supervisor may assign to.
   */
  'verification.board': method({
    access: 'session',
    input: z
      .object({
        states: z.array(z.enum(TASK_STATES)).max(TASK_STATES.length).optional(),
        mine: z.boolean().optional(),
        overdueOnly: z.boolean().optional(),
        /** A case number (or its start) or the applicant's name or ID number digits, as in the case list. */
        query: z.string().trim().max(50).optional(),
        page: z.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.number().int().min(1).max(BOARD_MAX_PAGE_SIZE).default(50),
      })
      .strict(),
    output: z.object({
      tasks: z.array(TaskView),
      /** Tasks matching every filter, over all pages. */
      total: z.number().int(),
      /** The page answered (the last one when the asked page is past the end). */
      page: z.number().int(),
      pageSize: z.number().int(),
      counts: z.record(z.string(), z.number().int()),
      overdue: z.number().int(),
      assistants: z.array(z.object({ id: Id, name: z.string() })),
      now: Iso,
    }),
  }),
  'verification.get': method({ access: 'session', input: z.object({ taskId: Id }).strict(), output: TaskView }),
  'verification.assign': method({ access: ['supervisor'], input: z.object({ taskId: Id, userId: Id }).strict(), output: TaskView }),
  /** Takes the task for offline work: locks it to the caller and returns the signed field package. */
  'verification.checkout': method({
    access: Hall,
    input: z.object({ taskId: Id }).strict(),
    output: z.object({ task: TaskView, fileName: z.string(), packageJson: z.string() }),
  }),
  /** A supervisor takes the lock back (the laptop was lost); the old package's result is then refused. */
  'verification.release': method({ access: ['supervisor'], input: z.object({ taskId: Id, reason: trimmed(200) }).strict(), output: TaskView }),
  'verification.recordOutcome': method({ access: Hall, input: OutcomeInput, output: TaskView }),
  /** A verification opened at any time on any commitment (投诉举报 / 日常监管), with the reason. */
  'verification.open': method({
    access: ['supervisor'],
    input: z.object({ commitmentId: Id, source: z.enum(['complaint', 'routine']), note: trimmed(500) }).strict(),
    output: TaskView,
  }),
  /** Commitments a verification may be opened on (search by case number or applicant). */
  'verification.commitments': method({
    access: ['supervisor'],
    input: z.object({ query: z.string().trim().max(50).optional() }).strict(),
    output: z.array(z.object({ commitmentId: Id, caseNo: z.string(), applicantName: z.string(), certificate: z.string(), signedAt: Iso, openTask: z.boolean() })),
  }),
  /** 双随机: a seeded draw over exempt commitments; the same seed over the same pool picks the same. */
  'verification.randomDraw': method({
    access: ['supervisor'],
    input: z.object({ ratio: z.number().gt(0).max(1), seed: z.string().regex(/^[0-9a-f]{8,64}$/, '种子应为 8–64 位十六进制').optional() }).strict(),
    output: z.object({ drawId: Id, seed: z.string(), ratio: z.number(), pool: z.array(Id), picked: z.array(Id), taskIds: z.array(Id) }),
  }),
  /** 责令限期整改: open first, overdue flagged. */
  'verification.rectifications': method({
    access: 'session',
    input: z.object({ openOnly: z.boolean().optional() }).strict(),
    output: z.array(RectificationView),
  }),
  'verification.closeRectification': method({ access: Hall, input: z.object({ id: Id, note: trimmed(500) }).strict(), output: RectificationView }),
  /** A field result from an assistant's laptop; applied once per result id. */
  'verification.applyFieldResult': method({
    access: Hall,
    input: z.object({ resultJson: z.string().min(2).max(40 * 1024 * 1024) }).strict(),
    output: z.object({ applied: z.boolean(), task: TaskView, message: z.string() }),
  }),
  /** Registers the field laptop's key for a task's package (the file the laptop exported at import). */
  'verification.registerFieldKey': method({
    access: Hall,
    input: z.object({ registrationJson: z.string().min(2).max(64 * 1024) }).strict(),
    output: z.object({ registered: z.boolean(), task: TaskView, message: z.string() }),
  }),
  'verification.evidence': method({ access: 'session', input: z.object({ taskId: Id, position: z.number().int().min(0) }).strict(), output: z.object({ mime: z.string(), base64: z.string() }) }),
  'verification.figures': method({
    access: 'session',
    input: z.object({}).strict(),
    output: z.object({ byItem: z.array(FigureRow), byDepartment: z.array(FigureRow), total: FigureRow }),
  }),

  'assistance.list': method({ access: 'session', input: z.object({ openOnly: z.boolean().optional() }).strict(), output: z.array(AssistanceView) }),
  /** The issuing department's reply recorded by hand (phone call or letter, with the scanned page). */
  'assistance.recordReply': method({
    access: Worker,
    input: AssistanceReplyInput,
    output: AssistanceView,
  }),
  'assistance.scan': method({ access: 'session', input: z.object({ requestId: Id }).strict(), output: z.object({ mime: z.string(), base64: z.string() }) }),

  /** 代办: what was handed over, to whom, when. */
  'handover.record': method({
    access: Worker,
    input: z.object({ caseId: Id, items: z.array(trimmed(100)).min(1, '请填写移交的材料').max(30), handedTo: trimmed(50), note: z.string().max(300).optional() }).strict(),
    output: z.object({ id: Id }),
  }),
  /** Handovers and progress notices of a case; a new notice is composed from the case as it is now. */
  'handover.log': method({
    access: 'session',
    input: z.object({ caseId: Id }).strict(),
    output: z.object({
      handovers: z.array(z.object({ id: Id, items: z.array(z.string()), handedTo: z.string(), handedAt: Iso, note: z.string(), by: z.string() })),
      notices: z.array(z.object({ id: Id, text: z.string(), createdAt: Iso, by: z.string() })),
    }),
  }),
  'handover.notifyProgress': method({ access: Worker, input: z.object({ caseId: Id }).strict(), output: z.object({ id: Id, text: z.string() }) }),

  /** On the assistant's laptop: accept a field package (hall key pinned at the first one). */
  'field.import': method({ access: Hall, input: z.object({ packageJson: z.string().min(2).max(5 * 1024 * 1024) }).strict(), output: FieldWorkView }),
  'field.list': method({ access: Hall, input: z.object({}).strict(), output: z.array(FieldWorkView) }),
  'field.save': method({
    access: Hall,
    input: z
      .object({
        packageId: z.string().max(64),
        answers: z.record(z.string(), z.boolean()),
        notes: z.string().max(2000),
        address: z.string().max(200),
        coords: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180), accuracy: z.number().nullable() }).nullable(),
        outcome: z.enum(['true', 'false', 'unable']).nullable(),
        consequence: Consequence.nullable(),
      })
      .strict(),
    output: FieldWorkView,
  }),
  'field.addPhoto': method({
    access: Hall,
    input: z.object({ packageId: z.string().max(64), kind: z.enum(['photo', 'signature']), base64: Base64(15).min(100, '图像为空'), takenAt: Iso }).strict(),
    output: FieldWorkView,
  }),
  'field.photo': method({ access: Hall, input: z.object({ packageId: z.string().max(64), position: z.number().int().min(0) }).strict(), output: z.object({ mime: z.string(), base64: z.string() }) }),
  /** The laptop's key registration for a package, as a file for the hall (field-device-key.ts). */
  'field.keyRegistration': method({ access: Hall, input: z.object({ packageId: z.string().max(64) }).strict(), output: z.object({ fileName: z.string(), registrationJson: z.string() }) }),
  /** Seals the work into a signed field result (the same result each time it is asked for). */
  'field.finish': method({ access: Hall, input: z.object({ packageId: z.string().max(64) }).strict(), output: z.object({ fileName: z.string(), resultJson: z.string(), work: FieldWorkView }) }),
} as const;
