// Scanned documents (issue 4, main side): pages stored content-addressed and durably, history
// kept (soft delete, retake), ID-card pairs, PDF export in a worker thread.
//
// The order of every page write, so that a crash at any moment loses nothing acknowledged and
// leaves nothing half-done:
//   1. checks that need no lock (document open, image bytes valid);
//   2. FileStore.put for each image: temp file, fsync, rename, fsync of the folder;
//   3. one audited transaction (deps.write) that records the files and the page row;
//   4. the answer. A crash between 2 and 3 leaves an unreferenced file that the next start sweeps.
import type { Deps } from '../../app/deps';
import type { CallContext, PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import type { FileStore } from '../files/file-store';
import { progress } from '../../log/progress';
import { SCAN_KIND_LABELS, SCAN_LIMITS, type ScanCapture, type ScanMode } from '../../../shared/ipc/methods/scans';
import { checkImage, PAGE_CHECK, THUMB_CHECK, type CheckedImage, type ImageMime } from './page-image';
import { buildDocumentView, livePages, loadDocument, loadPage, type DocumentRow, type PageRow } from './scan-view';
import type { ScanPdfFileRef, ScanPdfJobArgs, ScanPdfJobResult } from './scan-pdf';
import { chinaDate } from '../../../shared/rules/china-time';
import { assistantCaseCondition, refuseUnlessDocumentReadable } from '../cases/case-access';
import { AlreadyFinished, certificateNamed, finishScan, repeatedFinish } from './scan-finish';
import { materialLink, refuseReopenOfFiled, refuseUnlessOpen } from './scan-link';
import { currentCatalogVersion } from '../catalog/catalog-service';

export interface ScansDeps extends Deps {
  files: FileStore;
}

/** A page's fields as `scans.addPage` and `scans.retakePage` receive them (after zod). */
interface PageInput {
  page: { mime: ImageMime; base64: string };
  original?: { mime: ImageMime; base64: string } | undefined;
  thumb?: { mime: ImageMime; base64: string } | undefined;
  width: number;
  height: number;
  mode: ScanMode;
  corners?: { x: number; y: number }[] | undefined;
  capture: ScanCapture;
}

interface StoredImage {
  sha256: string;
  size: number;
  mime: ImageMime;
}

interface StoredPage {
  page: StoredImage;
  original: StoredImage | null;
  thumb: StoredImage | null;
}

/** Exports larger than this are refused: the PDF is built and answered in memory. */
const MAX_EXPORT_BYTES = 200 * 1024 * 1024;


function requireOpen(db: Db, d: DocumentRow, doing: string): void {
  refuseUnlessOpen(db, d, doing);
}

function requireLive(p: PageRow, doing: string): void {
  if (p.deleted_at !== null) throw new AppError('INVALID_STATE', `该页已删除或已被重拍，不能${doing}，请刷新后重试。`, { pageId: p.id, doing });
}

function touch(w: WriteContext, documentId: number): void {
  w.db.prepare('UPDATE scan_documents SET updated_at = ? WHERE id = ?').run(w.at.toISOString(), documentId);
}

/** Gives the live pages the positions 0…n-1 in the given order (through a high offset: one live page per position at all times). */
function renumber(db: Db, documentId: number, orderedIds: number[]): void {
  db.prepare('UPDATE scan_pages SET position = position + 1000000 WHERE document_id = ? AND deleted_at IS NULL').run(documentId);
  const set = db.prepare('UPDATE scan_pages SET position = ? WHERE id = ?');
  orderedIds.forEach((id, i) => set.run(i, id));
}

export function createScansService(deps: ScansDeps): PartialHandlers {
  const { db, files } = deps;
  const view = (documentId: number) => buildDocumentView(db, documentId);
  const userId = (ctx: CallContext) => ctx.user!.id;

  /** Checks every image of a page (before any file is written), then writes them durably. */
  function storePage(input: PageInput): StoredPage {
    const page = checkImage(input.page, '页面图像', { ...PAGE_CHECK, declared: { width: input.width, height: input.height } });
    const original = input.original ? checkImage(input.original, '原始画面', PAGE_CHECK) : null;
    const thumb = input.thumb ? checkImage(input.thumb, '缩略图', THUMB_CHECK) : null;
    const r0 = input.capture.resolution;
    const sameSize = (img: CheckedImage) => (img.width === r0.width && img.height === r0.height) || (img.width === r0.height && img.height === r0.width);
    if (original && !sameSize(original)) {
      // The frame's size is recorded in the capture metadata (either orientation: the frame may be
      // stored as the sensor gave it or turned by the chosen rotation); otherwise the two do not belong together.
      throw new AppError('BAD_INPUT', `原始画面的尺寸（${original.width}×${original.height}）与拍摄分辨率（${r0.width}×${r0.height}）不符。`);
    }
    const put = (img: CheckedImage): StoredImage => {
      const stored = { sha256: files.put(img.bytes), size: img.bytes.length, mime: img.mime };
      progress('scan.filePut'); // for the kill tests (log/progress.ts): a file stored, its page not yet recorded
      return stored;
    };
    return { page: put(page), original: original ? put(original) : null, thumb: thumb ? put(thumb) : null };
  }

  function recordFiles(w: WriteContext, s: StoredPage): void {
    for (const img of [s.page, s.original, s.thumb]) if (img) files.record(w.db, img.sha256, img.size, img.mime, w.at);
  }

  function insertPage(w: WriteContext, documentId: number, position: number, input: PageInput, s: StoredPage, replaces: number | null, ctx: CallContext): number {
    return Number(
      w.db
        .prepare(
          `INSERT INTO scan_pages (document_id, position, file_sha256, original_sha256, thumb_sha256, width, height, mime, mode, corners, capture,
             replaces_page_id, created_at, created_by)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(
          documentId,
          position,
          s.page.sha256,
          s.original?.sha256 ?? null,
          s.thumb?.sha256 ?? null,
          input.width,
          input.height,
          s.page.mime,
          input.mode,
          input.corners ? JSON.stringify(input.corners) : null,
          JSON.stringify(input.capture),
          replaces,
          w.at.toISOString(),
          userId(ctx),
        ).lastInsertRowid,
    );
  }

  const pageAudit = (s: StoredPage, input: PageInput) => ({
    sha256: s.page.sha256,
    size: s.page.size,
    mime: s.page.mime,
    width: input.width,
    height: input.height,
    mode: input.mode,
    originalSha256: s.original?.sha256 ?? null,
    thumbSha256: s.thumb?.sha256 ?? null,
    trigger: input.capture.trigger,
    blank: input.capture.blank,
  });

  return {
    'scans.createDocument': ({ applicantId, caseId, kind, title, validUntil }, ctx) => {
      const documentId = deps.write(ctx.actor, (w) => {
        let applicant = applicantId ?? null;
        if (applicant !== null && !w.db.prepare('SELECT 1 FROM applicants WHERE id = ?').get(applicant)) throw new AppError('NOT_FOUND', '该申请人不存在。');
        let versionId = currentCatalogVersion(w.db, w.at);
        if (caseId !== undefined) {
          const c = w.db.prepare('SELECT applicant_id, catalog_version_id FROM cases WHERE id = ?').get(caseId) as { applicant_id: number; catalog_version_id: number } | undefined;
          if (!c) throw new AppError('NOT_FOUND', '该办件不存在。');
          if (applicant !== null && c.applicant_id !== applicant) throw new AppError('BAD_INPUT', '该办件不属于所选申请人。', { caseId, applicantId });
          applicant = c.applicant_id;
          versionId = c.catalog_version_id;
        }
        // The certificate chosen by its name now (the case's catalog version, else the one in force): 完成 files it under that one.
        const certificate = certificateNamed(w.db, title, versionId);
        const iso = w.at.toISOString();
        // Pages are scanned from the originals the applicant presents at the window: trust grade B.
        const note = `经与原件核对无误，核对人：${ctx.user!.displayName}，${chinaDate(w.at)}`;
        const id = Number(
          w.db
            .prepare(
              `INSERT INTO scan_documents (applicant_id, case_id, kind, title, trust_grade, trust_note, status, created_at, created_by, updated_at, valid_until, certificate_code)
               VALUES (?, ?, ?, ?, 'B', ?, 'open', ?, ?, ?, ?, ?)`,
            )
            .run(applicant, caseId ?? null, kind, title, note, iso, userId(ctx), iso, validUntil ?? null, certificate?.code ?? null).lastInsertRowid,
        );
        w.audit({
          action: 'scan.createDocument',
          entityType: 'scan_document',
          entityId: id,
          detail: { kind: SCAN_KIND_LABELS[kind], title, applicantId: applicant, caseId: caseId ?? null, validUntil: validUntil ?? null, certificate: certificate?.code ?? null },
        });
        return id;
      });
      return view(documentId);
    },

    'scans.addPage': ({ documentId, ...input }, ctx) => {
      const d = loadDocument(db, documentId);
      requireOpen(db, d, '添加页面');
      if (livePages(db, documentId).length >= SCAN_LIMITS.maxPagesPerDocument) {
        throw new AppError('INVALID_STATE', `一份文档最多 ${SCAN_LIMITS.maxPagesPerDocument} 页，请新建文档继续扫描。`);
      }
      const stored = storePage(input);
      deps.write(ctx.actor, (w) => {
        // Again under the write lock: the document may have been closed meanwhile.
        requireOpen(w.db, loadDocument(w.db, documentId), '添加页面');
        const next = w.db.prepare('SELECT COALESCE(MAX(position) + 1, 0) AS n, COUNT(*) AS c FROM scan_pages WHERE document_id = ? AND deleted_at IS NULL').get(documentId) as {
          n: number;
          c: number;
        };
        if (next.c >= SCAN_LIMITS.maxPagesPerDocument) throw new AppError('INVALID_STATE', `一份文档最多 ${SCAN_LIMITS.maxPagesPerDocument} 页，请新建文档继续扫描。`);
        recordFiles(w, stored);
        const pageId = insertPage(w, documentId, next.n, input, stored, null, ctx);
        touch(w, documentId);
        w.audit({ action: 'scan.addPage', entityType: 'scan_page', entityId: pageId, detail: { documentId, position: next.n, ...pageAudit(stored, input) } });
      });
      return view(documentId);
    },

    'scans.retakePage': ({ pageId, ...input }, ctx) => {
      const old = loadPage(db, pageId);
      requireLive(old, '重拍');
      requireOpen(db, loadDocument(db, old.document_id), '重拍页面');
      const stored = storePage(input);
      deps.write(ctx.actor, (w) => {
        const cur = loadPage(w.db, pageId);
        requireLive(cur, '重拍');
        requireOpen(w.db, loadDocument(w.db, cur.document_id), '重拍页面');
        recordFiles(w, stored);
        // The old row leaves the position first (the live-position index allows one page per position).
        w.db.prepare('UPDATE scan_pages SET deleted_at = ?, deleted_by = ? WHERE id = ?').run(w.at.toISOString(), userId(ctx), cur.id);
        const newId = insertPage(w, cur.document_id, cur.position, input, stored, cur.id, ctx);
        // An ID-card pair follows the new take of its side.
        const front = w.db.prepare('UPDATE scan_id_card_pairs SET front_page_id = ? WHERE front_page_id = ? AND removed_at IS NULL').run(newId, cur.id).changes;
        const back = w.db.prepare('UPDATE scan_id_card_pairs SET back_page_id = ? WHERE back_page_id = ? AND removed_at IS NULL').run(newId, cur.id).changes;
        touch(w, cur.document_id);
        w.audit({
          action: 'scan.retakePage',
          entityType: 'scan_page',
          entityId: newId,
          detail: { documentId: cur.document_id, position: cur.position, replacedPageId: cur.id, previousSha256: cur.file_sha256, idCardPair: front + back > 0, ...pageAudit(stored, input) },
        });
      });
      return view(old.document_id);
    },

    'scans.deletePage': ({ pageId }, ctx) => {
      const documentId = deps.write(ctx.actor, (w) => {
        const p = loadPage(w.db, pageId);
        requireLive(p, '删除');
        requireOpen(w.db, loadDocument(w.db, p.document_id), '删除页面');
        const iso = w.at.toISOString();
        w.db.prepare('UPDATE scan_pages SET deleted_at = ?, deleted_by = ? WHERE id = ?').run(iso, userId(ctx), p.id);
        const pair = w.db.prepare('SELECT id FROM scan_id_card_pairs WHERE (front_page_id = ? OR back_page_id = ?) AND removed_at IS NULL').get(p.id, p.id) as { id: number } | undefined;
        if (pair) w.db.prepare('UPDATE scan_id_card_pairs SET removed_at = ? WHERE id = ?').run(iso, pair.id);
        renumber(
          w.db,
          p.document_id,
          livePages(w.db, p.document_id).map((x) => x.id),
        );
        touch(w, p.document_id);
        w.audit({
          action: 'scan.deletePage',
          entityType: 'scan_page',
          entityId: p.id,
          detail: { documentId: p.document_id, position: p.position, sha256: p.file_sha256, idCardPairRemoved: pair?.id ?? null },
        });
        return p.document_id;
      });
      return view(documentId);
    },

    'scans.reorderPages': ({ documentId, pageIds }, ctx) => {
      deps.write(ctx.actor, (w) => {
        const d = loadDocument(w.db, documentId);
        requireOpen(w.db, d, '调整页序');
        const live = livePages(w.db, documentId);
        const liveIds = new Set(live.map((p) => p.id));
        if (new Set(pageIds).size !== pageIds.length) throw new AppError('BAD_INPUT', '页序中有重复的页。', { documentId, pageIds });
        const ownerOf = w.db.prepare('SELECT document_id FROM scan_pages WHERE id = ?').pluck();
        pageIds.forEach((id, i) => {
          if (liveIds.has(id)) return;
          const owner = ownerOf.get(id) as number | undefined;
          if (owner !== undefined && owner !== documentId) throw new AppError('BAD_INPUT', `页序第 ${i + 1} 项不是本文档的页，已拒绝。`, { documentId, pageId: id, owner });
          throw new AppError('CONFLICT', `页序第 ${i + 1} 项已删除或不存在，文档已被修改，请刷新后重试。`, { documentId, pageId: id });
        });
        if (pageIds.length !== live.length) {
          throw new AppError('CONFLICT', `页序缺少本文档的 ${live.length - pageIds.length} 页，文档已被修改，请刷新后重试。`, { documentId, pageIds, live: [...liveIds] });
        }
        renumber(w.db, documentId, pageIds);
        touch(w, documentId);
        const sha = new Map(live.map((p) => [p.id, p.file_sha256]));
        w.audit({
          action: 'scan.reorderPages',
          entityType: 'scan_document',
          entityId: documentId,
          detail: { from: live.map((p) => p.id), to: pageIds, sha256: pageIds.map((id) => sha.get(id)) },
        });
      });
      return view(documentId);
    },

    'scans.composeIdCard': ({ documentId, frontPageId, backPageId }, ctx) => {
      deps.write(ctx.actor, (w) => {
        requireOpen(w.db, loadDocument(w.db, documentId), '组合身份证正反面');
        if (frontPageId === backPageId) throw new AppError('BAD_INPUT', '正面和反面不能是同一页。');
        const sides = [
          { id: frontPageId, label: '正面' },
          { id: backPageId, label: '反面' },
        ].map(({ id, label }) => {
          const p = loadPage(w.db, id);
          if (p.document_id !== documentId) throw new AppError('BAD_INPUT', `所选${label}不是本文档的页，已拒绝。`, { documentId, pageId: id, owner: p.document_id });
          requireLive(p, '组合');
          const inPair = w.db.prepare('SELECT 1 FROM scan_id_card_pairs WHERE (front_page_id = ? OR back_page_id = ?) AND removed_at IS NULL').get(id, id);
          if (inPair) throw new AppError('INVALID_STATE', `所选${label}（第 ${p.position + 1} 页）已与其他页组合，请先拆分。`, { pageId: id });
          return p;
        });
        const pairId = Number(
          w.db
            .prepare('INSERT INTO scan_id_card_pairs (document_id, front_page_id, back_page_id, created_at, created_by) VALUES (?, ?, ?, ?, ?)')
            .run(documentId, frontPageId, backPageId, w.at.toISOString(), userId(ctx)).lastInsertRowid,
        );
        touch(w, documentId);
        w.audit({
          action: 'scan.composeIdCard',
          entityType: 'scan_document',
          entityId: documentId,
          detail: { pairId, front: { pageId: frontPageId, sha256: sides[0]!.file_sha256 }, back: { pageId: backPageId, sha256: sides[1]!.file_sha256 } },
        });
      });
      return view(documentId);
    },

    'scans.splitIdCard': ({ pairId }, ctx) => {
      const documentId = deps.write(ctx.actor, (w) => {
        const pair = w.db.prepare('SELECT * FROM scan_id_card_pairs WHERE id = ?').get(pairId) as
          | { id: number; document_id: number; front_page_id: number; back_page_id: number; removed_at: string | null }
          | undefined;
        if (!pair) throw new AppError('NOT_FOUND', '该身份证组合不存在。');
        if (pair.removed_at) throw new AppError('INVALID_STATE', '该身份证组合已拆分。');
        requireOpen(w.db, loadDocument(w.db, pair.document_id), '拆分身份证正反面');
        w.db.prepare('UPDATE scan_id_card_pairs SET removed_at = ? WHERE id = ?').run(w.at.toISOString(), pair.id);
        touch(w, pair.document_id);
        w.audit({ action: 'scan.splitIdCard', entityType: 'scan_document', entityId: pair.document_id, detail: { pairId, frontPageId: pair.front_page_id, backPageId: pair.back_page_id } });
        return pair.document_id;
      });
      return view(documentId);
    },

    'scans.setStatus': ({ documentId, status }, ctx) => {
      if (loadDocument(db, documentId).status === status) return view(documentId); // nothing to change
      deps.write(ctx.actor, (w) => {
        const d = loadDocument(w.db, documentId);
        if (d.status === status) throw new AppError('CONFLICT', '文档状态已被他人修改，请刷新后重试。');
        if (status === 'open') refuseReopenOfFiled(w.db, d);
        if (status === 'done' && livePages(w.db, documentId).length === 0) throw new AppError('INVALID_STATE', '文档还没有页面，不能标记为完成。');
        w.db.prepare('UPDATE scan_documents SET status = ?, updated_at = ? WHERE id = ?').run(status, w.at.toISOString(), documentId);
        w.audit({ action: 'scan.setStatus', entityType: 'scan_document', entityId: documentId, detail: { from: d.status, to: status, pages: livePages(w.db, documentId).map((p) => p.file_sha256) } });
      });
      return view(documentId);
    },

    'scans.finish': (input, ctx) => {
      refuseUnlessDocumentReadable(db, ctx.user!, input.documentId);
      // Filed already (完成 pressed twice, a retry after a lost answer): the material it became, nothing written.
      const d = loadDocument(db, input.documentId);
      let done = d.material_id !== null ? repeatedFinish(db, d, input) : null;
      if (!done) {
        try {
          done = deps.write(ctx.actor, (w) => finishScan(w, files, input, ctx));
        } catch (e) {
          if (!(e instanceof AlreadyFinished)) throw e;
          done = e.finished;
        }
      }
      return { document: view(done.documentId), material: done.material, alreadyFinished: done.alreadyFinished };
    },

    'scans.getDocument': ({ documentId }, ctx) => {
      refuseUnlessDocumentReadable(db, ctx.user!, documentId);
      return view(documentId);
    },

    'scans.listDocuments': ({ applicantId, caseId, unattached, status, limit }, ctx) => {
      // An assistant lists only their own scans and those of cases they may read (cases/case-access.ts).
      const assistant = ctx.user!.role === 'assistant';
      const rows = db
        .prepare(
          `SELECT d.*, u.display_name AS creator, a.name AS applicant_name,
                  (SELECT COUNT(*) FROM scan_pages p WHERE p.document_id = d.id AND p.deleted_at IS NULL) AS pages,
                  (SELECT p.id FROM scan_pages p WHERE p.document_id = d.id AND p.deleted_at IS NULL ORDER BY p.position LIMIT 1) AS cover,
                  -- Every live page already kept in a material of its applicant (intake's 高拍仪拍摄原件 keeps
                  -- the pages through intake.addMaterial and leaves the scan open): not unfinished work.
                  (d.applicant_id IS NOT NULL AND EXISTS (SELECT 1 FROM scan_pages p WHERE p.document_id = d.id AND p.deleted_at IS NULL)
                   AND NOT EXISTS (SELECT 1 FROM scan_pages p WHERE p.document_id = d.id AND p.deleted_at IS NULL
                                     AND NOT EXISTS (SELECT 1 FROM materials m JOIN material_pages mp ON mp.material_id = m.id
                                                     WHERE m.applicant_id = d.applicant_id AND mp.file_sha256 = p.file_sha256))) AS in_library
           FROM scan_documents d LEFT JOIN users u ON u.id = d.created_by LEFT JOIN applicants a ON a.id = d.applicant_id
           WHERE (? IS NULL OR d.applicant_id = ?) AND (? IS NULL OR d.case_id = ?) AND (? = 0 OR (d.applicant_id IS NULL AND d.case_id IS NULL)) AND (? IS NULL OR d.status = ?)
             AND (? = 0 OR d.created_by = ? OR EXISTS (SELECT 1 FROM cases c WHERE (c.id = d.case_id OR (d.case_id IS NULL AND c.applicant_id = d.applicant_id)) AND ${assistantCaseCondition('c').replaceAll('@uid', '?')}))
           ORDER BY d.updated_at DESC, d.id DESC LIMIT ?`,
        )
        .all(applicantId ?? null, applicantId ?? null, caseId ?? null, caseId ?? null, unattached ? 1 : 0, status ?? null, status ?? null, assistant ? 1 : 0, ctx.user!.id, ctx.user!.id, ctx.user!.id, ctx.user!.id, limit) as (DocumentRow & { creator: string | null; applicant_name: string | null; pages: number; cover: number | null; in_library: number })[];
      return rows.map((d) => ({
        id: d.id,
        applicantId: d.applicant_id,
        applicantName: d.applicant_name,
        caseId: d.case_id,
        kind: d.kind,
        title: d.title,
        trustGrade: d.trust_grade,
        status: d.status,
        pages: d.pages,
        coverPageId: d.cover,
        inLibrary: d.in_library === 1,
        material: d.material_id === null ? null : materialLink(db, d.material_id),
        validUntil: d.valid_until,
        createdAt: d.created_at,
        createdBy: d.creator ?? `#${d.created_by}`,
        updatedAt: d.updated_at,
      }));
    },

    'scans.pageImage': ({ pageId, thumb, original }, ctx) => {
      if (thumb && original) throw new AppError('BAD_INPUT', '缩略图和原始画面只能二选一。');
      const p = loadPage(db, pageId);
      refuseUnlessDocumentReadable(db, ctx.user!, p.document_id);
      let sha = p.file_sha256;
      let isThumb = false;
      if (original) {
        if (!p.original_sha256) throw new AppError('NOT_FOUND', '该页没有保存原始画面。');
        sha = p.original_sha256;
      } else if (thumb && p.thumb_sha256) {
        sha = p.thumb_sha256;
        isThumb = true;
      }
      const f = db.prepare('SELECT mime FROM files WHERE sha256 = ?').get(sha) as { mime: 'image/jpeg' | 'image/png' } | undefined;
      if (!f) throw new AppError('NOT_FOUND', '该页的图像文件不存在。');
      let bytes: Buffer;
      try {
        bytes = files.get(sha);
      } catch (e) {
        deps.logger.error('scans.fileDamaged', { pageId, sha256: sha, error: String(e) });
        throw new AppError('INVALID_STATE', '该页的图像文件已损坏或丢失，请重拍该页。', { pageId, sha256: sha });
      }
      return { mime: f.mime, base64: bytes.toString('base64'), sha256: sha, thumb: isThumb };
    },

    'scans.exportPdf': async ({ documentId }, ctx) => {
      refuseUnlessDocumentReadable(db, ctx.user!, documentId);
      const v = view(documentId);
      if (v.pages.length === 0) throw new AppError('INVALID_STATE', '文档还没有页面，不能导出。');
      const byId = new Map(v.pages.map((p) => [p.id, p]));
      const ref = (id: number): ScanPdfFileRef => {
        const p = byId.get(id)!;
        return { sha256: p.sha256, mime: p.mime, width: p.width, height: p.height };
      };
      const total = v.pages.reduce((n, p) => n + p.size, 0);
      if (total > MAX_EXPORT_BYTES) throw new AppError('INVALID_STATE', `文档图像合计 ${Math.round(total / 1024 / 1024)} MB，超过导出上限 ${MAX_EXPORT_BYTES / 1024 / 1024} MB，请分成几份文档。`);
      const args: ScanPdfJobArgs = {
        filesRoot: files.root,
        title: v.title,
        createdAt: v.createdAt,
        modifiedAt: v.updatedAt,
        sheets: v.sheets.map((s) => (s.kind === 'page' ? { kind: 'page', image: ref(s.pageId) } : { kind: 'id_card', front: ref(s.frontPageId), back: ref(s.backPageId) })),
      };
      const started = Date.now();
      const r = await deps.runInWorker<ScanPdfJobResult>('scans.exportPdf', args as unknown as Record<string, unknown>);
      if (!r.ok) {
        deps.logger.error('scans.fileDamaged', { documentId, damaged: r.damaged });
        const positions = v.pages.filter((p) => r.damaged.includes(p.sha256)).map((p) => p.position + 1);
        throw new AppError('INVALID_STATE', `第 ${positions.join('、')} 页的图像文件已损坏或丢失，不能导出；请重拍这些页。`, { documentId, damaged: r.damaged });
      }
      deps.logger.info('scans.exported', { documentId, pages: r.pages, bytes: r.bytes, ms: Date.now() - started });
      // Handing the scans out of the desk is recorded, like revealing an ID number.
      deps.write(ctx.actor, (w) =>
        w.audit({ action: 'scan.exportPdf', entityType: 'scan_document', entityId: documentId, detail: { sha256: r.sha256, pages: r.pages, bytes: r.bytes, pageSha256: v.pages.map((p) => p.sha256) } }),
      );
      const safeTitle = v.title.replace(/[\\/:*?"<>|\s]+/g, '_').slice(0, 60);
      return { fileName: `${safeTitle}-${documentId}.pdf`, base64: r.base64, sha256: r.sha256, pages: r.pages };
    },
  };
}
