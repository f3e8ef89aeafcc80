import { z } from 'zod';
import type { DeskError } from './errors';

/** Every call has one shape, whatever the transport (Electron IPC or loopback HTTP). */
export const RequestEnvelope = z.object({
  id: z.string().min(1).max(64),
  method: z.string().min(1).max(100),
  input: z.unknown(),
  session: z.string().max(200).optional(),
});
export type RequestEnvelope = z.infer<typeof RequestEnvelope>;

export type ResponseEnvelope =
  | { id: string; ok: true; value: unknown }
  | { id: string; ok: false; error: DeskError };
