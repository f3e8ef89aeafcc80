import { useEffect, useState } from 'react';
import { useDesk } from '../state/desk-store';

/** The machine's network flag and whether the local service answers (polled, passive: it does not keep the session awake). */
export function useNetworkState(pollMs = 15000) {
  const [online, setOnline] = useState(navigator.onLine);
  const poll = useDesk((s) => s.pollStatus);
  const serviceUp = useDesk((s) => s.serviceUp);
  useEffect(() => {
    const up = () => setOnline(true);
    const down = () => setOnline(false);
    window.addEventListener('online', up);
    window.addEventListener('offline', down);
    const t = window.setInterval(() => void poll(), pollMs);
    return () => {
      window.removeEventListener('online', up);
      window.removeEventListener('offline', down);
      window.clearInterval(t);
    };
  }, [poll, pollMs]);
  return { online, serviceUp };
}
