import { expect, type Page } from '@playwright/test';

/** What the simulated document camera reports with each capture (a USB camera, manual trigger). */
export const CAMERA_CAPTURE = { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 640, height: 900 }, rotation: 0, trigger: 'manual', blank: false };

/**
 * On 高拍仪扫描: fills 新建扫描件 — the applicant searched by `applicant` and picked from the hits
 * (the options list the hits of the typed search only once it has answered), optionally one of
 * their cases by its number, the material's name, optionally its 有效期至 — and presses 开始扫描.
 */
export async function startStandaloneScan(page: Page, o: { applicant: string; title: string; caseNo?: string; validUntil?: string }): Promise<void> {
  const form = page.getByTestId('scan-new');
  await form.getByTestId('scan-applicant').click();
  await page.keyboard.type(o.applicant);
  const hit = page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: `${o.applicant}（` });
  await expect(async () => {
    const all = await page.locator('.ant-select-dropdown:visible .ant-select-item-option').allInnerTexts();
    expect(all.length).toBeGreaterThan(0);
    expect(all.every((t) => t.includes(o.applicant))).toBe(true);
  }).toPass();
  await hit.first().click();
  await expect(form.getByTestId('scan-applicant')).toContainText(o.applicant);
  if (o.caseNo) {
    await form.getByTestId('scan-case').click();
    await page.locator('.ant-select-dropdown:visible .ant-select-item-option').filter({ hasText: o.caseNo }).click();
  }
  await form.getByLabel('材料名称').fill(o.title);
  await page.keyboard.press('Escape'); // the name's suggestions close
  if (o.validUntil) {
    // 有效期至, typed as the clerk reads it off the document (YYYY-MM-DD); Tab takes it (Enter would also submit the form).
    const date = form.getByLabel(/^有效期至/);
    await date.click();
    await date.fill(o.validUntil);
    await date.press('Tab');
    await expect(date).toHaveValue(o.validUntil);
  }
  await form.getByRole('button', { name: /开始扫描/ }).click();
  await expect(page.getByTestId('scan-owner')).toContainText(`申请人：${o.applicant}`);
}
