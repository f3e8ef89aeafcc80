import { z } from 'zod';
import { contract, isMethodName, type MethodSpec } from '../../shared/ipc/contract';
import { RequestEnvelope, type ResponseEnvelope } from '../../shared/ipc/envelope';
import { DEFAULT_MESSAGES, type DeskError, type ErrorCode } from '../../shared/ipc/errors';
import type { Logger } from '../log/logger';
import type { SessionStore } from '../services/auth/sessions';
import { asKnownError } from './app-error';
import type { CallContext, Handlers } from './handlers';

// Validation messages in Chinese for the user.
z.config(z.locales.zhCN());

export interface Dispatcher {
  /** Takes any value from a transport; never throws; always answers with one envelope. */
  dispatch(raw: unknown, meta?: { transport: string }): Promise<ResponseEnvelope>;
}

function fieldMessages(error: z.ZodError): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.join('.') || '_';
    fields[key] ??= issue.message;
  }
  return fields;
}

/**
 * The boundary: checks the envelope, the method name, the session and role,
 * then the input against the contract's schema, and only then runs the
 * handler. Every refusal is logged; a refused call never reaches a handler.
 */
export function createDispatcher(opts: { handlers: Handlers; sessions: SessionStore | null; logger: Logger }): Dispatcher {
  const { handlers, sessions, logger } = opts;

  return {
    async dispatch(raw, meta = { transport: 'unknown' }) {
      const id = typeof (raw as { id?: unknown })?.id === 'string' ? String((raw as { id: string }).id).slice(0, 64) : '?';
      const fail = (code: ErrorCode, message: string, log: Record<string, unknown>, fields?: Record<string, string>): ResponseEnvelope => {
        logger.warn('ipc.refused', { code, transport: meta.transport, ...log });
        const error: DeskError = { code, message };
        if (fields) error.fields = fields;
        return { id, ok: false, error };
      };

      const env = RequestEnvelope.safeParse(raw);
      if (!env.success) return fail('BAD_REQUEST', DEFAULT_MESSAGES.BAD_REQUEST, { issues: env.error.issues.map((i) => i.message) });
      const { method, input, session: token } = env.data;
      if (!isMethodName(method)) return fail('UNKNOWN_METHOD', DEFAULT_MESSAGES.UNKNOWN_METHOD, { method });
      const spec: MethodSpec = contract[method];

      const ctx: CallContext = { session: null, user: null, actor: { userId: null, username: 'anonymous' } };
      if (spec.access !== 'public') {
        const session = sessions?.get(token);
        if (!session) return fail('UNAUTHENTICATED', DEFAULT_MESSAGES.UNAUTHENTICATED, { method });
        if (session.locked && !spec.allowWhenLocked) return fail('SESSION_LOCKED', DEFAULT_MESSAGES.SESSION_LOCKED, { method, user: session.user.username });
        if (session.mustChangePassword && !spec.allowBeforePasswordChange) {
          return fail('PASSWORD_CHANGE_REQUIRED', DEFAULT_MESSAGES.PASSWORD_CHANGE_REQUIRED, { method, user: session.user.username });
        }
        if (Array.isArray(spec.access) && !spec.access.includes(session.user.role)) {
          return fail('FORBIDDEN', DEFAULT_MESSAGES.FORBIDDEN, { method, user: session.user.username, role: session.user.role });
        }
        ctx.session = session;
        ctx.user = session.user;
        ctx.actor = { userId: session.user.id, username: session.user.username };
      }

      const parsed = spec.input.safeParse(input);
      if (!parsed.success) {
        const fields = fieldMessages(parsed.error);
        const summary = Object.values(fields).slice(0, 3).join('；');
        return fail('BAD_INPUT', `${DEFAULT_MESSAGES.BAD_INPUT.replace('，操作未执行。', '')}：${summary}。操作未执行。`, { method, fields }, fields);
      }
      if (ctx.session && !spec.passive && !ctx.session.locked) sessions?.touch(ctx.session);

      try {
        const handler = handlers[method] as (i: unknown, c: CallContext) => unknown;
        const value = await handler(parsed.data, ctx);
        const out = spec.output.safeParse(value);
        if (!out.success) {
          const logId = logger.error('ipc.badOutput', { method, issues: out.error.issues.slice(0, 5) });
          return { id, ok: false, error: { code: 'INTERNAL', message: `${DEFAULT_MESSAGES.INTERNAL}（日志编号 ${logId}）` } };
        }
        return { id, ok: true, value: out.data };
      } catch (e) {
        const known = asKnownError(e);
        if (known) {
          const logId = logger.log(known.severe ? 'error' : 'info', 'ipc.appError', { method, code: known.code, user: ctx.actor.username, ...known.logDetail });
          const error: DeskError = { code: known.code, message: known.severe ? `${known.userMessage}（日志编号 ${logId}）` : known.userMessage };
          if (known.fields) error.fields = known.fields;
          return { id, ok: false, error };
        }
        const logId = logger.error('ipc.handlerFailed', { method, user: ctx.actor.username, error: e instanceof Error ? e.stack : String(e) });
        return { id, ok: false, error: { code: 'INTERNAL', message: `${DEFAULT_MESSAGES.INTERNAL}（日志编号 ${logId}）` } };
      }
    },
  };
}
