import type { Page } from '@playwright/test';

/**
 * Counts the clerk's clicks on a page, as the page sees them: every trusted primary-button press
 * (`mousedown`, so a label forwarding its click to a checkbox is one click, not two), across reloads.
 * A press on the signature pad is the applicant signing, not a clerk's click: it is counted apart.
 * Keyboard presses are not clicks. Install before the first navigation.
 */
export interface ClickCounter {
  clicks(): number;
  signatures(): number;
  /** What was clicked, in order (for the report when a budget is exceeded). */
  log(): string[];
}

export async function countClicks(page: Page): Promise<ClickCounter> {
  const seen: { target: string; signature: boolean }[] = [];
  await page.exposeFunction('__deskClickSeen', (target: string, signature: boolean) => {
    seen.push({ target, signature });
  });
  await page.addInitScript(() => {
    document.addEventListener(
      'mousedown',
      (e) => {
        if (!e.isTrusted || e.button !== 0) return;
        const el = e.target instanceof Element ? e.target : null;
        const signature = !!el?.closest('[data-testid="signature-pad"]');
        const label = (el?.closest('button,[role=button],[role=menuitem],[role=radio],label,tr,a') ?? el)?.textContent?.trim().slice(0, 30) ?? '?';
        (window as unknown as { __deskClickSeen: (t: string, s: boolean) => void }).__deskClickSeen(label, signature);
      },
      true,
    );
  });
  return {
    clicks: () => seen.filter((s) => !s.signature).length,
    signatures: () => seen.filter((s) => s.signature).length,
    log: () => seen.map((s) => (s.signature ? `[签名] ${s.target}` : s.target)),
  };
}
