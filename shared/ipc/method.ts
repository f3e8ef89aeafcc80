/**
 * Building blocks for declaring IPC methods. Each feature declares its
 * methods in shared/ipc/methods/<feature>.ts; contract.ts joins them.
 */
import { z } from 'zod';
import type { Role } from '../domain/roles';

/** Who may call a method: anyone, any signed-in user, or only some roles. */
export type Access = 'public' | 'session' | readonly Role[];

export interface MethodSpec<I extends z.ZodType = z.ZodType, O extends z.ZodType = z.ZodType> {
  access: Access;
  input: I;
  output: O;
  /** Allowed while the session is idle-locked (only the unlock path). */
  allowWhenLocked?: boolean;
  /** Allowed while the user must still change a demo password (docs/SECURITY.md): the change itself and keeping the session. */
  allowBeforePasswordChange?: boolean;
  /** Does not count as user activity for the idle lock (background polling). */
  passive?: boolean;
}

export function method<I extends z.ZodType, O extends z.ZodType>(spec: MethodSpec<I, O>): MethodSpec<I, O> {
  return spec;
}

export const Empty = z.object({}).strict();
export const Ok = z.object({ ok: z.literal(true) });
export const trimmed = (max: number) => z.string().trim().min(1).max(max);
