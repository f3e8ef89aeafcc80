import { DEFAULT_MESSAGES, type ErrorCode } from '../../shared/ipc/errors';
import { isDiskFull } from '../store/durable-write';

/**
 * An error a handler throws on purpose: `code` and a Chinese `userMessage`
 * cross the boundary; `logDetail` stays in the main-side log.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly userMessage: string;
  readonly logDetail: Record<string, unknown>;
  readonly fields: Record<string, string> | undefined;
  /** A fault of the machine, not of the request: logged as an error, and its log id quoted to the user. */
  severe = false;

  constructor(code: ErrorCode, userMessage?: string, logDetail: Record<string, unknown> = {}, fields?: Record<string, string>) {
    super(`${code}: ${userMessage ?? DEFAULT_MESSAGES[code]}`);
    this.code = code;
    this.userMessage = userMessage ?? DEFAULT_MESSAGES[code];
    this.logDetail = logDetail;
    this.fields = fields;
  }
}

/**
 * The one place an error nobody threw on purpose becomes a specific refusal: a full disk or quota
 * (ENOSPC, EDQUOT, SQLite's SQLITE_FULL — from a file write, the store, or a worker that passed
 * the code on) is DISK_FULL with its Chinese message, the precise error kept for the log.
 * Anything else stays unknown (null: INTERNAL, with the stack in the log).
 */
export function asKnownError(e: unknown): AppError | null {
  if (e instanceof AppError) return e;
  if (isDiskFull(e)) {
    const err = new AppError('DISK_FULL', undefined, { error: e instanceof Error ? (e.stack ?? e.message) : String(e), errorCode: (e as { code?: unknown }).code });
    err.severe = true;
    return err;
  }
  return null;
}

/** Why the store could not be opened at start-up when the disk is full (the file is fine: it opens once space returns). */
export const STORE_DISK_FULL_MESSAGE = '本机磁盘空间已满，无法打开本地数据库。请清理磁盘（或联系管理员）后重新启动工作台；数据库文件没有改动，不需要恢复备份。';

/** Whether a store refusal's detail (`CODE: message`, as open-store gives it) is a full disk. */
export function refusedForFullDisk(detail: string): boolean {
  const code = /^([A-Z][A-Z0-9_]*):/.exec(detail)?.[1];
  return isDiskFull({ code }) || /\b(ENOSPC|EDQUOT)\b/.test(detail);
}

/** What the start-up says when it fails: a full disk in Chinese with what to do; anything else as it is. */
export function startupFailureText(e: unknown): string {
  if (isDiskFull(e)) {
    const code = (e as { code?: unknown }).code;
    return `本机磁盘空间已满，工作台无法启动。请清理磁盘（或联系管理员）后重新启动；已保存的数据不受影响。（${String(code)}：${e instanceof Error ? e.message : String(e)}）`;
  }
  return e instanceof Error ? (e.stack ?? e.message) : String(e);
}
