import type { Deps } from '../../app/deps';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import type { FileStore } from '../files/file-store';
import { continueNumberingAfter } from '../intake/case-number';
import { importCaseRecord, RecordRefused, type CaseRecord } from './case-record';
import type { HubConnector } from './hub-connector';
import { downloadFile } from './hub-files';

/**
 * A desk enrolled on the hub as the successor of a dead desk (`enrol-desk --successor-of`) takes
 * that desk's cases — drafts included — and their files back from the hub (docs/hub.md: a desk can
 * die). Page by page in case-number order; for each case not yet imported: its files are fetched
 * (each checked against its SHA-256) into the file store, then the case is written in ONE audited
 * transaction together with its `hub_successor_imports` row and the numbering rule
 * (continueNumberingAfter). A crash anywhere leaves whole cases; a restart skips the imported ones
 * and finishes the rest — no case twice. The sender runs it once the hub is reachable.
 */

export interface RestoreResult {
  predecessor: string | null;
  imported: number;
  skipped: number;
  files: number;
  /** Cases whose record this store cannot take (a missing user or catalog row …): the reason for the supervisor, the detail for the log. */
  refused: { caseNo: string; reason: string; detail: string }[];
}

interface Page {
  predecessor: string | null;
  items: { caseNo: string; revision: number; document: { record?: CaseRecord } }[];
  next: string;
  more: boolean;
}

export interface RestoreOptions {
  pageSize?: number;
}

export async function restoreFromHub(deps: Pick<Deps, 'db' | 'write'>, hub: HubConnector, files: FileStore, opts: RestoreOptions = {}): Promise<RestoreResult> {
  const r: RestoreResult = { predecessor: null, imported: 0, skipped: 0, files: 0, refused: [] };
  const imported = deps.db.prepare('SELECT 1 FROM hub_successor_imports WHERE origin_desk = ? AND origin_case_no = ?').pluck();
  let after = '';
  for (;;) {
    const res = await hub.request('GET', `/v1/successor/cases?after=${encodeURIComponent(after)}&limit=${opts.pageSize ?? 50}`);
    if (res.status !== 200) hub.fail(res);
    const page = res.json as Page;
    if (!page.predecessor) return r;
    if (r.predecessor === null) {
      r.predecessor = page.predecessor;
      const done = deps.db.prepare('SELECT finished_at FROM hub_successor_restore WHERE origin_desk = ?').pluck().get(page.predecessor) as string | null | undefined;
      if (done) return r; // finished before (a later run has nothing to do)
      if (done === undefined) markStarted(deps, page.predecessor, hub.target.id);
    }
    for (const it of page.items) {
      if (imported.get(page.predecessor, it.caseNo)) {
        r.skipped++;
        continue;
      }
      const rec = it.document.record;
      if (!rec || rec.format !== 'pfd-case-record/1' || rec.caseNo !== it.caseNo) {
        r.refused.push({ caseNo: it.caseNo, reason: '全厅中心保存的该办件没有完整记录（由旧版本工作台推送），无法恢复。', detail: `hub document of ${it.caseNo} has no case record` });
        continue;
      }
      for (const f of rec.files) {
        if (files.holds(f.sha256)) continue;
        files.put(await downloadFile(hub, f));
        r.files++;
      }
      try {
        importOne(deps, page.predecessor, it.revision, rec);
      } catch (e) {
        if (!(e instanceof RecordRefused)) throw e;
        r.refused.push({ caseNo: it.caseNo, reason: e.chinese, detail: e.message });
        continue;
      }
      r.imported++;
    }
    after = page.next;
    if (!page.more) break;
  }
  if (r.predecessor && r.refused.length === 0) markFinished(deps, r.predecessor, r);
  return r;
}

function importOne(deps: Pick<Deps, 'write'>, originDesk: string, revision: number, rec: CaseRecord): void {
  deps.write(SYSTEM_ACTOR, (w) => {
    if (w.db.prepare('SELECT 1 FROM hub_successor_imports WHERE origin_desk = ? AND origin_case_no = ?').get(originDesk, rec.caseNo)) {
      w.audit({ action: 'hub.successorCaseSkipped', entityType: 'case', entityId: rec.caseNo, detail: { originDesk, reason: 'imported already' } });
      return;
    }
    const { caseId, unmapped } = importCaseRecord(w, originDesk, rec);
    w.db.prepare('INSERT INTO hub_successor_imports (origin_desk, origin_case_no, case_id, revision, imported_at) VALUES (?, ?, ?, ?, ?)').run(originDesk, rec.caseNo, caseId, revision, w.at.toISOString());
    continueNumberingAfter(w.db, rec.caseNo, w.at);
    w.db.prepare('UPDATE hub_successor_restore SET cases = cases + 1, files = files + ? WHERE origin_desk = ?').run(rec.files.length, originDesk);
    w.audit({ action: 'hub.successorCaseImported', entityType: 'case', entityId: caseId, detail: { originDesk, caseNo: rec.caseNo, revision, files: rec.files.length, ...(unmapped.length ? { unmapped } : {}) } });
  });
}

function markStarted(deps: Pick<Deps, 'write'>, originDesk: string, targetId: string): void {
  deps.write(SYSTEM_ACTOR, (w) => {
    w.db.prepare('INSERT OR IGNORE INTO hub_successor_restore (origin_desk, target_id, started_at) VALUES (?, ?, ?)').run(originDesk, targetId, w.at.toISOString());
    w.audit({ action: 'hub.successorRestoreStarted', entityType: 'sync_targets', entityId: targetId, detail: { originDesk } });
  });
}

function markFinished(deps: Pick<Deps, 'write'>, originDesk: string, r: RestoreResult): void {
  deps.write(SYSTEM_ACTOR, (w) => {
    w.db.prepare('UPDATE hub_successor_restore SET finished_at = ? WHERE origin_desk = ? AND finished_at IS NULL').run(w.at.toISOString(), originDesk);
    w.audit({ action: 'hub.successorRestoreFinished', entityType: 'sync_targets', entityId: originDesk, detail: { imported: r.imported, skipped: r.skipped, files: r.files } });
  });
}
