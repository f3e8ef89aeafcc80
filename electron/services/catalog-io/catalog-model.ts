/**
 * One catalog version as plain data: what a workbook holds after parsing,
 * what is written to the store as a new version, and what an export reads.
 * Field names follow the store; method details use the keys of
 * electron/seed/demo-catalog.ts.
 */
import type { CertificateMethod, RiskClass, ServiceItemKind, TrustGrade } from '../../../shared/domain/catalog';
import type { CatalogCounts, CatalogFileProblem } from '../../../shared/ipc/methods/catalog-io';

export interface CatalogCertificate {
  code: string;
  name: string;
  issuer: string;
  legalBasis: string;
  method: CertificateMethod;
  methodNote: string;
  methodDetail: Record<string, unknown>;
  /** 适用情形: the certificate is needed only when the circumstance has this answer; null = always. */
  circumstance: { code: string; appliesWhen: boolean } | null;
  /** Whom it is about (证明对象): 申请人本人, 子女, 配偶 … */
  subject: string;
  /** 有效期 for reuse, in months; null = 长期. */
  validityMonths: number | null;
  trustGrade: TrustGrade;
}

/** A yes/no question the clerk answers once per case (适用情形). */
export interface CatalogCircumstance {
  code: string;
  question: string;
  defaultAnswer: boolean;
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
  /** 一般, or a class excluded from 告知承诺 (国办发〔2020〕42号). */
  riskClass: RiskClass;
  /** Certificate codes handling this item produces (由本件产生 for later items of the case). */
  produces: string[];
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
  circumstances: CatalogCircumstance[];
  certificates: CatalogCertificate[];
  serviceItems: CatalogServiceItem[];
  bundles: CatalogBundle[];
}

/** `reason`: the precise cause of an unreadable file, for the log only (the clerk sees `errors`). */
export type CatalogParseResult = { ok: true; catalog: CatalogData } | { ok: false; errors: CatalogFileProblem[]; reason?: string };

export function catalogCounts(c: CatalogData): CatalogCounts {
  return { certificates: c.certificates.length, serviceItems: c.serviceItems.length, bundles: c.bundles.length };
}
