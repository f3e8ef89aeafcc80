import fs from 'node:fs';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDatabase, usePostgres } from '../helpers/postgres';
import type { TestDesk } from '../helpers/app';
import { deskRows, enrolledDesk, type Hall } from '../helpers/hub-desks';
import { signaturePng } from '../helpers/png';
import { prng } from '../helpers/kill-points';
import { CuttableProxy } from '../helpers/cuttable-proxy';
import { HallClock, LIBFAKETIME } from '../helpers/hall-clock';
import { hubEntries, startHubProcess, type HubProcess } from '../helpers/hub-process';
import { dbFile, waitFor } from '../helpers/sync-desks';
import { freePort } from '../../hub/cluster';
import { migrate } from '../../hub/migrate';
import { hubIdentity } from '../../hub/trust';
import { systemMonotonic } from '../../electron/app/clock';
import { writeTx } from '../../electron/store/write';
import { SYSTEM_ACTOR } from '../../electron/services/audit/audit-chain';
import { enqueueCase } from '../../electron/services/sync/outbox';
import { loadSyncConfig } from '../../electron/services/sync/targets-config';
import type { CaseView } from '../../shared/ipc/methods/intake';
import { openTestStore } from '../helpers/store';

/**
 * A desk offline for a week (issue 17, "Done when"), against a real PostgreSQL and the real hub:
 * desk B is cut off from the hub — its hub target points at a loopback relay whose listener the
 * test closes (connections refused, as for a hub whose port is closed) — while the hall's clock
 * advances a week. B takes 500 cases with signed commitments, 50 of them by applicants that desk A
 * (connected) puts on the credit list during that week, and runs 50 credit checks on its last copy.
 * The 50 barred people's cases (and the first clean one) are taken at the window through the desk's
 * own methods at their slots; the other 449 — clean people, never flagged, there to be counted — are
 * loaded bench-style at their slots (cloneCases), queued through the outbox's own enqueueCase.
 * Reconnected, B converges: the hub holds exactly B's 500 cases and A's, every record once, B's
 * outboxes are drained, and exactly the commitments signed at B by people the hub already held as
 * barred when they signed are flagged with a verification (the expectation is the seeded schedule's:
 * B's signing slot after A's recording slot); the copy's age reads a week before and fresh after.
 *
 * The clock: the hub's "when it first held a record" is PostgreSQL's now() and its request window is
 * the hub process's clock, so the whole hall must live in the week — the hub process and PostgreSQL
 * under libfaketime (offset from a file), the in-process desks on the same offset through their
 * injectable clock (tests/helpers/hall-clock.ts). Every piece runs its real code on a wall clock that
 * jumps forward between events (the desks' senders see the steps, app/clock.ts); only monotonic
 * time (timers, leases, sessions) stays real. The week runs from eight days ago to yesterday, so the
 * hall's clock never passes the real one. Event times are on a 10-minute grid; each event waits for
 * what it caused (A's record held by the hub) before the clock moves on, so the machine's speed does
 * not change which commitments are flagged. WEEK_SEED=<n> replays a schedule.
 */

const CASES_AT_B = Number(process.env.WEEK_CASES ?? 500);
const BARRED = 50; // applicants A puts on the credit list during the week; each signs one of B's cases
const CLEAN = 50; // applicants who sign the rest of B's cases
const CHECKS = 50; // credit checks at B during the week
const CASES_AT_A = 20;
const SLOT_MS = 10 * 60_000;
const WEEK_MS = 7 * 86_400_000;
const SEED = process.env.WEEK_SEED ? Number(process.env.WEEK_SEED) : Math.floor(Math.random() * 2 ** 31);
const SIG = signaturePng().toString('base64');

if (!fs.existsSync(LIBFAKETIME)) throw new Error(`hub-offline-week needs libfaketime (${LIBFAKETIME}): apt-get install faketime`);
const START = new Date(Date.now() - 8 * 86_400_000);
const clock = new HallClock(START);
const pgc = usePostgres({ env: () => clock.env() });
let pool: pg.Pool;
let hub: HubProcess | null = null;
let proxy: CuttableProxy;
let A: TestDesk;
let B: TestDesk;
const tok: Record<string, string> = {};

/** A resident ID number with its GB 11643 check digit. */
function residentId(birth: string, seq: string): string {
  const body = `420325${birth}${seq}`;
  const w = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
  const sum = [...body].reduce((s, d, i) => s + Number(d) * w[i]!, 0);
  return body + '10X98765432'[sum % 11]!;
}

const SURNAMES = [...'赵钱孙李周吴郑冯陈褚'];
const GIVEN = [...'伟芳娜敏静丽强磊军洋'];
/** The 100 applicants of the week: index < BARRED → put on the credit list by A during the week. */
const PEOPLE = Array.from({ length: BARRED + CLEAN }, (_, i) => ({
  name: `${SURNAMES[Math.floor(i / 10)]!}晓${GIVEN[i % 10]!}`,
  idNumber: residentId(`19${60 + (i % 40)}0${1 + (i % 9)}1${i % 10}`, String(200 + i)),
}));

/** Resolves every other pending certificate of the case (verification confirmed by phone, originals presented). */
async function resolveOthers(d: TestDesk, token: string, v: CaseView): Promise<CaseView> {
  for (const c of v.certificates) {
    if (c.state !== 'pending') continue;
    const id = { caseId: v.id, certificateItemId: c.certificateItemId };
    if (c.method === 'data_sharing' || c.method === 'dept_verification') {
      v = await d.call(c.method === 'data_sharing' ? 'intake.switchToVerification' : 'intake.requestAssistance', id, token);
      const rq = v.certificates.find((x) => x.certificateItemId === c.certificateItemId)!.request!;
      v = await d.call('intake.recordAssistanceReply', { requestId: rq.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, token);
    } else if (c.method !== 'commitment') {
      v = await d.call('intake.addMaterial', { ...id, title: c.name, pages: [{ mime: 'image/png', base64: SIG }] }, token);
    }
  }
  return v;
}

/** The service item with a commitment certificate and the fewest others (no bundle). */
async function commitmentItem(d: TestDesk, token: string): Promise<number> {
  const items = await d.call('catalog.listServiceItems', {}, token);
  return items.filter((i) => i.certificates.some((c) => c.method === 'commitment') && i.bundles.length === 0).sort((a, b) => a.certificates.length - b.certificates.length)[0]!.id;
}

/** Takes an accepted case whose commitment the applicant signs now; returns its commitment's id and case number. */
async function caseWithCommitment(d: TestDesk, token: string, itemId: number, applicantId: number): Promise<{ commitmentId: number; caseNo: string; caseId: number }> {
  let v = await d.call('intake.start', { applicantId, serviceItemIds: [itemId] }, token);
  const certificateItemId = v.certificates.find((x) => x.method === 'commitment')!.certificateItemId;
  await d.call('intake.recordChoice', { caseId: v.id, certificateItemId, choice: 'commit' }, token);
  v = await d.call('intake.signCommitment', { caseId: v.id, certificateItemId, signatureKind: 'pad', signaturePngBase64: SIG }, token);
  v = await resolveOthers(d, token, v);
  v = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
  expect(v.status).toBe('accepted');
  return { commitmentId: v.certificates.find((x) => x.certificateItemId === certificateItemId)!.commitment!.id, caseNo: v.caseNo, caseId: v.id };
}

/**
 * Bench-style loading of the cases that only count (clean applicants, never flagged): the template
 * case is copied row by row (the case, its items, certificates and commitment) for each clone's
 * applicant, its commitment signed and the case accepted at the clone's slot, and queued through
 * the outbox's own enqueueCase in one audited transaction — as sync-desks.ts queueClones does.
 * The store's triggers mark each clone for the hub (hub-drafts.ts), as for any change.
 */
function cloneCases(d: TestDesk, templateId: number, clones: { applicantId: number; at: string; n: number }[]): string[] {
  const db = openTestStore(dbFile(d.dataDir));
  db.pragma('busy_timeout = 5000');
  db.pragma('synchronous = FULL');
  try {
    const targets = loadSyncConfig(d.dataDir).config.targets;
    const insert = (table: string, row: Record<string, unknown>) => {
      const cols = Object.keys(row).filter((c) => c !== 'id');
      return Number(db.prepare(`INSERT INTO ${table} (${cols.join(', ')}) VALUES (${cols.map(() => '?').join(', ')})`).run(...cols.map((c) => row[c])).lastInsertRowid);
    };
    const tpl = db.prepare('SELECT * FROM cases WHERE id = ?').get(templateId) as Record<string, unknown>;
    const children = ['case_items', 'case_certificates', 'commitments'].map((t) => [t, db.prepare(`SELECT * FROM ${t} WHERE case_id = ?`).all(templateId) as Record<string, unknown>[]] as const);
    const nos: string[] = [];
    writeTx(db, SYSTEM_ACTOR, () => new Date(clones[clones.length - 1]!.at), (w) => {
      for (const c of clones) {
        const caseNo = `${tpl.case_no as string}-W${String(c.n).padStart(4, '0')}`;
        const id = insert('cases', { ...tpl, case_no: caseNo, applicant_id: c.applicantId, created_at: c.at, updated_at: c.at, accepted_at: c.at });
        for (const [t, rows] of children) for (const r of rows) insert(t, { ...r, case_id: id, ...(t === 'commitments' ? { applicant_id: c.applicantId, signed_at: c.at } : {}) });
        enqueueCase(w, id, targets);
        nos.push(caseNo);
      }
    });
    return nos;
  } finally {
    db.close();
  }
}

type Event = { kind: 'caseAtB'; person: number } | { kind: 'caseAtA'; person: number } | { kind: 'record'; person: number } | { kind: 'check'; person: number };

/** The week's events in seeded order, each on its own 10-minute slot of the week. */
function schedule(random: () => number): { at: number; e: Event }[] {
  const events: Event[] = [];
  for (let p = 0; p < BARRED; p++) events.push({ kind: 'caseAtB', person: p }, { kind: 'record', person: p });
  for (let i = 0; i < CASES_AT_B - BARRED; i++) events.push({ kind: 'caseAtB', person: BARRED + (i % CLEAN) });
  for (let i = 0; i < CASES_AT_A; i++) events.push({ kind: 'caseAtA', person: BARRED + Math.floor(random() * CLEAN) });
  for (let i = 0; i < CHECKS; i++) events.push({ kind: 'check', person: Math.floor(random() * PEOPLE.length) });
  for (let i = events.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [events[i], events[j]] = [events[j]!, events[i]!];
  }
  const slots = WEEK_MS / SLOT_MS;
  const chosen = new Set<number>();
  while (chosen.size < events.length) chosen.add(Math.floor(random() * slots));
  const sorted = [...chosen].sort((a, b) => a - b);
  return events.map((e, i) => ({ at: sorted[i]! * SLOT_MS, e }));
}

beforeAll(async () => {
  const url = await createDatabase(pgc.cluster, 'hub_week');
  pool = new pg.Pool({ connectionString: url, max: 2 });
  await migrate(pool);
  const port = await freePort();
  hub = await startHubProcess(url, port, clock.env());
  proxy = new CuttableProxy(await freePort(), () => port);
  await proxy.open();
  process.env.DESK_TRANSFER_PASSPHRASE = 'hub-week-test';
  const hall: Hall = { pool, card: (await hubIdentity(pool)).card };
  const weekDesk = {
    dir: 'hub-week',
    // The sender's default tick (1 s): a case's drafts are snapshotted for the hub once a tick, as on a real desk.
    sender: { pollMs: 1_000 },
    target: { pullMs: 200 },
    // The wall clock is the hall's; the monotonic one stays real (a week's jump neither locks a session nor expires a lease).
    app: { now: clock.now, monotonic: systemMonotonic, backups: false },
  };
  A = await enrolledDesk(hall, { deskId: 'desk-a', name: '1号窗口', port, ...weekDesk });
  B = await enrolledDesk(hall, { deskId: 'desk-b', name: '2号窗口', port: proxy.port, ...weekDesk });
  tok.A = (await A.signIn('zhangmin')).token;
  tok.Aadmin = (await A.signIn('admin')).token;
  tok.B = (await B.signIn('liuyang')).token;
}, 180_000);

afterAll(async () => {
  for (const d of [A, B]) {
    await d?.app.stopSync().catch(() => undefined);
    d?.app.close();
  }
  await proxy?.cut();
  await pool?.end();
  await hub?.stop('SIGKILL');
});

describe('a desk offline for a week', () => {
  it(`takes ${CASES_AT_B} cases and ${CHECKS} credit checks on its last copy; reconnected, nothing is lost or doubled and exactly its commitments signed by people already barred at the hub are flagged`, async () => {
    const random = prng(SEED);
    const plan = schedule(random);
    console.log(`hub-offline-week: seed ${SEED} (WEEK_SEED=${SEED} replays it), ${plan.length} events on the week's 10-minute slots`);

    // Before the week: A registers the 100 applicants; B has them (and has read the hall's feed) before it is cut off.
    const atA: number[] = [];
    for (const p of PEOPLE) atA.push((await A.call('applicants.create', { kind: 'person', name: p.name, idType: 'resident_id', idNumber: p.idNumber, phone: '13907196000' }, tok.A!)).id);
    const ids = PEOPLE.map((p) => p.idNumber);
    const atB = await waitFor(
      'B holds the 100 applicants',
      () => {
        const rows = deskRows<{ id: number; id_number: string }>(B, `SELECT id, id_number FROM applicants WHERE id_number IN (${ids.map(() => '?').join(',')})`, ...ids);
        return rows.length === PEOPLE.length ? new Map(rows.map((r) => [r.id_number, r.id])) : null;
      },
      60_000,
    );
    await waitFor('B read the feed to its end', () => deskRows<{ n: number }>(B, 'SELECT count(*) AS n FROM hall_sync_state')[0]!.n === 1 || null);
    await proxy.cut();
    await waitFor('B sees the hub unreachable', async () => (await B.call('sync.status', {}, tok.B!)).targets.find((t) => t.id === 'hub')?.reachable === false || null);
    const syncedAt = deskRows<{ caught_up_at: string }>(B, 'SELECT caught_up_at FROM hall_sync_state')[0]!.caught_up_at;
    const itemA = await commitmentItem(A, tok.A!);
    const itemB = await commitmentItem(B, tok.B!);

    // The week: from an hour after B's last copy, the hall's clock moves from slot to slot.
    const week0 = new Date(syncedAt).getTime() + 3_600_000;
    const signedAtB = new Map<number, { slot: number; commitmentId: number }>(); // barred person → B's case
    const recordedAt = new Map<number, number>(); // barred person → A's record slot
    const bCases: string[] = [];
    const aCases: string[] = [];
    const checks: { eligible: boolean; syncedAt: string | null | undefined }[] = [];
    let template: number | null = null; // B's first case of a clean person, taken at the window; the other clean ones are its clones
    const pendingClones: { applicantId: number; at: string; n: number }[] = [];
    const t0 = Date.now();
    const spent: Record<string, number> = { caseAtB: 0, caseAtA: 0, record: 0, check: 0 };
    for (const [i, { at, e }] of plan.entries()) {
      const te = Date.now();
      clock.setTo(new Date(week0 + at));
      const p = PEOPLE[e.person]!;
      if (e.kind === 'caseAtB' && e.person >= BARRED && template !== null) {
        // A clean person's case: loaded bench-style with the others of its run of such events.
        pendingClones.push({ applicantId: atB.get(p.idNumber)!, at: clock.now().toISOString(), n: bCases.length + pendingClones.length });
        const next = plan[i + 1];
        if (!next || next.e.kind !== 'caseAtB' || next.e.person < BARRED) bCases.push(...cloneCases(B, template, pendingClones.splice(0)));
      } else if (e.kind === 'caseAtB') {
        const c = await caseWithCommitment(B, tok.B!, itemB, atB.get(p.idNumber)!);
        bCases.push(c.caseNo);
        if (e.person < BARRED) signedAtB.set(e.person, { slot: at, commitmentId: c.commitmentId });
        else template = c.caseId;
      } else if (e.kind === 'caseAtA') {
        aCases.push((await caseWithCommitment(A, tok.A!, itemA, atA[e.person]!)).caseNo);
      } else if (e.kind === 'record') {
        const { id } = await A.call(
          'credit.recordOutside',
          { applicantId: atA[e.person]!, severity: '严重', source: '县人民法院', documentNo: `（2026）鄂0325执${100 + e.person}号`, decidedOn: '2026-11-20', reason: '列入失信被执行人名单' },
          tok.Aadmin!,
        );
        const key = deskRows<{ hall_key: string }>(A, 'SELECT hall_key FROM credit_records WHERE id = ?', id)[0]!.hall_key;
        // The hub holds it within its slot (before the clock moves on): its hub time is the slot's.
        const firstAt = await waitFor('the hub holds A’s record', async () => (await pool.query<{ first_at: Date }>(`SELECT first_at FROM records WHERE kind = 'credit' AND record_id = $1`, [key])).rows[0]?.first_at, 30_000, 20);
        expect(firstAt.getTime() - (week0 + at)).toBeGreaterThanOrEqual(-1000); // the offset is in whole seconds
        expect(firstAt.getTime() - (week0 + at)).toBeLessThan(SLOT_MS);
        recordedAt.set(e.person, at);
      } else {
        const s = await B.call('applicants.creditStatus', { id: atB.get(p.idNumber)! }, tok.B!);
        checks.push({ eligible: s.eligible, syncedAt: s.hallCopy?.syncedAt });
      }
      spent[e.kind]! += Date.now() - te;
    }
    console.log(`hub-offline-week: the week's ${plan.length} events took ${((Date.now() - t0) / 1000).toFixed(1)} s (${Object.entries(spent).map(([k, ms]) => `${k} ${(ms / 1000).toFixed(1)} s`).join(', ')})`);

    // B worked on its last copy all week: every check allowed the person (B knew none of A's records), from the same copy.
    expect(checks).toHaveLength(CHECKS);
    expect(checks.every((c) => c.eligible && c.syncedAt === syncedAt)).toBe(true);
    expect(bCases).toHaveLength(CASES_AT_B);
    expect(new Set(bCases).size).toBe(CASES_AT_B);
    expect(deskRows(B, 'SELECT count(*) AS n FROM hall_credit_flags')).toEqual([{ n: 0 }]);
    // At the week's end the copy is a week old.
    clock.setTo(new Date(week0 + WEEK_MS));
    const before = await B.call('applicants.creditStatus', { id: atB.get(PEOPLE[0]!.idNumber)! }, tok.B!);
    expect(before.hallCopy?.message).toMatch(/^全厅数据更新于 \d{4}-\d{2}-\d{2} \d{2}:\d{2}（7 天前）$/);

    // The expectation, from the schedule alone: a barred person's commitment at B is flagged iff B's slot came after A's.
    const expected = [...signedAtB].filter(([person, s]) => s.slot > recordedAt.get(person)!).map(([, s]) => s.commitmentId).sort((a, b) => a - b);
    console.log(`hub-offline-week: ${expected.length} of B's ${BARRED} commitments by barred people were signed after the hub held their record`);

    // B reconnects.
    const reconnectAt = clock.now().toISOString();
    const t1 = Date.now();
    await proxy.open();
    await waitFor('B’s cases all on the hub', async () => Number((await pool.query(`SELECT count(DISTINCT case_no) AS n FROM cases WHERE desk_id = 'desk-b'`)).rows[0].n) === CASES_AT_B || null, 120_000, 100);
    await waitFor('B’s outbox drained', () => hubEntries(dbFile(B.dataDir)).every((x) => x.state === 'acknowledged' || x.state === 'superseded') || null, 60_000, 100);
    // A was online all week, but its last pushes may still be on their way (ci-23: 19 of 20 when counted below): drained before B's feed is compared with the hub's.
    await waitFor('A’s outbox drained', () => hubEntries(dbFile(A.dataDir)).every((x) => x.state === 'acknowledged' || x.state === 'superseded') || null, 60_000, 100);
    await waitFor('B read the feed to its end since', () => (deskRows<{ caught_up_at: string }>(B, 'SELECT caught_up_at FROM hall_sync_state')[0]!.caught_up_at > reconnectAt ? true : null), 60_000, 100);
    await waitFor('B holds the hub’s whole feed', async () => {
      const last = Number((await pool.query('SELECT COALESCE(max(seq), 0) AS n FROM feed')).rows[0].n);
      return deskRows<{ n: number }>(B, 'SELECT count(*) AS n FROM hub_feed_records')[0]!.n === last || null;
    }, 60_000, 100);
    console.log(`hub-offline-week: reconnected, B caught up in ${((Date.now() - t1) / 1000).toFixed(1)} s`);

    // The hub: B's 500 cases and A's 20, each once (one row per case for B: its drafts were superseded while it waited).
    const cases = (await pool.query(`SELECT desk_id, count(*)::int AS n, count(DISTINCT case_no)::int AS cases FROM cases GROUP BY desk_id ORDER BY desk_id`)).rows;
    expect(cases.find((r) => r.desk_id === 'desk-b')).toEqual({ desk_id: 'desk-b', n: CASES_AT_B, cases: CASES_AT_B });
    expect(cases.find((r) => r.desk_id === 'desk-a')!.cases).toBe(CASES_AT_A);
    expect((await pool.query(`SELECT case_no FROM cases WHERE desk_id = 'desk-b' ORDER BY case_no`)).rows.map((r) => r.case_no)).toEqual([...bCases].sort());
    // Every record once: 100 applicants and 50 credit records (never repaired: version 1), none from B; the feed without a gap or a repeat.
    // (The cases' 协查 requests and verification tasks travel as records too — their own tests count them: hub-hall-assistance, hub-hall-tasks.)
    expect((await pool.query(`SELECT kind, count(*)::int AS n, max(last_version)::int AS v FROM records WHERE kind IN ('applicant', 'credit') GROUP BY kind ORDER BY kind`)).rows).toEqual([
      { kind: 'applicant', n: BARRED + CLEAN, v: 1 },
      { kind: 'credit', n: BARRED, v: 1 },
    ]);
    expect((await pool.query(`SELECT kind, desk_id, count(*)::int AS n FROM record_versions WHERE kind IN ('applicant', 'credit') GROUP BY kind, desk_id ORDER BY kind`)).rows).toEqual([
      { kind: 'applicant', desk_id: 'desk-a', n: BARRED + CLEAN },
      { kind: 'credit', desk_id: 'desk-a', n: BARRED },
    ]);
    const feed = (await pool.query(`SELECT count(*)::int AS n, count(DISTINCT (owner_desk, record_key))::int AS keys, max(seq)::int AS last FROM feed`)).rows[0];
    expect(feed.keys).toBe(feed.n);
    expect(feed.last).toBe(feed.n);
    // B holds the whole feed once, and A's 50 records once each.
    expect(deskRows(B, `SELECT count(*) AS n, count(DISTINCT record_key) AS keys, max(seq) AS last FROM hub_feed_records`)).toEqual([{ n: feed.n, keys: feed.n, last: feed.n }]);
    expect(deskRows(B, `SELECT count(*) AS n FROM credit_records WHERE origin_desk = 'desk-a'`)).toEqual([{ n: BARRED }]);
    expect(deskRows(B, `SELECT count(*) AS n FROM hall_record_outbox WHERE state <> 'acknowledged'`)).toEqual([{ n: 0 }]);

    // Exactly the expected commitments flagged, each with an open verification task.
    const flags = deskRows<{ commitment_id: number; task_id: number | null }>(B, 'SELECT commitment_id, task_id FROM hall_credit_flags ORDER BY commitment_id');
    expect(flags.map((f) => f.commitment_id)).toEqual(expected);
    // (The demo item samples every commitment at signing, so the flag points to the task already open for it.)
    const openTask = new Map(deskRows<{ commitment_id: number; id: number }>(B, `SELECT commitment_id, id FROM verification_tasks WHERE status = 'open'`).map((t) => [t.commitment_id, t.id]));
    expect(flags.filter((f) => f.task_id === null || openTask.get(f.commitment_id) !== f.task_id)).toEqual([]);
    expect(deskRows(B, `SELECT count(*) AS n FROM audit_log WHERE action = 'hub.commitmentFlagged' AND actor_username = 'system'`)).toEqual([{ n: expected.length }]);

    // The copy is fresh again, and B now refuses a barred person.
    const after = await B.call('applicants.creditStatus', { id: atB.get(PEOPLE[0]!.idNumber)! }, tok.B!);
    expect(after.hallCopy?.message).toMatch(/（刚刚）$/);
    expect(after.eligible).toBe(false);
  }, 300_000);
});
