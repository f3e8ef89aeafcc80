/**
 * What an assistant checks for each verification method (核查方式). The
 * checklist travels in the field package; the answers come back in the result.
 */
export const VERIFICATION_METHODS = ['书面核查', '网络核验', '实地调查', '公示核查'] as const;
export type VerificationMethod = (typeof VERIFICATION_METHODS)[number];

export interface ChecklistItem {
  key: string;
  text: string;
}

export const CHECKLISTS: Record<VerificationMethod, readonly ChecklistItem[]> = {
  书面核查: [
    { key: 'docs_requested', text: '已向申请人或有关单位调取书面材料' },
    { key: 'docs_consistent', text: '书面材料与承诺内容一致' },
    { key: 'issuer_seal', text: '材料加盖出具单位印章、内容完整' },
  ],
  网络核验: [
    { key: 'system_queried', text: '已在有关部门信息系统中查询' },
    { key: 'record_found', text: '系统中存在与承诺一致的记录' },
    { key: 'screenshot_kept', text: '已保存查询结果截图' },
  ],
  实地调查: [
    { key: 'site_visited', text: '已到现场（地址与承诺一致）' },
    { key: 'facts_match', text: '现场情况与承诺内容一致' },
    { key: 'photos_taken', text: '已拍摄现场照片' },
    { key: 'applicant_present', text: '申请人或其代理人在场并签字确认' },
  ],
  公示核查: [
    { key: 'published', text: '承诺内容已按规定公示' },
    { key: 'period_over', text: '公示期已满' },
    { key: 'no_objection', text: '公示期内未收到异议或举报' },
  ],
};

export function checklistFor(method: string): readonly ChecklistItem[] {
  return (CHECKLISTS as Record<string, readonly ChecklistItem[]>)[method] ?? [];
}

/** Methods where the applicant signs the record on the spot. */
export function needsApplicantSignature(method: string): boolean {
  return method === '实地调查';
}
