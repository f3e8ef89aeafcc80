import type { Actor } from '../audit/audit-chain';
import { AppError } from '../../app/app-error';
import { PlatformUnreachable } from '../data-sharing/connector';
import { maskApplicantId } from '../applicants/applicants-service';
import type { CaseStatus } from '../../../shared/rules/case-states';
import { loadCase, loadCaseCert } from './case-view';
import type { IntakeDeps } from './intake-service';

export interface DataQueries {
  /** Asks the platform for one certificate of a case; records the answer, or queues the query. */
  run(caseId: number, certificateItemId: number, actor: Actor): Promise<'found' | 'not_found' | 'unreachable'>;
  /** Asks again for every queued query (the platform may be back); returns how many were answered. */
  retryQueued(actor: Actor): Promise<number>;
}

const OPEN: CaseStatus[] = ['draft', 'accepted', 'verifying'];

/**
 * Data-sharing queries (数据共享). A query that cannot reach the platform is
 * queued: the clerk goes on, and the desk asks again by itself.
 */
export function createDataQueries(deps: IntakeDeps): DataQueries {
  const { db, files } = deps;

  async function run(caseId: number, certificateItemId: number, actor: Actor): Promise<'found' | 'not_found' | 'unreachable'> {
    const c = loadCase(db, caseId);
    if (!OPEN.includes(c.status)) throw new AppError('INVALID_STATE', '办件已结束，不能查询共享数据。', { caseId, status: c.status });
    const row = loadCaseCert(db, caseId, certificateItemId);
    if (row.method !== 'data_sharing') throw new AppError('INVALID_STATE', `“${row.name}”不适用数据共享。`);
    if (row.state === 'satisfied') throw new AppError('INVALID_STATE', '该证明已通过共享平台核验。');
    const d = JSON.parse(row.method_detail) as { source?: string; dataset?: string; query?: string };
    const a = db
      .prepare('SELECT a.name, a.id_type, a.id_number FROM cases c JOIN applicants a ON a.id = c.applicant_id WHERE c.id = ?')
      .get(caseId) as { name: string; id_type: 'resident_id' | 'uscc'; id_number: string };
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
        w.db.prepare('UPDATE cases SET revision = revision + 1, updated_at = ? WHERE id = ?').run(w.at.toISOString(), caseId);
      };
      if (outcome.kind === 'unreachable') {
        w.db.prepare('UPDATE data_queries SET attempts = attempts + 1, last_error = ? WHERE id = ?').run(outcome.error, queryId);
        setState('queued');
      } else {
        if (evidenceSha) files.record(w.db, evidenceSha, evidence!.length, 'application/json', w.at);
        w.db
          .prepare('UPDATE data_queries SET status = ?, response = ?, evidence_sha256 = ?, attempts = attempts + 1, last_error = NULL, answered_at = ? WHERE id = ?')
          .run(outcome.kind === 'found' ? 'answered' : 'not_found', JSON.stringify(outcome.answer), evidenceSha, w.at.toISOString(), queryId);
        setState(outcome.kind === 'found' ? 'satisfied' : 'pending');
      }
      w.audit({ action: 'dataSharing.query', entityType: 'case', entityId: caseId, detail: { certificate: row.code, outcome: outcome.kind } });
    });
    return outcome.kind;
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

  return { run, retryQueued };
}
