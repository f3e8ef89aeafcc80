/**
 * pdf.js (`pdfjs-dist`, pinned) for the page: its worker is bundled by Vite as an asset of this
 * app (`?url`), never fetched from elsewhere, and this version compiles no code from strings (the
 * CSP forbids eval). Loaded only when a PDF is first shown or imported (≈1 MB). Used by the PDF
 * preview (components/PdfViewer.tsx) and the scan import (scan/pdf-pages.ts).
 */
export type PdfDocument = Awaited<ReturnType<typeof import('pdfjs-dist')['getDocument']>['promise']>;

export async function openPdfDocument(bytes: Uint8Array): Promise<PdfDocument> {
  const [pdfjs, { default: workerUrl }] = await Promise.all([import('pdfjs-dist'), import('pdfjs-dist/build/pdf.worker.min.mjs?url')]);
  pdfjs.GlobalWorkerOptions.workerSrc = workerUrl;
  return pdfjs.getDocument({ data: bytes }).promise;
}

/** Renders one page (1-based) onto a new canvas at `scale` canvas pixels per PDF point, on white. */
export async function renderPdfPage(doc: PdfDocument, n: number, scale: number | ((width: number, height: number) => number)): Promise<HTMLCanvasElement> {
  const page = await doc.getPage(n);
  try {
    const base = page.getViewport({ scale: 1 });
    const viewport = page.getViewport({ scale: typeof scale === 'number' ? scale : scale(base.width, base.height) });
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(viewport.width);
    canvas.height = Math.round(viewport.height);
    const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
    await page.render({ canvas, canvasContext: ctx, viewport, background: '#ffffff' }).promise;
    return canvas;
  } finally {
    page.cleanup();
  }
}
