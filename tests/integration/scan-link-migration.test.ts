import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTestStore, testFileStore } from '../helpers/store';
import { CallFailed, testDesk } from '../helpers/app';
import { MIGRATIONS, tempDir } from '../helpers/temp';
import { dbFile } from '../helpers/sync-desks';
import { documentJpeg, withComment } from '../helpers/jpeg';
import { writeTx } from '../../electron/store/write';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import type { Db } from '../../electron/store/open-store';

/**
 * migrations/0025_scan_material_link.sql: a finished scan names the material it became. Before it,
 * the link lived only in the `scan.finish` audit entry's detail. A store as the earlier version
 * left it — scans finished once, finished twice (reopened between), reopened and left open,
 * closed without the library, and one whose entry names another applicant's material — upgrades
 * to links taken from the latest entry where that entry can be trusted, and the desk then shows
 * the link and answers a repeated 完成 with the material it names.
 */

const failure = (p: Promise<unknown>) =>
  p.then(
    () => ({ code: 'OK', message: '' }),
    (e: CallFailed) => ({ code: e.error.code, message: e.error.message }),
  );

const CAPTURE = JSON.stringify({ deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 320, height: 450 }, rotation: 0, trigger: 'manual', blank: false });

describe('desk migration 0025 (scan → material link)', () => {
  it('backfills each finished scan’s material from its latest scan.finish entry, leaves the doubtful ones unlinked, and the upgraded desk shows the link', async () => {
    const shipped = fs.readdirSync(MIGRATIONS).filter((f) => /^\d{4}_.*\.sql$/.test(f)).sort();
    const mine = shipped.find((f) => f.endsWith('_scan_material_link.sql'))!;
    expect(mine).toBe('0025_scan_material_link.sql');
    const before = tempDir('scan-link-mig-before-');
    for (const f of shipped.filter((f) => f < mine)) fs.copyFileSync(path.join(MIGRATIONS, f), path.join(before, f));

    // A desk at the schema before 0025, with the demo hall (its seed writes nothing 0025 adds).
    const dataDir = tempDir('scan-link-mig-desk-');
    const old = await testDesk({ dataDir, migrationsDir: before });
    await old.app.stopSync();
    old.app.close();

    // What the earlier version's 完成 wrote, written here as it wrote it (rows and audit entries in
    // one audited transaction each; the earlier code itself cannot run on this build).
    const files = testFileStore(dataDir);
    let db: Db = openTestStore(dbFile(dataDir));
    const ids = { wang: 0, liu: 0, user: 0 };
    ids.wang = db.prepare(`SELECT id FROM applicants WHERE name = '王芳'`).pluck().get() as number;
    ids.liu = db.prepare(`SELECT id FROM applicants WHERE name = '赵大勇'`).pluck().get() as number;
    ids.user = db.prepare(`SELECT id FROM users WHERE username = 'zhangmin'`).pluck().get() as number;
    const actor = { userId: ids.user, username: 'zhangmin' };
    let clock = Date.parse('2026-11-20T02:00:00.000Z');
    const now = () => new Date((clock += 60_000));
    let seed = 0;

    /** A scan of one page under `applicantId`, status open. */
    const scan = (applicantId: number, title: string): number =>
      writeTx(db, actor, now, (w) => {
        const bytes = withComment(documentJpeg(320, 450), `scan-link-migration ${++seed}`);
        const sha = files.put(bytes);
        files.record(w.db, sha, bytes.length, 'image/jpeg', w.at);
        const iso = w.at.toISOString();
        const id = Number(
          w.db
            .prepare(
              `INSERT INTO scan_documents (applicant_id, case_id, kind, title, trust_grade, trust_note, status, created_at, created_by, updated_at)
               VALUES (?, NULL, 'certificate', ?, 'B', '经与原件核对无误，核对人：张敏，2026-11-20', 'open', ?, ?, ?)`,
            )
            .run(applicantId, title, iso, ids.user, iso).lastInsertRowid,
        );
        w.db
          .prepare(`INSERT INTO scan_pages (document_id, position, file_sha256, width, height, mime, mode, capture, created_at, created_by) VALUES (?, 0, ?, 320, 450, 'image/jpeg', 'color', ?, ?, ?)`)
          .run(id, sha, CAPTURE, iso, ids.user);
        w.audit({ action: 'scan.createDocument', entityType: 'scan_document', entityId: id, detail: { title, applicantId } });
        return id;
      });
    /** The earlier 完成: a material of the scan's page under `owner`, the scan closed, the material's id only in the entry's detail. */
    const finish = (documentId: number, owner: number): number =>
      writeTx(db, actor, now, (w) => {
        const page = w.db.prepare('SELECT file_sha256 FROM scan_pages WHERE document_id = ?').pluck().get(documentId) as string;
        const title = w.db.prepare('SELECT title FROM scan_documents WHERE id = ?').pluck().get(documentId) as string;
        const materialId = Number(
          w.db
            .prepare(
              `INSERT INTO materials (applicant_id, certificate_code, title, trust_grade, trust_note, valid_from, valid_until, source_case_id, created_at, created_by)
               VALUES (?, NULL, ?, 'B', '经与原件核对无误，核对人：张敏，2026-11-20', '2026-11-20', NULL, NULL, ?, ?)`,
            )
            .run(owner, title, w.at.toISOString(), ids.user).lastInsertRowid,
        );
        w.db.prepare('INSERT INTO material_pages (material_id, position, file_sha256) VALUES (?, 0, ?)').run(materialId, page);
        w.db.prepare(`UPDATE scan_documents SET status = 'done', updated_at = ? WHERE id = ?`).run(w.at.toISOString(), documentId);
        w.audit({ action: 'scan.finish', entityType: 'scan_document', entityId: documentId, detail: { title, applicantId: owner, caseId: null, materialId, certificate: null, validUntil: null } });
        return materialId;
      });
    const setStatus = (documentId: number, status: 'open' | 'done') =>
      writeTx(db, actor, now, (w) => {
        w.db.prepare('UPDATE scan_documents SET status = ?, updated_at = ? WHERE id = ?').run(status, w.at.toISOString(), documentId);
        w.audit({ action: 'scan.setStatus', entityType: 'scan_document', entityId: documentId, detail: { to: status } });
      });

    const once = scan(ids.wang, '房屋租赁合同');
    const onceMaterial = finish(once, ids.wang);
    const twice = scan(ids.wang, '结婚证');
    finish(twice, ids.wang);
    setStatus(twice, 'open');
    const twiceMaterial = finish(twice, ids.wang); // the second copy the earlier version filed: the latest entry wins
    const reopened = scan(ids.liu, '营业执照（副本）');
    finish(reopened, ids.liu);
    setStatus(reopened, 'open'); // open again: its next 完成 files its pages as before
    const closed = scan(ids.liu, '居住证');
    setStatus(closed, 'done'); // closed, never filed
    const astray = scan(ids.liu, '户口簿');
    finish(astray, ids.wang); // an entry naming another applicant's material: not trusted
    const beforeAudit = db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
    const materialsBefore = db.prepare('SELECT COUNT(*) FROM materials').pluck().get() as number;
    expect(db.prepare(`SELECT name FROM pragma_table_info('scan_documents') WHERE name = 'material_id'`).all()).toEqual([]);
    db.close();

    // The upgrade: today's migrations (0025 among them), on start.
    const d = await testDesk({ dataDir });
    try {
      db = openTestStore(dbFile(dataDir), { readonly: true });
      try {
        expect(db.prepare('SELECT version, name FROM schema_migrations WHERE version = 25').get()).toEqual({ version: 25, name: 'scan_material_link' });
        const link = (id: number) => db.prepare('SELECT material_id FROM scan_documents WHERE id = ?').pluck().get(id);
        expect(link(once)).toBe(onceMaterial);
        expect(link(twice)).toBe(twiceMaterial);
        expect(link(reopened)).toBeNull();
        expect(link(closed)).toBeNull();
        expect(link(astray)).toBeNull();
        expect(db.prepare('SELECT valid_until, certificate_code FROM scan_documents WHERE id = ?').get(once)).toEqual({ valid_until: null, certificate_code: null });
        // Nothing else changed: no material, no audit entry; the chain still holds; no temp table left behind.
        expect(db.prepare('SELECT COUNT(*) FROM materials').pluck().get()).toBe(materialsBefore);
        expect(db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get()).toBeGreaterThanOrEqual(beforeAudit);
        expect(db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'scan.finish'`).pluck().get()).toBe(5);
        expect(verifyAuditChain(db).ok).toBe(true);
        expect(db.prepare(`SELECT name FROM sqlite_temp_master WHERE name LIKE '%0025%'`).all()).toEqual([]);
        expect(db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND name = 'scan_documents_material'`).pluck().get()).toBe('scan_documents_material');
        expect(db.pragma('foreign_key_check')).toEqual([]);
        expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      } finally {
        db.close();
      }

      // The desk shows the link, on the scan and in the applicant's library.
      const token = (await d.signIn('zhangmin')).token;
      expect((await d.call('scans.getDocument', { documentId: once }, token)).material).toEqual({ id: onceMaterial, title: '房屋租赁合同', certificate: null, validUntil: null, applicantName: '王芳' });
      const library = await d.call('materials.forApplicant', { applicantId: ids.wang }, token);
      expect(library.find((m) => m.id === onceMaterial)!.scan).toMatchObject({ documentId: once, title: '房屋租赁合同', scannedBy: '张敏' });
      expect(library.filter((m) => m.scan?.documentId === twice).map((m) => m.id)).toEqual([twiceMaterial]);
      // 完成 again answers the material the entry named; nothing is filed twice.
      const again = await d.call('scans.finish', { documentId: once }, token);
      expect(again).toMatchObject({ alreadyFinished: true, material: { id: onceMaterial } });
      expect(await d.call('materials.forApplicant', { applicantId: ids.wang }, token)).toHaveLength(library.length);
      expect(await failure(d.call('scans.setStatus', { documentId: once, status: 'open' }, token))).toMatchObject({ code: 'INVALID_STATE' });
      // The scan reopened before the upgrade files its pages at its next 完成, and is linked from then on.
      const next = await d.call('scans.finish', { documentId: reopened }, token);
      expect(next.alreadyFinished).toBe(false);
      expect((await d.call('scans.getDocument', { documentId: reopened }, token)).material!.id).toBe(next.material.id);
    } finally {
      await d.app.stopSync();
      d.app.close();
    }
  });
});
