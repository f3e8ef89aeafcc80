import { createApp, type CreateAppOptions, type DeskApp } from '../../electron/app/create-app';
import type { MethodInput, MethodName, MethodOutput, SessionInfo } from '../../shared/ipc/contract';
import type { DeskError } from '../../shared/ipc/errors';
import { DEMO_PASSWORD } from '../../electron/seed/seed-demo';
import { tempDir } from './temp';

export interface TestDesk {
  app: DeskApp;
  dataDir: string;
  /** Calls a method as the given session token (or none) and returns the raw envelope. */
  raw(method: string, input: unknown, session?: string): ReturnType<DeskApp['dispatcher']['dispatch']>;
  /** Calls and unwraps; throws the typed error as an Error with .code. */
  call<M extends MethodName>(method: M, input: MethodInput<M>, session?: string): Promise<MethodOutput<M>>;
  signIn(username: string, password?: string): Promise<SessionInfo>;
}

export class CallFailed extends Error {
  constructor(readonly error: DeskError) {
    super(`${error.code}: ${error.message}`);
  }
}

export async function testDesk(opts: Partial<CreateAppOptions> = {}): Promise<TestDesk> {
  const dataDir = opts.dataDir ?? tempDir();
  const app = await createApp({ dataDir, ...opts });
  let n = 0;
  const raw = (method: string, input: unknown, session?: string) =>
    app.dispatcher.dispatch({ id: `t${++n}`, method, input, ...(session ? { session } : {}) }, { transport: 'test' });
  const call = async <M extends MethodName>(method: M, input: MethodInput<M>, session?: string) => {
    const r = await raw(method, input, session);
    if (!r.ok) {
      // An internal error carries only a log id to the caller; put the log entry into the test failure.
      const logged = r.error.code === 'INTERNAL' ? app.logger.recent().filter((e) => e.level === 'error').slice(-1)[0] : undefined;
      const failure = new CallFailed(r.error);
      if (logged) failure.message += `\n${String(logged.error ?? JSON.stringify(logged))}`;
      throw failure;
    }
    return r.value as MethodOutput<M>;
  };
  return { app, dataDir, raw, call, signIn: (username, password = DEMO_PASSWORD) => call('auth.signIn', { username, password }) };
}
