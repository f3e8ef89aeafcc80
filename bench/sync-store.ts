// A store with N accepted cases queued in the outbox, fast: one case is accepted through the
// intake methods (dispatcher, as zhangmin), then cloned row by row (cases, case_items,
// case_certificates) and queued with the outbox's own enqueueCase, 500 cases per audited
// transaction. Used by bench/sync.bench.ts.
import path from 'node:path';
import Database from 'better-sqlite3';
import type { DeskApp } from '../electron/app/create-app';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';
import { writeTx } from '../electron/store/write';
import { SYSTEM_ACTOR } from '../electron/services/audit/audit-chain';
import { enqueueCase } from '../electron/services/sync/outbox';
import { buildCaseDocument, type CaseDocument } from '../electron/services/sync/case-document';
import { loadSyncConfig } from '../electron/services/sync/targets-config';

async function call<T>(app: DeskApp, method: string, input: unknown, session?: string): Promise<T> {
  const r = await app.dispatcher.dispatch({ id: 'b', method, input, ...(session ? { session } : {}) }, { transport: 'test' });
  if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
  return r.value as T;
}

export async function queueClones(app: DeskApp, n: number): Promise<{ caseIds: number[]; doc: CaseDocument }> {
  const token = (await call<{ token: string }>(app, 'auth.signIn', { username: 'zhangmin', password: DEMO_PASSWORD })).token;
  const items = await call<{ id: number; certificates: { method: string }[] }[]>(app, 'catalog.listServiceItems', {}, token);
  const item = items.filter((i) => i.certificates.every((c) => ['cancelled', 'dept_verification', 'data_sharing'].includes(c.method))).sort((a, b) => a.certificates.length - b.certificates.length)[0]!;
  const applicants = await call<{ id: number; name: string }[]>(app, 'applicants.list', { query: '王芳', limit: 5 }, token);
  let v = await call<{ id: number; certificates: { certificateItemId: number; method: string; state: string }[] }>(app, 'intake.start', { applicantId: applicants[0]!.id, serviceItemIds: [item.id] }, token);
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const m = c.method === 'data_sharing' ? 'intake.queryDataSharing' : 'intake.requestAssistance';
    v = await call(app, m, { caseId: v.id, certificateItemId: c.certificateItemId }, token);
  }
  const template = (await call<{ id: number }>(app, 'intake.transition', { caseId: v.id, to: 'accepted' }, token)).id;

  const targets = loadSyncConfig(path.dirname(app.dbFile)).config.targets;
  const db = new Database(app.dbFile);
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  const ids: number[] = [];
  try {
    const caseNo = (db.prepare('SELECT case_no FROM cases WHERE id = ?').get(template) as { case_no: string }).case_no;
    const cloneCase = db.prepare(
      `INSERT INTO cases (case_no, applicant_id, catalog_version_id, bundle_code, status, status_reason, revision, created_at, created_by, updated_at, accepted_at, accepted_by)
       SELECT ?, applicant_id, catalog_version_id, bundle_code, status, status_reason, revision, created_at, created_by, updated_at, accepted_at, accepted_by FROM cases WHERE id = ?`,
    );
    const cloneItems = db.prepare('INSERT INTO case_items (case_id, service_item_id, position) SELECT ?, service_item_id, position FROM case_items WHERE case_id = ?');
    const cloneCerts = db.prepare(
      `INSERT INTO case_certificates (case_id, certificate_item_id, method, state, resolution, needed_by, updated_at)
       SELECT ?, certificate_item_id, method, state, resolution, needed_by, updated_at FROM case_certificates WHERE case_id = ?`,
    );
    for (let done = 0; done < n; ) {
      const batch = Math.min(500, n - done);
      writeTx(db, SYSTEM_ACTOR, () => new Date(), (w) => {
        for (let i = 0; i < batch; i++) {
          const id = Number(cloneCase.run(`${caseNo}-B${String(done + i).padStart(6, '0')}`, template).lastInsertRowid);
          cloneItems.run(id, template);
          cloneCerts.run(id, template);
          enqueueCase(w, id, targets);
          ids.push(id);
        }
      });
      done += batch;
    }
    // The template itself was queued at acceptance; its entries are part of the run as case n+1.
    return { caseIds: ids, doc: buildCaseDocument(db, template) };
  } finally {
    db.close();
  }
}
