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

export const hallFieldMethods = {
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
