/**
 * 协查 across the hall (docs/hub.md, "Records, owners and offline"): the 部门协查 page's 全厅 scope
 * lists every window's 协查 requests — this desk's own and the other windows' as their desks last
 * shared them (read-only here) — each with its window named and flagged overdue by the one rule
 * (shared/rules/assistance-due.ts); and the overdue counts the page shows.
 */
import { z } from 'zod';
import { method } from '../method';
import { HallCopyView } from './applicants';

export const HallAssistanceView = z.object({
  /** `<desk id>:<request id>`. */
  key: z.string(),
  /** This desk's request id (its own requests only: the others are read-only here). */
  id: z.number().int().nullable(),
  own: z.boolean(),
  /** The owning window. */
  window: z.string(),
  caseNo: z.string(),
  applicantName: z.string(),
  applicantIdMasked: z.string(),
  certificate: z.string(),
  mode: z.string(),
  department: z.string(),
  createdAt: z.string(),
  dueAt: z.string(),
  status: z.enum(['open', 'replied', 'cancelled']),
  overdue: z.boolean(),
  late: z.boolean(),
  outcome: z.enum(['confirmed', 'denied']).nullable(),
  replySummary: z.string().nullable(),
  channel: z.string().nullable(),
  repliedAt: z.string().nullable(),
  /** When this desk last received another window's copy (null: its own). */
  receivedAt: z.string().nullable(),
});
export type HallAssistanceView = z.infer<typeof HallAssistanceView>;

export const hallAssistanceMethods = {
  'assistance.hallList': method({
    access: 'session',
    input: z.object({ openOnly: z.boolean().optional() }).strict(),
    output: z.object({ requests: z.array(HallAssistanceView), hub: z.boolean(), hallCopy: HallCopyView.optional() }),
  }),
  /** Overdue 协查 requests: this window's, and the hall's (null without a hub). */
  'assistance.overdueCounts': method({
    access: 'session',
    input: z.object({}).strict(),
    output: z.object({ own: z.number().int(), hall: z.number().int().nullable() }),
  }),
};
