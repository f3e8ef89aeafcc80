import { DataDirLocked, DataDirLockUnusable } from '../store/data-dir-lock';
import { isDiskFull } from '../store/durable-write';
import { startupFailureText as diskFullText } from './app-error';

/** What a host tells the person starting it when it cannot start (Electron: a dialog; the browser host: one line on stderr). */
export interface StartFailureNotice {
  /** A refusal the person can act on (e.g. the data folder held by another process), not a fault: no stack to show. */
  known: boolean;
  title: string;
  /** The whole text of the dialog: where it failed, why, the data folder, whom to tell. */
  message: string;
  /** Why, in one line (what the browser host prints for a known refusal). */
  reason: string;
}

export const START_FAILURE_TITLE = '无证明办理工作台无法启动';

/**
 * The start-up failure, in Chinese, for both hosts (kept out of electron/main.ts so it is tested
 * without the Electron binary). A data folder held by another process names that process and says
 * what to do; anything else says where it failed and asks to tell the administrator.
 */
export function startFailureNotice(error: unknown, context: { stage?: string; dataDir?: string } = {}): StartFailureNotice {
  if (error instanceof DataDirLocked) {
    const message = `${error.userMessage}本次启动已取消。`;
    return { known: true, title: START_FAILURE_TITLE, message, reason: message };
  }
  // A refusal the person can act on carries its own Chinese words: an unusable lock file, a full
  // disk, a data-folder conflict (data-dir.ts) or a bad desk-config.json.
  const own = (error as { userMessage?: unknown } | null)?.userMessage;
  const known = error instanceof DataDirLockUnusable || isDiskFull(error) || typeof own === 'string';
  const detail = isDiskFull(error) ? diskFullText(error) : typeof own === 'string' ? own : error instanceof Error ? error.message : String(error);
  return {
    known,
    title: START_FAILURE_TITLE,
    reason: detail,
    message: `启动时发生错误${context.stage ? `（${context.stage}）` : ''}，程序将退出。\n\n${detail}${context.dataDir ? `\n\n数据目录：${context.dataDir}` : ''}\n请将以上信息告知系统管理员。`,
  };
}
