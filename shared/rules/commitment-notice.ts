/**
 * What a notice (告知书) of a certificate under 告知承诺 must state, per 国办发〔2020〕42号:
 * the item's conditions, the certificate obligation (证明义务), the certificate content (证明内容),
 * how to commit, the liability for a false commitment, the agency's right to verify and the
 * applicant's duty to cooperate. Checked at catalog import; each missing part is named.
 *
 * Each part is recognised by the words a notice uses for it (docs/catalog-xlsx.md lists them).
 */
export interface NoticePart {
  key: 'conditions' | 'obligation' | 'content' | 'howToCommit' | 'liability' | 'rightToVerify' | 'dutyToCooperate';
  label: string;
  /** What the notice must say, for the person fixing the text. */
  hint: string;
  test: RegExp;
}

export const NOTICE_PARTS: readonly NoticePart[] = [
  { key: 'conditions', label: '事项办理条件', hint: '写明“应当……”的办理条件', test: /条件|应当/ },
  { key: 'obligation', label: '证明义务', hint: '写明“负有……的证明义务”', test: /证明义务|负有[^。；]*义务/ },
  { key: 'content', label: '证明内容', hint: '写明“证明内容为……”', test: /证明内容/ },
  { key: 'howToCommit', label: '承诺方式', hint: '写明以书面承诺代替证明、由申请人本人签字（签署）', test: /承诺[^。]*(签字|签署|签名)|(签字|签署|签名)[^。]*承诺/ },
  { key: 'liability', label: '虚假承诺的法律责任', hint: '写明“承诺不实的……（撤销、信用记录、法律责任）”', test: /(承诺不实|虚假承诺)[^。]*(责任|撤销|终止|信用|处罚|追回)/ },
  { key: 'rightToVerify', label: '行政机关核查权', hint: '写明“……有权……核查（核验、调查）”', test: /有权[^。]*(核查|核验|核实|调查)|(核查|核验|核实)的权利/ },
  { key: 'dutyToCooperate', label: '申请人配合核查义务', hint: '写明“申请人应当配合”', test: /配合/ },
];

/** The parts a notice text leaves out, in the order of NOTICE_PARTS. */
export function missingNoticeParts(noticeText: string): NoticePart[] {
  const text = noticeText.replace(/\s+/g, '');
  return NOTICE_PARTS.filter((p) => !p.test.test(text));
}
