import { DEFAULT_MESSAGES, type ErrorCode } from '../../shared/ipc/errors';

/**
 * An error a handler throws on purpose: `code` and a Chinese `userMessage`
 * cross the boundary; `logDetail` stays in the main-side log.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly logDetail: Record<string, unknown>;
  readonly fields: Record<string, string> | undefined;

  constructor(code: ErrorCode, userMessage?: string, logDetail: Record<string, unknown> = {}, fields?: Record<string, string>) {
    super(`${code}: ${userMessage ?? DEFAULT_MESSAGES[code]}`);
    this.code = code;
    this.userMessage = userMessage ?? DEFAULT_MESSAGES[code];
    this.logDetail = logDetail;
    this.fields = fields;
  }
}
