/**
 * Verification tasks across the hall (docs/hub.md, "Verification tasks across the hall"): the
 * supervisor's board over every window's tasks (this desk's from its own tables, the others' as
 * last pulled from the hub), and the assignment of any window's task to any assistant of the hall —
 * applied at once for this desk's task, otherwise sent to the owning desk, which applies or refuses
 * it and whose answer comes back.
 */
import { z } from 'zod';
import { method } from '../method';
import { TASK_STATES } from './verification';
import { HallCopyView } from './applicants';

export const HallAssignmentView = z.object({
  requestId: z.string(),
  assigneeName: z.string(),
  byName: z.string(),
  fromWindow: z.string().nullable(),
  state: z.enum(['requested', 'applied', 'refused']),
  /** The owning desk's refusal, in Chinese. */
  message: z.string().nullable(),
  requestedAt: z.string(),
  decidedAt: z.string().nullable(),
});
export type HallAssignmentView = z.infer<typeof HallAssignmentView>;

export const HallTaskView = z.object({
  /** `<desk>:<task id>`. */
  taskKey: z.string(),
  deskId: z.string(),
  /** 所属窗口: the owning desk's name. */
  window: z.string(),
  /** A task of this desk (its full view is on 本窗口). */
  own: z.boolean(),
  taskId: z.number().int(),
  caseNo: z.string(),
  /** Masked (王*). */
  applicantName: z.string(),
  certificate: z.string(),
  source: z.string(),
  state: z.enum(TASK_STATES),
  stateText: z.string(),
  dueAt: z.string().nullable(),
  overdue: z.boolean(),
  assignee: z.object({ username: z.string(), name: z.string() }).nullable(),
  holder: z.string().nullable(),
  outcome: z.string().nullable(),
  /** When the owning desk last changed it (null for this desk's own). */
  updatedAt: z.string().nullable(),
  /** The latest assignment asked through the hub, and its answer. */
  assignment: HallAssignmentView.nullable(),
});
export type HallTaskView = z.infer<typeof HallTaskView>;

export const hallTasksMethods = {
  /** One page of every window's tasks, filtered, counted and ordered in SQL: open first by due date, then concluded. */
  'verification.hallBoard': method({
    access: ['supervisor'],
    input: z
      .object({
        deskId: z.string().trim().min(1).max(100).optional(),
        states: z.array(z.enum(TASK_STATES)).max(TASK_STATES.length).optional(),
        /** An assistant's user name. */
        assignee: z.string().trim().min(1).max(100).optional(),
        overdueOnly: z.boolean().optional(),
        page: z.number().int().min(1).max(1_000_000).default(1),
        pageSize: z.number().int().min(1).max(200).default(20),
      })
      .strict(),
    output: z.object({
      tasks: z.array(HallTaskView),
      total: z.number().int(),
      page: z.number().int(),
      pageSize: z.number().int(),
      /** Overdue under the other filters. */
      overdue: z.number().int(),
      windows: z.array(z.object({ deskId: z.string(), name: z.string(), own: z.boolean() })),
      /** The hall's assistants (active), by user name. */
      assistants: z.array(z.object({ username: z.string(), name: z.string() })),
      /** How old this desk's copy of the other windows' tasks is (absent: no hub). */
      hallCopy: HallCopyView.optional(),
      now: z.string(),
    }),
  }),
  /** Assigns any window's task to an assistant of the hall: at once for this desk's, else through the hub to the owning desk. */
  'verification.assignInHall': method({
    access: ['supervisor'],
    input: z.object({ taskKey: z.string().trim().min(3).max(200), username: z.string().trim().min(1).max(100) }).strict(),
    output: z.object({ state: z.enum(['applied', 'requested']), requestId: z.string().nullable(), message: z.string() }),
  }),
};
