import { SYSTEM_ACTOR, type Actor } from '../audit/audit-chain';
import { AppError } from '../../app/app-error';
import { PlatformUnreachable } from '../data-sharing/connector';
import { maskApplicantId } from '../applicants/applicants-service';
import type { CaseStatus } from '../../../shared/rules/case-states';
import { loadCase, loadCaseCert, requireDemanded } from './case-view';
import { isAboutSomeoneElse } from '../../../shared/rules/certificate-resolution';
import { bumpRevision } from '../cases/case-state';
import type { IntakeDeps } from './intake-service';
import { insertEntry } from '../sync/outbox';
import { DATA_SHARING_TARGET_ID } from '../sync/sync-targets';
import { ConnectorFailure } from '../sync/http-connector';
import type { Claimed } from '../sync/sender-store';
import type { Delivered, QueryDelivery } from '../sync/sender';

export interface DataQueries {
  /** Asks the platform for one certificate of a case; records the answer, or queues the query. */
  run(caseId: number, certificateItemId: number, actor: Actor): Promise<'found' | 'not_found' | 'unreachable'>;
  /** Asks again for every queued query (the platform may be back); returns how many were answered. */
  retryQueued(actor: Actor): Promise<number>;
  /** The sync outbox's delivery of queued queries (target `data-sharing`). */
  delivery: QueryDelivery;
}

const OPEN: CaseStatus[] = ['draft', 'accepted', 'verifying'];

/**
 * Data-sharing queries (数据共享). A query that cannot reach the platform is
 * queued: the clerk goes on, and the desk asks again by itself — through the
 * sync outbox: the queued query is an outbox entry of the `data-sharing`
 * target, written in the same transaction, sent by the sender when the
 * platform is reachable (electron/services/sync).
 */
export function createDataQueries(deps: IntakeDeps): DataQueries {
  const { db, files } = deps;

  async function run(caseId: number, certificateItemId: number, actor: Actor): Promise<'found' | 'not_found' | 'unreachable'> {
    const c = loadCase(db, caseId);
    if (!OPEN.includes(c.status)) throw new AppError('INVALID_STATE', '办件已结束，不能查询共享数据。', { caseId, status: c.status });
    const row = loadCaseCert(db, caseId, certificateItemId);
    requireDemanded(row);
    if (row.method !== 'data_sharing') throw new AppError('INVALID_STATE', `“${row.name}”不适用数据共享。`);
    if (row.state === 'satisfied') throw new AppError('INVALID_STATE', '该证明已通过共享平台核验。');
    const d = JSON.parse(row.method_detail) as { source?: string; dataset?: string; query?: string };
    const a = querySubject(caseId, row.subject);
    const request = {
      source: d.source ?? '',
      dataset: d.dataset ?? row.name,
      query: d.query ?? '',
      subject: { idType: a.id_type, idNumber: a.id_number, name: a.name },
      requestId: `${c.case_no}:${row.code}`,
    };
    // What we keep of the request: the ID number masked.
    const kept = { ...request, subject: { ...request.subject, idNumber: maskApplicantId(a.id_type, a.id_number) } };
    let outcome: { kind: 'found' | 'not_found'; answer: unknown } | { kind: 'unreachable'; error: string };
    try {
      const answer = await deps.dataSharing.query(request);
      outcome = { kind: answer.status, answer };
    } catch (e) {
      if (!(e instanceof PlatformUnreachable)) throw new AppError('UNAVAILABLE', (e as Error).message, { caseId });
      outcome = { kind: 'unreachable', error: e.message };
    }
    const evidence = outcome.kind === 'found' ? Buffer.from(JSON.stringify({ request: kept, answer: outcome.answer, at: deps.now().toISOString() })) : null;
    const evidenceSha = evidence ? files.put(evidence) : null;
    deps.write(actor, (w) => {
      const existing = w.db
        .prepare(`SELECT id FROM data_queries WHERE case_id = ? AND certificate_item_id = ? AND status IN ('queued', 'not_found') ORDER BY id DESC LIMIT 1`)
        .get(caseId, certificateItemId) as { id: number } | undefined;
      const queryId =
        existing?.id ??
        Number(
          w.db
            .prepare(`INSERT INTO data_queries (case_id, certificate_item_id, status, request, created_at) VALUES (?, ?, 'queued', ?, ?)`)
            .run(caseId, certificateItemId, JSON.stringify(kept), w.at.toISOString()).lastInsertRowid,
        );
      const setState = (state: string) => {
        w.db.prepare('UPDATE case_certificates SET state = ?, updated_at = ? WHERE case_id = ? AND certificate_item_id = ?').run(state, w.at.toISOString(), caseId, certificateItemId);
        bumpRevision(w, caseId);
      };
      const target = deps.syncTargets?.get(DATA_SHARING_TARGET_ID);
      if (outcome.kind === 'unreachable') {
        w.db.prepare('UPDATE data_queries SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(outcome.error, queryId);
        setState('queued');
        const open = w.db
          .prepare(`SELECT 1 FROM outbox_entries WHERE case_id = ? AND target_id = ? AND kind = 'query' AND subject = ? AND state NOT IN ('acknowledged', 'superseded')`)
          .get(caseId, DATA_SHARING_TARGET_ID, row.code);
        if (target && !open) insertEntry(w, caseId, target, 'query', row.code, { caseId, certificateItemId, certificate: row.code, dataset: request.dataset });
      } else {
        if (evidenceSha) files.record(w.db, evidenceSha, evidence!.length, 'application/json', w.at);
        w.db
          .prepare('UPDATE data_queries SET status = ?, response = ?, evidence_sha256 = ?, attempts = attempts + 1, last_error = NULL, answered_at = ? WHERE id = ?')
          .run(outcome.kind === 'found' ? 'answered' : 'not_found', JSON.stringify(outcome.answer), evidenceSha, w.at.toISOString(), queryId);
        setState(outcome.kind === 'found' ? 'satisfied' : 'pending');
        // Answered: a queued entry for it has nothing left to ask (one the sender holds is acknowledged by the sender).
        w.db
          .prepare(
            `UPDATE outbox_entries SET state = 'acknowledged', target_case_no = ?, acknowledged_at = ?, next_attempt_at = NULL
             WHERE case_id = ? AND target_id = ? AND kind = 'query' AND subject = ? AND state IN ('pending', 'retry_wait', 'unknown')`,
          )
          .run(answerReference(outcome.answer), w.at.toISOString(), caseId, DATA_SHARING_TARGET_ID, row.code);
      }
      w.audit({ action: 'dataSharing.query', entityType: 'case', entityId: caseId, detail: { certificate: row.code, outcome: outcome.kind } });
    });
    return outcome.kind;
  }

  /** Whom the query is about: the applicant, or the person recorded for the certificate's subject (the child …). */
  function querySubject(caseId: number, subject: string): { name: string; id_type: 'resident_id' | 'uscc'; id_number: string } {
    if (!isAboutSomeoneElse(subject)) {
      return db
        .prepare('SELECT a.name, a.id_type, a.id_number FROM cases c JOIN applicants a ON a.id = c.applicant_id WHERE c.id = ?')
        .get(caseId) as { name: string; id_type: 'resident_id' | 'uscc'; id_number: string };
    }
    const person = db.prepare('SELECT name, id_type, id_number FROM case_subjects WHERE case_id = ? AND role = ?').get(caseId, subject) as
      | { name: string; id_type: 'resident_id'; id_number: string }
      | undefined;
    if (!person) throw new AppError('BAD_INPUT', `该证明的证明对象为“${subject}”，请先填写${subject}的姓名和身份证号码。`, { caseId, subject }, { subject: `请填写${subject}的姓名和身份证号码` });
    return person;
  }

  async function retryQueued(actor: Actor): Promise<number> {
    const queued = db
      .prepare(
        `SELECT q.case_id, q.certificate_item_id FROM data_queries q JOIN cases c ON c.id = q.case_id
         WHERE q.status = 'queued' AND c.status IN ('draft', 'accepted', 'verifying') ORDER BY q.id`,
      )
      .all() as { case_id: number; certificate_item_id: number }[];
    let answered = 0;
    for (const q of queued) {
      const r = await run(q.case_id, q.certificate_item_id, actor).catch(() => 'unreachable' as const);
      if (r === 'unreachable') break; // still down: try the rest next time
      answered++;
    }
    return answered;
  }

  /** One queued query entry, sent by the outbox: ask, record the answer, or report the platform away. */
  async function deliver(entry: Claimed): Promise<Delivered> {
    const d = JSON.parse(entry.document) as { caseId: number; certificateItemId: number };
    const q = db
      .prepare(
        `SELECT q.status, c.status AS case_status FROM data_queries q JOIN cases c ON c.id = q.case_id
         WHERE q.case_id = ? AND q.certificate_item_id = ? ORDER BY q.id DESC LIMIT 1`,
      )
      .get(d.caseId, d.certificateItemId) as { status: string; case_status: CaseStatus } | undefined;
    // Answered meanwhile (the clerk asked again), or the case is closed: nothing left to ask.
    if (!q || q.status !== 'queued' || !OPEN.includes(q.case_status)) return { targetCaseNo: q?.status ?? 'none', via: 'answer' };
    const r = await run(d.caseId, d.certificateItemId, SYSTEM_ACTOR);
    if (r === 'unreachable') {
      const last = db.prepare('SELECT last_error FROM data_queries WHERE case_id = ? AND certificate_item_id = ? ORDER BY id DESC LIMIT 1').get(d.caseId, d.certificateItemId) as { last_error: string | null };
      throw new ConnectorFailure({ kind: 'not_sent', message: `无法连接数据共享平台：${last.last_error ?? ''}` });
    }
    const ref = db
      .prepare('SELECT response FROM data_queries WHERE case_id = ? AND certificate_item_id = ? ORDER BY id DESC LIMIT 1')
      .get(d.caseId, d.certificateItemId) as { response: string | null };
    return { targetCaseNo: answerReference(ref.response ? (JSON.parse(ref.response) as unknown) : null), via: 'answer' };
  }

  const delivery: QueryDelivery = {
    deliver,
    probe: async () => {
      await deps.dataSharing.probe?.();
    },
  };

  return { run, retryQueued, delivery };
}

function answerReference(answer: unknown): string {
  const a = answer as { status?: string; reference?: string } | null;
  return a?.reference || (a?.status === 'not_found' ? '查无记录' : '已答复');
}
