import { describe, expect, it } from 'vitest';
import { openTestStore } from '../helpers/store';
import { testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { dbFile } from '../helpers/sync-desks';
import { documentJpeg, withComment } from '../helpers/jpeg';
import { exportCaseRecord, importCaseRecord } from '../../electron/services/hub/case-record';
import { writeTx } from '../../electron/store/write';

/**
 * A case's record for the hub (services/hub/case-record.ts, docs/hub.md "a desk can die") carries
 * its scans' rows as they are — since migrations/0025 with the material each finished scan became.
 * That material travels in the record too (a scan finished with a case at intake files it under
 * the case before any certificate uses it), so a successor desk imports the case with the link
 * instead of refusing a record that names a row it does not carry.
 */
describe('a case record carries the material its finished scan became', () => {
  it('exports the scan’s material with the case, and a successor imports the scan linked to its own copy of it', async () => {
    const a = await testDesk({ dataDir: tempDir('scan-link-record-a-') });
    let caseNo: string;
    let record: ReturnType<typeof exportCaseRecord>;
    let sha: string;
    try {
      const token = (await a.signIn('zhangmin')).token;
      const wang = (await a.call('applicants.list', { query: '王芳', limit: 5 }, token)).find((x) => x.name === '王芳')!;
      const item = (await a.call('catalog.listServiceItems', { query: '生育医疗费用报销' }, token)).find((i) => i.name === '生育医疗费用报销')!;
      const kase = await a.call('intake.start', { applicantId: wang.id, serviceItemIds: [item.id] }, token);
      caseNo = kase.caseNo;
      const doc = await a.call('scans.createDocument', { applicantId: wang.id, caseId: kase.id, kind: 'certificate', title: '医疗费用原始收费票据', validUntil: '2027-03-31' }, token);
      const jpeg = withComment(documentJpeg(640, 900), 'case record link');
      const capture = { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 640, height: 900 }, rotation: 0 as const, trigger: 'manual' as const, blank: false };
      const paged = await a.call('scans.addPage', { documentId: doc.id, page: { mime: 'image/jpeg', base64: jpeg.toString('base64') }, width: 640, height: 900, mode: 'color', capture }, token);
      sha = paged.pages[0]!.sha256;
      const done = await a.call('scans.finish', { documentId: doc.id }, token);

      const db = openTestStore(a.app.dbFile, { readonly: true });
      try {
        record = exportCaseRecord(db, kase.id);
      } finally {
        db.close();
      }
      // Not used by any certificate of the case yet, and still in its record, named by the scan's row.
      expect(record.tables.case_materials).toEqual([]);
      expect(record.tables.materials!.map((m) => [m.id, m.title, m.valid_until])).toEqual([[done.material.id, '医疗费用原始收费票据', '2027-03-31']]);
      expect(record.tables.scan_documents!.map((d) => [d.title, d.material_id, d.valid_until])).toEqual([['医疗费用原始收费票据', { $row: ['materials', done.material.id] }, '2027-03-31']]);
    } finally {
      await a.app.stopSync();
      a.app.close();
    }

    // The successor: another desk of the same hall (the same demo catalog and users), importing the record.
    const sDir = tempDir('scan-link-record-s-');
    const s = await testDesk({ dataDir: sDir });
    await s.app.stopSync();
    s.app.close();
    const db = openTestStore(dbFile(sDir));
    try {
      const actor = { userId: null, username: 'system' };
      const { caseId, unmapped } = writeTx(db, actor, () => new Date(), (w) => {
        const r = importCaseRecord(w, 'desk-a', record);
        w.audit({ action: 'hub.successorImport', entityType: 'case', entityId: r.caseId, detail: { caseNo } });
        return r;
      });
      expect(unmapped).toEqual([]);
      const scan = db.prepare('SELECT title, material_id, valid_until FROM scan_documents WHERE case_id = ?').get(caseId) as { title: string; material_id: number; valid_until: string };
      expect(scan).toMatchObject({ title: '医疗费用原始收费票据', valid_until: '2027-03-31' });
      expect(db.prepare('SELECT title, source_case_id FROM materials WHERE id = ?').get(scan.material_id)).toEqual({ title: '医疗费用原始收费票据', source_case_id: caseId });
      expect(db.prepare('SELECT file_sha256 FROM material_pages WHERE material_id = ?').pluck().all(scan.material_id)).toEqual([sha]);
      expect(db.pragma('foreign_key_check')).toEqual([]);
    } finally {
      db.close();
    }
  });
});
