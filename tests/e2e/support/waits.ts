import type { Page, Response } from '@playwright/test';

/**
 * The browser host's answer to the page's next call of `method` (POST /api/rpc). Start it before the
 * click that makes the call, await it after: a step whose length is the machine's (the commitment PDF
 * is rendered in a fresh worker thread, ~1 s alone and 15 s on a loaded CI machine: bench/README.md,
 * intake) then waits for the host to have done the work, however long that takes, and only what the
 * screen shows of it is asserted with the default expect timeout. Bounded by the test's own timeout,
 * never by a guess at how slow the machine is.
 */
export function rpcAnswer(page: Page, method: string): Promise<Response> {
  return page.waitForResponse(
    (r) => {
      if (!r.url().endsWith('/api/rpc')) return false;
      try {
        return (r.request().postDataJSON() as { method?: unknown } | null)?.method === method;
      } catch {
        return false;
      }
    },
    { timeout: 0 },
  );
}

/**
 * Until no finite CSS transition or animation is running in the page (a drawer or modal opening, a
 * chart drawing): for a screenshot that must show the settled screen. Infinite ones (a spinner) are
 * not waited for. Follows the page's own animations rather than sleeping for their nominal length.
 */
export async function animationsDone(page: Page): Promise<void> {
  await page.waitForFunction(() =>
    document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().endTime === Infinity),
  );
}
