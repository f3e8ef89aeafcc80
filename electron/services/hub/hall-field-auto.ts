import type { Deps } from '../../app/deps';
import { AppError } from '../../app/app-error';
import { SYSTEM_ACTOR, type Actor } from '../audit/audit-chain';
import type { FileStore } from '../files/file-store';
import type { Db } from '../../store/open-store';
import type { HubConnector } from './hub-connector';
import { loadTask } from '../verification/task-rows';
import { checkoutTask, type Taker } from '../verification/field-checkout';
import { applyFieldResult } from '../verification/field-apply';
import { importFieldPackage, sealedResult } from '../field/field-service';
import { registerHallFieldKeys, sendFieldKey } from './hall-field-keys';
import { offerRecord, offerRecords, putOfferRecord, putTakeRecord, takeRecord, takeRecords, type OfferRecord, type OfferState, type TakeRecord } from './hall-field-state';

/**
 * Field work through the hub, by itself (docs/hub.md, "Field work through the hub"): one round, run
 * by the sender's hub loop every `fieldMs` while the hub is reachable.
 * On the owning desk: every task whose row differs from what the hub was last told (new, assigned,
 * reassigned, released, closed — whatever path changed it) is offered again; packages are issued
 * for the tasks taken at the hub; relayed results are applied (once, by result id) and acknowledged.
 * On the laptop: packages of the tasks it took are fetched and imported, sealed results are sent,
 * and what the owning desk did with them is noted.
 * Every step is idempotent and remembered only once the hub answered: a hub that drops mid-way
 * leaves each step to be done again, and the hub's own keys (task key, result id) make the repeat
 * harmless. A refusal in the hub's words is noted (and logged once), never thrown.
 */

export interface FieldRound {
  offered: number;
  released: number;
  issued: number;
  applied: number;
  duplicates: number;
  fetched: number;
  sent: number;
  refused: { ref: string; message: string }[];
}

type HubAnswer = { status: number; json: unknown };

/** The hub's own refusal (404/409/422 with its Chinese message), or null; anything else is thrown as the connector's failure. */
function answerOrRefusal(hub: HubConnector, r: HubAnswer): { code: string; message: string } | null {
  if (r.status === 200 || r.status === 201) return null;
  const e = (r.json as { error?: { code?: string; message?: string } } | null)?.error;
  if ((r.status === 404 || r.status === 409 || r.status === 422) && e?.message) return { code: e.code ?? '', message: e.message };
  hub.fail(r);
}

// ---------------------------------------------------------------- the owning desk

interface OfferRow {
  id: number;
  status: string;
  checked_out_by: number | null;
  package_id: string | null;
  due_at: string | null;
  assignee: string | null;
  case_no: string;
  certificate: string;
}

/** The offer the hub should hold for a task now. */
export function currentOffer(t: OfferRow, rec: OfferRecord | null): OfferState {
  const open = t.status === 'open';
  const throughHub = t.package_id !== null && t.package_id === rec?.issuedPackageId;
  return {
    open,
    takeable: open && (t.checked_out_by === null || throughHub),
    packageId: t.package_id,
    assignee: t.assignee,
    dueAt: t.due_at,
    caseNo: t.case_no,
    certificate: t.certificate,
  };
}

const sameOffer = (a: OfferState | undefined, b: OfferState) => a !== undefined && JSON.stringify(a) === JSON.stringify(b);

/** Open tasks, and tasks the hub still holds as open: the ones whose offer may be stale. */
function offerCandidates(db: Db, recs: Map<number, OfferRecord>): OfferRow[] {
  const stillOpenAtHub = [...recs].filter(([, r]) => r.state.open).map(([id]) => id);
  return db
    .prepare(
      `SELECT t.id, t.status, t.checked_out_by, t.package_id, t.due_at, ua.display_name AS assignee, c.case_no, ci.name AS certificate
       FROM verification_tasks t
       JOIN commitments cm ON cm.id = t.commitment_id
       JOIN cases c ON c.id = cm.case_id
       JOIN certificate_items ci ON ci.id = cm.certificate_item_id
       LEFT JOIN users ua ON ua.id = t.assigned_to
       WHERE t.status = 'open' OR t.id IN (SELECT value FROM json_each(?))
       ORDER BY t.id`,
    )
    .all(JSON.stringify(stillOpenAtHub)) as OfferRow[];
}

const OFFERS_PER_ROUND = 50;

/** Offers every task whose offer is stale; what the hub accepted is remembered in the same transaction as its audit entry. */
async function offerStale(deps: Deps, hub: HubConnector, out: FieldRound): Promise<void> {
  const recs = offerRecords(deps.db);
  const stale = offerCandidates(deps.db, recs)
    .map((t) => ({ t, state: currentOffer(t, recs.get(t.id) ?? null) }))
    .filter(({ t, state }) => !sameOffer(recs.get(t.id)?.state, state))
    .slice(0, OFFERS_PER_ROUND);
  for (const { t, state } of stale) {
    const r = await hub.request('POST', '/v1/field/offer', { taskId: t.id, ...state });
    const refused = answerOrRefusal(hub, r);
    if (refused) {
      out.refused.push({ ref: `task ${t.id}`, message: refused.message });
      continue;
    }
    const { taskKey, released } = r.json as { taskKey: string; released: boolean };
    deps.write(SYSTEM_ACTOR, (w) => {
      const prior = offerRecord(w.db, t.id);
      const rec: OfferRecord = {
        taskKey,
        targetId: hub.target.id,
        holder: null,
        takenAt: null,
        issuedPackageId: null,
        issuedPackage: null,
        packageSentAt: null,
        refused: null,
        ...(released ? {} : prior),
        state,
        offeredAt: w.at.toISOString(),
      };
      putOfferRecord(w.db, t.id, rec);
      w.audit({ action: 'verification.offeredToHall', entityType: 'verification', entityId: t.id, detail: { taskKey, hub: hub.target.id, auto: true, ...state, released } });
    });
    out.offered++;
    if (released) out.released++;
  }
}

/** The assistant of this desk the hub named as the holder (users are the hall's; matched by display name). */
export function localAssistant(db: Db, name: string): Taker | undefined {
  const u = db.prepare(`SELECT id, display_name, role FROM users WHERE display_name = ? AND role = 'assistant' AND active = 1`).get(name) as
    | { id: number; display_name: string; role: string }
    | undefined;
  return u && { id: u.id, displayName: u.display_name, role: u.role };
}

/** Who issues packages and applies results: the system (the sender's round) or the supervisor who asked (verification.syncHallField). */
export interface FieldBy {
  actor: Actor;
  /** Recorded as the one who applied a result; null: the task's holder. */
  userId: number | null;
}

const AUTO: FieldBy = { actor: SYSTEM_ACTOR, userId: null };

/** Issues (or sends again, as it was) the package of each task taken at the hub. */
export async function issuePackages(deps: Deps, hub: HubConnector, out: FieldRound, by: FieldBy = AUTO): Promise<void> {
  const r = await hub.request('GET', '/v1/field/locks');
  if (answerOrRefusal(hub, r)) return;
  const locks = (r.json as { locks: Lock[] }).locks;
  for (const l of locks) {
    if (await releasedHere(deps, hub, l, out, by)) continue;
    const pkg = packageFor(deps, hub, l, out, by);
    if (!pkg) continue;
    const put = await hub.request('POST', '/v1/field/package', { taskKey: l.taskKey, package: pkg });
    const refused = answerOrRefusal(hub, put);
    if (refused) {
      out.refused.push({ ref: l.taskKey, message: refused.message });
      continue;
    }
    deps.write(by.actor, (w) => {
      const rec = offerRecord(w.db, l.taskId);
      if (rec) putOfferRecord(w.db, l.taskId, { ...rec, packageSentAt: w.at.toISOString() });
      w.audit({ action: 'verification.packageAtHub', entityType: 'verification', entityId: l.taskId, detail: { taskKey: l.taskKey, holder: l.holder, packageId: (pkg as { packageId?: string }).packageId ?? null } });
    });
    out.issued++;
  }
}

type Lock = { taskKey: string; taskId: number; holder: string; holderDesk: string; lockTakenAt: string };

/**
 * A holding this desk issued a package for and no longer honours (released or reassigned here before
 * the hub had the package): the hub is asked to release exactly that holding (by holder and the
 * hub's time of taking), so the task is not issued to its old holder again.
 */
async function releasedHere(deps: Deps, hub: HubConnector, l: Lock, out: FieldRound, by: FieldBy): Promise<boolean> {
  const rec = offerRecord(deps.db, l.taskId);
  if (!rec?.issuedPackageId || rec.holder !== l.holder || rec.lockTakenAt !== l.lockTakenAt) return false;
  const t = loadTask(deps.db, l.taskId);
  if (t.package_id === rec.issuedPackageId) return false;
  const state = currentOffer({ ...t, assignee: t.assigned_name }, null);
  const r = await hub.request('POST', '/v1/field/offer', { taskId: l.taskId, ...state, releaseLock: { holder: l.holder, takenAt: l.lockTakenAt } });
  const refused = answerOrRefusal(hub, r);
  if (refused) {
    out.refused.push({ ref: l.taskKey, message: refused.message });
    return true;
  }
  const released = (r.json as { released: boolean }).released;
  deps.write(by.actor, (w) => {
    const prior = offerRecord(w.db, l.taskId)!;
    putOfferRecord(w.db, l.taskId, { ...prior, state, offeredAt: w.at.toISOString(), holder: null, takenAt: null, issuedPackageId: null, issuedPackage: null, packageSentAt: null, lockTakenAt: null, refused: null });
    w.audit({ action: 'verification.offeredToHall', entityType: 'verification', entityId: l.taskId, detail: { taskKey: l.taskKey, hub: hub.target.id, auto: by.actor === SYSTEM_ACTOR, ...state, released, releasedHolder: l.holder } });
  });
  out.offered++;
  if (released) out.released++;
  return true;
}

/** The package for the lock's holder: the one issued before (kept until the hub has it), or a new one issued now. */
function packageFor(deps: Deps, hub: HubConnector, l: Lock, out: FieldRound, by: FieldBy): unknown {
  const rec = offerRecord(deps.db, l.taskId);
  const t = loadTask(deps.db, l.taskId);
  if (rec?.issuedPackage && rec.holder === l.holder && t.package_id === rec.issuedPackageId) return rec.issuedPackage;
  const note = (refused: string) =>
    deps.write(by.actor, (w) => {
      const prior = offerRecord(w.db, l.taskId);
      const base: OfferRecord = prior ?? {
        taskKey: l.taskKey,
        targetId: hub.target.id,
        state: currentOffer({ ...t, assignee: t.assigned_name }, null),
        offeredAt: w.at.toISOString(),
        holder: null,
        takenAt: null,
        issuedPackageId: null,
        issuedPackage: null,
        packageSentAt: null,
        refused: null,
      };
      putOfferRecord(w.db, l.taskId, {
        ...base,
        holder: l.holder,
        takenAt: prior?.holder === l.holder ? prior.takenAt : w.at.toISOString(),
        refused,
      });
      w.audit({ action: 'verification.hallTakeRefused', entityType: 'verification', entityId: l.taskId, detail: { taskKey: l.taskKey, holder: l.holder, reason: refused } });
    });
  const taker = localAssistant(deps.db, l.holder);
  if (!taker) {
    const message = `本窗口没有在岗的帮办代办员“${l.holder}”，不能签发外勤任务包。`;
    if (rec?.refused !== message) note(message);
    out.refused.push({ ref: l.taskKey, message });
    return null;
  }
  try {
    return deps.write(by.actor, (w) => {
      const p = checkoutTask(w, l.taskId, taker);
      w.audit({ action: 'verification.issuedThroughHub', entityType: 'verification', entityId: l.taskId, detail: { taskKey: l.taskKey, holder: l.holder, holderDesk: l.holderDesk, packageId: p.packageId, auto: by.actor === SYSTEM_ACTOR } });
      const prior = offerRecord(w.db, l.taskId);
      // From now on the hub holds (or is about to hold) this package as the one honoured: a release
      // here, even one before the next offer, differs from it and is offered.
      putOfferRecord(w.db, l.taskId, {
        taskKey: l.taskKey,
        targetId: hub.target.id,
        state: { ...(prior?.state ?? currentOffer({ ...t, assignee: t.assigned_name }, null)), packageId: p.packageId, takeable: true },
        offeredAt: prior?.offeredAt ?? w.at.toISOString(),
        lockTakenAt: l.lockTakenAt,
        holder: l.holder,
        takenAt: prior?.holder === l.holder && prior.takenAt ? prior.takenAt : w.at.toISOString(),
        issuedPackageId: p.packageId,
        issuedPackage: p,
        packageSentAt: null,
        refused: null,
      });
      return p;
    });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    if (rec?.refused !== e.userMessage) note(e.userMessage);
    out.refused.push({ ref: l.taskKey, message: e.userMessage });
    return null;
  }
}

/**
 * Applies the results the hub relays (once each, by result id) and acknowledges them; a refused one
 * stays at the hub. The laptops' keys first (hall-field-keys.ts): a result applies only against its
 * package's registered key.
 */
export async function applyRelayed(deps: Deps & { files: FileStore }, hub: HubConnector, out: FieldRound, by: FieldBy = AUTO): Promise<void> {
  await registerHallFieldKeys(deps, hub, (x) => answerOrRefusal(hub, x), by.actor, out);
  const r = await hub.request('GET', '/v1/field/results');
  if (answerOrRefusal(hub, r)) return;
  const results = (r.json as { results: { resultId: string; taskKey: string; result: unknown }[] }).results;
  const done: string[] = [];
  for (const x of results) {
    try {
      const a = applyFieldResult(deps, by.actor, by.userId, JSON.stringify(x.result));
      if (a.applied) out.applied++;
      else out.duplicates++;
      done.push(x.resultId);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      out.refused.push({ ref: x.resultId, message: e.userMessage });
    }
  }
  if (done.length) {
    const ack = await hub.request('POST', '/v1/field/results/ack', { resultIds: done });
    answerOrRefusal(hub, ack);
  }
}

// ---------------------------------------------------------------- the laptop

const settled = (t: TakeRecord) => t.appliedAt !== null || t.releasedAt !== null;

function fieldState(db: Db, packageId: string): { state: string; result_id: string | null } | undefined {
  return db.prepare('SELECT state, result_id FROM field_work WHERE package_id = ?').get(packageId) as { state: string; result_id: string | null } | undefined;
}

/** Sends every result sealed on this laptop and not yet received by the hub. */
async function sendFinished(deps: Deps & { files: FileStore }, hub: HubConnector, takes: TakeRecord[], out: FieldRound): Promise<void> {
  for (const t of takes) {
    if (settled(t) || !t.packageId || t.sentResultId) continue;
    if (fieldState(deps.db, t.packageId)?.state !== 'finished') continue;
    // The owning desk applies the result only against the laptop's registered key: sent first if the hub lacks it.
    if (!(await sendKey(deps, hub, t.taskKey, out))) continue;
    const sealed = sealedResult(deps, t.packageId);
    const result = JSON.parse(sealed.resultJson) as { resultId: string };
    const r = await hub.request('POST', '/v1/field/result', { taskKey: t.taskKey, result });
    const refused = answerOrRefusal(hub, r);
    if (refused) {
      if (refused.code === 'RELEASED' || refused.code === 'NOT_HOLDER') noteTake(deps, t.taskKey, { releasedAt: deps.now().toISOString() }, 'field.releasedAtHub', { reason: refused.message });
      out.refused.push({ ref: t.taskKey, message: refused.message });
      continue;
    }
    const duplicate = (r.json as { duplicate: boolean }).duplicate;
    noteSent(deps, t.taskKey, result.resultId, duplicate, true);
    out.sent++;
  }
}

/** Remembers a result the hub received (sent now, or earlier with the answer lost), with its audit entry. */
export function noteSent(deps: Deps, taskKey: string, resultId: string, duplicate: boolean, auto: boolean): void {
  noteTake(deps, taskKey, { sentResultId: resultId, sentAt: deps.now().toISOString() }, 'field.sentToHub', { resultId, duplicate, auto });
}

function noteTake(deps: Deps, taskKey: string, change: Partial<TakeRecord>, action: string, detail: Record<string, unknown>): void {
  if (!takeRecord(deps.db, taskKey)) return;
  deps.write(SYSTEM_ACTOR, (w) => {
    putTakeRecord(w.db, { ...takeRecord(w.db, taskKey)!, ...change });
    w.audit({ action, entityType: 'field', entityId: taskKey, detail });
  });
}

/** What the hub says of the tasks this laptop holds: packages to fetch, results applied, tasks taken back. */
async function followHeld(deps: Deps & { files: FileStore }, hub: HubConnector, takes: TakeRecord[], out: FieldRound): Promise<void> {
  if (!takes.some((t) => !settled(t))) return;
  const r = await hub.request('GET', '/v1/field/mine');
  if (answerOrRefusal(hub, r)) return;
  const locks = new Map(
    (r.json as { locks: { taskKey: string; holder: string; issued: boolean; released: boolean; results: { resultId: string; applied: boolean }[] }[] }).locks.map((l) => [l.taskKey, l]),
  );
  for (const t of takes) {
    if (settled(t)) continue;
    const l = locks.get(t.taskKey);
    if (!l || l.released || l.holder !== t.assistant) {
      noteTake(deps, t.taskKey, { releasedAt: deps.now().toISOString() }, 'field.releasedAtHub', { reason: 'released by the owning desk' });
      continue;
    }
    if (t.sentResultId && l.results.some((x) => x.resultId === t.sentResultId && x.applied)) {
      noteTake(deps, t.taskKey, { appliedAt: deps.now().toISOString() }, 'field.appliedAtHall', { resultId: t.sentResultId });
      continue;
    }
    if (l.issued && !t.packageId) {
      const p = await hub.request('GET', `/v1/field/package?taskKey=${encodeURIComponent(t.taskKey)}`);
      const refused = answerOrRefusal(hub, p);
      if (refused) {
        out.refused.push({ ref: t.taskKey, message: refused.message });
        continue;
      }
      const w = importFieldPackage(deps, SYSTEM_ACTOR, t.assistant, JSON.stringify((p.json as { package: unknown }).package));
      noteTake(deps, t.taskKey, { packageId: w.packageId, keySentAt: null }, 'field.fetchedFromHub', { packageId: w.packageId, auto: true });
      out.fetched++;
    }
    // This laptop's key for the package, registered with the task through the hub right after the import (or at the next round, if the hub dropped).
    await sendKey(deps, hub, t.taskKey, out);
  }
}

/** Sends the laptop's key registration of a task's package if the hub lacks it; false when the hub (or this laptop) refused it. */
async function sendKey(deps: Deps, hub: HubConnector, taskKey: string, out: FieldRound): Promise<boolean> {
  try {
    const refused = await sendFieldKey(deps, hub, (x) => answerOrRefusal(hub, x), SYSTEM_ACTOR, taskKey);
    if (!refused) return true;
    out.refused.push({ ref: taskKey, message: refused.message });
  } catch (e) {
    if (!(e instanceof AppError)) throw e;
    out.refused.push({ ref: taskKey, message: e.userMessage });
  }
  return false;
}

/** One round of field work through the hub; a failure of the hub (unreachable, cut) is thrown after the steps already done. */
export const emptyRound = (): FieldRound => ({ offered: 0, released: 0, issued: 0, applied: 0, duplicates: 0, fetched: 0, sent: 0, refused: [] });

export async function hallFieldRound(deps: Deps & { files: FileStore }, hub: HubConnector): Promise<FieldRound> {
  const out = emptyRound();
  // The laptop's side first: a sealed result is the work least easy to redo.
  const takes = takeRecords(deps.db).filter((t) => t.targetId === hub.target.id);
  await sendFinished(deps, hub, takes, out);
  await followHeld(deps, hub, takeRecords(deps.db).filter((t) => t.targetId === hub.target.id), out);
  await offerStale(deps, hub, out);
  await issuePackages(deps, hub, out);
  await applyRelayed(deps, hub, out);
  return out;
}
