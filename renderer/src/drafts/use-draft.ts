import { useCallback, useEffect, useRef, useState } from 'react';
import { clearDraft, loadDraft, saveDraft } from './draft-db';

/**
 * Binds a form to its draft: `restored` is what was found at mount (or null),
 * `save` is called on every change, `clear` after the main side confirmed.
 */
export function useDraft(owner: string, formId: string) {
  const [restored, setRestored] = useState<Record<string, unknown> | null>(null);
  const [ready, setReady] = useState(false);
  const [savedAt, setSavedAt] = useState<number | null>(null);
  const chain = useRef<Promise<void>>(Promise.resolve());

  useEffect(() => {
    let live = true;
    void loadDraft(owner, formId).then((row) => {
      if (!live) return;
      setRestored(row?.data ?? null);
      setSavedAt(row?.updatedAt ?? null);
      setReady(true);
    });
    return () => {
      live = false;
    };
  }, [owner, formId]);

  // Writes are chained so an older value can never overwrite a newer one.
  const save = useCallback(
    (data: Record<string, unknown>) => {
      chain.current = chain.current.then(() => saveDraft(owner, formId, data)).then(() => setSavedAt(Date.now()));
      return chain.current;
    },
    [owner, formId],
  );

  const clear = useCallback(async () => {
    await chain.current;
    await clearDraft(owner, formId);
    setSavedAt(null);
    setRestored(null);
  }, [owner, formId]);

  return { ready, restored, savedAt, save, clear };
}
