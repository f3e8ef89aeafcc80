import { contract, type MethodName, type MethodOutput, type ParsedInput } from '../../shared/ipc/contract';
import type { UserView } from '../../shared/ipc/contract';
import type { Actor } from '../services/audit/audit-chain';
import type { Session } from '../services/auth/sessions';

export interface CallContext {
  /** The signed-in session, or null for public methods called without one. */
  session: Session | null;
  user: UserView | null;
  actor: Actor;
}

export type Handler<M extends MethodName> = (
  input: ParsedInput<M>,
  ctx: CallContext,
) => MethodOutput<M> | Promise<MethodOutput<M>>;

export type Handlers = { [M in MethodName]: Handler<M> };
export type PartialHandlers = { [M in MethodName]?: Handler<M> };

/** Joins each feature's handlers; a name registered twice, or a method left without a handler, fails at start. */
export function mergeHandlers(...parts: PartialHandlers[]): Handlers {
  const merged: Record<string, unknown> = {};
  for (const part of parts) {
    for (const [name, fn] of Object.entries(part)) {
      if (name in merged) throw new Error(`IPC handler registered twice: ${name}`);
      if (!Object.prototype.hasOwnProperty.call(contract, name)) throw new Error(`IPC handler for a method not in the contract: ${name}`);
      merged[name] = fn;
    }
  }
  const missing = Object.keys(contract).filter((m) => !(m in merged));
  if (missing.length > 0) throw new Error(`IPC methods without a handler: ${missing.join(', ')}`);
  return merged as Handlers;
}
