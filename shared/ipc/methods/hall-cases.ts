/**
 * Cases across windows (docs/hub.md, "Records, owners and offline"): any clerk looks up any case of
 * the hall — an applicant asking at another window where their case is — read-only, with the window
 * that owns it named. Asked of the hub (the latest record each desk pushed, drafts included), so the
 * desk must reach it.
 */
import { z } from 'zod';
import { method } from '../method';

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

export const hallCasesMethods = {
  'hub.lookupCases': method({
    access: ['clerk', 'supervisor'],
    /** By case number, or by a (local) applicant: that person's cases at every window. */
    input: z.union([z.object({ caseNo: z.string().trim().min(1).max(100) }).strict(), z.object({ applicantId: z.number().int().positive() }).strict()]),
    output: z.object({ hubName: z.string(), cases: z.array(HallCaseView) }),
  }),
};
