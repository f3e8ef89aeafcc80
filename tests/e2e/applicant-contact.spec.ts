import { expect, test, type Page } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';
import { startIntakeFor } from './support/intake';

test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

let hosts: RunningHost[] = [];
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

async function openIntake(page: Page) {
  const h = await startHost();
  hosts.push(h);
  await page.goto(h.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  await page.getByRole('menuitem', { name: '受理办件' }).click();
}

test('registering an organisation with its legal representative at intake: a bad phone and address are refused in Chinese, and the signer’s credit record blocks at once', async ({ page }, info) => {
  await openIntake(page);
  await expect(page.getByPlaceholder('姓名、单位名称、证件号码后4位或完整号码')).toBeVisible();
  await page.getByRole('button', { name: /新申请人/ }).click();
  await page.locator('label.ant-radio-button-wrapper', { hasText: /^单位$/ }).click();
  await page.getByLabel('单位名称').fill('房县青峰农业专业合作社');
  await page.getByLabel('统一社会信用代码').fill('92420325MA4FXXK2P4');
  await page.getByLabel('联系电话', { exact: true }).fill('3229876');
  await page.getByLabel('单位地址').fill('湖北省十堰市房县');
  await page.getByRole('button', { name: /登记并选择/ }).click();
  await expect(page.getByText('固定电话须带区号，如 0719-3221234')).toBeVisible();
  await expect(page.getByText('地址须写明县（市、区）以下的详细地址：乡镇街道、村组或门牌号')).toBeVisible();
  await expect(page.getByText('请选择签署人身份（法定代表人或经办人）')).toBeVisible();

  await page.getByLabel('联系电话', { exact: true }).fill('0719-3229876');
  await page.getByLabel('单位地址').fill('湖北省十堰市房县土城镇黄龙村三组');
  await page.getByTestId('signer-fields').locator('label.ant-radio-button-wrapper', { hasText: '法定代表人' }).click();
  await page.getByLabel('签署人姓名').fill('赵大勇');
  await page.getByLabel('签署人身份证号码').fill('420325198507120019');
  await page.getByLabel('签署人电话').fill('13872001122');
  await expect(page.locator('.ant-form-item-explain-error')).toHaveCount(0);
  await page.screenshot({ path: info.outputPath('register-organisation.png') });
  await page.getByRole('button', { name: /登记并选择/ }).click();

  // On to the items step, with the block shown at once, naming the signer and the record's source.
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible();
  const block = page.getByTestId('credit-block');
  await expect(block).toContainText('不得适用告知承诺，须提交证明材料');
  await expect(block).toContainText('法定代表人 赵大勇');
  await expect(block).toContainText('失信被执行人');
  await expect(block).toContainText('信用中国（湖北十堰）');
  await page.screenshot({ path: info.outputPath('organisation-signer-blocked.png') });

  // The applicants page lists it with its signer masked.
  await page.getByRole('menuitem', { name: '申请人' }).click();
  const row = page.getByRole('row', { name: /青峰/ });
  await expect(row.getByTestId('signer-cell')).toContainText('法定代表人 赵大勇');
  await expect(row.getByTestId('signer-cell')).toContainText('138****1122');
  await expect(row.getByTestId('address-cell')).toHaveText('湖北省十堰市房县土城镇黄龙村三组');
  await expect(page.getByRole('row', { name: /孙丽/ }).getByTestId('address-cell')).toHaveText('地址未登记');
  await page.screenshot({ path: info.outputPath('applicants-page.png') });
});

test('choosing at intake an applicant with a credit record shows the block at once; a clean one shows none', async ({ page }, info) => {
  await openIntake(page);
  await startIntakeFor(page, '赵大勇');
  const block = page.getByTestId('credit-block');
  await expect(block).toContainText('不得适用告知承诺，须提交证明材料');
  await expect(block).toContainText('申请人 赵大勇');
  await expect(block).toContainText('严重失信（严重）');
  await expect(block).toContainText('来源：信用中国（湖北十堰）');
  await page.screenshot({ path: info.outputPath('intake-credit-block.png') });

  await page.getByRole('button', { name: /重新选择申请人/ }).click();
  await startIntakeFor(page, '王芳');
  await expect(page.getByRole('button', { name: /生成办件/ })).toBeVisible();
  await expect(page.getByTestId('credit-block')).toHaveCount(0);
});

test('an applicant registered without an address gets one later; a bad one is refused in Chinese; the full phone is shown only through the audited reveal', async ({ page }, info) => {
  await openIntake(page);
  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  const row = page.getByRole('row', { name: /孙丽/ });
  await expect(row.getByTestId('address-cell')).toHaveText('地址未登记');
  await expect(row).toContainText('159****3344');
  await row.getByRole('button', { name: /修改/ }).click();
  const modal = page.getByRole('dialog', { name: /修改申请人/ });
  await modal.getByLabel('住址').fill('城关镇东街12号院内');
  await modal.getByRole('button', { name: /保存修改/ }).click();
  await expect(modal).toContainText('地址须包含县（市、区）名称，如“湖北省十堰市房县城关镇东街12号”');
  await modal.getByLabel('住址').fill('湖北省十堰市房县城关镇南街5号');
  await modal.getByLabel('联系电话', { exact: true }).fill('12345678901');
  await modal.getByRole('button', { name: /保存修改/ }).click();
  await expect(modal).toContainText('手机号码第二位应为3至9，请核对');
  await modal.getByLabel('联系电话', { exact: true }).fill('');
  await page.screenshot({ path: info.outputPath('edit-applicant.png') });
  await modal.getByRole('button', { name: /保存修改/ }).click();
  await expect(modal).toHaveCount(0);
  await expect(row.getByTestId('address-cell')).toHaveText('湖北省十堰市房县城关镇南街5号');

  await row.getByRole('button', { name: '查看完整电话' }).click();
  const reveal = page.getByRole('dialog', { name: '查看完整联系电话' });
  await expect(reveal).toContainText('记入审计日志');
  await reveal.getByRole('button', { name: /确认查看/ }).click();
  await expect(reveal.getByTestId('revealed-phone')).toHaveText('15972663344');
});
