import type { Db } from '../../store/open-store';

/**
 * Who may not commit (告知承诺) until their credit is repaired: serious bad
 * credit, or a past false commitment (国办发〔2020〕42号).
 */
export function commitmentIneligibility(db: Db, idType: string, idNumber: string): string[] {
  const rows = db
    .prepare(
      `SELECT kind, severity, reason, source, recorded_at FROM credit_records
       WHERE id_type = ? AND id_number = ? AND repaired_at IS NULL AND (kind = 'false_commitment' OR severity = '严重')
       ORDER BY recorded_at`,
    )
    .all(idType, idNumber) as { kind: string; severity: string; reason: string; source: string; recorded_at: string }[];
  return rows.map((r) => {
    const when = r.recorded_at.slice(0, 10);
    return r.kind === 'false_commitment'
      ? `曾作出虚假承诺且尚未完成信用修复：${r.reason}（${r.source}，${when}）`
      : `存在严重失信记录且尚未完成信用修复：${r.reason}（${r.source}，${when}）`;
  });
}
