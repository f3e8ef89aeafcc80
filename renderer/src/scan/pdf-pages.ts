/**
 * Imported PDFs as page images for the scan pipeline, rendered in the renderer with pdf.js
 * (lib/pdfjs.ts: the bundled worker, no eval, loaded only when needed).
 */
import { openPdfDocument, renderPdfPage, type PdfDocument } from '../lib/pdfjs';

/** Pixels per PDF point: 300 dpi, the resolution a document camera gives an A4 page. */
const SCALE = 300 / 72;
/** Longest side of a rendered page (px), whatever its paper size. */
const MAX_SIDE = 3508;

export interface PdfPages {
  count: number;
  /** Renders page `n` (1-based) to RGBA pixels. */
  render(n: number): Promise<ImageData>;
  close(): Promise<void>;
}

export class PdfImportError extends Error {}

export async function openPdf(bytes: ArrayBuffer): Promise<PdfPages> {
  let doc: PdfDocument;
  try {
    doc = await openPdfDocument(new Uint8Array(bytes));
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'PasswordException') throw new PdfImportError('该 PDF 设有打开密码，无法导入，请先取消密码。');
    throw new PdfImportError(`无法读取该 PDF 文件（${(e as Error).message}），请确认文件完整。`);
  }
  return {
    count: doc.numPages,
    async render(n) {
      const canvas = await renderPdfPage(doc, n, (w, h) => Math.min(SCALE, MAX_SIDE / Math.max(w, h)));
      return canvas.getContext('2d', { willReadFrequently: true })!.getImageData(0, 0, canvas.width, canvas.height);
    },
    close: () => doc.destroy(),
  };
}
