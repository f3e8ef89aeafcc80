/**
 * Field work through the hub (docs/hub.md, "Field work through the hub"): the supervisor publishes
 * a verification task of this desk to the hall; an assistant's laptop takes it (the hub holds the
 * lock: of two laptops taking at once exactly one wins, the other is told who holds it), fetches
 * the signed package, works offline, and sends the result back; the owning desk issues packages
 * and applies results, each once.
 */
import { z } from 'zod';
import { method } from '../method';
import { FieldWorkView } from './verification';

const Id = z.number().int().positive();
const TaskKey = z.string().min(3).max(120);
const Hall = ['assistant', 'supervisor'] as const;

/** Where a task taken at the hub stands on the laptop (the 全厅任务 list). */
export const HALL_TAKE_STATUS = {
  taken: '已领取·待下发',
  working: '可外勤',
  finished: '已完成·待回传',
  sent: '已回传',
  applied: '已应用',
  released: '已被所属窗口收回',
} as const;
export type HallTakeStatus = keyof typeof HALL_TAKE_STATUS;

export const HallOffer = z.object({
  taskKey: z.string(),
  caseNo: z.string(),
  certificate: z.string(),
  dueAt: z.string().nullable(),
  assignee: z.string().nullable(),
  window: z.string(),
  heldHere: z.boolean(),
});
export type HallOffer = z.infer<typeof HallOffer>;

export const HallTake = z.object({
  taskKey: z.string(),
  caseNo: z.string(),
  certificate: z.string(),
  dueAt: z.string().nullable(),
  window: z.string(),
  takenAt: z.string(),
  packageId: z.string().nullable(),
  status: z.enum(['taken', 'working', 'finished', 'sent', 'applied', 'released']),
  statusText: z.string(),
});
export type HallTake = z.infer<typeof HallTake>;

export const HallFieldStatus = z.object({ taskId: z.number().int(), status: z.enum(['offered', 'taken', 'applied', 'withdrawn']), text: z.string() });
export type HallFieldStatus = z.infer<typeof HallFieldStatus>;

export const hallFieldMethods = {
  /**
   * The laptop's 全厅任务: the tasks offered to the hall it may take now (asked of the hub; empty with
   * `online: false` and the reason when the hub cannot be reached) and the tasks it took, each with
   * where it stands (kept on the laptop, so shown offline too).
   */
  'field.hallTasks': method({
    access: Hall,
    input: z.object({}).strict(),
    output: z.object({ configured: z.boolean(), online: z.boolean(), message: z.string().nullable(), offers: z.array(HallOffer), mine: z.array(HallTake) }),
  }),
  /** On the owning desk: where each task stands at the hall (已发布到全厅 / 已由某某领取 / 结果已应用). */
  'verification.hallFieldStatus': method({ access: 'session', input: z.object({}).strict(), output: z.array(HallFieldStatus) }),
  /** The owning desk publishes one of its open tasks (with its assignee, if any) to the hall. */
  'verification.offerToHall': method({ access: ['supervisor'], input: z.object({ taskId: Id }).strict(), output: z.object({ taskKey: z.string() }) }),
  /** The owning desk issues packages for tasks taken at the hub and applies the results relayed to it. */
  'verification.syncHallField': method({
    access: ['supervisor'],
    input: z.object({}).strict(),
    output: z.object({
      issued: z.number().int(),
      applied: z.number().int(),
      duplicates: z.number().int(),
      refused: z.array(z.object({ ref: z.string(), message: z.string() })),
    }),
  }),
  /** The laptop takes a task at the hub for its signed-in assistant; the package, if already issued, is imported. */
  'field.takeFromHall': method({
    access: Hall,
    input: z.object({ taskKey: TaskKey }).strict(),
    output: z.object({ taskKey: z.string(), holder: z.string(), work: FieldWorkView.nullable(), message: z.string() }),
  }),
  /** The laptop fetches (and imports) the package of a task it holds. */
  'field.fetchFromHall': method({ access: Hall, input: z.object({ taskKey: TaskKey }).strict(), output: FieldWorkView }),
  /** The laptop seals its work and sends the result back through the hub (the same result, sent again, is a duplicate). */
  'field.sendToHall': method({
    access: Hall,
    input: z.object({ taskKey: TaskKey, packageId: z.string().max(64) }).strict(),
    output: z.object({ resultId: z.string(), duplicate: z.boolean(), fileName: z.string(), resultJson: z.string() }),
  }),
};
