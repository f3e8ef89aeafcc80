/**
 * What the shell does when the page dies, hangs or never paints, and when the main process itself
 * throws. Electron is passed in (electron/main.ts), timers too, so every path is unit-tested.
 *
 * - The page's process gone (crash, OOM, killed): reload once; if it goes again, an error page
 *   (no reload loop). Drafts are in IndexedDB and every record is committed, so a reload loses
 *   nothing but the screen.
 * - The page unresponsive for `hangMs` after Electron's 'unresponsive': its process is killed and
 *   the page reloaded, counted by the same guard.
 * - The window is created hidden and shown on 'ready-to-show'; if that never comes within
 *   `paintMs` (a GPU that never paints), it is shown anyway, so no invisible window holds the
 *   single-instance lock.
 */
export interface RendererWatchPort {
  show(): void;
  /** Reload the page; `killFirst` when it hangs (forcefullyCrashRenderer, then reload). */
  reload(killFirst: boolean): void;
  showErrorPage(html: string): void;
  log(level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>): void;
  /** setTimeout; returns a cancel function. */
  setTimer(fn: () => void, ms: number): () => void;
}

export interface RendererWatchOptions {
  paintMs: number;
  hangMs: number;
  /** Reloads allowed before the error page (1: reload once). */
  maxReloads: number;
}

export const DEFAULT_WATCH: RendererWatchOptions = { paintMs: 10_000, hangMs: 15_000, maxReloads: 1 };

export interface RendererWatch {
  readyToShow(): void;
  gone(details: { reason: string; exitCode: number }): void;
  unresponsive(): void;
  responsive(): void;
  state(): { shown: boolean; reloads: number; errorPage: boolean };
}

export function errorPageHtml(reason: string): string {
  const safe = reason.replace(/[^A-Za-z0-9_-]/g, '');
  return (
    '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>无证明办理工作台</title></head>' +
    '<body style="font-family:sans-serif;background:#f5f7fa;color:#1f2329;padding:48px">' +
    '<h1 style="font-size:22px">页面意外停止，已无法自动恢复</h1>' +
    '<p>已保存的办件和草稿不会丢失。请关闭本程序后重新打开；如果反复出现，请联系系统管理员，' +
    '并告知数据目录下 logs/desk.log 中的 renderer.gone 记录。</p>' +
    `<p style="color:#8f959e">原因：${safe}</p></body></html>`
  );
}

export function createRendererWatch(port: RendererWatchPort, opts: RendererWatchOptions = DEFAULT_WATCH): RendererWatch {
  let shown = false;
  let reloads = 0;
  let errorPage = false;
  let killPending = false;
  let cancelHang: (() => void) | null = null;

  const show = (why: 'ready' | 'noPaint') => {
    if (shown) return;
    shown = true;
    if (why === 'noPaint') port.log('warn', 'window.noPaint', { waitedMs: opts.paintMs });
    port.show();
  };
  const cancelPaint = port.setTimer(() => show('noPaint'), opts.paintMs);

  const recover = (cause: 'gone' | 'hang', reason: string) => {
    if (errorPage) return;
    if (reloads < opts.maxReloads) {
      reloads++;
      port.log('warn', 'renderer.reload', { cause, reason, reload: reloads });
      killPending = cause === 'hang';
      port.reload(cause === 'hang');
      return;
    }
    errorPage = true;
    port.log('error', 'renderer.errorPage', { cause, reason, reloads });
    port.showErrorPage(errorPageHtml(reason));
    show('ready');
  };

  return {
    readyToShow() {
      cancelPaint();
      show('ready');
    },
    gone(details) {
      cancelHang?.();
      cancelHang = null;
      port.log('error', 'renderer.gone', { reason: details.reason, exitCode: details.exitCode });
      if (killPending) {
        // The process we killed for hanging: its reload is already under way.
        killPending = false;
        return;
      }
      if (details.reason === 'clean-exit') return;
      recover('gone', details.reason);
    },
    unresponsive() {
      port.log('warn', 'renderer.unresponsive', {});
      if (cancelHang) return;
      cancelHang = port.setTimer(() => {
        cancelHang = null;
        recover('hang', 'unresponsive');
      }, opts.hangMs);
    },
    responsive() {
      if (!cancelHang) return;
      cancelHang();
      cancelHang = null;
      port.log('info', 'renderer.responsive', {});
    },
    state: () => ({ shown, reloads, errorPage }),
  };
}

/**
 * An exception nobody caught in the main process: logged, shown, and — for an exception, whose
 * state is unknown — the process exits (committed records are safe; drafts are in IndexedDB).
 * A rejected promise nobody handled is logged and shown; the desk keeps running.
 */
export function mainProcessFault(kind: 'uncaughtException' | 'unhandledRejection', error: unknown): { title: string; body: string; exit: boolean; logFields: Record<string, unknown> } {
  const message = error instanceof Error ? error.message : String(error);
  const exit = kind === 'uncaughtException';
  return {
    title: '无证明办理工作台发生内部错误',
    body: exit
      ? `程序发生未处理的错误，将退出以保护数据。已保存的办件和草稿不会丢失，请重新打开程序。\n\n${message}\n\n详细信息已记入 logs/desk.log，请告知系统管理员。`
      : `程序发生未处理的错误，当前操作可能没有完成，请检查后重试。\n\n${message}\n\n详细信息已记入 logs/desk.log，请告知系统管理员。`,
    exit,
    logFields: { kind, error: error instanceof Error ? error.stack : message },
  };
}
