import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import { maskApplicantId } from '../applicants/applicants-service';
import { shareCreditRecord } from '../hub/hall-records';

/** The local credit list consulted before a commitment (告知承诺). */
export function createCreditService(deps: Deps): PartialHandlers {
  return {
    'credit.list': () =>
      (
        deps.db.prepare('SELECT * FROM credit_records ORDER BY repaired_at IS NOT NULL, recorded_at DESC').all() as {
          id: number;
          id_type: 'resident_id' | 'uscc';
          id_number: string;
          name: string;
          kind: 'bad_credit' | 'false_commitment';
          severity: string;
          reason: string;
          source: string;
          document_no: string | null;
          decided_on: string | null;
          recorded_at: string;
          repaired_at: string | null;
        }[]
      ).map((r) => ({
        id: r.id,
        name: r.name,
        idNumberMasked: maskApplicantId(r.id_type, r.id_number),
        kind: r.kind,
        severity: r.severity,
        reason: r.reason,
        source: r.source,
        documentNo: r.document_no,
        decidedOn: r.decided_on,
        recordedAt: r.recorded_at,
        repairedAt: r.repaired_at,
      })),

    'credit.recordOutside': ({ applicantId, severity, source, documentNo, decidedOn, reason }, ctx) => {
      const id = deps.write(ctx.actor, (w) => {
        const a = w.db.prepare('SELECT name, id_type, id_number FROM applicants WHERE id = ?').get(applicantId) as { name: string; id_type: string; id_number: string } | undefined;
        if (!a) throw new AppError('NOT_FOUND', '该申请人不存在。');
        if (w.db.prepare('SELECT 1 FROM credit_records WHERE source = ? AND document_no = ? AND id_type = ? AND id_number = ?').get(source, documentNo, a.id_type, a.id_number)) {
          throw new AppError('CONFLICT', `该申请人已登记“${source}”文号 ${documentNo} 的信用记录。`);
        }
        const id = Number(
          w.db
            .prepare(
              `INSERT INTO credit_records (id_type, id_number, name, kind, severity, reason, source, recorded_at, created_by, document_no, decided_on)
               VALUES (?, ?, ?, 'bad_credit', ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(a.id_type, a.id_number, a.name, severity, reason, source, w.at.toISOString(), ctx.user!.id, documentNo, decidedOn).lastInsertRowid,
        );
        w.audit({ action: 'credit.recordOutside', entityType: 'credit', entityId: id, detail: { applicantId, severity, source, documentNo, decidedOn } });
        shareCreditRecord(w, id); // the hall's credit list: every desk refuses the commitment too (docs/hub.md)
        return id;
      });
      return { id };
    },

    'credit.repair': ({ id, note }, ctx) => {
      deps.write(ctx.actor, (w) => {
        const r = w.db.prepare('SELECT repaired_at FROM credit_records WHERE id = ?').get(id) as { repaired_at: string | null } | undefined;
        if (!r) throw new AppError('NOT_FOUND', '该信用记录不存在。');
        if (r.repaired_at) throw new AppError('INVALID_STATE', '该信用记录已修复。');
        w.db.prepare('UPDATE credit_records SET repaired_at = ?, repair_note = ? WHERE id = ?').run(w.at.toISOString(), note, id);
        w.audit({ action: 'credit.repair', entityType: 'credit', entityId: id, detail: { note } });
        shareCreditRecord(w, id);
      });
      return { ok: true as const };
    },
  };
}
