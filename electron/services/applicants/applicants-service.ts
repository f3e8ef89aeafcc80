import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { ApplicantView } from '../../../shared/ipc/contract';
import { maskIdNumber } from '../../../shared/rules/id-number';

interface ApplicantRow {
  id: number;
  name: string;
  id_type: 'resident_id';
  id_number: string;
  phone: string;
  created_at: string;
  created_by_name: string;
}

const SELECT = `SELECT a.id, a.name, a.id_type, a.id_number, a.phone, a.created_at, u.display_name AS created_by_name
                FROM applicants a JOIN users u ON u.id = a.created_by`;

function maskPhone(p: string): string {
  return p.length >= 7 ? p.slice(0, 3) + '****' + p.slice(-4) : '****';
}

/** ID numbers and phones leave the main process masked; the full number only through the audited reveal. */
function toView(r: ApplicantRow): ApplicantView {
  return {
    id: r.id,
    name: r.name,
    idType: r.id_type,
    idNumberMasked: maskIdNumber(r.id_number),
    phoneMasked: maskPhone(r.phone),
    createdAt: r.created_at,
    createdBy: r.created_by_name,
  };
}

export function createApplicantsService(deps: Deps): PartialHandlers {
  const { db } = deps;
  return {
    'applicants.create': (input, ctx) => {
      const existing = db.prepare('SELECT name FROM applicants WHERE id_type = ? AND id_number = ?').get(input.idType, input.idNumber) as
        | { name: string }
        | undefined;
      if (existing) {
        throw new AppError('CONFLICT', `该身份证号码已登记为申请人“${existing.name}”，请直接查找使用。`, {}, { idNumber: '该身份证号码已登记' });
      }
      return deps.write(ctx.actor, (w) => {
        const id = Number(
          w.db
            .prepare(`INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES ('person', ?, ?, ?, ?, ?, ?)`)
            .run(input.name, input.idType, input.idNumber, input.phone, w.at.toISOString(), ctx.user!.id).lastInsertRowid,
        );
        w.audit({ action: 'applicant.create', entityType: 'applicant', entityId: id, detail: { name: input.name, idNumber: maskIdNumber(input.idNumber) } });
        return toView(w.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as ApplicantRow);
      });
    },

    'applicants.list': ({ query, limit }) => {
      const q = query?.trim() ?? '';
      const rows = q
        ? (db
            .prepare(`${SELECT} WHERE a.name LIKE ? ESCAPE '\\' OR a.id_number LIKE ? ESCAPE '\\' ORDER BY a.id DESC LIMIT ?`)
            .all(`%${escapeLike(q)}%`, `%${escapeLike(q.toUpperCase())}`, limit) as ApplicantRow[])
        : (db.prepare(`${SELECT} ORDER BY a.id DESC LIMIT ?`).all(limit) as ApplicantRow[]);
      return rows.map(toView);
    },

    'applicants.revealId': ({ id, reason }, ctx) => {
      const row = db.prepare('SELECT id_number FROM applicants WHERE id = ?').get(id) as { id_number: string } | undefined;
      if (!row) throw new AppError('NOT_FOUND', '该申请人不存在。');
      deps.write(ctx.actor, (w) => w.audit({ action: 'applicant.revealId', entityType: 'applicant', entityId: id, detail: { reason } }));
      return { idNumber: row.id_number };
    },
  };
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => '\\' + c);
}
