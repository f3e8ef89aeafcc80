/**
 * Catalog import and export as .xlsx (证明事项清单 in the layout counties
 * publish; see docs/catalog-xlsx.md), and the list of catalog versions.
 *
 * A file with mistakes is not an IPC error: the import answers
 * `{ ok: false, errors }` listing every problem, and writes nothing.
 */
import { z } from 'zod';
import { Empty, method, trimmed, type MethodSpec } from '../method';

/** About 20 MB of file bytes, as base64 (4 characters per 3 bytes). */
export const MAX_CATALOG_XLSX_BYTES = 20 * 1024 * 1024;
const MAX_BASE64_CHARS = Math.ceil(MAX_CATALOG_XLSX_BYTES / 3) * 4;

/** True for a real calendar date written as YYYY-MM-DD (no 2026-02-30). */
export function isCalendarDate(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

const CalendarDate = z.string().trim().refine(isCalendarDate, { message: '日期格式应为 YYYY-MM-DD，例如 2026-12-01' });

/** One problem found in an uploaded workbook. `row` is the Excel row number (header = 1); 0 when the problem is not in a row. */
export const CatalogFileProblem = z.object({
  sheet: z.string(),
  row: z.number().int().min(0),
  column: z.string(),
  message: z.string(),
});
export type CatalogFileProblem = z.infer<typeof CatalogFileProblem>;

export const CatalogCounts = z.object({
  certificates: z.number().int(),
  serviceItems: z.number().int(),
  bundles: z.number().int(),
});
export type CatalogCounts = z.infer<typeof CatalogCounts>;

const XlsxUpload = {
  fileName: trimmed(200),
  base64: z
    .string()
    .min(1, '文件为空')
    .max(MAX_BASE64_CHARS, '文件超过 20 MB')
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, '文件内容编码不正确'),
};

const Refused = z.object({ ok: z.literal(false), errors: z.array(CatalogFileProblem) });

export const CatalogVersionView = z.object({
  id: z.number().int(),
  label: z.string(),
  /** The date (China time) from which new cases use this version. */
  effectiveFrom: z.string(),
  source: z.string(),
  note: z.string(),
  createdAt: z.string(),
  counts: CatalogCounts,
  /** The version new cases use today. */
  current: z.boolean(),
});
export type CatalogVersionView = z.infer<typeof CatalogVersionView>;

export const catalogIoMethods = {
  /** Reads a workbook without writing anything: its problems, or what it holds and the 版本说明 to prefill the import form. */
  'catalog.checkXlsx': method({
    access: ['supervisor'],
    input: z.object(XlsxUpload).strict(),
    output: z.discriminatedUnion('ok', [
      z.object({
        ok: z.literal(true),
        label: z.string().nullable(),
        effectiveFrom: z.string().nullable(),
        note: z.string(),
        counts: CatalogCounts,
        /** The effective date of the version in force; a new version may not start earlier. */
        currentEffectiveFrom: z.string().nullable(),
      }),
      Refused,
    ]),
  }),

  /** Publishes the workbook as a new catalog version in one audited transaction, or writes nothing and lists every problem. */
  'catalog.importXlsx': method({
    access: ['supervisor'],
    input: z
      .object({
        ...XlsxUpload,
        label: trimmed(100).optional(),
        effectiveFrom: CalendarDate.optional(),
      })
      .strict(),
    output: z.discriminatedUnion('ok', [
      z.object({
        ok: z.literal(true),
        versionId: z.number().int(),
        label: z.string(),
        effectiveFrom: z.string(),
        counts: CatalogCounts,
      }),
      Refused,
    ]),
  }),

  /** The version in force as a workbook in the same layout. */
  'catalog.exportXlsx': method({
    access: 'session',
    input: Empty,
    output: z.object({ fileName: z.string(), base64: z.string() }),
  }),

  'catalog.versions': method({
    access: 'session',
    input: Empty,
    output: z.array(CatalogVersionView),
  }),
} as const satisfies Record<string, MethodSpec>;
