import { pinyin } from 'pinyin-pro';
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
  subject: string;
  validity_months: number | null;
  circumstance_code: string | null;
  applies_when_answer: number | null;
  question: string | null;
  default_answer: number | null;
  position: number | null;
}

const toCert = (r: CertRow): CertificateItemView => ({
  id: r.id,
  code: r.code,
  name: r.name,
  issuer: r.issuer,
  legalBasis: r.legal_basis,
  method: r.method,
  methodNote: r.method_note,
  circumstance:
    r.circumstance_code !== null && r.applies_when_answer !== null && r.question !== null
      ? { code: r.circumstance_code, question: r.question, defaultAnswer: r.default_answer === 1, appliesWhen: r.applies_when_answer === 1, position: r.position ?? 0 }
      : null,
  subject: r.subject,
  validityMonths: r.validity_months,
});

/** A certificate row with its circumstance question (alias c). */
const CERT_SELECT = `SELECT c.*, q.question, q.default_answer, q.position FROM certificate_items c
  LEFT JOIN catalog_circumstances q ON q.catalog_version_id = c.catalog_version_id AND q.code = c.circumstance_code`;

/** The catalog version in force now: the newest one whose effective date has come. */
export function currentCatalogVersion(db: Db, at: Date): number | null {
  const row = db
    .prepare('SELECT id FROM catalog_versions WHERE effective_from <= ? ORDER BY effective_from DESC, id DESC LIMIT 1')
    .get(at.toISOString()) as { id: number } | undefined;
  return row?.id ?? null;
}

/** A query of Latin letters only (e.g. 'csyxzm') is also matched against the pinyin initials of names. */
function initialsQuery(query: string | undefined): string | null {
  return query && /^[a-z]+$/i.test(query) ? query.toLowerCase() : null;
}

/** Pinyin initials of a name ('出生医学证明' → 'csyxzm'), computed once per name. */
function initialsFinder(): (name: string) => string {
  const cache = new Map<string, string>();
  return (name) => {
    let initials = cache.get(name);
    if (initials === undefined) {
      initials = pinyin(name, { pattern: 'first', toneType: 'none', type: 'array' })
        .join('')
        .toLowerCase()
        .replace(/[^a-z]/g, '');
      cache.set(name, initials);
    }
    return initials;
  };
}

/** What SQL LIKE '%q%' would match for an ASCII query (case-insensitive), over the given texts. */
const containsIgnoringCase = (q: string, ...texts: string[]) => texts.some((t) => t.toLowerCase().includes(q));

export function createCatalogService(deps: Deps): PartialHandlers {
  const { db } = deps;
  const initialsOf = initialsFinder();
  return {
    'catalog.listCertificateItems': ({ query, method }) => {
      const version = currentCatalogVersion(db, deps.now());
      if (version === null) return [];
      const like = `%${query ?? ''}%`;
      const initials = initialsQuery(query);
      // With a pinyin query SQL leaves the text filter to the code below (text or initials).
      const rows = db
        .prepare(
          `${CERT_SELECT} WHERE c.catalog_version_id = ? AND (? OR c.name LIKE ? OR c.code LIKE ? OR c.issuer LIKE ?)
           AND (? IS NULL OR c.method = ?) ORDER BY c.code`,
        )
        .all(version, initials ? 1 : 0, like, like, like, method ?? null, method ?? null) as CertRow[];
      const matching = initials
        ? rows.filter((r) => containsIgnoringCase(initials, r.name, r.code, r.issuer) || initialsOf(r.name).includes(initials))
        : rows;
      return matching.map(toCert);
    },

    'catalog.listServiceItems': ({ query }) => {
      const version = currentCatalogVersion(db, deps.now());
      if (version === null) return [];
      const like = `%${query ?? ''}%`;
      const initials = initialsQuery(query);
      const rows = db
        .prepare(
          `SELECT * FROM service_items WHERE catalog_version_id = ? AND (? OR name LIKE ? OR code LIKE ? OR department LIKE ?) ORDER BY code`,
        )
        .all(version, initials ? 1 : 0, like, like, like) as {
        id: number;
        code: string;
        name: string;
        department: string;
        kind: string;
        time_limit_days: number;
        risk_class: string;
      }[];
      const items = initials
        ? rows.filter((r) => containsIgnoringCase(initials, r.name, r.code, r.department) || initialsOf(r.name).includes(initials))
        : rows;
      const certs = db.prepare(
        `SELECT c.*, q.question, q.default_answer, q.position FROM service_item_certificates sc JOIN certificate_items c ON c.id = sc.certificate_item_id
         LEFT JOIN catalog_circumstances q ON q.catalog_version_id = c.catalog_version_id AND q.code = c.circumstance_code
         WHERE sc.service_item_id = ? ORDER BY sc.position`,
      );
      const outputs = db.prepare(
        'SELECT c.id, c.name FROM service_item_outputs o JOIN certificate_items c ON c.id = o.certificate_item_id WHERE o.service_item_id = ? ORDER BY c.id',
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
          produces: outputs.all(i.id) as { id: number; name: string }[],
          riskClass: i.risk_class,
        }),
      );
    },
  };
}
