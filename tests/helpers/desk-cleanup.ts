/**
 * Desks a test opens are closed after it whatever happened (a failed expectation, a timed-out
 * test): a desk left open keeps its sender running, and its sends would land in the next test's
 * simulator and change what that test counts.
 */
import { afterEach } from 'vitest';
import { testDesk, type TestDesk } from './app';
import type { CreateAppOptions } from '../../electron/app/create-app';

export type OpenDesk = (opts?: Partial<CreateAppOptions>) => Promise<TestDesk>;

/**
 * Registers an afterEach (call it at the top of a test file) and returns the way to open desks it
 * closes: `stopSync()` first — the sender stops claiming and records the outcomes of the requests
 * under way, so none of them lands later —, then `close()`. A desk the test closed itself is left
 * alone: `close()` and `stopSync()` of these desks may be called again.
 */
export function desksClosedAfterEach(): OpenDesk {
  const open = new Set<TestDesk>();
  afterEach(async () => {
    const left = [...open];
    open.clear();
    const failures: unknown[] = [];
    for (const d of left) {
      try {
        await d.app.stopSync();
      } catch (e) {
        failures.push(e);
      } finally {
        d.app.close();
      }
    }
    if (failures.length) throw new AggregateError(failures, `stopping ${failures.length} desk(s) left open failed`);
  });
  return async (opts = {}) => {
    const d = await testDesk(opts);
    open.add(d);
    const close = d.app.close.bind(d.app);
    const stopSync = d.app.stopSync.bind(d.app);
    let stopping: Promise<void> | null = null;
    let closed = false;
    d.app.stopSync = () => {
      if (closed) return Promise.resolve();
      stopping ??= stopSync();
      return stopping;
    };
    d.app.close = () => {
      if (closed) return;
      closed = true;
      open.delete(d);
      close();
    };
    return d;
  };
}
