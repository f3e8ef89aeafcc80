import fs from 'node:fs';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { startHost, type RunningHost } from './support/host';
import { chooseApplicant, startIntakeFor } from './support/intake';

/**
 * Issue 16: ONE applicant registration form at 申请人登记 and at 受理办件's applicant step — persons
 * and organisations, 读取身份证, the same fields and the same messages (shared/rules/applicant-fields.ts).
 */
test.use({ viewport: { width: 1366, height: 768 }, locale: 'zh-CN' });

// A card on the simulated reader (hand-checked GB 11643 check digit), not in the demo data.
const CARD = {
  name: '陈静怡',
  idNumber: '420325198803120523',
  gender: '女',
  nation: '汉',
  birthDate: '1988-03-12',
  address: '湖北省十堰市房县军店镇下店子村二组',
  issuer: '房县公安局',
  validFrom: '2018-05-01',
  validUntil: '2038-05-01',
};

let hosts: RunningHost[] = [];
test.afterEach(async () => {
  await Promise.all(hosts.map((h) => h.kill()));
  hosts = [];
});

async function signIn(page: Page): Promise<RunningHost> {
  const h = await startHost();
  hosts.push(h);
  fs.mkdirSync(path.join(h.dataDir, 'devices'), { recursive: true });
  fs.writeFileSync(path.join(h.dataDir, 'devices', 'idcard-sim.json'), JSON.stringify(CARD));
  await page.goto(h.url);
  await page.getByPlaceholder('用户名').fill('zhangmin');
  await page.getByPlaceholder('密码').fill('Desk@2026');
  await page.getByRole('button', { name: /登\s*录/ }).click();
  await expect(page.getByTestId('home-page')).toBeVisible();
  return h;
}

const registrationCard = (page: Page) => page.locator('.ant-card').filter({ has: page.getByText('登记申请人', { exact: true }) });
const intakeCard = (page: Page) => page.locator('.ant-card').filter({ has: page.getByText('登记新申请人', { exact: true }) });

async function openIntakeRegistration(page: Page): Promise<Locator> {
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  const fresh = page.getByRole('button', { name: /新办件/ });
  const add = page.getByRole('button', { name: /新申请人/ });
  await expect(add.or(fresh)).toBeVisible();
  if (await fresh.isVisible()) await fresh.click();
  await add.click();
  return intakeCard(page);
}

/** Every field in error, as [label, message], in the form's order ('' for the signer's role, which has no label). */
async function errorsOf(scope: Locator): Promise<string[][]> {
  return scope.locator('.ant-form-item-has-error').evaluateAll((items) =>
    items.map((i) => [i.querySelector('.ant-form-item-label label')?.textContent ?? '', i.querySelector('.ant-form-item-explain-error')?.textContent ?? '']),
  );
}

/** The same wrong organisation typed into a form, then submitted with `submit`. */
async function typeBadOrganisation(scope: Locator, submit: RegExp): Promise<void> {
  await scope.locator('label.ant-radio-button-wrapper', { hasText: /^单位$/ }).click();
  await scope.getByLabel('统一社会信用代码').fill('92420325MA4FXXK2P5');
  await scope.getByLabel('联系电话', { exact: true }).fill('12972812345');
  await scope.getByLabel('单位地址').fill('湖北省十堰市房县');
  await scope.getByLabel('签署人姓名').fill('赵大勇');
  await scope.getByLabel('签署人身份证号码').fill('420325198507120010');
  await scope.getByLabel('签署人电话').fill('2872001122');
  await scope.getByRole('button', { name: submit }).click();
}

/** The same wrong person: a birth date that does not exist, no phone. */
async function typeBadPerson(scope: Locator, submit: RegExp): Promise<void> {
  await scope.locator('label.ant-radio-button-wrapper', { hasText: /^个人$/ }).click();
  await scope.getByLabel('姓名').fill('李小红');
  await scope.getByLabel('居民身份证号码').fill('42032519930230001X');
  await scope.getByLabel('联系电话', { exact: true }).fill('');
  await scope.getByLabel('住址').fill('');
  await scope.getByRole('button', { name: submit }).click();
}

// Written by hand from shared/rules/applicant-fields.ts's messages.
const ORGANISATION_ERRORS = [
  ['单位名称', '请输入单位名称'],
  ['统一社会信用代码', '统一社会信用代码校验位不正确，请核对是否录入有误'],
  ['联系电话', '手机号码第二位应为3至9，请核对'],
  ['单位地址', '地址须写明县（市、区）以下的详细地址：乡镇街道、村组或门牌号'],
  ['', '请选择签署人身份（法定代表人或经办人）'],
  ['签署人身份证号码', '身份证号码校验位不正确，请核对是否录入有误'],
  ['签署人电话', '固定电话须带区号，如 0719-3221234'],
];
const PERSON_ERRORS = [
  ['居民身份证号码', '身份证号码中的出生日期不存在'],
  ['联系电话', '请输入联系电话'],
];

test('申请人登记 registers an organisation and a person read from the ID card; 受理办件 finds both', async ({ page }, info) => {
  await signIn(page);
  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  const form = registrationCard(page);

  // An organisation with its agent (经办人).
  await form.locator('label.ant-radio-button-wrapper', { hasText: /^单位$/ }).click();
  await form.getByLabel('单位名称').fill('房县青峰农业专业合作社');
  await form.getByLabel('统一社会信用代码').fill('92420325MA4FXXK2P4');
  await form.getByLabel('联系电话', { exact: true }).fill('0719-3229876');
  await form.getByLabel('单位地址').fill('湖北省十堰市房县土城镇黄龙村三组');
  await form.getByTestId('signer-fields').locator('label.ant-radio-button-wrapper', { hasText: '经办人' }).click();
  await form.getByLabel('签署人姓名').fill('李明');
  await form.getByLabel('签署人身份证号码').fill('420325199208170512');
  await form.getByLabel('签署人电话').fill('13907195678');
  await page.screenshot({ path: info.outputPath('applicants-organisation.png') });
  await form.getByRole('button', { name: /保存登记/ }).click();
  await expect(page.getByText('已登记申请人：房县青峰农业专业合作社')).toBeVisible();
  const orgRow = page.getByRole('row', { name: /青峰/ });
  await expect(orgRow.getByTestId('signer-cell')).toContainText('经办人 李明');
  await expect(orgRow).toContainText('924203********K2P4'); // masked like ID numbers

  // Edited through the same form: name and code fixed (the code masked), the signer replaced and checked by the same rule.
  await orgRow.getByRole('button', { name: /修改/ }).click();
  const modal = page.getByRole('dialog', { name: /修改申请人/ });
  await expect(modal.getByLabel('统一社会信用代码')).toHaveValue('924203********K2P4');
  await expect(modal.getByLabel('统一社会信用代码')).toBeDisabled();
  await modal.locator('label.ant-radio-button-wrapper', { hasText: '更换签署人' }).click();
  await modal.getByTestId('signer-fields').locator('label.ant-radio-button-wrapper', { hasText: '法定代表人' }).click();
  await modal.getByLabel('签署人姓名').fill('周建国');
  await modal.getByLabel('签署人身份证号码').fill('420325198507120010');
  await modal.getByLabel('签署人电话').fill('13872001123');
  await modal.getByRole('button', { name: /保存修改/ }).click();
  await expect(modal).toContainText('身份证号码校验位不正确，请核对是否录入有误');
  await page.screenshot({ path: info.outputPath('applicants-edit-organisation.png') });
  await modal.getByLabel('签署人身份证号码').fill('420325198507120019');
  await modal.getByRole('button', { name: /保存修改/ }).click();
  await expect(modal).toHaveCount(0);
  await expect(orgRow.getByTestId('signer-cell')).toContainText('法定代表人 周建国');

  // A person: 读取身份证 fills name, number and address; the clerk adds the phone.
  await form.getByTestId('read-id-card').click();
  await expect(page.getByText('已读取身份证（模拟读卡器，演示数据）：陈静怡，请补充联系电话后登记')).toBeVisible();
  await expect(form.getByLabel('姓名')).toHaveValue('陈静怡');
  await expect(form.getByLabel('居民身份证号码')).toHaveValue('420325198803120523');
  await expect(form.getByLabel('住址')).toHaveValue('湖北省十堰市房县军店镇下店子村二组');
  await form.getByLabel('联系电话', { exact: true }).fill('13687190002');
  await page.screenshot({ path: info.outputPath('applicants-person-from-card.png') });
  await form.getByRole('button', { name: /保存登记/ }).click();
  await expect(page.getByText('已登记申请人：陈静怡')).toBeVisible();
  const personRow = page.getByRole('row', { name: /陈静怡/ });
  await expect(personRow).toContainText('420***********0523'); // masked on screen
  await expect(personRow).not.toContainText('420325198803120523');
  await expect(personRow.getByTestId('address-cell')).toHaveText('湖北省十堰市房县军店镇下店子村二组');

  // Reading the same card again at 申请人登记: already registered, shown in the list.
  await form.getByTestId('read-id-card').click();
  await expect(page.getByText('已读取身份证（模拟读卡器，演示数据）：陈静怡，申请人已登记')).toBeVisible();
  await expect(form.getByLabel('姓名')).toHaveValue('');
  // Its message gone before intake reads the card and says the same.
  await expect(page.getByText('已读取身份证（模拟读卡器，演示数据）：陈静怡，申请人已登记')).toHaveCount(0);

  // 受理办件 finds each: the organisation by name, the person by her card.
  await page.getByRole('menuitem', { name: '受理办件' }).click();
  await startIntakeFor(page, '青峰');
  await expect(page.locator('.ant-steps')).toContainText('房县青峰农业专业合作社');
  await page.getByRole('button', { name: /重新选择申请人/ }).click();
  await page.getByTestId('read-id-card').click();
  await expect(page.getByText('已读取身份证（模拟读卡器，演示数据）：陈静怡，申请人已登记')).toBeVisible();
  await expect(page.locator('.ant-steps')).toContainText('陈静怡');
  await page.getByRole('button', { name: /重新选择申请人/ }).click();
  await chooseApplicant(page, '0523'); // by the last four of her number
  await expect(page.locator('.ant-steps')).toContainText('陈静怡');
});

test('the same wrong input gets the same specific messages at 申请人登记 and at 受理办件, and nothing is registered', async ({ page }, info) => {
  await signIn(page);
  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  const registration = registrationCard(page);
  await typeBadOrganisation(registration, /保存登记/);
  await expect.poll(() => errorsOf(registration)).toEqual(ORGANISATION_ERRORS);
  await page.screenshot({ path: info.outputPath('applicants-refused.png') });
  await typeBadPerson(registration, /保存登记/);
  await expect.poll(() => errorsOf(registration)).toEqual(PERSON_ERRORS);

  const intake = await openIntakeRegistration(page);
  await typeBadOrganisation(intake, /登记并选择/);
  await expect.poll(() => errorsOf(intake)).toEqual(ORGANISATION_ERRORS);
  await page.screenshot({ path: info.outputPath('intake-refused.png') });
  await typeBadPerson(intake, /登记并选择/);
  await expect.poll(() => errorsOf(intake)).toEqual(PERSON_ERRORS);
  // Both forms mark the same fields required.
  const marked = (scope: Locator) => scope.locator('label.ant-form-item-required').allInnerTexts();
  await expect.poll(() => marked(intake)).toEqual(['姓名', '居民身份证号码', '联系电话']);
  await expect(page.getByRole('button', { name: /生成办件/ })).toHaveCount(0); // still at the applicant step

  await page.getByRole('menuitem', { name: '申请人登记' }).click();
  await expect.poll(() => marked(registrationCard(page))).toEqual(['姓名', '居民身份证号码', '联系电话']);
  await expect(page.getByRole('row', { name: /李小红/ })).toHaveCount(0);
});
