/**
 * Imported PDFs as page images for the scan pipeline, rendered in the renderer with pdf.js
 * (`pdfjs-dist`, pinned). Its worker is bundled by Vite as an asset of this app (`?url`), never
 * fetched from elsewhere; this version compiles no code from strings (the CSP forbids eval). The
 * library (≈1 MB) is loaded only when a PDF is imported.
 */

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
  const [pdfjs, { default: workerUrl }] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]);
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  let doc: Awaited<ReturnType<typeof pdfjs.getDocument>['promise']>;
  try {
    doc = await pdfjs.getDocument({ data: new Uint8Array(bytes) }).promise;
  } catch (e) {
    const name = (e as { name?: string }).name;
    if (name === 'PasswordException') throw new PdfImportError('该 PDF 设有打开密码，无法导入，请先取消密码。');
    throw new PdfImportError(`无法读取该 PDF 文件（${(e as Error).message}），请确认文件完整。`);
  }
  return {
    count: doc.numPages,
    async render(n) {
      const page = await doc.getPage(n);
      try {
        const base = page.getViewport({ scale: 1 });
        const scale = Math.min(SCALE, MAX_SIDE / Math.max(base.width, base.height));
        const viewport = page.getViewport({ scale });
        const canvas = document.createElement('canvas');
        canvas.width = Math.round(viewport.width);
        canvas.height = Math.round(viewport.height);
        const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
        await page.render({ canvas, canvasContext: ctx, viewport, background: '#ffffff' }).promise;
        return ctx.getImageData(0, 0, canvas.width, canvas.height);
      } finally {
        page.cleanup();
      }
    },
    close: () => doc.destroy(),
  };
}
