import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { ApplicantView } from '../../../shared/ipc/contract';
import { maskIdNumber } from '../../../shared/rules/id-number';
import { maskUscc } from '../../../shared/rules/uscc';
import type { IdType } from '../../../shared/ipc/contract';
import type { Db } from '../../store/open-store';
import { searchApplicantIds } from './applicant-search';

export function maskApplicantId(idType: IdType, idNumber: string): string {
  return idType === 'uscc' ? maskUscc(idNumber) : maskIdNumber(idNumber);
}

interface ApplicantRow {
  id: number;
  kind: 'person' | 'organisation';
  name: string;
  id_type: IdType;
  id_number: string;
  phone: string;
  created_at: string;
  created_by_name: string;
}

const SELECT = `SELECT a.id, a.kind, a.name, a.id_type, a.id_number, a.phone, a.created_at, u.display_name AS created_by_name
                FROM applicants a JOIN users u ON u.id = a.created_by`;

export function maskPhone(p: string): string {
  return p.length >= 7 ? p.slice(0, 3) + '****' + p.slice(-4) : '****';
}

/** ID numbers and phones leave the main process masked; the full number only through the audited reveal. */
function toView(r: ApplicantRow): ApplicantView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    idType: r.id_type,
    idNumberMasked: maskApplicantId(r.id_type, r.id_number),
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
        throw new AppError('CONFLICT', `该证件号码已登记为申请人“${existing.name}”，请直接查找使用。`, {}, { idNumber: '该证件号码已登记' });
      }
      return deps.write(ctx.actor, (w) => {
        const id = Number(
          w.db
            .prepare(`INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?, ?)`)
            .run(input.kind, input.name, input.idType, input.idNumber, input.phone, w.at.toISOString(), ctx.user!.id).lastInsertRowid,
        );
        w.audit({ action: 'applicant.create', entityType: 'applicant', entityId: id, detail: { name: input.name, idNumber: maskApplicantId(input.idType, input.idNumber) } });
        return toView(w.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as ApplicantRow);
      });
    },

    'applicants.list': ({ query, limit }) => {
      const q = query?.trim() ?? '';
      if (!q) return (db.prepare(`${SELECT} ORDER BY a.id DESC LIMIT ?`).all(limit) as ApplicantRow[]).map(toView);
      const byId = db.prepare(`${SELECT} WHERE a.id = ?`);
      return searchApplicantIds(db, q, limit).map((id) => toView(byId.get(id) as ApplicantRow));
    },

    'applicants.findSimilar': ({ name, idNumber, phone }) => findSimilar(db, name, idNumber, phone).map((m) => ({ applicant: toView(m.row), reason: m.reason })),

    'applicants.revealId': ({ id, reason }, ctx) => {
      const row = db.prepare('SELECT id_number FROM applicants WHERE id = ?').get(id) as { id_number: string } | undefined;
      if (!row) throw new AppError('NOT_FOUND', '该申请人不存在。');
      deps.write(ctx.actor, (w) => w.audit({ action: 'applicant.revealId', entityType: 'applicant', entityId: id, detail: { reason } }));
      return { idNumber: row.id_number };
    },
  };
}

/** Characters that differ between two equally long strings. */
function differences(a: string, b: string): number {
  if (a.length !== b.length) return Infinity;
  let n = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) n++;
  return n;
}

/**
 * Likely duplicates of someone about to be registered: the same name with the
 * same phone, or an ID number one or two characters away (a typo).
 */
function findSimilar(db: Db, name: string, idNumber: string, phone: string): { row: ApplicantRow; reason: string }[] {
  const out = new Map<number, { row: ApplicantRow; reason: string }>();
  if (name && phone) {
    for (const row of db.prepare(`${SELECT} WHERE a.name = ? AND a.phone = ? LIMIT 10`).all(name, phone) as ApplicantRow[]) {
      out.set(row.id, { row, reason: '姓名和联系电话相同' });
    }
  }
  if (idNumber.length === 18) {
    // A typo in the first fourteen characters keeps the last four, and the other way round;
    // both are index lookups, as is the same name.
    const candidates = db
      .prepare(`${SELECT} WHERE substr(a.id_number, -4) = ? OR (a.id_number >= ? AND a.id_number < ?) OR a.name = ? LIMIT 500`)
      .all(idNumber.slice(-4), idNumber.slice(0, 14), `${idNumber.slice(0, 14)}~`, name) as ApplicantRow[];
    for (const row of candidates) {
      const d = differences(row.id_number, idNumber);
      if (d === 0) out.set(row.id, { row, reason: '证件号码相同' });
      else if (d <= 2 && !out.has(row.id)) out.set(row.id, { row, reason: `证件号码仅有${d}位不同，可能录入有误` });
    }
  }
  return [...out.values()].slice(0, 10);
}

