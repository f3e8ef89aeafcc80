/**
 * One catalog version as plain data: what a workbook holds after parsing,
 * what is written to the store as a new version, and what an export reads.
 * Field names follow the store; method details use the keys of
 * electron/seed/demo-catalog.ts.
 */
import type { CertificateMethod, ServiceItemKind } from '../../../shared/domain/catalog';
import type { CatalogCounts, CatalogFileProblem } from '../../../shared/ipc/methods/catalog-io';

export interface CatalogCertificate {
  code: string;
  name: string;
  issuer: string;
  legalBasis: string;
  method: CertificateMethod;
  methodNote: string;
  methodDetail: Record<string, unknown>;
}

/** Printable guide (办事指南) details, stored as service_items.guide. */
export interface ServiceItemGuide {
  basis: string;
  conditions: string;
  location: string;
  phone: string;
}

export interface CatalogServiceItem {
  code: string;
  name: string;
  department: string;
  kind: ServiceItemKind;
  timeLimitDays: number;
  /** Certificate codes, in the order the item lists them. */
  certificates: string[];
  /** Non-certificate materials (其他材料), by name. */
  materials: string[];
  guide: ServiceItemGuide;
}

export interface CatalogBundle {
  code: string;
  name: string;
  /** Implementation codes of the items, in order (later items may use earlier results). */
  items: string[];
}

/** The 版本说明 sheet; every field may be missing. */
export interface CatalogVersionInfo {
  label: string | null;
  /** YYYY-MM-DD. */
  effectiveFrom: string | null;
  note: string;
  /** The Excel row the values came from (null without a 版本说明 sheet), for problems found later. */
  row: number | null;
}

export interface CatalogData {
  version: CatalogVersionInfo;
  certificates: CatalogCertificate[];
  serviceItems: CatalogServiceItem[];
  bundles: CatalogBundle[];
}

export type CatalogParseResult = { ok: true; catalog: CatalogData } | { ok: false; errors: CatalogFileProblem[] };

export function catalogCounts(c: CatalogData): CatalogCounts {
  return { certificates: c.certificates.length, serviceItems: c.serviceItems.length, bundles: c.bundles.length };
}
