import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { ApplicantView, IdType, SignerRole } from '../../../shared/ipc/methods/applicants';
import { maskIdNumber } from '../../../shared/rules/id-number';
import { maskUscc } from '../../../shared/rules/uscc';
import { maskPhone } from '../../../shared/rules/phone';
import type { Db } from '../../store/open-store';
import { searchApplicantIds } from './applicant-search';
import { commitmentBlocks } from '../credit/credit-check';
import { shareApplicant } from '../hub/hall-applicants';
import { hallCopyField } from '../hub/hall-records';
import { applicantAccess } from '../cases/case-access';

export { maskPhone };

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
  address: string | null;
  signer_role: SignerRole | null;
  signer_name: string | null;
  signer_id_number: string | null;
  signer_phone: string | null;
  created_at: string;
  created_by_name: string;
  updated_at: string | null;
}

const SELECT = `SELECT a.id, a.kind, a.name, a.id_type, a.id_number, a.phone, a.address,
                       a.signer_role, a.signer_name, a.signer_id_number, a.signer_phone,
                       a.created_at, u.display_name AS created_by_name, a.updated_at
                FROM applicants a JOIN users u ON u.id = a.created_by`;

/** ID numbers and phones leave the main process masked; the full values only through the audited reveals. */
function toView(r: ApplicantRow): ApplicantView {
  return {
    id: r.id,
    kind: r.kind,
    name: r.name,
    idType: r.id_type,
    idNumberMasked: maskApplicantId(r.id_type, r.id_number),
    phoneMasked: maskPhone(r.phone),
    address: r.address,
    signer:
      r.signer_role && r.signer_name && r.signer_id_number
        ? { role: r.signer_role, name: r.signer_name, idNumberMasked: maskIdNumber(r.signer_id_number), phoneMasked: maskPhone(r.signer_phone ?? '') }
        : null,
    createdAt: r.created_at,
    createdBy: r.created_by_name,
    updatedAt: r.updated_at,
  };
}

export function loadApplicantView(db: Db, id: number): ApplicantView {
  const r = db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as ApplicantRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', '该申请人不存在。', { applicantId: id });
  return toView(r);
}

/** What the field visit needs: where to go and whom to call (full phone: the checkout that carries it is audited). */
export function applicantContact(db: Db, applicantId: number): { address: string | null; phone: string } {
  const r = db.prepare('SELECT address, phone FROM applicants WHERE id = ?').get(applicantId) as { address: string | null; phone: string } | undefined;
  return { address: r?.address ?? null, phone: r?.phone ?? '' };
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
      const s = input.signer;
      return deps.write(ctx.actor, (w) => {
        const id = Number(
          w.db
            .prepare(
              `INSERT INTO applicants (kind, name, id_type, id_number, phone, address, signer_role, signer_name, signer_id_type, signer_id_number, signer_phone, created_at, created_by)
               VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
            )
            .run(
              input.kind,
              input.name,
              input.idType,
              input.idNumber,
              input.phone,
              input.address || null,
              s?.role ?? null,
              s?.name ?? null,
              s ? s.idType : null,
              s?.idNumber ?? null,
              s?.phone ?? null,
              w.at.toISOString(),
              ctx.user!.id,
            ).lastInsertRowid,
        );
        w.audit({
          action: 'applicant.create',
          entityType: 'applicant',
          entityId: id,
          detail: {
            name: input.name,
            idNumber: maskApplicantId(input.idType, input.idNumber),
            phone: maskPhone(input.phone),
            address: input.address || null,
            ...(s ? { signer: { role: s.role, name: s.name, idNumber: maskIdNumber(s.idNumber), phone: maskPhone(s.phone) } } : {}),
          },
        });
        shareApplicant(w, id); // shared with the hall's other desks (docs/hub.md)
        return loadApplicantView(w.db, id);
      });
    },

    'applicants.update': ({ id, phone, address, signer }, ctx) =>
      deps.write(ctx.actor, (w) => {
        const before = w.db.prepare(`${SELECT} WHERE a.id = ?`).get(id) as ApplicantRow | undefined;
        if (!before) throw new AppError('NOT_FOUND', '该申请人不存在。', { applicantId: id });
        if (signer && before.kind !== 'organisation') throw new AppError('BAD_INPUT', '个人申请人不登记签署人。', { applicantId: id }, { signer: '个人申请人不登记签署人' });
        const changes: Record<string, { from: unknown; to: unknown }> = {};
        if (phone !== undefined && phone !== before.phone) changes.phone = { from: maskPhone(before.phone), to: maskPhone(phone) };
        if (address !== undefined && address !== before.address) changes.address = { from: before.address, to: address };
        if (signer) {
          const was = before.signer_name ? { role: before.signer_role, name: before.signer_name, idNumber: maskIdNumber(before.signer_id_number ?? ''), phone: maskPhone(before.signer_phone ?? '') } : null;
          const now = { role: signer.role, name: signer.name, idNumber: maskIdNumber(signer.idNumber), phone: maskPhone(signer.phone) };
          if (JSON.stringify(was) !== JSON.stringify(now) || signer.idNumber !== before.signer_id_number || signer.phone !== before.signer_phone) changes.signer = { from: was, to: now };
        }
        if (Object.keys(changes).length === 0) return toView(before);
        w.db
          .prepare(
            `UPDATE applicants SET phone = ?, address = ?, signer_role = ?, signer_name = ?, signer_id_type = ?, signer_id_number = ?, signer_phone = ?, updated_at = ? WHERE id = ?`,
          )
          .run(
            phone ?? before.phone,
            address ?? before.address,
            signer ? signer.role : before.signer_role,
            signer ? signer.name : before.signer_name,
            signer ? signer.idType : before.signer_id_number ? 'resident_id' : null,
            signer ? signer.idNumber : before.signer_id_number,
            signer ? signer.phone : before.signer_phone,
            w.at.toISOString(),
            id,
          );
        w.audit({ action: 'applicant.update', entityType: 'applicant', entityId: id, detail: { name: before.name, changes } });
        shareApplicant(w, id);
        return loadApplicantView(w.db, id);
      }),

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

    'applicants.revealPhone': ({ id, who, reason }, ctx) => {
      const row = db.prepare('SELECT phone, signer_phone FROM applicants WHERE id = ?').get(id) as { phone: string; signer_phone: string | null } | undefined;
      if (!row) throw new AppError('NOT_FOUND', '该申请人不存在。');
      const phone = who === 'signer' ? row.signer_phone : row.phone;
      if (!phone) throw new AppError('NOT_FOUND', '该单位未登记签署人电话。');
      deps.write(ctx.actor, (w) => w.audit({ action: 'applicant.revealPhone', entityType: 'applicant', entityId: id, detail: { who, reason } }));
      return { phone };
    },

    'applicants.access': ({ id }, ctx) => {
      if (!db.prepare('SELECT 1 FROM applicants WHERE id = ?').get(id)) throw new AppError('NOT_FOUND', '该申请人不存在。');
      return applicantAccess(db, ctx.user!, id);
    },

    'applicants.creditStatus': ({ id }) => {
      if (!db.prepare('SELECT 1 FROM applicants WHERE id = ?').get(id)) throw new AppError('NOT_FOUND', '该申请人不存在。');
      const { blocks, signerMissing } = commitmentBlocks(db, id);
      return { eligible: blocks.length === 0, blocks, signerMissing, ...hallCopyField(db, deps.now()) };
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
      else if (d <= 2 && !out.has(row.id)) out.set(row.id, { row, reason: '证件号码相近，可能与已登记的某人重复' }); // never where or how many characters differ
    }
  }
  return [...out.values()].slice(0, 10);
}
