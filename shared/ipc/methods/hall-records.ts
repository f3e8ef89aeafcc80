/**
 * Conflicts of shared hall records (docs/hub.md, "Hall records: ownership and conflicts"): two
 * desks edited the same applicant from the same version while apart; the hub keeps both versions.
 * A supervisor sees them here (asked of the hub, so the desk must reach it) and settles one by
 * choosing a version, which the hub makes the current one for every desk.
 */
import { z } from 'zod';
import { method } from '../method';

export const HallConflictVersion = z.object({
  version: z.number().int(),
  deskId: z.string(),
  deskName: z.string(),
  receivedAt: z.string(),
  /** The hall's current version (the one every desk shows until the conflict is settled). */
  current: z.boolean(),
  /** What differs between the versions, field by field, in Chinese: label → value. */
  fields: z.array(z.object({ label: z.string(), value: z.string() })),
});

export const HallConflictView = z.object({
  id: z.number().int(),
  kind: z.enum(['credit', 'applicant']),
  kindLabel: z.string(),
  /** Who the record is about (name and masked ID). */
  title: z.string(),
  openedAt: z.string(),
  versions: z.array(HallConflictVersion),
});
export type HallConflictView = z.infer<typeof HallConflictView>;

export const hallRecordsMethods = {
  'hub.conflicts': method({
    access: ['supervisor'],
    input: z.object({}).strict(),
    output: z.object({ hubName: z.string(), conflicts: z.array(HallConflictView) }),
  }),
  'hub.settleConflict': method({
    access: ['supervisor'],
    input: z.object({ conflictId: z.number().int().positive(), version: z.number().int().positive() }).strict(),
    output: z.object({ conflictId: z.number().int(), version: z.number().int() }),
  }),
};
