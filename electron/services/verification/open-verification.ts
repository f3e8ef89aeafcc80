import type { WriteContext } from '../../store/write';
import type { Db } from '../../store/open-store';
import { AppError } from '../../app/app-error';
import { dueAfterWorkingDays } from '../calendar/due-dates';
import { VERIFICATION_SOURCE_LABELS, type VerificationSource } from '../../../shared/rules/verification-consequences';
import { newDrawSeed, pickBySeed } from './sampling';

/**
 * Verification at any time (docs/verification.md): a supervisor opens a task on any commitment
 * for a complaint (投诉举报) or routine supervision (日常监管), or a 双随机 draw opens tasks on
 * exempt commitments; the source is recorded with the task. The sampled task (抽查) is opened at
 * signing (intake).
 */
const DEFAULT_DAYS = 20;

interface CommitmentRow {
  id: number;
  case_status: string;
  withdrawn_at: string | null;
  method_detail: string;
  certificate: string;
}

function commitmentOf(db: Db, commitmentId: number): CommitmentRow {
  const r = db
    .prepare(
      `SELECT cm.id, cm.withdrawn_at, c.status AS case_status, ci.method_detail, ci.name AS certificate
       FROM commitments cm JOIN cases c ON c.id = cm.case_id JOIN certificate_items ci ON ci.id = cm.certificate_item_id WHERE cm.id = ?`,
    )
    .get(commitmentId) as CommitmentRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', '该承诺书不存在。', { commitmentId });
  return r;
}

/** Opens one task; refused for a withdrawn commitment, a case not yet accepted or ended without decision, or one already being verified. */
export function openVerification(w: WriteContext, commitmentId: number, source: VerificationSource, note: string, drawId: number | null = null): number {
  const cm = commitmentOf(w.db, commitmentId);
  if (cm.withdrawn_at) throw new AppError('INVALID_STATE', `“${cm.certificate}”的承诺已撤回，无需核查。`, { commitmentId });
  if (!['accepted', 'verifying', 'completed'].includes(cm.case_status)) {
    throw new AppError('INVALID_STATE', '办件受理后、且未终止或撤销时才能核查其承诺。', { commitmentId, caseStatus: cm.case_status });
  }
  if (w.db.prepare(`SELECT 1 FROM verification_tasks WHERE commitment_id = ? AND status = 'open'`).get(commitmentId)) {
    throw new AppError('CONFLICT', `“${cm.certificate}”的承诺已有进行中的核查任务。`, { commitmentId });
  }
  const plan = (JSON.parse(cm.method_detail) as { verification?: { method?: string; timeLimitDays?: number } }).verification ?? {};
  const method = plan.method && plan.method !== '免于核查' ? plan.method : '书面核查';
  const days = plan.timeLimitDays && plan.timeLimitDays > 0 ? plan.timeLimitDays : DEFAULT_DAYS;
  const due = dueAfterWorkingDays(w.db, w.at, days).toISOString();
  const id = Number(
    w.db
      .prepare(
        `INSERT INTO verification_tasks (commitment_id, method, sampled, due_at, status, created_at, source, source_note, opened_by, draw_id)
         VALUES (?, ?, 0, ?, 'open', ?, ?, ?, ?, ?)`,
      )
      .run(commitmentId, method, due, w.at.toISOString(), source, note, w.actor.userId, drawId).lastInsertRowid,
  );
  w.audit({ action: 'verification.open', entityType: 'verification', entityId: id, detail: { commitmentId, source, sourceLabel: VERIFICATION_SOURCE_LABELS[source], note, dueAt: due, drawId } });
  return id;
}

/** Exempt commitments a 双随机 draw is taken over: not withdrawn, case accepted or decided, no task open. */
export function exemptPool(db: Db): number[] {
  return db
    .prepare(
      `SELECT cm.id FROM commitments cm JOIN cases c ON c.id = cm.case_id
       WHERE cm.withdrawn_at IS NULL AND c.status IN ('accepted', 'verifying', 'completed')
         AND EXISTS (SELECT 1 FROM verification_tasks t WHERE t.commitment_id = cm.id AND t.status = 'exempt')
         AND NOT EXISTS (SELECT 1 FROM verification_tasks t WHERE t.commitment_id = cm.id AND t.status = 'open')
       ORDER BY cm.id`,
    )
    .pluck()
    .all() as number[];
}

export interface RandomDraw {
  drawId: number;
  seed: string;
  ratio: number;
  pool: number[];
  picked: number[];
  taskIds: number[];
}

export function randomDraw(w: WriteContext, ratio: number, seed?: string): RandomDraw {
  const s = seed ?? newDrawSeed();
  const pool = exemptPool(w.db);
  const picked = pickBySeed(s, ratio, pool);
  const drawId = Number(
    w.db
      .prepare('INSERT INTO verification_draws (seed, ratio, pool, picked, created_at, created_by) VALUES (?, ?, ?, ?, ?, ?)')
      .run(s, ratio, JSON.stringify(pool), JSON.stringify(picked), w.at.toISOString(), w.actor.userId).lastInsertRowid,
  );
  w.audit({ action: 'verification.randomDraw', entityType: 'verification_draw', entityId: drawId, detail: { seed: s, ratio, pool: pool.length, picked } });
  const taskIds = picked.map((id) => openVerification(w, id, 'random', `双随机抽取（第${drawId}次，种子 ${s}）`, drawId));
  return { drawId, seed: s, ratio, pool, picked, taskIds };
}
