/** Crash, hang and no-paint recovery with its loop guard (electron/shell/recovery.ts), on a manual clock. */
import { describe, expect, it } from 'vitest';
import { createRendererWatch, mainProcessFault, type RendererWatchPort } from '../../../electron/shell/recovery';

function manualPort() {
  const calls: string[] = [];
  let now = 0;
  const timers: { at: number; fn: () => void; live: boolean }[] = [];
  const port: RendererWatchPort = {
    show: () => calls.push('show'),
    reload: (kill) => calls.push(kill ? 'kill+reload' : 'reload'),
    showErrorPage: (html) => calls.push(`errorPage ${html.includes('页面意外停止') ? 'zh' : '?'}`),
    log: (level, event) => calls.push(`${level} ${event}`),
    setTimer: (fn, ms) => {
      const t = { at: now + ms, fn, live: true };
      timers.push(t);
      return () => (t.live = false);
    },
  };
  const advance = (ms: number) => {
    now += ms;
    for (const t of timers) if (t.live && t.at <= now) {
      t.live = false;
      t.fn();
    }
  };
  return { port, calls, advance };
}

const opts = { paintMs: 10_000, hangMs: 15_000, maxReloads: 1 };

describe('renderer watch', () => {
  it('shows the window on ready-to-show, once', () => {
    const { port, calls, advance } = manualPort();
    const w = createRendererWatch(port, opts);
    w.readyToShow();
    advance(20_000);
    expect(calls).toEqual(['show']);
  });
  it('a window that never paints is shown anyway after paintMs', () => {
    const { port, calls, advance } = manualPort();
    createRendererWatch(port, opts);
    advance(9_999);
    expect(calls).toEqual([]);
    advance(1);
    expect(calls).toEqual(['warn window.noPaint', 'show']);
  });
  it('a crash reloads once; a second crash shows the error page, and nothing loops after it', () => {
    const { port, calls } = manualPort();
    const w = createRendererWatch(port, opts);
    w.readyToShow();
    w.gone({ reason: 'crashed', exitCode: 139 });
    expect(calls.slice(1)).toEqual(['error renderer.gone', 'warn renderer.reload', 'reload']);
    w.gone({ reason: 'oom', exitCode: 0 });
    expect(calls.slice(4)).toEqual(['error renderer.gone', 'error renderer.errorPage', 'errorPage zh']);
    w.gone({ reason: 'crashed', exitCode: 139 });
    expect(calls.slice(7)).toEqual(['error renderer.gone']);
    expect(w.state()).toEqual({ shown: true, reloads: 1, errorPage: true });
  });
  it('a clean exit is not a crash', () => {
    const { port, calls } = manualPort();
    const w = createRendererWatch(port, opts);
    w.gone({ reason: 'clean-exit', exitCode: 0 });
    expect(calls).toEqual(['error renderer.gone']);
  });
  it('a hang lasting hangMs kills and reloads the page; the kill\'s own "gone" is not counted', () => {
    const { port, calls, advance } = manualPort();
    const w = createRendererWatch(port, opts);
    w.readyToShow();
    w.unresponsive();
    advance(14_999);
    expect(calls).toEqual(['show', 'warn renderer.unresponsive']);
    advance(1);
    expect(calls.slice(2)).toEqual(['warn renderer.reload', 'kill+reload']);
    w.gone({ reason: 'killed', exitCode: 9 });
    expect(w.state().errorPage).toBe(false);
    // The next real crash finds the guard spent.
    w.gone({ reason: 'crashed', exitCode: 139 });
    expect(w.state().errorPage).toBe(true);
  });
  it('a page that answers again in time is left alone', () => {
    const { port, calls, advance } = manualPort();
    const w = createRendererWatch(port, opts);
    w.readyToShow();
    w.unresponsive();
    advance(5_000);
    w.responsive();
    advance(60_000);
    expect(calls).toEqual(['show', 'warn renderer.unresponsive', 'info renderer.responsive']);
  });
  it('main-process faults: an exception exits, a rejection keeps running; both shown in Chinese', () => {
    const ex = mainProcessFault('uncaughtException', new Error('boom'));
    expect(ex.exit).toBe(true);
    expect(ex.body).toContain('将退出以保护数据');
    expect(ex.body).toContain('boom');
    const rej = mainProcessFault('unhandledRejection', 'lost');
    expect(rej.exit).toBe(false);
    expect(rej.body).toContain('当前操作可能没有完成');
  });
});
