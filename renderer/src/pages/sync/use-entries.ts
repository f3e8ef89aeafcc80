import { useCallback, useEffect, useRef, useState } from 'react';
import type { OutboxEntryView } from '../../../../shared/ipc/methods/sync';
import { call } from '../../ipc/client';
import type { MethodInput } from '../../../../shared/ipc/contract';

/** sync.entries for a filter, polled (passive) so states move on screen as the sender works. */
export function useEntries(filter: MethodInput<'sync.entries'> | null, pollMs = 3000) {
  const [entries, setEntries] = useState<OutboxEntryView[]>([]);
  const [total, setTotal] = useState(0);
  const [loaded, setLoaded] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(filter);
  const keyRef = useRef(key);
  keyRef.current = key;

  const reload = useCallback(async () => {
    if (!filter) return;
    const asked = key;
    try {
      const r = await call('sync.entries', filter);
      if (keyRef.current !== asked) return; // the filter changed while this was in flight
      setEntries(r.entries);
      setTotal(r.total);
      setError(null);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setLoaded(true);
    }
    // The filter is compared by its JSON.
  }, [key]);

  useEffect(() => {
    void reload();
    const t = window.setInterval(() => void reload(), pollMs);
    return () => window.clearInterval(t);
  }, [reload, pollMs]);

  return { entries, total, loaded, error, reload };
}
