import type { Db } from '../../store/open-store';
import type { FigureRow } from '../../../shared/ipc/methods/verification';
import { itemsOf } from './task-rows';

interface Acc {
  due: number;
  done: number;
  overdue: number;
  falseCount: number;
}

/**
 * Verifications due (sampled tasks and those opened any time — 投诉举报, 日常监管, 双随机 — not cancelled), done (a true/false finding), overdue (open past
 * the due date) and the share found false among those done — by service item and by department.
 * A task counts once for each item of its case that needed the certificate.
 */
export function verificationFigures(db: Db, now: Date): { byItem: FigureRow[]; byDepartment: FigureRow[]; total: FigureRow } {
  const rows = db
    .prepare(
      `SELECT t.id, t.status, t.due_at, cm.case_id, cc.needed_by
       FROM verification_tasks t
       JOIN commitments cm ON cm.id = t.commitment_id
       JOIN case_certificates cc ON cc.case_id = cm.case_id AND cc.certificate_item_id = cm.certificate_item_id
       WHERE (t.sampled = 1 OR t.source <> 'sampled') AND t.status IN ('open', 'passed', 'failed')`,
    )
    .all() as { id: number; status: string; due_at: string | null; case_id: number; needed_by: string }[];
  const byItem = new Map<string, Acc>();
  const byDept = new Map<string, Acc>();
  const total: Acc = { due: 0, done: 0, overdue: 0, falseCount: 0 };
  const add = (map: Map<string, Acc>, key: string, r: (typeof rows)[number]) => {
    const a = map.get(key) ?? { due: 0, done: 0, overdue: 0, falseCount: 0 };
    count(a, r);
    map.set(key, a);
  };
  const count = (a: Acc, r: (typeof rows)[number]) => {
    a.due++;
    if (r.status !== 'open') a.done++;
    if (r.status === 'failed') a.falseCount++;
    if (r.status === 'open' && r.due_at && Date.parse(r.due_at) < now.getTime()) a.overdue++;
  };
  for (const r of rows) {
    count(total, r);
    const items = itemsOf(db, r);
    for (const i of items) add(byItem, i.name, r);
    for (const d of new Set(items.map((i) => i.department))) add(byDept, d, r);
  }
  const out = (key: string, a: Acc): FigureRow => ({ key, ...a, falseShare: a.done ? a.falseCount / a.done : 0 });
  const list = (m: Map<string, Acc>) => [...m.entries()].map(([k, a]) => out(k, a)).sort((x, y) => y.due - x.due || x.key.localeCompare(y.key, 'zh-CN'));
  return { byItem: list(byItem), byDepartment: list(byDept), total: out('合计', total) };
}
