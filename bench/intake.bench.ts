// Intake: the write path of one accepted case, and search on a store of 100,000 cases.
//
//   node scripts/build.mjs --main-only && node --import tsx bench/intake.bench.ts
//
// Knobs: BENCH_INTAKE_CASES (cases per shape, default 20), BENCH_INTAKE_PART
// (write | search | all, default all), BENCH_SEARCH_CASES (store size, default
// 100000 applicants and 100000 cases), BENCH_SEARCH_RUNS (timed calls per query,
// default 30), BENCH_SEARCH_BUDGET_MS (stop a query's repetitions after this much
// time, default 20000) and BENCH_SEARCH_MIN_RUNS (but time at least this many, default 3).
//
// Part 1, write path. createApp on a temp data dir (demo catalog), the data-sharing
// simulator on loopback in this process, signed in as zhangmin. Case shapes are chosen
// from catalog.listServiceItems: one service item or a pair whose merged certificates
// number exactly five, at least one retained; the best one with a commitment and the
// best one with a department verification (the demo catalog has no such pair with
// both). Each case, for a new applicant: intake.start → per certificate recordChoice +
// signCommitment (PNG signature; PDF in a worker thread) | queryDataSharing |
// requestAssistance | addMaterial (three ~200 KB JPEG-like pages in all across the
// retained certificates) → intake.transition to accepted, through the dispatcher.
// Baselines, on a second demo store in the same process, interleaved case by case:
//   db-steps  the same INSERT/UPDATE statements the services ran for that case (rows
//             read back from the app's store), one writeTx per step with its audit
//             entry: the same transactions and fsyncs, no dispatcher, checks, view
//             builds, file writes, PDF or HTTP
//   db-one-tx the same rows and audit entries in a single writeTx
// and references: intake.get of the accepted case (one view build; every step answers
// with one, transition with two), the commitment PDF job alone in a worker, and a
// worker that only starts (an unknown job). Worker threads start without the tsx loader,
// as in the packaged app (see LoaderFreeWorker below).
//
// Part 2, search. A store of 100,000 applicants and 100,000 cases is bulk-inserted
// (bench/search-store.ts) into a demo-seeded store, then opened with createApp and
// searched through the dispatcher as zhangmin. Each call is then run once more, untimed,
// with a statement profiler (better-sqlite3's Statement run/get/all wrapped for that call
// only): which SQL the handler really ran, how often and for how long. Calls slower than
// 50 ms get the EXPLAIN QUERY PLAN of their costly statements, with that recorded SQL.
import fs from 'node:fs';
import path from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import wt from 'node:worker_threads';
import Database from 'better-sqlite3-multiple-ciphers';
import { openDeskDb } from '../electron/store/store-cipher';
import { unlockStore } from '../electron/store/unlock-store';
import { createApp, type DeskApp } from '../electron/app/create-app';
import { openStore, type Db } from '../electron/store/open-store';
import { writeTx, type WriteContext } from '../electron/store/write';
import { runInWorker } from '../electron/workers/run-in-worker';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';
import { DEMO_CERTIFICATES } from '../electron/seed/demo-catalog';
import { startDataSharingPlatform, type PlatformRecord } from '../sim/data-sharing-platform';
import { signaturePng } from '../tests/helpers/png';
import { maskIdNumber } from '../shared/rules/id-number';
import type { MethodInput, MethodName, MethodOutput, ServiceItemView } from '../shared/ipc/contract';
import type { CaseView } from '../shared/ipc/methods/intake';
import type { ResponseEnvelope } from '../shared/ipc/envelope';
import { fillStore, prng, randomIdNumber, randomName, randomPhone } from './search-store';
import { emitResult, envInt, load1, median, nowMs, percentile, ROOT, table, tempDir } from './lib';

const CASES = envInt('BENCH_INTAKE_CASES', 20);
const PART = process.env.BENCH_INTAKE_PART ?? 'all';
const STORE_SIZE = envInt('BENCH_SEARCH_CASES', 100_000);
const SEARCH_RUNS = envInt('BENCH_SEARCH_RUNS', 30);
const SEARCH_BUDGET_MS = envInt('BENCH_SEARCH_BUDGET_MS', 20_000);
const SEARCH_MIN_RUNS = envInt('BENCH_SEARCH_MIN_RUNS', 3);
const SLOW_MS = 50;
const PAGE_BYTES = 200 * 1024;
const TOTAL_PAGES = 3;
const WARMUP_CASES = 1; // per shape, not counted

const f1 = (x: number) => x.toFixed(1);
const f2 = (x: number) => x.toFixed(2);
const mean = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
const stat = (xs: readonly number[]) => ({ n: xs.length, p50: percentile(xs, 50), p95: percentile(xs, 95), mean: mean(xs), min: Math.min(...xs), max: Math.max(...xs) });
type Stat = ReturnType<typeof stat>;

// ---------------------------------------------------------------- worker threads as packaged

/**
 * Under `node --import tsx` every worker thread inherits the tsx loader, which makes the
 * start of the app's PDF worker (a 6 MB CommonJS bundle that needs no loader) about 4x
 * slower than in the packaged app (~2 s against ~0.6 s on this machine). So the bench
 * starts workers as the packaged app does: `execArgv: []` unless the caller sets it.
 * runInWorker reads worker_threads.Worker at call time, so this reaches it unchanged.
 */
const InheritingWorker = wt.Worker;
class LoaderFreeWorker extends InheritingWorker {
  constructor(file: string | URL, options: wt.WorkerOptions = {}) {
    super(file, { execArgv: [], ...options });
  }
}
const setWorkerClass = (w: typeof wt.Worker) => ((wt as { Worker: typeof wt.Worker }).Worker = w);
setWorkerClass(LoaderFreeWorker);

// ---------------------------------------------------------------- dispatcher client

interface Client {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<MethodOutput<M>>;
}

async function signIn(app: DeskApp, username: string): Promise<Client> {
  let n = 0;
  const raw = async (method: string, input: unknown, session?: string) => {
    const r: ResponseEnvelope = await app.dispatcher.dispatch({ id: `i${++n}`, method, input, ...(session ? { session } : {}) }, { transport: 'bench' });
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const { token } = (await raw('auth.signIn', { username, password: DEMO_PASSWORD })) as { token: string };
  return { call: async (method, input) => (await raw(method, input, token)) as never };
}

// ---------------------------------------------------------------- part 1: the write path

interface Shape {
  key: 'with-commitment' | 'with-dept-verification';
  items: ServiceItemView[];
  certs: ServiceItemView['certificates'];
}

const ACTIVE = ['commitment', 'data_sharing', 'dept_verification', 'retained'] as const;

/** The circumstance answers under which every one of these certificates applies (适用情形), or null when none do. */
function allApply(certs: ServiceItemView['certificates']): Record<string, boolean> | null {
  const answers: Record<string, boolean> = {};
  for (const c of certs) {
    if (!c.circumstance) continue;
    if (c.circumstance.code in answers && answers[c.circumstance.code] !== c.circumstance.appliesWhen) return null;
    answers[c.circumstance.code] = c.circumstance.appliesWhen;
  }
  return answers;
}

/** Single items and pairs whose merged certificates number five, one retained at least; the best with a commitment and the best with a dept verification. */
function chooseShapes(items: ServiceItemView[]): Shape[] {
  const combos: ServiceItemView[][] = [];
  items.forEach((a, i) => {
    combos.push([a]);
    for (const b of items.slice(i + 1)) combos.push([a, b]);
  });
  const candidates = combos
    .map((c) => {
      const merged = new Map<number, ServiceItemView['certificates'][number]>();
      for (const it of c) for (const cert of it.certificates) if (!merged.has(cert.id)) merged.set(cert.id, cert);
      return { items: c, certs: [...merged.values()] };
    })
    .filter((c) => c.certs.length === 5 && c.certs.some((x) => x.method === 'retained') && allApply(c.certs) !== null && c.certs.every((x) => x.subject === '申请人本人'));
  const score = (c: (typeof candidates)[number]) => {
    const methods = new Set(c.certs.map((x) => x.method));
    return ACTIVE.filter((m) => methods.has(m)).length * 100 + c.certs.filter((x) => x.method === 'retained').length * 10 - c.items.length;
  };
  const best = (method: string) => candidates.filter((c) => c.certs.some((x) => x.method === method)).sort((a, b) => score(b) - score(a))[0];
  const shapes: Shape[] = [];
  const withCommitment = best('commitment');
  const withVerification = best('dept_verification');
  if (withCommitment) shapes.push({ key: 'with-commitment', ...withCommitment });
  if (withVerification && withVerification !== withCommitment) shapes.push({ key: 'with-dept-verification', ...withVerification });
  if (shapes.length === 0) throw new Error('no service item or pair with exactly five merged certificates including a retained one');
  return shapes;
}

interface Person {
  name: string;
  idNumber: string;
  phone: string;
}

type StepName = 'start' | 'recordChoice' | 'signCommitment' | 'queryDataSharing' | 'requestAssistance' | 'addMaterial' | 'transition';
const STEP_NAMES: StepName[] = ['start', 'recordChoice', 'signCommitment', 'queryDataSharing', 'requestAssistance', 'addMaterial', 'transition'];
interface StepRecord {
  step: StepName;
  certId: number | null;
  ms: number;
}

interface CaseInput {
  applicantId: number;
  signatureB64: string;
  pagesB64: string[];
}

/** One case through the dispatcher, each call timed. */
async function runCase(c: Client, shape: Shape, input: CaseInput): Promise<{ caseId: number; totalMs: number; steps: StepRecord[] }> {
  const steps: StepRecord[] = [];
  const timed = async (step: StepName, certId: number | null, fn: () => Promise<CaseView>) => {
    const t = nowMs();
    const v = await fn();
    steps.push({ step, certId, ms: nowMs() - t });
    return v;
  };
  const retained = shape.certs.filter((x) => x.method === 'retained').map((x) => x.id);
  // Three pages across the retained certificates: the first takes what the others leave.
  const pagesFor = new Map(retained.map((id, i) => [id, i === 0 ? TOTAL_PAGES - (retained.length - 1) : 1]));
  let nextPage = 0;

  const t0 = nowMs();
  let v = await timed('start', null, () => c.call('intake.start', { applicantId: input.applicantId, serviceItemIds: shape.items.map((i) => i.id), circumstances: allApply(shape.certs)! }));
  const caseId = v.id;
  for (const cert of v.certificates) {
    if (cert.state !== 'pending') continue; // 直接取消, or 由本件产生 by an earlier item of the pair
    const ref = { caseId, certificateItemId: cert.certificateItemId };
    if (cert.method === 'commitment') {
      v = await timed('recordChoice', cert.certificateItemId, () => c.call('intake.recordChoice', { ...ref, choice: 'commit' }));
      v = await timed('signCommitment', cert.certificateItemId, () => c.call('intake.signCommitment', { ...ref, signatureKind: 'pad', signaturePngBase64: input.signatureB64 }));
    } else if (cert.method === 'data_sharing') {
      v = await timed('queryDataSharing', cert.certificateItemId, () => c.call('intake.queryDataSharing', ref));
    } else if (cert.method === 'dept_verification') {
      v = await timed('requestAssistance', cert.certificateItemId, () => c.call('intake.requestAssistance', ref));
    } else if (cert.method === 'retained') {
      const n = pagesFor.get(cert.certificateItemId) ?? 1;
      const pages = input.pagesB64.slice(nextPage, (nextPage += n)).map((base64) => ({ mime: 'image/jpeg' as const, base64 }));
      v = await timed('addMaterial', cert.certificateItemId, () => c.call('intake.addMaterial', { ...ref, title: `${cert.name}（原件核对）`, validUntil: '2099-12-31', pages }));
    }
  }
  if (v.blockers.length) throw new Error(`case ${v.caseNo} still blocked: ${v.blockers.join('; ')}`);
  v = await timed('transition', null, () => c.call('intake.transition', { caseId, to: 'accepted' }));
  const totalMs = nowMs() - t0;
  if (v.status !== 'accepted') throw new Error(`case ${v.caseNo} not accepted`);
  if (nextPage !== TOTAL_PAGES) throw new Error(`case ${v.caseNo}: ${nextPage} pages attached, expected ${TOTAL_PAGES}`);
  return { caseId, totalMs, steps };
}

type Row = Record<string, string | number | null>;

/** What the full path wrote for one case, read back from the app's store (untimed). */
function capture(ro: Db, caseId: number, auditAfter: number) {
  const all = (sql: string, ...p: unknown[]) => ro.prepare(sql).all(...p) as Row[];
  const one = (sql: string, ...p: unknown[]) => ro.prepare(sql).get(...p) as Row;
  const files = new Map<string, Row>();
  const file = (sha: unknown) => {
    const s = String(sha);
    let f = files.get(s);
    if (!f) files.set(s, (f = one('SELECT * FROM files WHERE sha256 = ?', s)));
    return f;
  };
  const materials = all('SELECT m.*, cm.certificate_item_id FROM case_materials cm JOIN materials m ON m.id = cm.material_id WHERE cm.case_id = ?', caseId);
  return {
    case: one('SELECT * FROM cases WHERE id = ?', caseId),
    items: all('SELECT * FROM case_items WHERE case_id = ? ORDER BY position', caseId),
    certs: all('SELECT * FROM case_certificates WHERE case_id = ?', caseId),
    commitments: all('SELECT * FROM commitments WHERE case_id = ?', caseId).map((cm) => ({
      row: cm,
      task: one('SELECT * FROM verification_tasks WHERE commitment_id = ?', cm.id),
      signature: file(cm.signature_sha256),
      pdf: file(cm.pdf_sha256),
    })),
    queries: all('SELECT * FROM data_queries WHERE case_id = ?', caseId).map((q) => ({ row: q, evidence: q.evidence_sha256 ? file(q.evidence_sha256) : null })),
    requests: all('SELECT * FROM assistance_requests WHERE case_id = ?', caseId),
    materials: materials.map((m) => ({ row: m, pages: all('SELECT * FROM material_pages WHERE material_id = ? ORDER BY position', m.id).map((p) => file(p.file_sha256)) })),
    audits: all('SELECT action, entity_type, entity_id, detail FROM audit_log WHERE seq > ? ORDER BY seq', auditAfter).map((a) => ({
      action: String(a.action),
      entityType: a.entity_type === null ? null : String(a.entity_type),
      entityId: a.entity_id,
      detail: JSON.parse(String(a.detail)) as Record<string, unknown>,
    })),
  };
}
type Captured = ReturnType<typeof capture>;

/** Statements copied from the intake services, prepared once on the baseline store. */
function baselineStatements(db: Db) {
  return {
    seqUpsert: db.prepare('INSERT INTO case_number_seq (day, last) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET last = last + 1'),
    seqGet: db.prepare('SELECT last FROM case_number_seq WHERE day = ?'),
    insCase: db.prepare(
      `INSERT INTO cases (case_no, applicant_id, catalog_version_id, bundle_code, status, created_at, created_by, updated_at) VALUES (?, ?, ?, ?, 'draft', ?, ?, ?)`,
    ),
    insItem: db.prepare('INSERT INTO case_items (case_id, service_item_id, position) VALUES (?, ?, ?)'),
    insCert: db.prepare('INSERT INTO case_certificates (case_id, certificate_item_id, method, state, needed_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)'),
    setCert: db.prepare('UPDATE case_certificates SET state = ?, resolution = ?, method = COALESCE(?, method), updated_at = ? WHERE case_id = ? AND certificate_item_id = ?'),
    touch: db.prepare('UPDATE cases SET revision = revision + 1, updated_at = ? WHERE id = ?'),
    file: db.prepare('INSERT OR IGNORE INTO files (sha256, size, mime, created_at) VALUES (?, ?, ?, ?)'),
    insCommitment: db.prepare(
      `INSERT INTO commitments (case_id, certificate_item_id, applicant_id, template_version, template_sha256, signature_sha256, signature_kind,
         pdf_sha256, digest_alg, digest, signed_at, withdraw_deadline, created_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'SHA-256', ?, ?, ?, ?)`,
    ),
    insTask: db.prepare('INSERT INTO verification_tasks (commitment_id, method, sampled, due_at, status, created_at) VALUES (?, ?, ?, ?, ?, ?)'),
    insQuery: db.prepare(`INSERT INTO data_queries (case_id, certificate_item_id, status, request, created_at) VALUES (?, ?, 'queued', ?, ?)`),
    answerQuery: db.prepare('UPDATE data_queries SET status = ?, response = ?, evidence_sha256 = ?, attempts = attempts + 1, last_error = NULL, answered_at = ? WHERE id = ?'),
    openRequest: db.prepare(`SELECT id FROM assistance_requests WHERE case_id = ? AND certificate_item_id = ? AND status = 'open'`),
    insRequest: db.prepare(
      `INSERT INTO assistance_requests (case_id, certificate_item_id, department, mode, due_at, status, created_at, created_by) VALUES (?, ?, ?, ?, ?, 'open', ?, ?)`,
    ),
    insMaterial: db.prepare(
      `INSERT INTO materials (applicant_id, certificate_code, title, trust_grade, trust_note, valid_from, valid_until, source_case_id, created_at, created_by)
       VALUES (?, ?, ?, 'B', ?, ?, ?, ?, ?, ?)`,
    ),
    insPage: db.prepare('INSERT INTO material_pages (material_id, position, file_sha256) VALUES (?, ?, ?)'),
    insCaseMaterial: db.prepare('INSERT INTO case_materials (case_id, certificate_item_id, material_id, reused) VALUES (?, ?, ?, 0)'),
    accept: db.prepare(
      `UPDATE cases SET status = ?, status_reason = ?, accepted_at = CASE WHEN ? = 'accepted' THEN ? ELSE accepted_at END,
         accepted_by = CASE WHEN ? = 'accepted' THEN ? ELSE accepted_by END WHERE id = ?`,
    ),
  };
}
type BaselineStatements = ReturnType<typeof baselineStatements>;

/**
 * The writes of one captured case as closures, one per step in the order the full
 * path ran them, each with the step's own audit entry. `tag` keeps case numbers and
 * file hashes unique on the baseline store (so nothing is skipped as a duplicate).
 */
function replayPlan(st: BaselineStatements, cap: Captured, steps: StepRecord[], tag: string, applicantId: number, userId: number): ((w: WriteContext) => void)[] {
  if (cap.audits.length !== steps.length) throw new Error(`expected one audit entry per step (${steps.length}), found ${cap.audits.length}`);
  if (!/^[0-9a-f]{8}$/.test(tag)) throw new Error('tag must be 8 hex digits');
  const sha = (s: unknown) => String(s).slice(0, 56) + tag;
  let caseId = 0;
  const set = (w: WriteContext, certId: number, state: string, resolution: object) => {
    st.setCert.run(state, JSON.stringify(resolution), null, w.at.toISOString(), caseId, certId);
    st.touch.run(w.at.toISOString(), caseId);
  };
  const c = cap.case;
  return steps.map((s, k) => {
    const audit = cap.audits[k]!;
    const certId = s.certId ?? 0;
    let write: (w: WriteContext) => void;
    switch (s.step) {
      case 'start':
        write = (w) => {
          const day = String(c.case_no).split('-').find((part) => /^\d{8}$/.test(part))!; // <hall>-<yyyymmdd>-<epoch tag>-<nnnn>
          st.seqUpsert.run(day);
          st.seqGet.get(day);
          const iso = w.at.toISOString();
          caseId = Number(st.insCase.run(`${c.case_no}-${tag}`, applicantId, c.catalog_version_id, c.bundle_code, iso, userId, iso).lastInsertRowid);
          for (const it of cap.items) st.insItem.run(caseId, it.service_item_id, it.position);
          for (const cc of cap.certs) st.insCert.run(caseId, cc.certificate_item_id, cc.method, cc.method === 'cancelled' ? 'not_needed' : 'pending', cc.needed_by, iso);
        };
        break;
      case 'recordChoice':
        write = (w) => set(w, certId, 'pending', { choice: 'commit' });
        break;
      case 'signCommitment': {
        const cm = cap.commitments.find((x) => x.row.certificate_item_id === certId)!;
        const [sig, pdf] = [sha(cm.signature.sha256), sha(cm.pdf.sha256)];
        write = (w) => {
          st.file.run(sig, cm.signature.size, cm.signature.mime, w.at.toISOString());
          st.file.run(pdf, cm.pdf.size, cm.pdf.mime, w.at.toISOString());
          const r = cm.row;
          const id = Number(
            st.insCommitment.run(caseId, certId, applicantId, r.template_version, r.template_sha256, sig, r.signature_kind, pdf, r.digest, r.signed_at, r.withdraw_deadline, userId)
              .lastInsertRowid,
          );
          st.insTask.run(id, cm.task.method, cm.task.sampled, cm.task.due_at, cm.task.status, w.at.toISOString());
          set(w, certId, 'satisfied', { choice: 'commit' });
        };
        break;
      }
      case 'queryDataSharing': {
        const q = cap.queries.find((x) => x.row.certificate_item_id === certId)!;
        const ev = q.evidence ? sha(q.evidence.sha256) : null;
        write = (w) => {
          if (ev) st.file.run(ev, q.evidence!.size, q.evidence!.mime, w.at.toISOString());
          const id = Number(st.insQuery.run(caseId, certId, q.row.request, w.at.toISOString()).lastInsertRowid);
          st.answerQuery.run(q.row.status, q.row.response, ev, w.at.toISOString(), id);
          set(w, certId, 'satisfied', {});
        };
        break;
      }
      case 'requestAssistance': {
        const rq = cap.requests.find((x) => x.certificate_item_id === certId)!;
        write = (w) => {
          st.openRequest.get(caseId, certId);
          st.insRequest.run(caseId, certId, rq.department, rq.mode, rq.due_at, w.at.toISOString(), userId);
          set(w, certId, 'requested', {});
        };
        break;
      }
      case 'addMaterial': {
        const m = cap.materials.find((x) => x.row.certificate_item_id === certId)!;
        const pages = m.pages.map((p) => ({ sha: sha(p.sha256), size: p.size, mime: p.mime }));
        write = (w) => {
          const r = m.row;
          const id = Number(st.insMaterial.run(applicantId, r.certificate_code, r.title, r.trust_note, r.valid_from, r.valid_until, caseId, w.at.toISOString(), userId).lastInsertRowid);
          pages.forEach((p, pos) => {
            st.file.run(p.sha, p.size, p.mime, w.at.toISOString());
            st.insPage.run(id, pos, p.sha);
          });
          st.insCaseMaterial.run(caseId, certId, id);
          set(w, certId, 'presented', {});
        };
        break;
      }
      case 'transition':
        write = (w) => {
          st.accept.run('accepted', null, 'accepted', w.at.toISOString(), 'accepted', userId, caseId);
          st.touch.run(w.at.toISOString(), caseId);
        };
        break;
    }
    return (w: WriteContext) => {
      write(w);
      w.audit(audit);
    };
  });
}

/** Deterministic applicants for the write path, with simulator records for every data-sharing dataset of the demo catalog. */
function benchPeople(n: number): { people: Person[]; records: PlatformRecord[] } {
  const r = prng(4203250);
  const seen = new Set<string>();
  const people: Person[] = [];
  while (people.length < n) {
    const idNumber = randomIdNumber(r);
    if (seen.has(idNumber)) continue;
    seen.add(idNumber);
    people.push({ name: randomName(r), idNumber, phone: randomPhone(r) });
  }
  const datasets = DEMO_CERTIFICATES.filter((c) => c.method === 'data_sharing').map((c) => String(c.methodDetail.dataset ?? c.name));
  const records = people.flatMap((p) => datasets.map((dataset) => ({ dataset, idNumber: p.idNumber, data: { 姓名: p.name, 核验结果: '一致' } })));
  return { people, records };
}

/** ~200 KB of incompressible bytes behind a JPEG SOI/APP0 marker: what the service checks, and scan-sized. */
function pageB64(): string {
  const b = randomBytes(PAGE_BYTES);
  b[0] = 0xff;
  b[1] = 0xd8;
  b[2] = 0xff;
  b[3] = 0xe0;
  return b.toString('base64');
}

async function writePath() {
  const dirs: string[] = [];
  const shapesRun: Record<
    string,
    { shape: Shape; full: number[]; steps: Record<StepName, number[]>; stepCount: Record<StepName, number>; dbSteps: number[]; dbOneTx: number[]; get: number[]; overStartAccept: number[] }
  > = {};
  const pdfJob: number[] = [];
  const workerStart: number[] = [];
  const workerStartTsx: number[] = [];

  const nPeople = 2 * (CASES + WARMUP_CASES);
  const { people, records } = benchPeople(nPeople);
  const platform = await startDataSharingPlatform({ records });
  const appDir = tempDir('desk-bench-intake-');
  dirs.push(appDir);
  const app = await createApp({ dataDir: appDir, dataSharing: platform.url });
  const baseDir = tempDir('desk-bench-intake-base-');
  dirs.push(baseDir);
  let baseDb: Db | null = null;
  const appRo = openDeskDb(app.dbFile, { readonly: true });
  try {
    const c = await signIn(app, 'zhangmin');
    const shapes = chooseShapes(await c.call('catalog.listServiceItems', {}));

    // The baseline store: the same demo seed, opened like the app opens it (WAL, synchronous=FULL).
    (await createApp({ dataDir: baseDir })).close();
    unlockStore({ dataDir: baseDir, migrate: false });
    const opened = openStore({ file: path.join(baseDir, 'desk.sqlite'), migrationsDir: path.join(ROOT, 'migrations'), backupDir: path.join(baseDir, 'backups') });
    if (!opened.ok) throw new Error(`baseline store refused: ${opened.kind} ${opened.detail}`);
    baseDb = opened.db;
    const db = baseDb;
    const st = baselineStatements(db);
    const baseUser = db.prepare(`SELECT id, username FROM users WHERE username = 'zhangmin'`).get() as { id: number; username: string };
    const actor = { userId: baseUser.id, username: baseUser.username };
    const insApplicant = db.prepare(`INSERT INTO applicants (kind, name, id_type, id_number, phone, created_at, created_by) VALUES ('person', ?, 'resident_id', ?, ?, ?, ?)`);

    // Applicants on both stores (not timed).
    const applicants: { app: number; base: number }[] = [];
    for (const p of people) {
      const a = await c.call('applicants.create', { kind: 'person', name: p.name, idType: 'resident_id', idNumber: p.idNumber, phone: p.phone });
      const b = Number(insApplicant.run(p.name, p.idNumber, p.phone, new Date().toISOString(), baseUser.id).lastInsertRowid);
      applicants.push({ app: a.id, base: b });
    }

    const commitmentCert = DEMO_CERTIFICATES.find((x) => x.method === 'commitment' && x.methodDetail.noticeText)!;
    const sig0 = signaturePng().toString('base64');
    const emptySteps = () => Object.fromEntries(STEP_NAMES.map((s) => [s, [] as number[]])) as unknown as Record<StepName, number[]>;
    for (const s of shapes) {
      shapesRun[s.key] = { shape: s, full: [], steps: emptySteps(), stepCount: Object.fromEntries(STEP_NAMES.map((n) => [n, 0])) as Record<StepName, number>, dbSteps: [], dbOneTx: [], get: [], overStartAccept: [] };
    }

    let person = 0;
    for (let i = 0; i < CASES + WARMUP_CASES; i++) {
      const counted = i >= WARMUP_CASES;
      for (const s of shapes) {
        const acc = shapesRun[s.key]!;
        const who = applicants[person]!;
        const input: CaseInput = {
          applicantId: who.app,
          signatureB64: signaturePng(200 + person, 90).toString('base64'), // each applicant signs differently
          pagesB64: Array.from({ length: TOTAL_PAGES }, pageB64),
        };
        person++;
        const auditAfter = (appRo.prepare('SELECT max(seq) AS s FROM audit_log').get() as { s: number }).s;
        const run = await runCase(c, s, input);

        // Baselines: the same writes on the baseline store, per step and in one transaction.
        const cap = capture(appRo, run.caseId, auditAfter);
        const perStep = replayPlan(st, cap, run.steps, `a${i.toString(16).padStart(7, '0')}`, who.base, baseUser.id);
        let t = nowMs();
        for (const step of perStep) writeTx(db, actor, () => new Date(), step);
        const dbSteps = nowMs() - t;
        const oneTx = replayPlan(st, cap, run.steps, `b${i.toString(16).padStart(7, '0')}`, who.base, baseUser.id);
        t = nowMs();
        writeTx(db, actor, () => new Date(), (w) => oneTx.forEach((step) => step(w)));
        const dbOne = nowMs() - t;

        // One view build, as every step's answer carries one.
        const gets: number[] = [];
        for (let g = 0; g < 3; g++) {
          t = nowMs();
          await c.call('intake.get', { caseId: run.caseId });
          gets.push(nowMs() - t);
        }
        if (!counted) continue;
        acc.full.push(run.totalMs);
        acc.dbSteps.push(dbSteps);
        acc.dbOneTx.push(dbOne);
        acc.get.push(median(gets));
        const sums = emptySteps();
        for (const r of run.steps) sums[r.step].push(r.ms);
        for (const n of STEP_NAMES) {
          if (sums[n].length) acc.steps[n].push(sums[n].reduce((x, y) => x + y, 0));
          acc.stepCount[n] = sums[n].length;
        }
        acc.overStartAccept.push(run.totalMs / (sums.start[0]! + sums.transition[0]!));
      }

      // References: the commitment PDF job alone, and a worker that only starts.
      let t = nowMs();
      await runInWorker<string>('documents.commitmentPdf', {
        hall: { name: '房县政务服务中心' },
        caseNo: `420325-ZWFW-20261122-${String(9000 + i)}`,
        applicant: { name: '王芳', idLabel: '居民身份证', idNumberMasked: maskIdNumber('42032519880623004X') },
        certificate: { code: commitmentCert.code, name: commitmentCert.name, issuer: commitmentCert.issuer, legalBasis: commitmentCert.legalBasis },
        serviceItems: shapes[0]!.items.map((x) => x.name),
        template: { version: 'v1', noticeText: String(commitmentCert.methodDetail.noticeText), commitmentText: String(commitmentCert.methodDetail.commitmentText) },
        verification: { method: '网络核验', timeLimitDays: 5, samplingRatio: 1 },
        signaturePngBase64: sig0,
        signatureKind: 'pad',
        signedAt: new Date().toISOString(),
        digest: { alg: 'SHA-256', value: 'f'.repeat(64) },
        clerk: { displayName: '张敏' },
        withdrawDeadline: new Date(Date.now() + 5 * 86_400_000).toISOString(),
      });
      const pdfMs = nowMs() - t;
      t = nowMs();
      await runInWorker('bench.noSuchJob', {}).catch(() => undefined);
      const startMs = nowMs() - t;
      if (i >= WARMUP_CASES) {
        pdfJob.push(pdfMs);
        workerStart.push(startMs);
      }
    }
    // The artefact the loader-free workers avoid: a worker start that inherits tsx (3 samples).
    setWorkerClass(InheritingWorker);
    try {
      for (let k = 0; k < 3; k++) {
        const t = nowMs();
        await runInWorker('bench.noSuchJob', {}).catch(() => undefined);
        workerStartTsx.push(nowMs() - t);
      }
    } finally {
      setWorkerClass(LoaderFreeWorker);
    }
  } finally {
    appRo.close();
    app.close();
    baseDb?.close();
    await platform.close();
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }

  // ---- report
  const result: Record<string, unknown> = {};
  console.log(`\n-- part 1: intake write path, ${CASES} cases per shape (+${WARMUP_CASES} warm-up), through the dispatcher; baselines on a second store in this process`);
  for (const acc of Object.values(shapesRun)) {
    const s = acc.shape;
    const full = stat(acc.full);
    const dbSteps = stat(acc.dbSteps);
    const dbOne = stat(acc.dbOneTx);
    const get = stat(acc.get);
    const steps = Object.fromEntries(STEP_NAMES.filter((n) => acc.steps[n].length).map((n) => [n, { calls: acc.stepCount[n], ...stat(acc.steps[n]) }])) as Record<string, Stat & { calls: number }>;
    const totalMean = full.mean;
    const startAccept = steps.start!.p50 + steps.transition!.p50;
    const calls = Object.values(steps).reduce((n, x) => n + x.calls, 0);
    console.log(`\nshape ${s.key}: ${s.items.map((i) => i.name).join(' + ')}`);
    console.log(`  certificates: ${s.certs.map((x) => `${x.name} (${x.method})`).join('、')}`);
    console.log(
      table([
        ['step', 'calls/case', 'p50 ms', 'p95 ms', 'mean ms', 'share of total'],
        ...Object.entries(steps).map(([n, x]) => [n, String(x.calls), f1(x.p50), f1(x.p95), f1(x.mean), `${((x.mean / totalMean) * 100).toFixed(0)} %`]),
        ['whole case (full path)', String(calls), f1(full.p50), f1(full.p95), f1(full.mean), '100 %'],
        ['baseline db-steps', String(calls), f2(dbSteps.p50), f2(dbSteps.p95), f2(dbSteps.mean), ''],
        ['baseline db-one-tx', '1', f2(dbOne.p50), f2(dbOne.p95), f2(dbOne.mean), ''],
        ['intake.get (1 view build)', '', f2(get.p50), f2(get.p95), f2(get.mean), ''],
      ]),
    );
    const ratios = {
      fullOverDbStepsP50: full.p50 / dbSteps.p50,
      fullOverDbStepsMean: full.mean / dbSteps.mean,
      fullOverDbOneTxP50: full.p50 / dbOne.p50,
      fullOverStartAcceptP50: full.p50 / startAccept,
      fullOverStartAcceptPerCaseMedian: median(acc.overStartAccept),
    };
    const dominant = Object.entries(steps).sort((a, b) => b[1].mean - a[1].mean)[0]!;
    console.log(
      `  full / db-steps: ${f1(ratios.fullOverDbStepsP50)}x (p50), ${f1(ratios.fullOverDbStepsMean)}x (mean); full / db-one-tx: ${f1(ratios.fullOverDbOneTxP50)}x (p50); ` +
        `full / (start + accept): ${f1(ratios.fullOverStartAcceptP50)}x (p50s), ${f1(ratios.fullOverStartAcceptPerCaseMedian)}x (median of per-case ratios)`,
    );
    console.log(`  dominant step: ${dominant[0]} (${((dominant[1].mean / totalMean) * 100).toFixed(0)} % of the mean case); view builds per case: ${calls + 1} ≈ ${f1((calls + 1) * get.p50)} ms at the intake.get p50`);
    result[s.key] = { items: s.items.map((i) => i.name), certificates: s.certs.map((x) => ({ name: x.name, method: x.method })), full, steps, dbSteps, dbOneTx: dbOne, intakeGet: get, ratios };
  }
  const pdf = stat(pdfJob);
  const ws = stat(workerStart);
  const wsTsx = stat(workerStartTsx);
  console.log(
    `\nreferences: commitment PDF job alone in a fresh worker p50 ${f1(pdf.p50)} ms (p95 ${f1(pdf.p95)}); worker start only (unknown job) p50 ${f1(ws.p50)} ms (p95 ${f1(ws.p95)}); ` +
      `worker start inheriting the tsx loader (not used for the figures above) p50 ${f1(wsTsx.p50)} ms`,
  );
  return { shapes: result, commitmentPdfJob: pdf, workerStartOnly: ws, workerStartInheritingTsx: wsTsx };
}

// ---------------------------------------------------------------- part 2: search on a large store

interface StatementProfile {
  sql: string;
  /** The parameters of its first run, for EXPLAIN QUERY PLAN. */
  params: unknown[];
  calls: number;
  ms: number;
}

/**
 * Records the statements better-sqlite3 runs in this process (SQL, calls, time)
 * while `profile` runs: the SQL the services really execute, so the plans shown
 * stay right whatever the services are changed to. Installed only around one
 * untimed call, so the timed calls run on the unwrapped library.
 */
async function profile<T>(fn: () => Promise<T>): Promise<{ value: T; ms: number; statements: StatementProfile[] }> {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<'run' | 'get' | 'all', (...a: unknown[]) => unknown>;
  probe.close();
  const seen = new Map<string, StatementProfile>();
  const originals = { run: proto.run, get: proto.get, all: proto.all };
  for (const m of ['run', 'get', 'all'] as const) {
    const orig = originals[m];
    proto[m] = function (this: { source: string }, ...args: unknown[]) {
      const t = nowMs();
      try {
        return orig.apply(this, args);
      } finally {
        let e = seen.get(this.source);
        if (!e) seen.set(this.source, (e = { sql: this.source, params: args, calls: 0, ms: 0 }));
        e.calls++;
        e.ms += nowMs() - t;
      }
    };
  }
  try {
    const t = nowMs();
    const value = await fn();
    return { value, ms: nowMs() - t, statements: [...seen.values()].sort((a, b) => b.ms - a.ms) };
  } finally {
    Object.assign(proto, originals);
  }
}

function explain(ro: Db, sql: string, params: unknown[]): string[] {
  const rows = ro.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...params) as { id: number; parent: number; detail: string }[];
  const depth = new Map<number, number>([[0, 0]]);
  return rows.map((r) => {
    const d = (depth.get(r.parent) ?? 0) + 1;
    depth.set(r.id, d);
    return `${'  '.repeat(d)}${r.detail}`;
  });
}

/** One line; a long IN (?,?,…) list written as its length. */
const oneLine = (sql: string) =>
  sql
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\((\?,){9,}\?\)/g, (m) => `(?,?,… ${m.split('?').length - 1} parameters)`);

/** A statement in a table cell: from its top-level FROM (the select list says little), cut to 60 characters. */
function shortSql(sql: string): string {
  const s = oneLine(sql);
  let depth = 0;
  let from = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (depth === 0 && /^ FROM /i.test(s.slice(i, i + 6))) {
      from = i + 1;
      break;
    }
  }
  const tail = s.slice(from);
  return (from ? '…' : '') + (tail.length > 60 ? `${tail.slice(0, 60)}…` : tail);
}

interface SearchQuery {
  label: string;
  method: MethodName;
  input: Record<string, unknown>;
  /** Rows of the whole store containing the text (context for a LIMITed answer; the bench's own SQL). */
  matching?: { sql: string; params: unknown[] };
  note?: (value: unknown) => string;
}

async function searchPath() {
  const dir = tempDir('desk-bench-search-');
  try {
    // Migrate and seed through createApp, then bulk-insert with better-sqlite3.
    const seeded = await createApp({ dataDir: dir });
    const dbFile = seeded.dbFile;
    seeded.close();
    let t = nowMs();
    const store = fillStore(dbFile, STORE_SIZE, STORE_SIZE);
    const buildMs = nowMs() - t;
    const dbBytes = fs.statSync(dbFile).size;
    t = nowMs();
    const app = await createApp({ dataDir: dir, backups: false }); // no start-up backup of the filled store during the timings
    const openMs = nowMs() - t;
    if (app.state !== 'ready') throw new Error(`store not ready: ${JSON.stringify(app.problem)}`);
    const ro = openDeskDb(dbFile, { readonly: true });
    try {
      console.log(`\n-- part 2: search on a store of ${STORE_SIZE} applicants and ${STORE_SIZE} cases`);
      console.log(`built in ${f1(buildMs / 1000)} s (bulk insert, synchronous=OFF; context only), file ${f1(dbBytes / 1024 / 1024)} MiB; createApp on it (quick_check, sweep, wiring): ${f1(openMs)} ms`);
      console.log(`rows: ${Object.entries(store.counts.tables).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      console.log(`case statuses: ${Object.entries(store.counts.byStatus).map(([k, v]) => `${k} ${v}`).join(', ')}`);
      const openRequests = ro.prepare(`SELECT count(*) AS n, sum(due_at < ?) AS overdue FROM assistance_requests WHERE status = 'open'`).get(new Date().toISOString()) as { n: number; overdue: number };
      console.log(`open assistance requests: ${openRequests.n}, of them overdue: ${openRequests.overdue}`);
      let tableBytes: Record<string, number> = {};
      try {
        tableBytes = Object.fromEntries(
          (ro.prepare(`SELECT name, sum(pgsize) AS bytes FROM dbstat GROUP BY name ORDER BY bytes DESC LIMIT 10`).all() as { name: string; bytes: number }[]).map((x) => [x.name, x.bytes]),
        );
        console.log(`largest tables and indexes: ${Object.entries(tableBytes).map(([k, v]) => `${k} ${f1(v / 1024 / 1024)} MiB`).join(', ')}`);
      } catch {
        // dbstat is not compiled into every SQLite; the sizes are context only.
      }
      const c = await signIn(app, 'zhangmin');

      // Lookup targets, picked from the generated rows.
      const three = (() => {
        for (let i = Math.floor(STORE_SIZE * 0.37); ; i++) if ([...store.applicantAt(i).name].length === 3) return store.applicantAt(i);
      })();
      const byId = store.applicantAt(Math.floor(STORE_SIZE * 0.61));
      const last4 = byId.idNumber.slice(-4);
      const similar = store.applicantAt(Math.floor(STORE_SIZE * 0.52));
      const typoTarget = (() => {
        for (let i = Math.floor(STORE_SIZE * 0.9); ; i++) if (store.applicantAt(i).idNumber.startsWith('420325')) return store.applicantAt(i);
      })();
      // One digit off in the sequence number (18-digit IDs keep a valid shape; the check character then fails, as with a real typo).
      const typo = typoTarget.idNumber.slice(0, 15) + String((Number(typoTarget.idNumber[15]) + 1) % 10) + typoTarget.idNumber.slice(16);
      const oldCaseNo = store.caseNoAt(Math.floor(STORE_SIZE * 0.1));
      const newest = store.caseIdAt(STORE_SIZE - 1);
      const oldCase = store.caseIdAt(Math.floor(STORE_SIZE * 0.1));
      const appList = (q: string): Omit<SearchQuery, 'label'> => ({
        method: 'applicants.list',
        input: { query: q },
        matching: { sql: `SELECT count(*) AS n FROM applicants a WHERE a.name LIKE ? OR a.id_number LIKE ?`, params: [`%${q}%`, `%${q.toUpperCase()}`] },
      });
      const intakeList = (status: string | null, q: string | undefined): Omit<SearchQuery, 'label'> => ({
        method: 'intake.list',
        input: { ...(status ? { status } : {}), ...(q !== undefined ? { query: q } : {}) },
        matching: {
          sql: `SELECT count(*) AS n FROM cases c JOIN applicants a ON a.id = c.applicant_id WHERE (? IS NULL OR c.status = ?) AND (c.case_no LIKE ? OR a.name LIKE ?)`,
          params: [status, status, `%${q ?? ''}%`, `%${q ?? ''}%`],
        },
      });
      const found = (id: number) => (v: unknown) => `target found: ${(v as { applicant: { id: number } }[]).some((m) => m.applicant.id === id) ? 'yes' : 'NO'}`;
      const queries: SearchQuery[] = [
        { ...appList('王芳'), label: `applicants.list '王芳' (two-character name)` },
        { ...appList(three.name), label: `applicants.list '${three.name}' (three-character name)` },
        { ...appList(last4), label: `applicants.list '${last4}' (last 4 of an ID number)` },
        { ...intakeList(null, undefined), label: 'intake.list (no filter, first page of 50)' },
        { ...intakeList('verifying', undefined), label: `intake.list status 'verifying'` },
        { ...intakeList(null, '王芳'), label: `intake.list '王芳'` },
        { ...intakeList(null, oldCaseNo), label: `intake.list '${oldCaseNo}' (case number)` },
        {
          label: `applicants.findSimilar name+phone '${similar.name}' ${similar.phone}`,
          method: 'applicants.findSimilar',
          input: { name: similar.name, idNumber: '', phone: similar.phone },
          note: found(similar.id),
        },
        {
          label: `applicants.findSimilar ID with one typo (${maskIdNumber(typo)}, name '${typoTarget.name}', other phone)`,
          method: 'applicants.findSimilar',
          input: { name: typoTarget.name, idNumber: typo, phone: '13900000000' },
          note: found(typoTarget.id),
        },
        { label: `intake.get newest case (${store.caseNoAt(STORE_SIZE - 1)})`, method: 'intake.get', input: { caseId: newest } },
        { label: `intake.get old case (${oldCaseNo})`, method: 'intake.get', input: { caseId: oldCase } },
      ];

      // Interleaved rounds; each query stops at SEARCH_RUNS, or once over budget with SEARCH_MIN_RUNS done.
      // Calls over 1 s are not warmed up separately: their first call counts.
      const lat = queries.map(() => [] as number[]);
      const rows = queries.map(() => 0);
      const notes = queries.map(() => '');
      const spent = queries.map(() => 0);
      for (const [i, q] of queries.entries()) {
        const t0 = nowMs();
        const v = await c.call(q.method, q.input as never);
        const ms = nowMs() - t0;
        rows[i] = Array.isArray(v) ? v.length : 1;
        notes[i] = q.note?.(v) ?? '';
        if (ms > 1000) {
          lat[i]!.push(ms);
          spent[i]! += ms;
        }
      }
      const wants = (i: number) => lat[i]!.length < SEARCH_RUNS && (lat[i]!.length < SEARCH_MIN_RUNS || spent[i]! < SEARCH_BUDGET_MS);
      while (queries.some((_, i) => wants(i))) {
        for (const [i, q] of queries.entries()) {
          if (!wants(i)) continue;
          const t0 = nowMs();
          await c.call(q.method, q.input as never);
          const ms = nowMs() - t0;
          lat[i]!.push(ms);
          spent[i]! += ms;
        }
      }
      const stats = lat.map((xs) => stat(xs));

      // One more, untimed call of each with the statement profiler: where its time goes.
      const profiles: { value: unknown; ms: number; statements: StatementProfile[] }[] = [];
      for (const q of queries) profiles.push(await profile(() => c.call(q.method, q.input as never)));
      const top = profiles.map((p) => {
        const s = p.statements[0];
        return s ? { sql: oneLine(s.sql), calls: s.calls, ms: s.ms, share: s.ms / p.ms, statements: p.statements.length, sqlMs: p.statements.reduce((x, y) => x + y.ms, 0) } : null;
      });
      const matching = queries.map((q) => (q.matching ? (ro.prepare(q.matching.sql).get(...q.matching.params) as { n: number }).n : null));
      console.log(
        table([
          ['call', 'rows', 'containing in store', 'runs', 'p50 ms', 'p95 ms', 'in SQL', 'costliest statement (calls, share of the call)', ''],
          ...queries.map((q, i) => {
            const tp = top[i];
            return [
              q.label,
              String(rows[i]),
              matching[i] === null ? '' : String(matching[i]),
              String(stats[i]!.n),
              f1(stats[i]!.p50),
              f1(stats[i]!.p95),
              tp ? `${((tp.sqlMs / profiles[i]!.ms) * 100).toFixed(0)} %` : '',
              tp ? `${shortSql(tp.sql)} (×${tp.calls}, ${(tp.share * 100).toFixed(0)} %)` : '',
              [stats[i]!.p50 > SLOW_MS ? `> ${SLOW_MS} ms` : '', notes[i]].filter(Boolean).join('; '),
            ];
          }),
        ]),
      );

      // Plans of the statements behind the slow calls: those taking >= 5 % of the profiled call, each statement once.
      const plans = new Map<string, { sql: string; plan: string[]; usedBy: string[] }>();
      for (const [i, q] of queries.entries()) {
        if (stats[i]!.p50 <= SLOW_MS) continue;
        for (const s of profiles[i]!.statements) {
          if (s.ms < 0.05 * profiles[i]!.ms) continue;
          const share = `${q.label}: ×${s.calls}, ${f1(s.ms)} ms of ${f1(profiles[i]!.ms)} ms`;
          const entry = plans.get(s.sql);
          if (entry) entry.usedBy.push(share);
          else plans.set(s.sql, { sql: oneLine(s.sql), plan: explain(ro, s.sql, s.params), usedBy: [share] });
        }
      }
      if (plans.size) console.log(`\nEXPLAIN QUERY PLAN of the statements taking >= 5 % of a call over ${SLOW_MS} ms (SQL as run by the services, recorded from better-sqlite3):`);
      for (const p of plans.values()) {
        console.log(`\n  ${p.sql}`);
        for (const u of p.usedBy) console.log(`    in ${u}`);
        for (const line of p.plan) console.log(`  ${line}`);
      }
      app.close();
      return {
        storeSize: STORE_SIZE,
        buildMs,
        dbBytes,
        createAppOnStoreMs: openMs,
        counts: store.counts,
        openRequests,
        tableBytes,
        queries: queries.map((q, i) => ({
          label: q.label,
          method: q.method,
          input: q.input,
          rows: rows[i],
          containing: matching[i],
          note: notes[i],
          ...stats[i]!,
          profiled: { ms: profiles[i]!.ms, statements: profiles[i]!.statements.slice(0, 5).map((s) => ({ sql: oneLine(s.sql), calls: s.calls, ms: s.ms })) },
        })),
        plans: [...plans.values()],
      };
    } finally {
      ro.close();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A fingerprint of the code and schema under test: other engineers change the services while
 * benches run, so runs are comparable only when this matches.
 */
function codeFingerprint(): string {
  const h = createHash('sha256');
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.(ts|sql)$/.test(e.name)) h.update(path.relative(ROOT, p)).update(fs.readFileSync(p));
    }
  };
  for (const d of ['electron', 'shared', 'migrations']) walk(path.join(ROOT, d));
  return h.digest('hex').slice(0, 12);
}

async function main(): Promise<void> {
  const loadAtStart = load1();
  const code = codeFingerprint();
  console.log(`intake bench: load avg ${loadAtStart}, node ${process.version}, code fingerprint ${code} (electron/, shared/, migrations/)`);
  const write = PART === 'search' ? null : await writePath();
  const search = PART === 'write' ? null : await searchPath();
  emitResult({ bench: 'intake', load1AtStart: loadAtStart, codeFingerprint: code, cases: CASES, storeSize: STORE_SIZE, write, search });
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
