// A scanned document as one PDF (pdf-lib; plain Node, no store): runs in a worker thread
// (job 'scans.exportPdf' in electron/workers/jobs.ts).
//
// Page size: the image's own aspect, scaled to fit A4 (portrait for an upright image,
// landscape for a wide one), the image filling the page edge to edge. So a page prints on A4
// at the largest size that fits, nothing is cropped, and no resolution is assumed (a frame's
// DPI depends on the camera's height over the desk, which we do not know).
// ID-card pair: one A4 portrait page, each side drawn at true ID-1 size (85.6 × 54 mm), the
// front above the back, centred, as a photocopy of both sides would be.
//
// JPEG pages are embedded as they are (pdf-lib writes the bytes into a DCTDecode stream without
// decoding them): no re-encoding, no loss, and the PDF holds byte-identical copies of the stored
// pages. PNG pages are decoded and stored Flate-compressed (lossless).
import { createHash } from 'node:crypto';
import { PDFDocument, type PDFImage } from 'pdf-lib';
import { FileStore } from '../files/file-store';
import type { ImageMime } from './page-image';

const MM = 72 / 25.4;
export const A4 = { width: 595.28, height: 841.89 } as const;
export const ID1 = { width: 85.6 * MM, height: 54 * MM } as const;
/** Top of the front side, and the gap between the sides, on an ID-card page. */
const ID_TOP = 50 * MM;
const ID_GAP = 20 * MM;

export interface ScanPdfImage {
  bytes: Uint8Array;
  mime: ImageMime;
  width: number;
  height: number;
}

export type ScanPdfSheet<I = ScanPdfImage> = { kind: 'page'; image: I } | { kind: 'id_card'; front: I; back: I };

export interface ScanPdfInput<I = ScanPdfImage> {
  title: string;
  createdAt: string;
  modifiedAt: string;
  sheets: ScanPdfSheet<I>[];
}

/** The page size for an image: its aspect, fitted to A4 in the image's orientation. */
export function pageSizeFor(width: number, height: number): { width: number; height: number } {
  const [boxW, boxH] = width > height ? [A4.height, A4.width] : [A4.width, A4.height];
  const scale = Math.min(boxW / width, boxH / height);
  return { width: width * scale, height: height * scale };
}

/** An image fitted into a box (keeping its aspect), centred. */
function fit(img: { width: number; height: number }, box: { x: number; y: number; width: number; height: number }) {
  const scale = Math.min(box.width / img.width, box.height / img.height);
  const width = img.width * scale;
  const height = img.height * scale;
  return { x: box.x + (box.width - width) / 2, y: box.y + (box.height - height) / 2, width, height };
}

export async function renderScanPdf(input: ScanPdfInput): Promise<Uint8Array> {
  // No automatic metadata: the same document gives the same bytes (and SHA-256) on every export.
  const pdf = await PDFDocument.create({ updateMetadata: false });
  pdf.setTitle(input.title);
  pdf.setCreator('无证明办理工作台');
  pdf.setProducer('无证明办理工作台 (pdf-lib)');
  pdf.setCreationDate(new Date(input.createdAt));
  pdf.setModificationDate(new Date(input.modifiedAt));

  // The same stored image (same bytes) is embedded once.
  const embedded = new Map<string, PDFImage>();
  const embed = async (img: ScanPdfImage): Promise<PDFImage> => {
    const key = createHash('sha256').update(img.bytes).digest('hex');
    let e = embedded.get(key);
    if (!e) {
      // pdf-lib reads a JPEG's header through a DataView of its whole ArrayBuffer: hand it one of its own.
      const own = new Uint8Array(img.bytes);
      e = img.mime === 'image/jpeg' ? await pdf.embedJpg(own) : await pdf.embedPng(own);
      embedded.set(key, e);
    }
    return e;
  };

  for (const sheet of input.sheets) {
    if (sheet.kind === 'page') {
      const image = await embed(sheet.image);
      const size = pageSizeFor(sheet.image.width, sheet.image.height);
      const page = pdf.addPage([size.width, size.height]);
      page.drawImage(image, { x: 0, y: 0, width: size.width, height: size.height });
    } else {
      const page = pdf.addPage([A4.width, A4.height]);
      const x = (A4.width - ID1.width) / 2;
      const frontTop = A4.height - ID_TOP;
      const boxes = [
        { img: sheet.front, box: { x, y: frontTop - ID1.height, width: ID1.width, height: ID1.height } },
        { img: sheet.back, box: { x, y: frontTop - ID1.height - ID_GAP - ID1.height, width: ID1.width, height: ID1.height } },
      ];
      for (const { img, box } of boxes) page.drawImage(await embed(img), fit(img, box));
    }
  }
  return pdf.save();
}

/** What the main side sends to the worker: file hashes, not bytes (the worker reads and checks them). */
export interface ScanPdfFileRef {
  sha256: string;
  mime: ImageMime;
  width: number;
  height: number;
}

export interface ScanPdfJobArgs extends ScanPdfInput<ScanPdfFileRef> {
  filesRoot: string;
}

export type ScanPdfJobResult = { ok: true; base64: string; sha256: string; pages: number; bytes: number } | { ok: false; damaged: string[] };

/** The worker job: reads each page from the file store (checking its hash), renders, answers base64. */
export async function exportScanPdfJob(raw: Record<string, unknown>): Promise<ScanPdfJobResult> {
  const args = raw as unknown as ScanPdfJobArgs;
  const store = new FileStore(args.filesRoot);
  const damaged: string[] = [];
  const read = (ref: ScanPdfFileRef): ScanPdfImage => {
    try {
      return { bytes: store.get(ref.sha256), mime: ref.mime, width: ref.width, height: ref.height };
    } catch {
      damaged.push(ref.sha256);
      return { bytes: new Uint8Array(), mime: ref.mime, width: ref.width, height: ref.height };
    }
  };
  const sheets: ScanPdfSheet[] = args.sheets.map((s) => (s.kind === 'page' ? { kind: 'page', image: read(s.image) } : { kind: 'id_card', front: read(s.front), back: read(s.back) }));
  if (damaged.length) return { ok: false, damaged };
  const bytes = await renderScanPdf({ title: args.title, createdAt: args.createdAt, modifiedAt: args.modifiedAt, sheets });
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return { ok: true, base64: buf.toString('base64'), sha256: createHash('sha256').update(buf).digest('hex'), pages: sheets.length, bytes: buf.length };
}
