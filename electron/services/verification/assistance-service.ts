import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import { AppError } from '../../app/app-error';
import type { FileStore } from '../files/file-store';
import type { Db } from '../../store/open-store';
import type { AssistanceView } from '../../../shared/ipc/methods/verification';
import { CASE_STATUS_LABELS, type CaseStatus } from '../../../shared/rules/case-states';
import { recordAssistanceReply, storeReplyScan } from './assistance-reply';
import { chinaDateTime } from '../../../shared/rules/china-time';
import { refuseUnlessCaseReadable } from '../cases/case-access';
import { assistanceOverdue, assistanceRepliedLate } from '../../../shared/rules/assistance-due';

interface RequestRow {
  id: number;
  case_id: number;
  case_no: string;
  case_status: CaseStatus;
  applicant_name: string;
  certificate_item_id: number;
  certificate: string;
  department: string;
  mode: string;
  created_at: string;
  due_at: string;
  status: 'open' | 'replied' | 'cancelled';
  reply: string | null;
  reply_outcome: string | null;
  reply_channel: string | null;
  replied_at: string | null;
  reply_file_sha256: string | null;
}

const SELECT = `SELECT r.*, c.case_no, c.status AS case_status, a.name AS applicant_name, ci.name AS certificate
  FROM assistance_requests r JOIN cases c ON c.id = r.case_id JOIN applicants a ON a.id = c.applicant_id
  JOIN certificate_items ci ON ci.id = r.certificate_item_id`;

function toView(r: RequestRow, now: Date): AssistanceView {
  return {
    id: r.id,
    caseId: r.case_id,
    caseNo: r.case_no,
    applicantName: r.applicant_name,
    certificate: r.certificate,
    department: r.department,
    mode: r.mode,
    createdAt: r.created_at,
    dueAt: r.due_at,
    status: r.status,
    overdue: assistanceOverdue({ status: r.status, dueAt: r.due_at }, now),
    late: assistanceRepliedLate({ dueAt: r.due_at, repliedAt: r.replied_at }),
    reply: r.reply,
    outcome: r.reply_outcome,
    // Replies recorded before this feature came in (intake's own form) carry no channel.
    channel: r.reply_channel ?? (r.status === 'replied' ? 'connector' : null),
    repliedAt: r.replied_at,
    scanSha256: r.reply_file_sha256,
  };
}

function loadRequest(db: Db, id: number): RequestRow {
  const r = db.prepare(`${SELECT} WHERE r.id = ?`).get(id) as RequestRow | undefined;
  if (!r) throw new AppError('NOT_FOUND', '该协查请求不存在。');
  return r;
}

/** 部门协查 tracking: time limits, late flags, replies recorded by hand with the scanned page; 代办 handovers and progress notices. */
export function createAssistanceService(deps: Deps & { files: FileStore }): PartialHandlers {
  const { db, files } = deps;
  return {
    'assistance.list': ({ openOnly }) => {
      const now = deps.now();
      const rows = db.prepare(`${SELECT} ${openOnly ? `WHERE r.status = 'open'` : ''} ORDER BY r.status = 'open' DESC, r.due_at, r.id`).all() as RequestRow[];
      const views = rows.map((r) => toView(r, now));
      // Overdue first, then by due date.
      return views.sort((a, b) => Number(b.overdue) - Number(a.overdue) || Number(b.status === 'open') - Number(a.status === 'open') || a.dueAt.localeCompare(b.dueAt));
    },

    'assistance.recordReply': (input, ctx) => {
      const scan = storeReplyScan(files, input);
      deps.write(ctx.actor, (w) => recordAssistanceReply(w, files, input, scan));
      return toView(loadRequest(db, input.requestId), deps.now());
    },

    'assistance.scan': ({ requestId }, ctx) => {
      const r = loadRequest(db, requestId);
      refuseUnlessCaseReadable(db, ctx.user!, r.case_id);
      if (!r.reply_file_sha256) throw new AppError('NOT_FOUND', '该答复没有扫描件。');
      const f = db.prepare('SELECT mime FROM files WHERE sha256 = ?').get(r.reply_file_sha256) as { mime: string };
      return { mime: f.mime, base64: files.get(r.reply_file_sha256).toString('base64') };
    },

    'handover.record': ({ caseId, items, handedTo, note }, ctx) => {
      const id = deps.write(ctx.actor, (w) => {
        if (!w.db.prepare('SELECT 1 FROM cases WHERE id = ?').get(caseId)) throw new AppError('NOT_FOUND', '该办件不存在。');
        const id = Number(
          w.db
            .prepare('INSERT INTO case_handovers (case_id, items, handed_to, handed_at, note, created_by) VALUES (?, ?, ?, ?, ?, ?)')
            .run(caseId, JSON.stringify(items), handedTo, w.at.toISOString(), note ?? '', ctx.user!.id).lastInsertRowid,
        );
        w.audit({ action: 'handover.record', entityType: 'case', entityId: caseId, detail: { handoverId: id, items, handedTo } });
        return id;
      });
      return { id };
    },

    'handover.log': ({ caseId }) => {
      const handovers = db
        .prepare('SELECT h.*, u.display_name AS by_name FROM case_handovers h JOIN users u ON u.id = h.created_by WHERE h.case_id = ? ORDER BY h.id')
        .all(caseId) as { id: number; items: string; handed_to: string; handed_at: string; note: string; by_name: string }[];
      const notices = db
        .prepare('SELECT n.*, u.display_name AS by_name FROM progress_notices n JOIN users u ON u.id = n.created_by WHERE n.case_id = ? ORDER BY n.id')
        .all(caseId) as { id: number; text: string; created_at: string; by_name: string }[];
      return {
        handovers: handovers.map((h) => ({ id: h.id, items: JSON.parse(h.items) as string[], handedTo: h.handed_to, handedAt: h.handed_at, note: h.note, by: h.by_name })),
        notices: notices.map((n) => ({ id: n.id, text: n.text, createdAt: n.created_at, by: n.by_name })),
      };
    },

    'handover.notifyProgress': ({ caseId }, ctx) => {
      const c = db.prepare('SELECT c.case_no, c.status, a.name FROM cases c JOIN applicants a ON a.id = c.applicant_id WHERE c.id = ?').get(caseId) as
        | { case_no: string; status: CaseStatus; name: string }
        | undefined;
      if (!c) throw new AppError('NOT_FOUND', '该办件不存在。');
      const open = db.prepare(`SELECT COUNT(*) AS n FROM assistance_requests WHERE case_id = ? AND status = 'open'`).get(caseId) as { n: number };
      const last = db.prepare('SELECT handed_to, handed_at FROM case_handovers WHERE case_id = ? ORDER BY id DESC LIMIT 1').get(caseId) as { handed_to: string; handed_at: string } | undefined;
      const parts = [`${c.name}您好：您的办件 ${c.case_no} 当前状态为“${CASE_STATUS_LABELS[c.status]}”`];
      if (open.n) parts.push(`尚有${open.n}项部门协查等待答复`);
      if (last) parts.push(`材料已于${chinaDateTime(last.handed_at)}移交${last.handed_to}`);
      const text = `${parts.join('，')}。`;
      const id = deps.write(ctx.actor, (w) => {
        const id = Number(w.db.prepare('INSERT INTO progress_notices (case_id, text, created_at, created_by) VALUES (?, ?, ?, ?)').run(caseId, text, w.at.toISOString(), ctx.user!.id).lastInsertRowid);
        w.audit({ action: 'handover.notice', entityType: 'case', entityId: caseId, detail: { noticeId: id } });
        return id;
      });
      return { id, text };
    },
  };
}

