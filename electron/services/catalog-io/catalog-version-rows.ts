/**
 * A catalog version in the store: read one out as plain data, write plain
 * data in as a new version, list the versions. Writing is done by the
 * caller's audited transaction (deps.write); nothing here opens one.
 */
import type { Db } from '../../store/open-store';
import type { CertificateMethod, RiskClass, ServiceItemKind, TrustGrade } from '../../../shared/domain/catalog';
import type { CatalogVersionView } from '../../../shared/ipc/methods/catalog-io';
import type { CatalogData, ServiceItemGuide } from './catalog-model';
import { chinaDate } from '../../../shared/rules/china-time';

export interface VersionRow {
  id: number;
  label: string;
  effective_from: string;
  source: string;
  note: string;
  created_at: string;
}

export function versionRow(db: Db, id: number): VersionRow | undefined {
  return db.prepare('SELECT id, label, effective_from, source, note, created_at FROM catalog_versions WHERE id = ?').get(id) as VersionRow | undefined;
}

function parseJson<T>(text: string, fallback: T): T {
  try {
    return JSON.parse(text) as T;
  } catch {
    return fallback;
  }
}

function guideOf(json: string): ServiceItemGuide {
  const g = parseJson<Partial<Record<keyof ServiceItemGuide, unknown>>>(json, {});
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return { basis: s(g.basis), conditions: s(g.conditions), location: s(g.location), phone: s(g.phone) };
}

/** One version's rows as plain data, in the order they were published. */
export function readCatalogVersion(db: Db, versionId: number): CatalogData {
  const version = versionRow(db, versionId);
  if (!version) throw new Error(`catalog version ${versionId} not found`);
  const certificates = (
    db
      .prepare(
        `SELECT code, name, issuer, legal_basis, method, method_note, method_detail, circumstance_code, applies_when_answer, subject, validity_months, trust_grade
         FROM certificate_items WHERE catalog_version_id = ? ORDER BY id`,
      )
      .all(versionId) as {
      code: string;
      name: string;
      issuer: string;
      legal_basis: string;
      method: CertificateMethod;
      method_note: string;
      method_detail: string;
      circumstance_code: string | null;
      applies_when_answer: number | null;
      subject: string;
      validity_months: number | null;
      trust_grade: TrustGrade;
    }[]
  ).map((c) => ({
    code: c.code,
    name: c.name,
    issuer: c.issuer,
    legalBasis: c.legal_basis,
    method: c.method,
    methodNote: c.method_note,
    methodDetail: parseJson<Record<string, unknown>>(c.method_detail, {}),
    circumstance: c.circumstance_code !== null && c.applies_when_answer !== null ? { code: c.circumstance_code, appliesWhen: c.applies_when_answer === 1 } : null,
    subject: c.subject,
    validityMonths: c.validity_months,
    trustGrade: c.trust_grade,
  }));
  const circumstances = (
    db.prepare('SELECT code, question, default_answer FROM catalog_circumstances WHERE catalog_version_id = ? ORDER BY position').all(versionId) as {
      code: string;
      question: string;
      default_answer: number;
    }[]
  ).map((q) => ({ code: q.code, question: q.question, defaultAnswer: q.default_answer === 1 }));

  const certsOf = db.prepare(
    `SELECT c.code FROM service_item_certificates sc JOIN certificate_items c ON c.id = sc.certificate_item_id
     WHERE sc.service_item_id = ? ORDER BY sc.position`,
  );
  const materialsOf = db.prepare('SELECT name FROM service_item_materials WHERE service_item_id = ? ORDER BY position');
  const outputsOf = db.prepare(
    `SELECT c.code FROM service_item_outputs o JOIN certificate_items c ON c.id = o.certificate_item_id WHERE o.service_item_id = ? ORDER BY c.id`,
  );
  const serviceItems = (
    db
      .prepare('SELECT id, code, name, department, kind, time_limit_days, guide, risk_class FROM service_items WHERE catalog_version_id = ? ORDER BY id')
      .all(versionId) as { id: number; code: string; name: string; department: string; kind: ServiceItemKind; time_limit_days: number; guide: string; risk_class: RiskClass }[]
  ).map((i) => ({
    code: i.code,
    name: i.name,
    department: i.department,
    kind: i.kind,
    timeLimitDays: i.time_limit_days,
    certificates: (certsOf.all(i.id) as { code: string }[]).map((r) => r.code),
    materials: (materialsOf.all(i.id) as { name: string }[]).map((r) => r.name),
    guide: guideOf(i.guide),
    riskClass: i.risk_class,
    produces: (outputsOf.all(i.id) as { code: string }[]).map((r) => r.code),
  }));

  const itemsOf = db.prepare(
    `SELECT s.code FROM bundle_items bi JOIN service_items s ON s.id = bi.service_item_id WHERE bi.bundle_id = ? ORDER BY bi.position`,
  );
  const bundles = (db.prepare('SELECT id, code, name FROM bundles WHERE catalog_version_id = ? ORDER BY id').all(versionId) as { id: number; code: string; name: string }[]).map(
    (b) => ({ code: b.code, name: b.name, items: (itemsOf.all(b.id) as { code: string }[]).map((r) => r.code) }),
  );

  return {
    version: { label: version.label, effectiveFrom: chinaDate(version.effective_from), note: version.note, row: null },
    circumstances,
    certificates,
    serviceItems,
    bundles,
  };
}

export interface NewVersionMeta {
  label: string;
  /** ISO timestamp the version starts applying. */
  effectiveFromIso: string;
  source: string;
  note: string;
  createdAt: string;
  createdBy: number | null;
}

/** Inserts a complete, already validated catalog as a new version; returns its id. Must run inside deps.write. */
export function insertCatalogVersion(db: Db, catalog: CatalogData, meta: NewVersionMeta): number {
  if (!db.inTransaction) throw new Error('insertCatalogVersion must run inside the write transaction');
  const versionId = Number(
    db
      .prepare('INSERT INTO catalog_versions (label, effective_from, source, note, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(meta.label, meta.effectiveFromIso, meta.source, meta.note, meta.createdAt, meta.createdBy).lastInsertRowid,
  );

  const insQuestion = db.prepare('INSERT INTO catalog_circumstances (catalog_version_id, code, question, default_answer, position) VALUES (?, ?, ?, ?, ?)');
  catalog.circumstances.forEach((q, pos) => insQuestion.run(versionId, q.code, q.question, q.defaultAnswer ? 1 : 0, pos));

  const certId = new Map<string, number>();
  const insCert = db.prepare(
    `INSERT INTO certificate_items (catalog_version_id, code, name, issuer, legal_basis, method, method_note, method_detail,
       circumstance_code, applies_when_answer, subject, validity_months, trust_grade)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  for (const c of catalog.certificates) {
    const id = insCert.run(
      versionId,
      c.code,
      c.name,
      c.issuer,
      c.legalBasis,
      c.method,
      c.methodNote,
      JSON.stringify(c.methodDetail),
      c.circumstance?.code ?? null,
      c.circumstance ? (c.circumstance.appliesWhen ? 1 : 0) : null,
      c.subject,
      c.validityMonths,
      c.trustGrade,
    ).lastInsertRowid;
    certId.set(c.code, Number(id));
  }

  const itemId = new Map<string, number>();
  const insItem = db.prepare(
    'INSERT INTO service_items (catalog_version_id, code, name, department, kind, time_limit_days, guide, risk_class) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
  );
  const insOutput = db.prepare('INSERT INTO service_item_outputs (service_item_id, certificate_item_id) VALUES (?, ?)');
  const insItemCert = db.prepare('INSERT INTO service_item_certificates (service_item_id, certificate_item_id, position) VALUES (?, ?, ?)');
  const insMaterial = db.prepare('INSERT INTO service_item_materials (service_item_id, position, name) VALUES (?, ?, ?)');
  for (const s of catalog.serviceItems) {
    const id = Number(insItem.run(versionId, s.code, s.name, s.department, s.kind, s.timeLimitDays, JSON.stringify(s.guide), s.riskClass).lastInsertRowid);
    itemId.set(s.code, id);
    s.certificates.forEach((code, pos) => insItemCert.run(id, mustHave(certId, code), pos));
    for (const code of s.produces) insOutput.run(id, mustHave(certId, code));
    s.materials.forEach((name, pos) => insMaterial.run(id, pos, name));
  }

  const insBundle = db.prepare('INSERT INTO bundles (catalog_version_id, code, name) VALUES (?, ?, ?)');
  const insBundleItem = db.prepare('INSERT INTO bundle_items (bundle_id, service_item_id, position) VALUES (?, ?, ?)');
  for (const b of catalog.bundles) {
    const id = Number(insBundle.run(versionId, b.code, b.name).lastInsertRowid);
    b.items.forEach((code, pos) => insBundleItem.run(id, mustHave(itemId, code), pos));
  }
  return versionId;
}

/** The parser checked every reference; a miss here is a bug, and throwing rolls the whole version back. */
function mustHave(ids: Map<string, number>, code: string): number {
  const id = ids.get(code);
  if (id === undefined) throw new Error(`catalog import: unresolved reference ${code}`);
  return id;
}

/** Every version, newest effective date first. */
export function listCatalogVersions(db: Db, currentId: number | null): CatalogVersionView[] {
  const rows = db
    .prepare(
      `SELECT v.id, v.label, v.effective_from, v.source, v.note, v.created_at,
              (SELECT COUNT(*) FROM certificate_items c WHERE c.catalog_version_id = v.id) AS certificates,
              (SELECT COUNT(*) FROM service_items s WHERE s.catalog_version_id = v.id) AS service_items,
              (SELECT COUNT(*) FROM bundles b WHERE b.catalog_version_id = v.id) AS bundles
       FROM catalog_versions v ORDER BY v.effective_from DESC, v.id DESC`,
    )
    .all() as (VersionRow & { certificates: number; service_items: number; bundles: number })[];
  return rows.map((r) => ({
    id: r.id,
    label: r.label,
    effectiveFrom: chinaDate(r.effective_from),
    source: r.source,
    note: r.note,
    createdAt: r.created_at,
    counts: { certificates: r.certificates, serviceItems: r.service_items, bundles: r.bundles },
    current: r.id === currentId,
  }));
}
