/**
 * Cases across windows (docs/hub.md, "Records, owners and offline"): any clerk looks up any case of
 * the hall — an applicant asking at another window where their case is — read-only, with the window
 * that owns it named. Asked of the hub (the latest record each desk pushed, drafts included), so the
 * desk must reach it.
 */
import { z } from 'zod';
import { method } from '../method';
import { CASE_STATUSES } from '../../rules/case-states';

export const HallCaseView = z.object({
  caseNo: z.string(),
  /** The owning window (its desk name at the hub). */
  window: z.string(),
  /** Owned by this desk. */
  own: z.boolean(),
  status: z.string(),
  statusLabel: z.string(),
  applicantName: z.string(),
  applicantIdMasked: z.string(),
  items: z.array(z.string()),
  certificates: z.array(z.object({ name: z.string(), methodLabel: z.string(), state: z.string() })),
  acceptedAt: z.string().nullable(),
  /** When the hub received this latest record. */
  updatedAt: z.string(),
});
export type HallCaseView = z.infer<typeof HallCaseView>;

const DAY = /^\d{4}-\d{2}-\d{2}$/;

export const hallCasesMethods = {
  'hub.lookupCases': method({
    access: ['clerk', 'supervisor'],
    /** By case number, or by a (local) applicant: that person's cases at every window. */
    input: z.union([z.object({ caseNo: z.string().trim().min(1).max(100) }).strict(), z.object({ applicantId: z.number().int().positive() }).strict()]),
    output: z.object({ hubName: z.string(), cases: z.array(HallCaseView) }),
  }),
  /**
   * The supervisor's hall-wide case list: the latest record of every case the hub holds, newest first
   * (accepted time; a draft by when the hub first held it), filtered, paged by the hub's cursor
   * (`next` → `after`). Read-only; each page audited (hub.caseList). Clerks keep hub.lookupCases.
   */
  'hub.listHallCases': method({
    access: ['supervisor'],
    input: z
      .object({
        window: z.string().trim().min(1).max(100).optional(),
        status: z.enum(CASE_STATUSES).optional(),
        acceptedFrom: z.string().regex(DAY, '日期格式应为 YYYY-MM-DD').optional(),
        acceptedTo: z.string().regex(DAY, '日期格式应为 YYYY-MM-DD').optional(),
        item: z.string().trim().min(1).max(50).optional(),
        after: z.string().min(1).max(600).optional(),
        pageSize: z.number().int().min(1).max(100).optional(),
      })
      .strict(),
    output: z.object({
      hubName: z.string(),
      cases: z.array(HallCaseView),
      next: z.string().nullable(),
      /** The hall's windows (first page only), for the window filter. */
      windows: z.array(z.object({ deskId: z.string(), name: z.string() })).optional(),
    }),
  }),
};
