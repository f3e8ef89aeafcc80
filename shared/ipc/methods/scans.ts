/**
 * Scanned documents (高拍仪扫描件): a document is an ordered list of pages,
 * each a cleaned-up image the renderer made from a camera frame (or an
 * imported file). The main side stores every page content-addressed and
 * durably before it answers, keeps replaced and deleted pages as history,
 * and exports the document as one PDF with JPEG pages passed through.
 *
 * Thumbnails: the main process has no image library, so the renderer sends a
 * small preview with each page (`thumb`, optional); `scans.pageImage` with
 * `thumb: true` answers it, or the full page when none was sent.
 */
import { z } from 'zod';
import { method, trimmed } from '../method';

export const SCAN_KINDS = ['licence', 'id_card', 'certificate', 'other'] as const;
export type ScanKind = (typeof SCAN_KINDS)[number];
export const SCAN_KIND_LABELS: Record<ScanKind, string> = { licence: '证照', id_card: '身份证', certificate: '证明', other: '其他' };

export const SCAN_MODES = ['color', 'gray', 'bw', 'remove_background'] as const;
export type ScanMode = (typeof SCAN_MODES)[number];
export const SCAN_MODE_LABELS: Record<ScanMode, string> = { color: '彩色', gray: '灰度', bw: '黑白', remove_background: '去底色' };

export const SCAN_MIMES = ['image/jpeg', 'image/png'] as const;

/** Limits the main side enforces (the renderer may show them). */
export const SCAN_LIMITS = {
  /** Bytes of one page or one unprocessed frame. */
  maxPageBytes: 20 * 1024 * 1024,
  maxThumbBytes: 1024 * 1024,
  /** A page's shorter side must be at least this many pixels, its longer side at most maxSide. */
  minSide: 64,
  maxSide: 20_000,
  /** A thumbnail's longer side. */
  maxThumbSide: 1024,
  maxPagesPerDocument: 200,
} as const;

const Id = z.number().int().positive();
const Worker = ['clerk', 'assistant', 'supervisor'] as const;

const base64Of = (maxBytes: number) =>
  z
    .string()
    .min(8, '图像内容为空')
    .max(Math.ceil(maxBytes / 3) * 4, `图像超过 ${Math.round(maxBytes / 1024 / 1024)} MB`)
    .regex(/^[A-Za-z0-9+/]*={0,2}$/, '图像内容格式不正确（应为 base64）');

const ImageInput = (maxBytes: number) => z.object({ mime: z.enum(SCAN_MIMES), base64: base64Of(maxBytes) }).strict();

const Pixels = z
  .number()
  .int('像素尺寸应为整数')
  .min(SCAN_LIMITS.minSide, `图像边长至少 ${SCAN_LIMITS.minSide} 像素`)
  .max(SCAN_LIMITS.maxSide, `图像边长不能超过 ${SCAN_LIMITS.maxSide} 像素`);

export const ScanCorner = z.object({ x: z.number().min(0).max(SCAN_LIMITS.maxSide * 2), y: z.number().min(0).max(SCAN_LIMITS.maxSide * 2) }).strict();
/** The page's four corners in the unprocessed frame, clockwise from top left. */
export const ScanCorners = z.array(ScanCorner).length(4, '页面轮廓应有 4 个角点');

export const ScanCapture = z
  .object({
    /** The camera's label as the browser reports it, or the imported file's name. */
    deviceLabel: z.string().trim().max(200),
    /** Which adapter delivered the frame: 'uvc', a vendor adapter's name, or 'file'. */
    adapter: z.string().trim().max(40).optional(),
    /** The unprocessed frame's size. */
    resolution: z.object({ width: z.number().int().min(1).max(SCAN_LIMITS.maxSide * 2), height: z.number().int().min(1).max(SCAN_LIMITS.maxSide * 2) }).strict(),
    rotation: z.union([z.literal(0), z.literal(90), z.literal(180), z.literal(270)]),
    trigger: z.enum(['auto', 'manual', 'import']),
    /** The pipeline found the page (nearly) blank. */
    blank: z.boolean(),
  })
  .strict();
export type ScanCapture = z.infer<typeof ScanCapture>;

/** The fields of one captured page, for `scans.addPage` and `scans.retakePage`. */
const PageFields = {
  page: ImageInput(SCAN_LIMITS.maxPageBytes),
  /** The unprocessed frame, kept so a reviewer can check the crop. */
  original: ImageInput(SCAN_LIMITS.maxPageBytes).optional(),
  /** A preview the renderer scaled down (longer side ≤ 1024 px). */
  thumb: ImageInput(SCAN_LIMITS.maxThumbBytes).optional(),
  width: Pixels,
  height: Pixels,
  mode: z.enum(SCAN_MODES),
  corners: ScanCorners.optional(),
  capture: ScanCapture,
};

export const ScanPageView = z.object({
  id: z.number().int(),
  /** 0-based order in the document. */
  position: z.number().int(),
  sha256: z.string(),
  mime: z.enum(SCAN_MIMES),
  size: z.number().int(),
  width: z.number().int(),
  height: z.number().int(),
  mode: z.enum(SCAN_MODES),
  corners: ScanCorners.nullable(),
  capture: ScanCapture,
  originalSha256: z.string().nullable(),
  hasThumb: z.boolean(),
  /** The page this one re-took, if any. */
  replacesPageId: z.number().int().nullable(),
  /** The ID-card pair this page belongs to, if any. */
  idCardPairId: z.number().int().nullable(),
  createdAt: z.string(),
  createdBy: z.string(),
});
export type ScanPageView = z.infer<typeof ScanPageView>;

/** One page of the exported PDF: a page image, or an ID card's two sides on one A4 page. */
export const ScanSheet = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('page'), pageId: z.number().int() }),
  z.object({ kind: z.literal('id_card'), pairId: z.number().int(), frontPageId: z.number().int(), backPageId: z.number().int() }),
]);
export type ScanSheet = z.infer<typeof ScanSheet>;

/** 有效期至 as the clerk types it (YYYY-MM-DD). */
const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '有效期格式应为 YYYY-MM-DD');

/** The material a finished scan became in the applicant's library (migrations/0025). */
export const ScanMaterialLink = z.object({
  id: z.number().int(),
  title: z.string(),
  /** The catalog certificate it is offered for, or null: 未指定证明 (offered for any). */
  certificate: z.object({ code: z.string(), name: z.string() }).nullable(),
  /** The last day it may be reused; null: 长期. */
  validUntil: z.string().nullable(),
  /** Whose library it is in. */
  applicantName: z.string(),
});
export type ScanMaterialLink = z.infer<typeof ScanMaterialLink>;

export const ScanDocumentView = z.object({
  id: z.number().int(),
  applicant: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  case: z.object({ id: z.number().int(), caseNo: z.string() }).nullable(),
  kind: z.enum(SCAN_KINDS),
  title: z.string(),
  trustGrade: z.enum(['A', 'B', 'C', 'D']),
  trustNote: z.string(),
  status: z.enum(['open', 'done']),
  /** 有效期至 typed when the scan was started (or at 完成), kept for 继续; null: not given (长期 or the certificate's validity). */
  validUntil: z.string().nullable(),
  /** The catalog certificate its name matched when it was started; null: 未指定证明. */
  certificate: z.object({ code: z.string(), name: z.string() }).nullable(),
  /** The material 完成 filed it as; null: not filed (open, or closed without the library: intake's own scans). */
  material: ScanMaterialLink.nullable(),
  /** Live pages in order. */
  pages: z.array(ScanPageView),
  idCardPairs: z.array(z.object({ id: z.number().int(), frontPageId: z.number().int(), backPageId: z.number().int() })),
  /** The pages of the exported PDF, in order (a pair counts once, where its first side is). */
  sheets: z.array(ScanSheet),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type ScanDocumentView = z.infer<typeof ScanDocumentView>;

export const ScanDocumentSummary = z.object({
  id: z.number().int(),
  applicantId: z.number().int().nullable(),
  /** The applicant's name, for a document kept under one. */
  applicantName: z.string().nullable().optional(),
  caseId: z.number().int().nullable(),
  kind: z.enum(SCAN_KINDS),
  title: z.string(),
  trustGrade: z.enum(['A', 'B', 'C', 'D']),
  status: z.enum(['open', 'done']),
  pages: z.number().int(),
  /** The first live page, for a cover thumbnail. */
  coverPageId: z.number().int().nullable(),
  /** Every live page is already kept in a material of its applicant (a scan from intake's 核对原件 drawer, kept through intake.addMaterial). */
  inLibrary: z.boolean().optional(),
  /** The material 完成 filed it as (see ScanDocumentView.material). */
  material: ScanMaterialLink.nullable().optional(),
  /** 有效期至 typed when it was started. */
  validUntil: z.string().nullable().optional(),
  createdAt: z.string(),
  createdBy: z.string(),
  updatedAt: z.string(),
});
export type ScanDocumentSummary = z.infer<typeof ScanDocumentSummary>;

export const scansMethods = {
  'scans.createDocument': method({
    access: Worker,
    input: z
      .object({
        applicantId: Id.optional(),
        caseId: Id.optional(),
        kind: z.enum(SCAN_KINDS),
        title: trimmed(100),
        /** 有效期至 read off the document, kept with the scan until 完成 (and after 继续). */
        validUntil: Day.optional(),
      })
      .strict(),
    output: ScanDocumentView,
  }),
  /** Appends a page. When this answers, the page's file is on disk (fsynced) and its row committed. */
  'scans.addPage': method({
    access: Worker,
    input: z.object({ documentId: Id, ...PageFields }).strict(),
    output: ScanDocumentView,
  }),
  /** Replaces a page at the same position; the old row stays, soft-deleted. An ID-card pair follows the new page. */
  'scans.retakePage': method({
    access: Worker,
    input: z.object({ pageId: Id, ...PageFields }).strict(),
    output: ScanDocumentView,
  }),
  /** Soft-deletes a page; later pages move up; an ID-card pair with this page is dissolved. */
  'scans.deletePage': method({ access: Worker, input: z.object({ pageId: Id }).strict(), output: ScanDocumentView }),
  /** The new order of the document's live pages: exactly those, each once. */
  'scans.reorderPages': method({
    access: Worker,
    input: z.object({ documentId: Id, pageIds: z.array(Id).min(1).max(SCAN_LIMITS.maxPagesPerDocument) }).strict(),
    output: ScanDocumentView,
  }),
  /** Marks two pages of the document as an ID card's front and back: exported on one A4 page at true card size. */
  'scans.composeIdCard': method({
    access: Worker,
    input: z.object({ documentId: Id, frontPageId: Id, backPageId: Id }).strict(),
    output: ScanDocumentView,
  }),
  /** Undoes `scans.composeIdCard`: the two pages are exported as ordinary pages again. */
  'scans.splitIdCard': method({ access: Worker, input: z.object({ pairId: Id }).strict(), output: ScanDocumentView }),
  /** 'done' closes the document to changes; 'open' reopens it — not a scan 完成 filed as a material (refused: the material's pages do not change). */
  'scans.setStatus': method({
    access: Worker,
    input: z.object({ documentId: Id, status: z.enum(['open', 'done']) }).strict(),
    output: ScanDocumentView,
  }),
  /**
   * 完成 on the 高拍仪扫描 page: the document is closed and kept in the applicant's material library
   * (一次提交，长期有效), so intake offers it for reuse — under the certificate of the catalog whose
   * name is its title, else for any certificate (未指定证明). A document needs an applicant (or a case,
   * which names one): one scanned before it had one is attached here. A case must be the applicant's
   * and not yet accepted. One audited transaction; the pages' files are those already stored.
   * Idempotent: a scan already filed answers the material it became (`alreadyFinished`), writing
   * nothing — unless the call asks for another applicant, case or 有效期, which is refused.
   * Without `validUntil`, the one typed when the scan was started is used.
   */
  'scans.finish': method({
    access: Worker,
    input: z
      .object({
        documentId: Id,
        applicantId: Id.optional(),
        caseId: Id.optional(),
        /** 有效期至, read off the document (YYYY-MM-DD); absent: by the certificate's validity, or 长期. */
        validUntil: Day.optional(),
      })
      .strict(),
    output: z.object({
      document: ScanDocumentView,
      material: z.object({
        id: z.number().int(),
        /** The catalog certificate it is offered for, or null: 未指定证明 (offered for any). */
        certificate: z.object({ code: z.string(), name: z.string() }).nullable(),
        /** The last day it may be reused; null: 长期. */
        validUntil: z.string().nullable(),
      }),
      /** The scan had been filed before (完成 pressed twice, or a retry after a lost answer): nothing was written now. */
      alreadyFinished: z.boolean(),
    }),
  }),
  'scans.getDocument': method({ access: Worker, input: z.object({ documentId: Id }).strict(), output: ScanDocumentView }),
  'scans.listDocuments': method({
    access: Worker,
    input: z
      .object({
        applicantId: Id.optional(),
        caseId: Id.optional(),
        /** Only documents attached to no applicant (scanned before 完成 asked for one): to attach them. */
        unattached: z.boolean().optional(),
        /** 'open': only scans not finished yet (started for an applicant and left, e.g. by a reload): to resume them. */
        status: z.enum(['open', 'done']).optional(),
        limit: z.number().int().min(1).max(200).default(50),
      })
      .strict(),
    output: z.array(ScanDocumentSummary),
  }),
  /** A page's image (deleted pages too, for history); `thumb` answers the renderer's preview if one was stored, `original` the unprocessed frame. */
  'scans.pageImage': method({
    access: Worker,
    input: z.object({ pageId: Id, thumb: z.boolean().optional(), original: z.boolean().optional() }).strict(),
    output: z.object({ mime: z.enum(SCAN_MIMES), base64: z.string(), sha256: z.string(), thumb: z.boolean() }),
  }),
  /**
   * One PDF of the live pages: each page's size is the image's aspect fitted to A4 (portrait or
   * landscape as the image), JPEG bytes embedded as they are (no re-encoding), PNG losslessly;
   * an ID-card pair on one A4 portrait page, each side at 85.6 × 54 mm. Rendered in a worker thread.
   */
  'scans.exportPdf': method({
    access: Worker,
    input: z.object({ documentId: Id }).strict(),
    output: z.object({ fileName: z.string(), base64: z.string(), sha256: z.string(), pages: z.number().int() }),
  }),
} as const;
