import type { MethodOutput } from '../../../../shared/ipc/contract';

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
  return { title: `扫描件“${d.title}”已保存（${d.pages.length} 页）`, content: `${where}，${use}。` };
}
