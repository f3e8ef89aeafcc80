import { useCallback, useEffect, useRef, useState } from 'react';
import { App } from 'antd';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/ipc/contract';
import { call, DeskCallError } from './client';

export interface Loaded<T> {
  /** The last answer (kept while a reload is in flight); null before the first one. */
  data: T | null;
  /** The Chinese message of the last failed load, null after a good one. */
  error: string | null;
  /** Loads again (after an action changed what the list shows). */
  reload: () => Promise<void>;
}

/** The message a clerk reads for a failed call. */
export function callErrorText(e: unknown, fallback = '操作失败'): string {
  return e instanceof DeskCallError ? e.message : fallback;
}

/**
 * A method's answer, loaded on mount and again whenever its input changes (compared by JSON).
 * A failed load is returned as `error` for the screen to show, never an unhandled rejection that
 * leaves a table silently empty; an answer to an input that has since changed is dropped, and so
 * is an answer overtaken by a later load (a slow mount load must not overwrite the reload that an
 * action started after it).
 */
export function useCall<M extends MethodName>(method: M, input: MethodInput<M>): Loaded<MethodOutput<M>> {
  const [data, setData] = useState<MethodOutput<M> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const key = JSON.stringify(input);
  const keyRef = useRef(key);
  keyRef.current = key;
  const latest = useRef(0);

  const reload = useCallback(async () => {
    const asked = key;
    const mine = ++latest.current;
    const stale = () => keyRef.current !== asked || latest.current !== mine;
    try {
      const answer = await call(method, JSON.parse(asked) as MethodInput<M>);
      if (stale()) return;
      setData(answer);
      setError(null);
    } catch (e) {
      if (stale()) return;
      setError(callErrorText(e, '读取失败，请稍后重试'));
    }
  }, [method, key]);

  useEffect(() => {
    void reload();
  }, [reload]);

  return { data, error, reload };
}

/**
 * Runs a clerk's action: on success a short confirmation and `after` (usually the list's reload),
 * on failure the main side's Chinese message. Resolves to whether the action succeeded.
 */
export function useAction(after?: () => Promise<void>): (fn: () => Promise<unknown>, ok: string) => Promise<boolean> {
  const { message } = App.useApp();
  return useCallback(
    async (fn: () => Promise<unknown>, ok: string) => {
      try {
        await fn();
        message.success(ok);
        await after?.();
        return true;
      } catch (e) {
        message.error(callErrorText(e));
        return false;
      }
    },
    [message, after],
  );
}
