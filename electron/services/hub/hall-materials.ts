import { randomUUID } from 'node:crypto';
import type { Deps } from '../../app/deps';
import type { WriteContext } from '../../store/write';
import type { Db } from '../../store/open-store';
import { readDeskCard } from '../transfer/desk-keys';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import { ConnectorFailure } from '../sync/http-connector';
import type { HubTargetConfig } from '../sync/targets-config';
import { deskSchemaVersion, HubConnector } from './hub-connector';
import { downloadFile, uploadCaseFiles, type FileRef } from './hub-files';
import { enqueueHallRecord, hallTargetIds } from './hall-records';
import { applicantRecordId } from './hall-applicants';

/**
 * The material library is the hall's (docs/hub.md, "Records, owners and offline"): a material
 * checked at one window (its trust grade, validity, source case number, the window, and its pages
 * by SHA-256) is a hall-owned record of kind 'material', written once. It refers to its applicant
 * by the applicant's hall identity (`<id type>:<id number>`, hall-applicants.ts). Its pages are
 * uploaded to the hub before the record is pushed (the hub takes it only then), and another desk
 * fetches a page from the hub the first time it is shown, into its own FileStore (content-addressed,
 * checked by SHA-256); after that the desk has it offline. The reuse rules are the desk's own
 * (shared/rules/material-validity.ts), applied at every window alike.
 */

export interface MaterialBody {
  /** The applicant's hall identity. */
  applicant: string;
  certificateCode: string | null;
  title: string;
  trustGrade: 'A' | 'B' | 'C' | 'D';
  trustNote: string;
  validFrom: string;
  validUntil: string | null;
  sourceCaseNo: string | null;
  /** The window (desk name) that checked it. */
  window: string | null;
  checkedAt: string;
  pages: FileRef[];
}

interface MaterialRow {
  id: number;
  hall_key: string | null;
  certificate_code: string | null;
  title: string;
  trust_grade: MaterialBody['trustGrade'];
  trust_note: string;
  valid_from: string;
  valid_until: string | null;
  created_at: string;
  id_type: string;
  id_number: string;
  case_no: string | null;
  source_case_no: string | null;
  origin_window: string | null;
}

const dataDirs = new WeakMap<Db, string>();

/** Set by the composition root: where this desk's card (its window name) is read from. */
export function configureHallMaterials(db: Db, dataDir: string): void {
  dataDirs.set(db, dataDir);
}

/** This desk's window name, as enrolled with the hub (its desk card); null when it has none. */
function windowName(db: Db): string | null {
  const dir = dataDirs.get(db);
  return (dir ? readDeskCard(dir)?.name : null) ?? null;
}

/** Inside the transaction that added a material: gives it its hall id and queues it for the hub. */
export function shareMaterial(w: WriteContext, materialId: number): void {
  if (hallTargetIds(w.db).length === 0) return;
  const m = materialWithHallKey(w, materialId);
  enqueueHallRecord(w, 'material', m.hallKey, m.body as unknown as Record<string, unknown>);
}

/** Gives a material its hall id (the first time) and returns it as the hall shares it. */
export function materialWithHallKey(w: WriteContext, materialId: number): { hallKey: string; body: MaterialBody } {
  w.db.prepare('UPDATE materials SET hall_key = COALESCE(hall_key, ?) WHERE id = ?').run(randomUUID(), materialId);
  const m = w.db
    .prepare(
      `SELECT m.*, a.id_type, a.id_number, c.case_no FROM materials m JOIN applicants a ON a.id = m.applicant_id LEFT JOIN cases c ON c.id = m.source_case_id WHERE m.id = ?`,
    )
    .get(materialId) as MaterialRow;
  const pages = w.db
    .prepare('SELECT f.sha256, f.size, f.mime FROM material_pages p JOIN files f ON f.sha256 = p.file_sha256 WHERE p.material_id = ? ORDER BY p.position')
    .all(materialId) as FileRef[];
  const body: MaterialBody = {
    applicant: applicantRecordId(m.id_type, m.id_number),
    certificateCode: m.certificate_code,
    title: m.title,
    trustGrade: m.trust_grade,
    trustNote: m.trust_note,
    validFrom: m.valid_from,
    validUntil: m.valid_until,
    sourceCaseNo: m.case_no ?? m.source_case_no,
    window: m.origin_window ?? windowName(w.db),
    checkedAt: m.created_at,
    pages,
  };
  return { hallKey: m.hall_key!, body };
}

/**
 * Applies a material from the hall (system write, audited): added once under its hall id, for the
 * local applicant with its hall identity, under the desk's first supervisor (the desk has no user
 * of the other window; the trust note names who checked it). Its pages are recorded by hash; their
 * bytes come from the hub when first shown (hallPageFetcher).
 */
export function applyMaterialBody(w: WriteContext, hallKey: string, raw: Record<string, unknown>, ownerDesk: string, version: number): void {
  const b = raw as unknown as MaterialBody;
  if (w.db.prepare('SELECT 1 FROM materials WHERE hall_key = ?').get(hallKey)) return; // written once: this desk has it (its own, or applied before)
  const a = w.db.prepare(`SELECT id FROM applicants WHERE id_type || ':' || id_number = ?`).get(b.applicant) as { id: number } | undefined;
  if (!a) throw new Error(`material ${hallKey}: its applicant is not on this desk`);
  const by = w.db.prepare(`SELECT id FROM users WHERE role = 'supervisor' ORDER BY id LIMIT 1`).get() as { id: number } | undefined;
  if (!by) throw new Error('no supervisor on this desk to record a hall material under');
  const id = Number(
    w.db
      .prepare(
        `INSERT INTO materials (applicant_id, certificate_code, title, trust_grade, trust_note, valid_from, valid_until, source_case_id, created_at, created_by, hall_key, origin_desk, origin_window, source_case_no)
         VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?, ?, ?, ?)`,
      )
      .run(a.id, b.certificateCode, b.title, b.trustGrade, b.trustNote, b.validFrom, b.validUntil, b.checkedAt, by.id, hallKey, ownerDesk, b.window, b.sourceCaseNo).lastInsertRowid,
  );
  const file = w.db.prepare('INSERT OR IGNORE INTO files (sha256, size, mime, created_at) VALUES (?, ?, ?, ?)');
  const page = w.db.prepare('INSERT INTO material_pages (material_id, position, file_sha256) VALUES (?, ?, ?)');
  b.pages.forEach((p, pos) => {
    file.run(p.sha256, p.size, p.mime, w.at.toISOString());
    page.run(id, pos, p.sha256);
  });
  w.audit({ action: 'hub.materialReceived', entityType: 'material', entityId: id, detail: { hallKey, version, fromDesk: ownerDesk, window: b.window, sourceCaseNo: b.sourceCaseNo, pages: b.pages.map((p) => p.sha256) } });
}

/** Before a material is pushed: its pages go to the hub (what it already holds is not sent again). */
export async function uploadMaterialPages(hub: HubConnector, body: Record<string, unknown>): Promise<void> {
  await uploadCaseFiles(hub, (body as unknown as MaterialBody).pages);
}

/** One page's bytes: from this desk's FileStore, else fetched from the hub once and kept there. */
export type PageSource = (page: FileRef) => Promise<Buffer>;

export function hallPageFetcher(deps: Pick<Deps, 'db' | 'now' | 'logger'>, files: FileStore, hubTargets: () => readonly HubTargetConfig[], dataDir: string, timeoutMs: number): PageSource {
  return async (page) => {
    try {
      return files.get(page.sha256);
    } catch (local) {
      const targets = hubTargets();
      if (targets.length === 0) throw local;
      let why = '';
      for (const t of targets) {
        try {
          const bytes = await downloadFile(new HubConnector(t, dataDir, deskSchemaVersion(deps.db), timeoutMs, deps.now), page);
          if (files.put(bytes) !== page.sha256) throw new Error(`hub file ${page.sha256} stored under another hash`);
          deps.logger.info('hub.materialPageFetched', { sha256: page.sha256, size: page.size, hub: t.id });
          return bytes;
        } catch (e) {
          deps.logger.warn('hub.materialPageFetchFailed', { sha256: page.sha256, hub: t.id, error: String((e as Error)?.message ?? e) });
          why = e instanceof ConnectorFailure ? e.message : '全厅中心返回的文件与登记的不符';
        }
      }
      throw new AppError('UNAVAILABLE', `该页来自其他窗口，本机尚未缓存，且暂时无法从全厅中心取得（${why}）。请待连接恢复后再查看。`, { sha256: page.sha256 });
    }
  };
}
