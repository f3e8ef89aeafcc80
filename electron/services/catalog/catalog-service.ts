import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import type { CertificateItemView, ServiceItemView } from '../../../shared/ipc/contract';
import type { CertificateMethod } from '../../../shared/domain/catalog';
import type { Db } from '../../store/open-store';

interface CertRow {
  id: number;
  code: string;
  name: string;
  issuer: string;
  legal_basis: string;
  method: CertificateMethod;
  method_note: string;
}

const toCert = (r: CertRow): CertificateItemView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  issuer: r.issuer,
  legalBasis: r.legal_basis,
  method: r.method,
  methodNote: r.method_note,
});

/** The catalog version in force now: the newest one whose effective date has come. */
export function currentCatalogVersion(db: Db, at: Date): number | null {
  const row = db
    .prepare('SELECT id FROM catalog_versions WHERE effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1')
    .get(at.toISOString()) as { id: number } | undefined;
  return row?.id ?? null;
}

export function createCatalogService(deps: Deps): PartialHandlers {
  const { db } = deps;
  return {
    'catalog.listCertificateItems': ({ query, method }) => {
      const version = currentCatalogVersion(db, deps.now());
      if (version === null) return [];
      const like = `%${query ?? ''}%`;
      const rows = db
        .prepare(
          `SELECT * FROM certificate_items WHERE catalog_version_id = ? AND (name LIKE ? OR code LIKE ? OR issuer LIKE ?)
           AND (? IS NULL OR method = ?) ORDER BY code`,
        )
        .all(version, like, like, like, method ?? null, method ?? null) as CertRow[];
      return rows.map(toCert);
    },

    'catalog.listServiceItems': ({ query }) => {
      const version = currentCatalogVersion(db, deps.now());
      if (version === null) return [];
      const like = `%${query ?? ''}%`;
      const items = db
        .prepare(
          `SELECT * FROM service_items WHERE catalog_version_id = ? AND (name LIKE ? OR code LIKE ? OR department LIKE ?) ORDER BY code`,
        )
        .all(version, like, like, like) as {
        id: number;
        code: string;
        name: string;
        department: string;
        kind: string;
        time_limit_days: number;
      }[];
      const certs = db.prepare(
        `SELECT c.* FROM service_item_certificates sc JOIN certificate_items c ON c.id = sc.certificate_item_id
         WHERE sc.service_item_id = ? ORDER BY sc.position`,
      );
      const bundles = db.prepare(
        `SELECT b.name FROM bundle_items bi JOIN bundles b ON b.id = bi.bundle_id WHERE bi.service_item_id = ? ORDER BY b.name`,
      );
      return items.map(
        (i): ServiceItemView => ({
          id: i.id,
          code: i.code,
          name: i.name,
          department: i.department,
          kind: i.kind,
          timeLimitDays: i.time_limit_days,
          bundles: (bundles.all(i.id) as { name: string }[]).map((b) => b.name),
          certificates: (certs.all(i.id) as CertRow[]).map(toCert),
        }),
      );
    },
  };
}
