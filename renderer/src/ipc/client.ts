import type { MethodInput, MethodName, MethodOutput } from '../../../shared/ipc/contract';
import type { DeskError } from '../../../shared/ipc/errors';
import { detectTransport, HostTokenError, type Transport } from './transport';

/** A refused or failed call, with the main side's typed error. */
export class DeskCallError extends Error {
  readonly code: DeskError['code'];
  readonly fields: Record<string, string>;
  constructor(error: DeskError) {
    super(error.message);
    this.code = error.code;
    this.fields = error.fields ?? {};
  }
}

type Listener = (e: DeskCallError | HostTokenError) => void;

let transport: Transport | null = null;
let sessionToken: string | undefined;
let seq = 0;
const listeners = new Set<Listener>();

export function transportKind(): 'ipc' | 'http' {
  transport ??= detectTransport();
  return transport.kind;
}

/** A new host token arrived (watchHostToken): the next call builds the transport again with it. */
export function resetTransport(): void {
  transport = null;
}

export function setSessionToken(token: string | undefined): void {
  sessionToken = token;
}

/** Session-level failures (locked, signed out, host restarted) are broadcast so the shell can react. */
export function onSessionProblem(fn: Listener): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The typed client: method names, inputs and outputs all come from the shared contract. */
export async function call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>> {
  transport ??= detectTransport();
  const id = `${Date.now().toString(36)}-${++seq}`;
  let reply;
  try {
    reply = await transport.send({ id, method, input, ...(sessionToken ? { session: sessionToken } : {}) });
  } catch (e) {
    if (e instanceof HostTokenError) listeners.forEach((l) => l(e));
    throw e instanceof HostTokenError
      ? new DeskCallError({
          code: 'UNAUTHENTICATED',
          message: e.reason === 'missing' ? '请使用启动窗口中打印的完整地址打开工作台。' : '本地服务已重启，请使用新地址打开工作台。',
        })
      : new DeskCallError({ code: 'INTERNAL', message: '无法连接本地服务，请确认工作台仍在运行。' });
  }
  if (reply.ok) return reply.value as MethodOutput<M>;
  const err = new DeskCallError(reply.error);
  if (err.code === 'SESSION_LOCKED' || err.code === 'UNAUTHENTICATED') listeners.forEach((l) => l(err));
  return Promise.reject(err);
}
