import { useEffect } from 'react';
import { useDesk } from '../state/desk-store';

/** Locks the desk after the session's idle time without keyboard or mouse activity (timed on the monotonic clock: setting the wall clock back does not keep it open). */
export function useIdleLock(idleLockMs: number) {
  const lock = useDesk((s) => s.lock);
  const locked = useDesk((s) => s.locked);
  useEffect(() => {
    if (locked) return;
    let last = performance.now();
    const bump = () => {
      last = performance.now();
    };
    const events = ['mousemove', 'mousedown', 'keydown', 'wheel', 'touchstart'] as const;
    events.forEach((e) => window.addEventListener(e, bump, { passive: true }));
    const timer = window.setInterval(() => {
      if (performance.now() - last >= idleLockMs) void lock();
    }, Math.min(5000, Math.max(250, idleLockMs / 4)));
    return () => {
      events.forEach((e) => window.removeEventListener(e, bump));
      window.clearInterval(timer);
    };
  }, [idleLockMs, lock, locked]);
}
