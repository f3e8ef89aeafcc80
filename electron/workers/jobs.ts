import fs from 'node:fs';
import { verifyAudit } from '../services/audit/verify-audit';
import { writeBackupSync } from '../store/backups';
import { openDeskDb } from '../store/store-cipher';
import { parseCatalogXlsx } from '../services/catalog-io/parse-catalog-xlsx';
import { exportScanPdfJob } from '../services/scans/scan-pdf';
import {
  renderCommitmentPdf,
  renderGuidePdf,
  renderPaperCommitmentPdf,
  renderReceiptPdf,
  renderRejectionNoticePdf,
  type CommitmentPdfInput,
  type GuidePdfInput,
  type PaperCommitmentPdfInput,
  type ReceiptPdfInput,
  type RejectionNoticePdfInput,
  warmDocuments,
} from '../services/documents/pdf';

/** Jobs that run off the main thread, each on its own connection. */
export const jobs: Record<string, (args: Record<string, unknown>) => unknown> = {
  // PDFs (font parsing and subsetting take a while): answer base64, the signature arrives as base64.
  'documents.commitmentPdf': async (args) => {
    const { signaturePngBase64, ...rest } = args as unknown as Omit<CommitmentPdfInput, 'signaturePng'> & { signaturePngBase64: string };
    const pdf = await renderCommitmentPdf({ ...rest, signaturePng: Buffer.from(signaturePngBase64, 'base64') });
    return Buffer.from(pdf).toString('base64');
  },
  'documents.paperCommitmentPdf': async (args) => Buffer.from(await renderPaperCommitmentPdf(args as unknown as PaperCommitmentPdfInput)).toString('base64'),
  'documents.rejectionNoticePdf': async (args) => Buffer.from(await renderRejectionNoticePdf(args as unknown as RejectionNoticePdfInput)).toString('base64'),
  'documents.guidePdf': async (args) => Buffer.from(await renderGuidePdf(args as unknown as GuidePdfInput)).toString('base64'),
  'documents.receiptPdf': async (args) => Buffer.from(await renderReceiptPdf(args as unknown as ReceiptPdfInput)).toString('base64'),

  'audit.verify': (args) => {
    const db = openDeskDb(String(args.dbFile), { readonly: true, fileMustExist: true });
    try {
      return verifyAudit(db, String(args.dataDir));
    } finally {
      db.close();
    }
  },
  // Reads and validates an uploaded catalog workbook (base64 bytes); answers CatalogParseResult. Touches no database.
  'catalog.parseXlsx': (args) => parseCatalogXlsx(Buffer.from(String(args.base64), 'base64')),
  'scans.exportPdf': (args) => exportScanPdfJob(args),
  // A backup of the store on a connection of its own (VACUUM INTO, fsync, verified; store/backups.ts).
  'store.backup': (args) => writeBackupSync(String(args.dbFile), String(args.backupDir), String(args.name)),
  ...(process.env.DESK_TEST_WORKER_JOBS === '1' ? testJobs() : {}),
};

/**
 * What a worker of a warm lane (worker-limits.ts: the image lane) does before its first job, so
 * that the first commitment at the window does not pay for the fonts. One warm-up for every warm
 * lane: only a lane that renders PDFs is worth warming.
 */
export const warmUp = (): Promise<void> => warmDocuments();

/**
 * Jobs for the worker-limit tests only (tests/integration/security-worker-limits.test.ts), registered
 * when the environment says so; production never sets DESK_TEST_WORKER_JOBS. `test.spin` is a
 * runaway: it keeps the CPU busy until `untilFile` exists (never, without one); `test.hog` grows
 * its heap until the worker's limit; `test.echo` answers its args.
 */
function testJobs(): Record<string, (args: Record<string, unknown>) => unknown> {
  return {
    'test.spin': (args) => {
      const until = typeof args.untilFile === 'string' ? args.untilFile : null;
      let n = 0;
      for (;;) {
        n++;
        if (n % 100_000 === 0 && until && fs.existsSync(until)) return n;
      }
    },
    'test.hog': () => {
      const kept: number[][] = [];
      for (;;) kept.push(Array.from({ length: 100_000 }, (_, i) => i + kept.length));
    },
    'test.echo': (args) => args,
  };
}
