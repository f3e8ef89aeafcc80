import { describe, expect, it } from 'vitest';
import { answersWithDefaults, certificateState, isResolved, planCertificates, questionsFor } from '../../shared/rules/certificate-resolution';
import { addMonths, isReusable, reusableUntil } from '../../shared/rules/material-validity';
import { missingNoticeParts } from '../../shared/rules/commitment-notice';

const SELF = { code: 'Q-SELF', question: '是否本人申请', defaultAnswer: true };
const HOSPITAL = { code: 'Q-HOSP', question: '是否院内分娩', defaultAnswer: true };

describe('certificate resolution (适用情形, 由本件产生)', () => {
  // 1 户籍证明 (always), 2 授权委托书 (when 本人申请 = 否), 3 亲子鉴定 (when 院内分娩 = 否), 4 出生医学证明 (always).
  const conditions = new Map([
    [1, { id: 1, circumstanceCode: null, appliesWhen: null }],
    [2, { id: 2, circumstanceCode: 'Q-SELF', appliesWhen: false }],
    [3, { id: 3, circumstanceCode: 'Q-HOSP', appliesWhen: false }],
    [4, { id: 4, circumstanceCode: null, appliesWhen: null }],
  ]);
  const items = [
    { name: '出生登记', certificateIds: [1], produces: [] },
    { name: '出生医学证明办理', certificateIds: [1, 3], produces: [4] },
    { name: '户口登记', certificateIds: [4, 1, 2], produces: [] },
  ];

  it('the common case: 不涉及 with the default answer, 由本件产生 after the producing item', () => {
    const questions = questionsFor(conditions.values(), [SELF, HOSPITAL]);
    expect(questions.map((q) => q.code)).toEqual(['Q-SELF', 'Q-HOSP']);
    const plans = planCertificates(items, conditions, questions, answersWithDefaults(questions, {}));
    expect(Object.fromEntries(plans)).toEqual({
      1: { applicability: 'applies', neededBy: ['出生登记', '出生医学证明办理', '户口登记'] },
      2: { applicability: 'not_applicable', neededBy: ['户口登记'], question: '是否本人申请', answer: true },
      3: { applicability: 'not_applicable', neededBy: ['出生医学证明办理'], question: '是否院内分娩', answer: true },
      4: { applicability: 'produced', neededBy: ['户口登记'], producedBy: '出生医学证明办理' },
    });
  });

  it('answers flipped: the conditional certificates apply', () => {
    const plans = planCertificates(items, conditions, [SELF, HOSPITAL], answersWithDefaults([SELF, HOSPITAL], { 'Q-SELF': false, 'Q-HOSP': false }));
    expect(plans.get(2)?.applicability).toBe('applies');
    expect(plans.get(3)?.applicability).toBe('applies');
  });

  it('an item needing the certificate before the producing item means the applicant brings it', () => {
    const reordered = [items[2]!, items[1]!];
    const plans = planCertificates(reordered, conditions, [], new Map());
    expect(plans.get(4)).toEqual({ applicability: 'applies', neededBy: ['户口登记'] });
  });

  it('only pending is unresolved; 不涉及 and 由本件产生 are shown over the stored state', () => {
    expect(certificateState('not_needed', 'not_applicable')).toBe('not_applicable');
    expect(certificateState('pending', 'applies')).toBe('pending');
    expect(['not_needed', 'not_applicable', 'produced', 'satisfied', 'queued', 'requested', 'presented'].every((s) => isResolved(s as never))).toBe(true);
    expect(isResolved('pending')).toBe(false);
  });
});

describe('material validity (有效期)', () => {
  it('adds calendar months, clamping to the month end', () => {
    expect(addMonths('2026-01-10', 12)).toBe('2027-01-10');
    expect(addMonths('2026-01-31', 1)).toBe('2026-02-28');
    expect(addMonths('2027-12-15', 3)).toBe('2028-03-15');
  });

  it('reusable until the earlier of the document date and the validity', () => {
    expect(reusableUntil('2026-01-10', null, 12)).toBe('2027-01-10');
    expect(reusableUntil('2026-01-10', '2026-06-30', 12)).toBe('2026-06-30');
    expect(reusableUntil('2026-01-10', null, null)).toBeNull();
    expect(isReusable('2027-02-10', '2026-01-10', null, 12)).toBe(false); // 13 months later
    expect(isReusable('2026-12-10', '2026-01-10', null, 12)).toBe(true); // 11 months later
    expect(isReusable('2040-01-01', '2026-01-10', null, null)).toBe(true); // 长期
  });
});

describe('the notice of a commitment (国办发〔2020〕42号)', () => {
  const full = '申请人应当在本县居住，负有证明义务，证明内容为居住地址。承诺书须由本人签字。行政机关有权核查，申请人应当配合。承诺不实的，撤销决定并记入信用记录。';

  it('names each missing part', () => {
    expect(missingNoticeParts(full)).toEqual([]);
    expect(missingNoticeParts(full.replace('承诺不实的，撤销决定并记入信用记录。', '')).map((p) => p.label)).toEqual(['虚假承诺的法律责任']);
    expect(missingNoticeParts('请如实填写。').map((p) => p.label)).toEqual([
      '事项办理条件',
      '证明义务',
      '证明内容',
      '承诺方式',
      '虚假承诺的法律责任',
      '行政机关核查权',
      '申请人配合核查义务',
    ]);
  });
});
