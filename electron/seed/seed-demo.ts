import { markDemoRowsLocal } from '../services/hub/hall-backfill';
import type { Deps } from '../app/deps';
import { SYSTEM_ACTOR } from '../services/audit/audit-chain';
import { hashPassword } from '../services/auth/passwords';
import { insertUser } from '../services/users/user-rows';
import type { Role } from '../../shared/domain/roles';
import { DEMO_BUNDLES, DEMO_CERTIFICATES, DEMO_CIRCUMSTANCES, DEMO_SERVICE_ITEMS } from './demo-catalog';
import { insertCatalogVersion } from '../services/catalog-io/catalog-version-rows';
import type { CatalogData } from '../services/catalog-io/catalog-model';
import { APPLICANT_SELF, DEFAULT_RISK_CLASS } from '../../shared/domain/catalog';

import { DEMO_PASSWORD } from './demo-password';

export { DEMO_PASSWORD };

export const DEMO_HALL = { code: '420325-ZWFW', name: '房县政务服务中心', region: '湖北省十堰市房县' };

export const DEMO_USERS: { username: string; displayName: string; role: Role }[] = [
  { username: 'admin', displayName: '王建华', role: 'supervisor' },
  { username: 'zhangmin', displayName: '张敏', role: 'clerk' },
  { username: 'liuyang', displayName: '刘洋', role: 'clerk' },
  { username: 'chenjing', displayName: '陈静', role: 'assistant' },
];

/** Demo applicants: two on the credit list, one in good standing, one organisation with its legal representative; 孙丽 has no address (registered before addresses were taken). */
export const DEMO_APPLICANTS = [
  { kind: 'person', name: '王芳', idType: 'resident_id', idNumber: '42032519880623004X', phone: '13972812345', address: '湖北省十堰市房县城关镇东街12号', signer: null },
  { kind: 'person', name: '赵大勇', idType: 'resident_id', idNumber: '420325198507120019', phone: '13872001122', address: '湖北省十堰市房县军店镇下店子村三组', signer: null },
  { kind: 'person', name: '孙丽', idType: 'resident_id', idNumber: '420325197803050022', phone: '15972663344', address: null, signer: null },
  {
    kind: 'organisation',
    name: '房县鑫源餐饮有限公司',
    idType: 'uscc',
    idNumber: '91420325MA4F7XK2PW',
    phone: '0719-3221234',
    address: '湖北省十堰市房县城关镇房陵大道88号',
    signer: { role: 'legal_rep', name: '李明', idNumber: '420325197902140031', phone: '13907191234' },
  },
] as const;

const DEMO_CREDIT = [
  {
    idNumber: '420325198507120019',
    name: '赵大勇',
    kind: 'bad_credit',
    severity: '严重',
    reason: '拒不履行法院生效判决，被列为失信被执行人',
    source: '信用中国（湖北十堰）',
  },
  {
    idNumber: '420325197803050022',
    name: '孙丽',
    kind: 'false_commitment',
    severity: '一般',
    reason: '2025年办理低保审核时承诺的家庭收入与核查结果不符',
    source: '房县民政局',
  },
] as const;

/** The demo catalog as the data an .xlsx import yields, so it is written by the same code. */
export function demoCatalogData(): CatalogData {
  return {
    version: { label: null, effectiveFrom: null, note: '', row: null },
    circumstances: DEMO_CIRCUMSTANCES.map((q) => ({ ...q })),
    certificates: DEMO_CERTIFICATES.map((c) => ({
      code: c.code,
      name: c.name,
      issuer: c.issuer,
      legalBasis: c.legalBasis,
      method: c.method,
      methodNote: c.methodNote,
      methodDetail: c.methodDetail,
      circumstance: c.circumstance ?? null,
      subject: c.subject ?? APPLICANT_SELF,
      validityMonths: c.validityMonths ?? null,
      trustGrade: c.trustGrade ?? 'B',
    })),
    serviceItems: DEMO_SERVICE_ITEMS.map((s) => ({
      code: s.code,
      name: s.name,
      department: s.department,
      kind: s.kind,
      timeLimitDays: s.timeLimitDays,
      certificates: s.certificates,
      materials: [],
      guide: { basis: '', conditions: '', location: `${DEMO_HALL.name}一楼综合受理窗口（${s.department}）`, phone: '0719-3223000' },
      riskClass: s.riskClass ?? DEFAULT_RISK_CLASS,
      produces: s.produces ?? [],
    })),
    bundles: DEMO_BUNDLES,
  };
}

/** Seeds a demo hall on an empty store in one audited transaction. */
export async function seedDemo(deps: Deps): Promise<void> {
  const hashes = await Promise.all(DEMO_USERS.map(() => hashPassword(DEMO_PASSWORD)));
  deps.write(SYSTEM_ACTOR, (w) => {
    const { db } = w;
    const iso = w.at.toISOString();
    db.prepare('INSERT INTO hall (id, code, name, region) VALUES (1, ?, ?, ?)').run(DEMO_HALL.code, DEMO_HALL.name, DEMO_HALL.region);
    DEMO_USERS.forEach((u, i) => insertUser(db, { ...u, passwordHash: hashes[i]! }, w.at));
    // Marked: a production desk that opens this store lets them do nothing before they change the password (docs/SECURITY.md).
    db.prepare(`UPDATE users SET must_change_password = 1 WHERE username IN (${DEMO_USERS.map(() => '?').join(', ')})`).run(...DEMO_USERS.map((u) => u.username));

    insertCatalogVersion(db, demoCatalogData(), {
      label: '房县证明事项清单（演示）2026年版',
      effectiveFromIso: '2026-01-01T00:00:00.000Z',
      source: 'demo',
      note: '',
      createdAt: iso,
      createdBy: null,
    });
    // Non-certificate materials with their form and note (an .xlsx import carries names only).
    const material = db.prepare('INSERT INTO service_item_materials (service_item_id, position, name, form, required, note) VALUES (?, ?, ?, ?, ?, ?)');
    for (const s of DEMO_SERVICE_ITEMS) {
      const { id } = db.prepare('SELECT id FROM service_items WHERE code = ?').get(s.code) as { id: number };
      material.run(id, 0, '申请人有效身份证件', '原件', 1, '窗口核验后当场退还');
      material.run(id, 1, `${s.name}申请表`, '原件', 1, '窗口提供，可现场填写');
    }
    for (const a of DEMO_APPLICANTS) {
      db.prepare(
        `INSERT INTO applicants (kind, name, id_type, id_number, phone, address, signer_role, signer_name, signer_id_type, signer_id_number, signer_phone, created_at, created_by)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)`,
      ).run(
        a.kind,
        a.name,
        a.idType,
        a.idNumber,
        a.phone,
        a.address,
        a.signer?.role ?? null,
        a.signer?.name ?? null,
        a.signer ? 'resident_id' : null,
        a.signer?.idNumber ?? null,
        a.signer?.phone ?? null,
        iso,
      );
    }
    for (const c of DEMO_CREDIT) {
      db.prepare(
        `INSERT INTO credit_records (id_type, id_number, name, kind, severity, reason, source, recorded_at) VALUES ('resident_id', ?, ?, ?, ?, ?, ?, ?)`,
      ).run(c.idNumber, c.name, c.kind, c.severity, c.reason, c.source, '2025-09-01T00:00:00.000Z');
    }
    markDemoRowsLocal(w.db); // the same on every demo desk: not the hall's records (hub/hall-backfill.ts)
    w.audit({
      action: 'seed.demo',
      detail: { hall: DEMO_HALL.name, users: DEMO_USERS.length, certificates: DEMO_CERTIFICATES.length, serviceItems: DEMO_SERVICE_ITEMS.length, bundles: DEMO_BUNDLES.length },
    });
  });
}
