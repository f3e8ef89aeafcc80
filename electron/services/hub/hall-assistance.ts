import type { Deps } from '../../app/deps';
import type { PartialHandlers } from '../../app/handlers';
import type { Db } from '../../store/open-store';
import type { WriteContext } from '../../store/write';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { readDeskCard } from '../transfer/desk-keys';
import { maskApplicantId } from '../applicants/applicants-service';
import type { IdType } from '../../../shared/ipc/methods/applicants';
import { assistanceOverdue, assistanceRepliedLate } from '../../../shared/rules/assistance-due';
import type { HallAssistanceView } from '../../../shared/ipc/methods/hall-assistance';
import { enqueueHallRecord, hallCopyField, hallTargetIds } from './hall-records';

/**
 * 协查 across the hall (docs/hub.md, "Records, owners and offline"). A 协查 request belongs to the
 * desk that sent it: in the transaction that sends it or records its reply, it is queued as a hall
 * record of kind 'assistance_request' under `<desk id>:<request id>` (its window, case number,
 * applicant by name and masked ID, what is asked, sent and due times, state, reply summary and
 * when). Every other desk applies it from the feed into `hall_assistance_requests` — read-only
 * there — so the 部门协查 page's 全厅 scope lists every window's requests, each flagged overdue by
 * the one due-date rule (shared/rules/assistance-due.ts) against this desk's clock. Offline, a
 * desk lists its last copy and says how old it is.
 */

export interface AssistanceRequestBody {
  /** The owning desk (the record id's prefix) and its window name. */
  deskId: string;
  window: string;
  requestId: number;
  caseNo: string;
  applicantName: string;
  /** Masked as everywhere (maskApplicantId): no ID number in clear leaves the desk in this record. */
  applicantIdMasked: string;
  /** What is asked: the certificate to confirm, and how. */
  certificate: string;
  mode: string;
  department: string;
  createdAt: string;
  dueAt: string;
  status: 'open' | 'replied' | 'cancelled';
  outcome: 'confirmed' | 'denied' | null;
  replySummary: string | null;
  channel: string | null;
  repliedAt: string | null;
}

const SUMMARY_MAX = 200;

const cards = new WeakMap<Db, string>();

/** Set by the composition root: where this desk's card (its id and window name) is read from. */
export function configureHallAssistance(db: Db, dataDir: string): void {
  cards.set(db, dataDir);
}

function deskCard(db: Db): { deskId: string; name: string } | null {
  const dir = cards.get(db);
  const card = dir ? readDeskCard(dir) : null;
  return card ? { deskId: card.deskId, name: card.name } : null;
}

export const assistanceRecordId = (deskId: string, requestId: number) => `${deskId}:${requestId}`;

interface LocalRow {
  id: number;
  case_no: string;
  applicant_name: string;
  id_type: IdType;
  id_number: string;
  certificate: string;
  department: string;
  mode: string;
  created_at: string;
  due_at: string;
  status: AssistanceRequestBody['status'];
  reply: string | null;
  reply_outcome: AssistanceRequestBody['outcome'];
  reply_channel: string | null;
  replied_at: string | null;
}

const LOCAL = `SELECT r.id, c.case_no, a.name AS applicant_name, a.id_type, a.id_number, ci.name AS certificate, r.department, r.mode,
    r.created_at, r.due_at, r.status, r.reply, r.reply_outcome, r.reply_channel, r.replied_at
  FROM assistance_requests r JOIN cases c ON c.id = r.case_id JOIN applicants a ON a.id = c.applicant_id
  JOIN certificate_items ci ON ci.id = r.certificate_item_id`;

function bodyOf(r: LocalRow, card: { deskId: string; name: string }): AssistanceRequestBody {
  return {
    deskId: card.deskId,
    window: card.name,
    requestId: r.id,
    caseNo: r.case_no,
    applicantName: r.applicant_name,
    applicantIdMasked: maskApplicantId(r.id_type, r.id_number),
    certificate: r.certificate,
    mode: r.mode,
    department: r.department,
    createdAt: r.created_at,
    dueAt: r.due_at,
    status: r.status,
    outcome: r.reply_outcome,
    replySummary: r.reply === null ? null : r.reply.slice(0, SUMMARY_MAX),
    channel: r.reply_channel ?? (r.status === 'replied' ? 'connector' : null),
    repliedAt: r.replied_at,
  };
}

/** Inside the transaction that sent a 协查 request or recorded its reply: queues it for the hub. */
export function shareAssistanceRequest(w: WriteContext, requestId: number): void {
  if (hallTargetIds(w.db).length === 0) return;
  const card = deskCard(w.db);
  if (!card) return; // a hub target without this desk's card: it cannot have been enrolled
  const r = w.db.prepare(`${LOCAL} WHERE r.id = ?`).get(requestId) as LocalRow;
  enqueueHallRecord(w, 'assistance_request', assistanceRecordId(card.deskId, r.id), bodyOf(r, card) as unknown as Record<string, unknown>);
}

/**
 * At start with a hub (its enrolment included): every request this desk holds that has not been
 * queued for one of its hub targets yet is queued now, in one system write. Afterwards each change
 * queues its own record, so this finds nothing.
 */
export function queueAssistanceAtEnrolment(deps: Pick<Deps, 'db' | 'write'>): number {
  const targets = hallTargetIds(deps.db);
  const card = deskCard(deps.db);
  if (targets.length === 0 || !card) return 0;
  const queued = deps.db.prepare(`SELECT 1 FROM hall_record_outbox WHERE target_id = ? AND kind = 'assistance_request' AND record_id = ? LIMIT 1`).pluck();
  const ids = (deps.db.prepare('SELECT id FROM assistance_requests ORDER BY id').pluck().all() as number[]).filter((id) =>
    targets.some((t) => !queued.get(t, assistanceRecordId(card.deskId, id))),
  );
  if (ids.length === 0) return 0;
  deps.write(SYSTEM_ACTOR, (w) => {
    for (const id of ids) shareAssistanceRequest(w, id);
    w.audit({ action: 'hub.assistanceQueuedAtEnrolment', entityType: 'assistance', entityId: null, detail: { requests: ids.length, first: ids[0], last: ids[ids.length - 1] } });
  });
  return ids.length;
}

/** Another window's request from the hall: this desk's copy becomes the version it was sent (its own requests are its own table's). */
export function applyAssistanceRequestBody(w: WriteContext, recordId: string, raw: Record<string, unknown>, ownerDesk: string, version: number): void {
  const b = raw as unknown as AssistanceRequestBody;
  if (deskCard(w.db)?.deskId === ownerDesk) return;
  w.db
    .prepare(
      `INSERT INTO hall_assistance_requests (record_id, owner_desk, window_name, case_no, applicant_name, applicant_id_masked, certificate, department, mode,
         created_at, due_at, status, outcome, reply_summary, channel, replied_at, hub_version, received_at)
       VALUES (@recordId, @ownerDesk, @window, @caseNo, @applicantName, @applicantIdMasked, @certificate, @department, @mode,
         @createdAt, @dueAt, @status, @outcome, @replySummary, @channel, @repliedAt, @version, @at)
       ON CONFLICT (record_id) DO UPDATE SET window_name = excluded.window_name, case_no = excluded.case_no, applicant_name = excluded.applicant_name,
         applicant_id_masked = excluded.applicant_id_masked, certificate = excluded.certificate, department = excluded.department, mode = excluded.mode,
         created_at = excluded.created_at, due_at = excluded.due_at, status = excluded.status, outcome = excluded.outcome, reply_summary = excluded.reply_summary,
         channel = excluded.channel, replied_at = excluded.replied_at, hub_version = excluded.hub_version, received_at = excluded.received_at
       WHERE excluded.hub_version > hall_assistance_requests.hub_version`,
    )
    .run({ ...b, recordId, ownerDesk, version, at: w.at.toISOString() });
  w.audit({ action: 'hub.assistanceReceived', entityType: 'assistance', entityId: null, detail: { recordId, version, fromDesk: ownerDesk, window: b.window, caseNo: b.caseNo, status: b.status } });
}

interface HallRow {
  record_id: string;
  window_name: string;
  case_no: string;
  applicant_name: string;
  applicant_id_masked: string;
  certificate: string;
  department: string;
  mode: string;
  created_at: string;
  due_at: string;
  status: AssistanceRequestBody['status'];
  outcome: AssistanceRequestBody['outcome'];
  reply_summary: string | null;
  channel: string | null;
  replied_at: string | null;
  received_at: string;
}

function view(b: Omit<HallAssistanceView, 'overdue' | 'late'>, now: Date): HallAssistanceView {
  return { ...b, overdue: assistanceOverdue(b, now), late: assistanceRepliedLate(b) };
}

/** Every window's requests: this desk's own (as it would share them) and the other windows' last copies; overdue first, then open, by due date. */
export function hallAssistance(db: Db, now: Date, openOnly: boolean): HallAssistanceView[] {
  const card = deskCard(db) ?? { deskId: '', name: '本窗口' };
  const own = (db.prepare(`${LOCAL} ${openOnly ? `WHERE r.status = 'open'` : ''}`).all() as LocalRow[]).map((r) => {
    const b = bodyOf(r, card);
    return view({ key: assistanceRecordId(card.deskId, r.id), id: r.id, own: true, ...pick(b), receivedAt: null }, now);
  });
  const others = (db.prepare(`SELECT * FROM hall_assistance_requests ${openOnly ? `WHERE status = 'open'` : ''}`).all() as HallRow[]).map((r) =>
    view(
      {
        key: r.record_id,
        id: null,
        own: false,
        window: r.window_name,
        caseNo: r.case_no,
        applicantName: r.applicant_name,
        applicantIdMasked: r.applicant_id_masked,
        certificate: r.certificate,
        mode: r.mode,
        department: r.department,
        createdAt: r.created_at,
        dueAt: r.due_at,
        status: r.status,
        outcome: r.outcome,
        replySummary: r.reply_summary,
        channel: r.channel,
        repliedAt: r.replied_at,
        receivedAt: r.received_at,
      },
      now,
    ),
  );
  return [...own, ...others].sort(
    (a, b) => Number(b.overdue) - Number(a.overdue) || Number(b.status === 'open') - Number(a.status === 'open') || a.dueAt.localeCompare(b.dueAt) || a.key.localeCompare(b.key),
  );
}

function pick(b: AssistanceRequestBody) {
  const { window, caseNo, applicantName, applicantIdMasked, certificate, mode, department, createdAt, dueAt, status, outcome, replySummary, channel, repliedAt } = b;
  return { window, caseNo, applicantName, applicantIdMasked, certificate, mode, department, createdAt, dueAt, status, outcome, replySummary, channel, repliedAt };
}

/** The overdue requests, by the one rule: this window's, and the whole hall's (this desk's copy of the others' included). */
export function assistanceOverdueCounts(db: Db, now: Date): { own: number; hall: number | null } {
  const count = (rows: { status: string; dueAt: string }[]) => rows.filter((r) => assistanceOverdue(r, now)).length;
  const own = count(db.prepare(`SELECT status, due_at AS dueAt FROM assistance_requests WHERE status = 'open'`).all() as { status: string; dueAt: string }[]);
  if (hallTargetIds(db).length === 0) return { own, hall: null };
  return { own, hall: own + count(db.prepare(`SELECT status, due_at AS dueAt FROM hall_assistance_requests WHERE status = 'open'`).all() as { status: string; dueAt: string }[]) };
}

export function createHallAssistanceService(deps: Deps): PartialHandlers {
  return {
    'assistance.hallList': ({ openOnly }) => {
      const now = deps.now();
      return { requests: hallAssistance(deps.db, now, openOnly ?? false), hub: hallTargetIds(deps.db).length > 0, ...hallCopyField(deps.db, now) };
    },
    'assistance.overdueCounts': () => assistanceOverdueCounts(deps.db, deps.now()),
  };
}
