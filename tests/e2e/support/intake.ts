import { expect, type Page } from '@playwright/test';

const SEARCH = '姓名、单位名称、证件号码后4位或完整号码';

/**
 * At 受理办件: starts a new case if the window resumed this clerk's last one from its draft (the
 * page shows either the applicant search or the resumed case once the draft has been read), then
 * picks the applicant `name`.
 */
export async function startIntakeFor(page: Page, name: string): Promise<void> {
  const search = page.getByPlaceholder(SEARCH);
  const fresh = page.getByRole('button', { name: /新办件/ });
  await expect(search.or(fresh)).toBeVisible();
  if (await fresh.isVisible()) await fresh.click();
  await chooseApplicant(page, name);
}

/**
 * Searches for `name` and picks it. Enter on a search with a single hit picks it at once (the
 * items step replaces the search); with several hits, the row is picked by its 选择 once the list
 * shows the search's results only: the list first shows the latest applicants, and a click while
 * it changes to the results lands where a row used to be.
 */
export async function chooseApplicant(page: Page, name: string): Promise<void> {
  const search = page.getByPlaceholder(SEARCH);
  await search.fill(name);
  await search.press('Enter');
  const rows = page.getByRole('row').filter({ has: page.getByRole('button', { name: /选\s*择/ }) });
  await expect(async () => {
    if ((await search.count()) === 0) return; // a single hit, already picked
    const texts = await rows.allInnerTexts();
    expect(texts.length).toBeGreaterThan(1); // one row is picked by Enter itself
    expect(texts.every((t) => t.includes(name))).toBe(true);
  }).toPass();
  if ((await search.count()) > 0) await rows.filter({ hasText: name }).first().getByRole('button', { name: /选\s*择/ }).click();
  // Step 2 (办理事项) replaces the search.
  await expect(search).toHaveCount(0);
}

/** At the items step: answers one circumstance question (适用情形) asked once per case. */
export async function answerCircumstance(page: Page, question: string, answer: '是' | '否'): Promise<void> {
  const group = page.getByTestId('circumstances').getByRole('radiogroup', { name: question });
  await group.getByText(answer, { exact: true }).click();
  await expect(group.getByRole('radio', { name: answer, exact: true })).toBeChecked();
}

/** At the items step: searches the catalog for `search`, ticks the item whose row matches `item`, and makes the case (生成办件). */
export async function makeCaseWithItem(page: Page, search: string, item: RegExp): Promise<void> {
  const box = page.getByPlaceholder('事项名称、部门或编码');
  await box.fill(search);
  await box.press('Enter');
  await page.getByRole('row', { name: item }).getByRole('checkbox').check({ timeout: 15_000 });
  await page.getByRole('button', { name: /生成办件/ }).click();
}

/** Draws a signature on the commitment drawer's pad (a stroke of 20 mouse moves across it). */
export async function drawSignature(page: Page): Promise<void> {
  const box = (await page.getByTestId('signature-pad').boundingBox())!;
  await page.mouse.move(box.x + 40, box.y + box.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 20; i++) await page.mouse.move(box.x + 40 + i * 18, box.y + box.height / 2 + Math.sin(i) * 30);
  await page.mouse.up();
}
