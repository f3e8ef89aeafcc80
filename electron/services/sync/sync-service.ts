import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { OutboxEntryView, SyncTargetStatus } from '../../../shared/ipc/methods/sync';
import { buildCaseDocument, type CaseDocument } from './case-document';
import { screenFields } from './field-mapping';
import { manualChangeView } from './manual-change';
import { entryView, insertEntry, listEntries, loadEntry, targetCounts, type EntryRow } from './outbox';
import type { SyncTargets } from './sync-targets';

/** What the handlers need from the running sender (reachability, the clock check, a nudge). */
export interface SyncRuntime {
  reachability(targetId: string): { reachable: boolean | null; lastProbeAt: string | null; lastError: string | null };
  clockWarning(): string | null;
  /** Sends now; `release` also lets waiting retries go at once (the clerk's 立即同步). */
  kick(targetId?: string, release?: boolean): void;
}

export function createSyncService(deps: Deps, targets: SyncTargets, runtime: SyncRuntime): PartialHandlers {
  const { db } = deps;

  function requireEntry(id: number): EntryRow {
    const e = loadEntry(db, id);
    if (!e) throw new AppError('NOT_FOUND', '该同步记录不存在。', { entryId: id });
    return e;
  }
  const view = (id: number): OutboxEntryView => entryView(db, id)!;

  /**
   * An entry carried here from the peer desk is re-sent from its origin (docs/transfer.md, "A refusal
   * on the peer desk"): the case, its items and pages are there, this desk holds only a mirror.
   */
  function refuseCarried(e: EntryRow): void {
    const mirror = db.prepare('SELECT origin_case_no FROM transfer_cases WHERE case_id = ?').get(e.case_id) as { origin_case_no: string } | undefined;
    if (!mirror) return;
    throw new AppError(
      'INVALID_STATE',
      `该办件由对端工作台转来（原受理编号 ${mirror.origin_case_no}），不能在本机修改后重新发送。退回原因会随下一个交换包带回原工作台，请在原工作台按退回原因改正后重新发送；改正后的新版本转来后，本机这条退回记录自动被取代。`,
      { entryId: e.id, originCaseNo: mirror.origin_case_no },
    );
  }

  return {
    'sync.status': () => {
      const list: SyncTargetStatus[] = targets.all().map((t) => {
        const r = runtime.reachability(t.id);
        return { id: t.id, name: t.name, kind: t.kind, ...r, ...targetCounts(db, t.id) };
      });
      return { targets: list, clockWarning: runtime.clockWarning(), configProblem: targets.problem, now: deps.now().toISOString() };
    },

    'sync.entries': (f) => listEntries(db, f),

    'sync.kick': ({ targetId }) => {
      if (targetId && !targets.get(targetId)) throw new AppError('NOT_FOUND', '没有这个同步目标。', { targetId });
      runtime.kick(targetId, true);
      return { ok: true as const };
    },

    'sync.resend': ({ entryId, note }, ctx) => {
      const old = requireEntry(entryId);
      if (old.state !== 'parked') throw new AppError('INVALID_STATE', '只有被退回的记录可以修改后重新发送。', { entryId, state: old.state });
      refuseCarried(old);
      const t = targets.get(old.target_id);
      if (!t) throw new AppError('INVALID_STATE', '该同步目标已不在配置中，无法重新发送。', { targetId: old.target_id });
      const id = deps.write(ctx.actor, (w) => {
        const again = loadEntry(w.db, entryId)!;
        if (again.state !== 'parked') throw new AppError('INVALID_STATE', '该记录已被处理。', { entryId });
        // A new revision from the case as it is now, under a new idempotency key; a status change
        // the refused revision told of is told by the new one too.
        const before = JSON.parse(old.document) as Record<string, unknown> & Pick<CaseDocument, 'statusChange'>;
        const doc =
          old.kind === 'case' ? { ...buildCaseDocument(w.db, old.case_id), ...(before.statusChange ? { statusChange: before.statusChange } : {}) } : before;
        const newId = insertEntry(w, old.case_id, t, old.kind, old.subject, doc);
        w.db.prepare(`UPDATE outbox_entries SET state = 'superseded', superseded_by = ? WHERE id = ?`).run(newId, entryId);
        w.audit({
          action: 'sync.resend',
          entityType: 'case',
          entityId: old.case_id,
          detail: { entryId, newEntryId: newId, target: old.target_id, reason: old.parked_reason, note: note ?? null },
        });
        return newId;
      });
      runtime.kick(old.target_id);
      return { entry: view(id) };
    },

    'sync.resolveUnknown': ({ entryId, outcome, targetCaseNo }, ctx) => {
      const e = requireEntry(entryId);
      if (e.state !== 'unknown') throw new AppError('INVALID_STATE', '只有结果未知的记录需要人工确认。', { entryId, state: e.state });
      if (outcome === 'arrived' && !targetCaseNo) throw new AppError('BAD_INPUT', '请填写对方系统给出的编号。', {}, { targetCaseNo: '请填写对方系统给出的编号' });
      deps.write(ctx.actor, (w) => {
        const at = w.at.toISOString();
        if (outcome === 'arrived') {
          w.db
            .prepare(`UPDATE outbox_entries SET state = 'acknowledged', target_case_no = ?, acknowledged_at = ?, lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'unknown'`)
            .run(targetCaseNo, at, entryId);
        } else {
          // Not there: send again under the same key (the target never stored it).
          w.db.prepare(`UPDATE outbox_entries SET state = 'pending', next_attempt_at = NULL, lease_owner = NULL, lease_until = NULL WHERE id = ? AND state = 'unknown'`).run(entryId);
        }
        w.audit({ action: 'sync.resolveUnknown', entityType: 'case', entityId: e.case_id, detail: { entryId, target: e.target_id, outcome, targetCaseNo: targetCaseNo ?? null } });
      });
      runtime.kick(e.target_id);
      return { entry: view(entryId) };
    },

    'sync.manual.view': ({ entryId }, ctx) => {
      const e = requireEntry(entryId);
      const t = targets.get(e.target_id);
      if (!t || t.kind !== 'manual') throw new AppError('INVALID_STATE', '该记录不是人工补录的目标。', { entryId, targetId: e.target_id });
      const doc = JSON.parse(e.document) as CaseDocument;
      const change = doc.statusChange ? manualChangeView(db, e, t.name, doc.caseNo, doc.statusChange) : null;
      // The screen shows the applicant's whole ID number and phone, to be typed into the target's system: audited, with why.
      deps.write(ctx.actor, (w) =>
        w.audit({ action: 'sync.manualViewed', entityType: 'case', entityId: e.case_id, detail: { entryId, target: e.target_id, reason: `人工补录到${t.name}（显示完整证件号码和联系电话）` } }),
      );
      return { entry: view(entryId), screen: t.screen, fields: screenFields(doc, t.fields), change };
    },

    'sync.manual.markEntered': ({ entryId, targetCaseNo }, ctx) => {
      const e = requireEntry(entryId);
      const t = targets.get(e.target_id);
      if (!t || t.kind !== 'manual') throw new AppError('INVALID_STATE', '该记录不是人工补录的目标。', { entryId, targetId: e.target_id });
      if (e.state !== 'pending') throw new AppError('INVALID_STATE', '该记录已登记为已录入。', { entryId, state: e.state });
      const earlier = db
        .prepare(`SELECT revision FROM outbox_entries WHERE case_id = ? AND target_id = ? AND id < ? AND state NOT IN ('acknowledged', 'superseded') ORDER BY id LIMIT 1`)
        .get(e.case_id, e.target_id, e.id) as { revision: number } | undefined;
      if (earlier) throw new AppError('INVALID_STATE', `请先录入该办件的第 ${earlier.revision} 版。`, { entryId, earlierRevision: earlier.revision });
      deps.write(ctx.actor, (w) => {
        const r = w.db
          .prepare(`UPDATE outbox_entries SET state = 'acknowledged', target_case_no = ?, acknowledged_at = ?, attempts = attempts + 1 WHERE id = ? AND state = 'pending'`)
          .run(targetCaseNo, w.at.toISOString(), entryId);
        if (r.changes !== 1) throw new AppError('INVALID_STATE', '该记录已登记为已录入。', { entryId });
        w.audit({ action: 'sync.manualEntered', entityType: 'case', entityId: e.case_id, detail: { entryId, target: e.target_id, targetCaseNo } });
      });
      return { entry: view(entryId) };
    },
  };
}
