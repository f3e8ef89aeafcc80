import type { Deps } from '../../app/deps';
import type { WriteContext } from '../../store/write';
import type { Db } from '../../store/open-store';
import { SYSTEM_ACTOR } from '../audit/audit-chain';
import { creditWithHallKey, insertHallEntry, type HallRecordKind } from './hall-records';
import { applicantBody, applicantRecordId, type ApplicantRow } from './hall-applicants';
import { materialWithHallKey } from './hall-materials';

/**
 * Backfill at enrolment (docs/hub.md, "Backfill and long offline periods"). A desk queues a hall
 * record for its hub in the transaction that changes it — but only once it has a hub target. What
 * it wrote before (applicants, credit records, materials) is queued here, once per hub target,
 * walking each kind's table by id in batches. Each batch is one audited transaction that queues its
 * entries AND moves the marker (`sync_meta` key `hub.backfill/<target>`), so a restart mid-backfill
 * goes on after the last whole batch and a finished marker makes every later start — or the same
 * hub enrolled again — a no-op. A row this hub already knows (queued for it since, or received from
 * it) is skipped, so a record is never queued twice. Users are not backfilled: they stay local until
 * a supervisor changes them (docs/hub.md, "Users at the hall"). Applicants go first (a material
 * names its applicant), and the sender pulls nothing from the hub until the backfill is done: an
 * applicant pulled before this desk's own version was queued would overwrite it, where queued first
 * the two versions meet on the hub as a conflict (both kept) and the pull leaves the local one to
 * its acknowledgement.
 */

const KINDS = ['applicant', 'credit', 'material'] as const;
type BackfillKind = (typeof KINDS)[number];

/** Rows per transaction: a desk with 10,000 applicants never holds one long write. */
export const BACKFILL_BATCH = 500;

interface Marker {
  kind: BackfillKind;
  afterId: number;
  queued: Record<BackfillKind, number>;
  doneAt: string | null;
}

const TABLE: Record<BackfillKind, string> = { applicant: 'applicants', credit: 'credit_records', material: 'materials' };

const markerKey = (targetId: string) => `hub.backfill/${targetId}`;
const DEMO_KEY = 'hub.backfill.demo';

/**
 * The demo seed's applicants and credit records are the same on every demo desk: they are not the
 * hall's records, and a backfill starts after them (called in the seed's transaction).
 */
export function markDemoRowsLocal(db: Db): void {
  const after = Object.fromEntries(KINDS.map((k) => [k, (db.prepare(`SELECT COALESCE(max(id), 0) AS n FROM ${TABLE[k]}`).get() as { n: number }).n]));
  db.prepare('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(DEMO_KEY, JSON.stringify(after));
}

/** Where the walk over a kind starts: after the demo seed's rows, if any. */
function startAfter(db: Db, kind: BackfillKind): number {
  const r = db.prepare('SELECT value FROM sync_meta WHERE key = ?').get(DEMO_KEY) as { value: string } | undefined;
  return r ? ((JSON.parse(r.value) as Record<string, number>)[kind] ?? 0) : 0;
}

export function backfillMarker(db: Db, targetId: string): Marker | null {
  const r = db.prepare('SELECT value FROM sync_meta WHERE key = ?').get(markerKey(targetId)) as { value: string } | undefined;
  return r ? (JSON.parse(r.value) as Marker) : null;
}

export function backfillDone(db: Db, targetId: string): boolean {
  return backfillMarker(db, targetId)?.doneAt != null;
}

/** Does this hub already know the record (an entry queued for it, or a version received from it)? */
function known(db: Db, targetId: string, kind: HallRecordKind, recordId: string): boolean {
  return (
    db.prepare('SELECT 1 FROM hall_record_outbox WHERE target_id = ? AND kind = ? AND record_id = ? LIMIT 1').get(targetId, kind, recordId) !== undefined ||
    db.prepare('SELECT 1 FROM hall_record_versions WHERE target_id = ? AND kind = ? AND record_id = ?').get(targetId, kind, recordId) !== undefined
  );
}

/** Queues one row of the kind if this hub does not know it yet; whether it did. */
function queueRow(w: WriteContext, targetId: string, kind: BackfillKind, id: number): boolean {
  const db = w.db;
  if (kind === 'applicant') {
    const r = db.prepare('SELECT * FROM applicants WHERE id = ?').get(id) as ApplicantRow;
    const recordId = applicantRecordId(r.id_type, r.id_number);
    if (known(db, targetId, 'applicant', recordId)) return false;
    insertHallEntry(w, targetId, 'applicant', recordId, 0, applicantBody(r) as unknown as Record<string, unknown>);
    return true;
  }
  if (kind === 'credit') {
    const r = db.prepare('SELECT hall_key, origin_desk FROM credit_records WHERE id = ?').get(id) as { hall_key: string | null; origin_desk: string | null };
    if (r.origin_desk !== null || (r.hall_key !== null && known(db, targetId, 'credit', r.hall_key))) return false; // from the hub, or sent already
    const c = creditWithHallKey(w, id);
    insertHallEntry(w, targetId, 'credit', c.hallKey, 0, c.body as unknown as Record<string, unknown>);
    return true;
  }
  const r = db.prepare('SELECT hall_key, origin_desk, (SELECT count(*) FROM material_pages p WHERE p.material_id = m.id) AS pages FROM materials m WHERE id = ?').get(id) as {
    hall_key: string | null;
    origin_desk: string | null;
    pages: number;
  };
  // From the hub, sent already, or without a page (the hub takes a material only with its pages).
  if (r.origin_desk !== null || r.pages === 0 || (r.hall_key !== null && known(db, targetId, 'material', r.hall_key))) return false;
  const m = materialWithHallKey(w, id);
  insertHallEntry(w, targetId, 'material', m.hallKey, 0, m.body as unknown as Record<string, unknown>);
  return true;
}

/**
 * One batch of the backfill for a hub target, in one audited transaction with its marker.
 * Returns whether the backfill is done (after this batch) and how many entries it queued.
 */
export function backfillBatch(deps: Pick<Deps, 'write'>, targetId: string, batch = BACKFILL_BATCH): { done: boolean; queued: number } {
  return deps.write(SYSTEM_ACTOR, (w) => {
    const m: Marker = backfillMarker(w.db, targetId) ?? { kind: KINDS[0], afterId: startAfter(w.db, KINDS[0]), queued: { applicant: 0, credit: 0, material: 0 }, doneAt: null };
    if (m.doneAt) return { done: true, queued: 0 };
    const ids = (w.db.prepare(`SELECT id FROM ${TABLE[m.kind]} WHERE id > ? ORDER BY id LIMIT ?`).all(m.afterId, batch) as { id: number }[]).map((r) => r.id);
    let queued = 0;
    for (const id of ids) if (queueRow(w, targetId, m.kind, id)) queued++;
    m.queued[m.kind] += queued;
    const kindDone = ids.length < batch;
    const from = m.afterId;
    const walked = m.kind;
    if (!kindDone) m.afterId = ids[ids.length - 1]!;
    else if (m.kind !== KINDS[KINDS.length - 1]) {
      m.kind = KINDS[KINDS.indexOf(m.kind) + 1]!;
      m.afterId = startAfter(w.db, m.kind);
    } else m.doneAt = w.at.toISOString();
    w.db.prepare('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(markerKey(targetId), JSON.stringify(m));
    // Every batch leaves its trace (a write without one is rolled back): the rows walked, the entries queued.
    w.audit({
      action: 'hub.backfillQueued',
      entityType: 'sync_targets',
      entityId: targetId,
      detail: { kind: walked, afterId: from, rows: ids.length, queued, done: m.doneAt !== null, total: m.queued },
    });
    return { done: m.doneAt !== null, queued };
  });
}

/**
 * The sender's side: runs the backfill of each hub target in batches (yielding between them),
 * once per process, and tells whether a target's backfill is done (the sender pulls and pushes
 * hall records for it only then).
 */
export class HallBackfill {
  private readonly done = new Set<string>();
  private readonly running = new Set<string>();

  constructor(
    private readonly deps: Pick<Deps, 'write' | 'db' | 'logger'>,
    private readonly onDone: (targetId: string) => void,
    private readonly batch = BACKFILL_BATCH,
  ) {}

  ready(targetId: string): boolean {
    if (this.done.has(targetId)) return true;
    if (!backfillDone(this.deps.db, targetId)) return false;
    this.done.add(targetId);
    return true;
  }

  /** Starts (or continues) the target's backfill unless it is done or under way; `stopped` ends it between batches. */
  run(targetId: string, stopped: () => boolean): void {
    if (this.ready(targetId) || this.running.has(targetId)) return;
    this.running.add(targetId);
    let total = 0;
    const step = () => {
      if (stopped()) return void this.running.delete(targetId);
      try {
        const r = backfillBatch(this.deps, targetId, this.batch);
        total += r.queued;
        if (!r.done) return void setImmediate(step);
        this.done.add(targetId);
        this.running.delete(targetId);
        this.deps.logger.info('hub.backfillDone', { target: targetId, queuedThisRun: total });
        this.onDone(targetId);
      } catch (e) {
        this.running.delete(targetId); // tried again at the next tick, from the marker
        this.deps.logger.error('hub.backfillFailed', { target: targetId, error: String((e as Error)?.stack ?? e) });
      }
    };
    step();
  }
}
