import type { MethodOutput } from '../../../../shared/ipc/contract';
import type { ScanMaterialLink } from '../../../../shared/ipc/methods/scans';

/**
 * What 完成 tells the clerk: where the document went and how it is used next. One place for the
 * sentence, so the page and its test read the same words.
 */
export function whereItWent(r: MethodOutput<'scans.finish'>): { title: string; content: string } {
  const d = r.document;
  const who = d.applicant ? `申请人${d.applicant.name}` : '申请人';
  const until = r.material.validUntil ? `，有效期至 ${r.material.validUntil}` : '';
  const use = r.material.certificate
    ? `受理时核对“${r.material.certificate.name}”可直接选用`
    : '受理时在任一证明的“核对原件”中可直接选用';
  const where = d.case ? `已随办件 ${d.case.caseNo} 保存在${who}名下的材料库${until}` : `已保存在${who}名下的材料库${until}`;
  // 完成 pressed again (or retried after a lost answer): the material filed the first time, not a second copy.
  const title = r.alreadyFinished ? `扫描件“${d.title}”此前已保存（${d.pages.length} 页），未重复存入` : `扫描件“${d.title}”已保存（${d.pages.length} 页）`;
  return { title, content: `${where}，${use}。` };
}

/** Which material a finished scan became, in one line: 已存为申请人王芳的材料“出生医学证明”（出生医学证明，有效期至 2031-06-30）. */
export function scanBecame(m: ScanMaterialLink): string {
  return scanBecameParts(m).join('');
}

/** The same in two parts, where a narrow line may break: whose material, then what it is for and until when. */
export function scanBecameParts(m: ScanMaterialLink): [string, string] {
  const certificate = m.certificate ? m.certificate.name : '未指定证明';
  return [`已存为申请人${m.applicantName}的材料“${m.title}”`, `（${certificate}，${m.validUntil ? `有效期至 ${m.validUntil}` : '长期有效'}）`];
}
