import { expect, type Page } from '@playwright/test';

/**
 * The PDF preview has drawn its pages, not just shown an empty box: pdf.js finished every page
 * (data-rendered), the page count is the one expected, and the first page's canvas holds ink —
 * a share of dark pixels (text, lines) on a white page. A blank or failed page has none.
 */
/**
 * How long a step that renders a PDF in the main side's worker (a commitment signed, a receipt, a
 * notice) may take before the test gives up: the worker starts per job, ~0.6 s on a quiet desk but
 * more than 10 s on a CI machine at load 30. A wait, not a speed measurement (bench/ measures).
 */
export const PDF_WORK_MS = 30_000;

export async function expectPdfRendered(page: Page, opts: { pages?: number; a4?: boolean } = {}): Promise<void> {
  const { pages, a4 = true } = opts;
  const frame = page.getByTestId('pdf-frame');
  // The PDF is made on the host's PDF worker first: on a loaded CI machine (load 25 on 2 cores) that
  // took longer than the default 10 s once; the frame's contents are then checked as before.
  await expect(frame).toBeVisible({ timeout: PDF_WORK_MS });
  await expect(frame).toHaveAttribute('data-rendered', 'true', { timeout: 20_000 });
  if (pages !== undefined) await expect(frame).toHaveAttribute('data-pages', String(pages));
  const count = Number(await frame.getAttribute('data-pages'));
  expect(count).toBeGreaterThan(0);
  await expect(frame.locator('canvas[data-testid="pdf-page"]')).toHaveCount(count);
  const ink = await frame.locator('canvas[data-page="1"]').evaluate((c: HTMLCanvasElement) => {
    const { data } = c.getContext('2d')!.getImageData(0, 0, c.width, c.height);
    let dark = 0;
    let white = 0;
    for (let i = 0; i < data.length; i += 4) {
      const y = 0.299 * data[i]! + 0.587 * data[i + 1]! + 0.114 * data[i + 2]!;
      if (y < 128) dark++;
      else if (y > 245) white++;
    }
    const total = data.length / 4;
    return { width: c.width, height: c.height, dark: dark / total, white: white / total };
  });
  expect(ink.width).toBeGreaterThan(500);
  // The desk's own documents are A4 portrait (1 : 1.414); a scan's page has its image's shape.
  if (a4) expect(ink.height / ink.width).toBeCloseTo(297 / 210, 1);
  // Mostly white paper, with some ink on it.
  expect(ink.white).toBeGreaterThan(0.5);
  expect(ink.dark).toBeGreaterThan(0.002);
}

/**
 * 打印 prints the document's pages alone: at the moment window.print() runs, the print-only layer
 * holds one image per page at 200 dpi (A4: 1654 px wide) and print CSS hides the rest of the
 * window; afterwards the layer is gone. window.print is observed, not replaced by a fake printer:
 * the check runs inside the page's own print call.
 */
export async function expectPdfPrints(page: Page, pages: number): Promise<void> {
  await page.evaluate(() => {
    const seen: unknown[] = [];
    (window as unknown as { __printSeen: unknown[] }).__printSeen = seen;
    const original = window.print.bind(window);
    window.print = () => {
      const layer = document.getElementById('pdf-print-layer');
      const imgs = layer ? Array.from(layer.querySelectorAll('img')) : [];
      const printCss = Array.from(document.styleSheets)
        .flatMap((sheet) => Array.from(sheet.cssRules))
        .some((r) => r instanceof CSSMediaRule && r.conditionText === 'print' && r.cssText.includes('#pdf-print-layer') && r.cssText.includes('display: none'));
      seen.push({ images: imgs.length, widths: imgs.map((i) => i.naturalWidth), printRule: printCss });
      original();
    };
  });
  await page.getByRole('dialog').getByRole('button', { name: /打\s*印/ }).click();
  await expect.poll(() => page.evaluate(() => (window as unknown as { __printSeen: unknown[] }).__printSeen.length)).toBe(1);
  const seen = (await page.evaluate(() => (window as unknown as { __printSeen: unknown[] }).__printSeen[0])) as { images: number; widths: number[]; printRule: boolean };
  expect(seen.images).toBe(pages);
  for (const w of seen.widths) expect(Math.abs(w - 1654)).toBeLessThanOrEqual(2);
  expect(seen.printRule).toBe(true);
  await expect(page.locator('#pdf-print-layer')).toHaveCount(0);
}
