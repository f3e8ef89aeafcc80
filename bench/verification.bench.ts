// The supervisor's verification board (核查任务) on a store of 80,000 verification tasks.
//
//   node scripts/build.mjs --main-only && node bench/run.mjs verification
//   (or: node --import tsx bench/verification.bench.ts)
//
// Knobs: BENCH_VERIFICATION_TASKS (default 80000), BENCH_VERIFICATION_RUNS (timed calls per
// figure, default 30), BENCH_VERIFICATION_BASELINE_RUNS (the old full load, default 3),
// (The indexes it once measured as a proposal are migration 0011_verification_board.sql now.)
//
// The store: createApp (migrations, demo hall) and bulk-filled by bench/search-store.ts with enough
// cases (their commitments and verification tasks as intake writes them); tasks past the wanted
// count are removed; then each task is given a state by a seeded draw, a mix a county hall could
// have after a few years: 20 % not sampled (exempt), 68 % true, 2 % false, 1 % cancelled, 9 % open
// (of these 40 % unassigned, 35 % assigned, 15 % out in the field, 10 % escalated; 35 % past due).
//
// Timed through the real dispatcher (session, role, zod input and output), signed in as admin:
// the first page as the board opens (default states, page size 20), filtered pages, a deep page;
// and, as the baseline, the board as it was before it was paged (every task loaded and turned into
// a view on the main thread, then sorted and filtered in JS: the code of aa80b38, kept below).
import { openDeskDb } from '../electron/store/store-cipher';
import { createApp, type DeskApp } from '../electron/app/create-app';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';
import type { ResponseEnvelope } from '../shared/ipc/envelope';
import { TASK_STATES, type TaskState, type TaskView } from '../shared/ipc/methods/verification';
import { TASK_SELECT, toTaskView, type TaskRow } from '../electron/services/verification/task-rows';
import type { Db } from '../electron/store/open-store';
import { fillStore, prng } from './search-store';
import { emitResult, envInt, load1, median, nowMs, percentile, table, tempDir } from './lib';

const TASKS = envInt('BENCH_VERIFICATION_TASKS', 80_000);
const RUNS = envInt('BENCH_VERIFICATION_RUNS', 30);
const BASELINE_RUNS = envInt('BENCH_VERIFICATION_BASELINE_RUNS', 3);
const PAGE_SIZE = 20;
/** Indexes a migration 0009 could add; measured as a second variant on the same store. */
const DAY = 86_400_000;

/** Gives every task a state by a seeded draw (see the header); returns the mix. */
function spreadStates(dbFile: string, now: Date, seed = 20261206): Record<string, number> {
  const r = prng(seed);
  const db = openDeskDb(dbFile);
  db.pragma('synchronous = OFF');
  try {
    const users = (role: string) => (db.prepare('SELECT id FROM users WHERE role = ? ORDER BY id').pluck().all(role) as number[]);
    const assistants = users('assistant');
    if (assistants.length === 0) throw new Error('the demo hall has no assistant');
    const supervisor = users('supervisor')[0]!;
    const mix: Record<string, number> = {};
    const update = db.prepare(
      `UPDATE verification_tasks SET sampled = @sampled, status = @status, due_at = @due, assigned_to = @assigned, assigned_at = @assignedAt,
         checked_out_by = @out, checked_out_at = @outAt, checkout_key = @key, package_id = @pkg, escalated_at = @escalated,
         outcome = @outcome, outcome_at = @outcomeAt, outcome_by = @outcomeBy, result = @result WHERE id = @id`,
    );
    const ids = db.prepare('SELECT id, created_at FROM verification_tasks ORDER BY id').all() as { id: number; created_at: string }[];
    db.transaction(() => {
      for (const { id, created_at } of ids) {
        const x = r();
        const created = Date.parse(created_at);
        const who = assistants[Math.floor(r() * assistants.length)]!;
        const row = {
          id,
          sampled: 1,
          status: 'open',
          due: new Date(created + 20 * DAY).toISOString() as string | null,
          assigned: null as number | null,
          assignedAt: null as string | null,
          out: null as number | null,
          outAt: null as string | null,
          key: null as string | null,
          pkg: null as string | null,
          escalated: null as string | null,
          outcome: null as string | null,
          outcomeAt: null as string | null,
          outcomeBy: null as number | null,
          result: '{}',
        };
        let state: string;
        if (x < 0.2) {
          Object.assign(row, { sampled: 0, status: 'exempt', due: null });
          state = 'exempt';
        } else if (x < 0.9) {
          const ok = x < 0.88;
          Object.assign(row, {
            status: ok ? 'passed' : 'failed',
            outcome: ok ? 'true' : 'false',
            outcomeAt: new Date(created + 12 * DAY).toISOString(),
            outcomeBy: supervisor,
            result: JSON.stringify({ note: ok ? '经电话及网络核验，承诺属实。' : '经实地核查，承诺内容与事实不符。' }),
          });
          state = ok ? 'passed' : 'failed';
        } else if (x < 0.91) {
          Object.assign(row, { status: 'cancelled' });
          state = 'cancelled';
        } else {
          // Open: due 35 % in the past (overdue), the rest within the next 20 days.
          row.due = new Date(now.getTime() + (r() < 0.35 ? -1 - r() * 30 : 1 + r() * 20) * DAY).toISOString();
          const y = r();
          if (y < 0.4) state = 'unassigned';
          else {
            Object.assign(row, { assigned: who, assignedAt: new Date(now.getTime() - 5 * DAY).toISOString() });
            if (y < 0.75) state = 'assigned';
            else if (y < 0.9) {
              Object.assign(row, { out: who, outAt: new Date(now.getTime() - 2 * DAY).toISOString(), key: `k${id}`.padEnd(64, '0'), pkg: `bench-${id}` });
              state = 'in_field';
            } else {
              Object.assign(row, { assigned: null, escalated: new Date(now.getTime() - DAY).toISOString(), outcome: 'unable' });
              state = 'escalated';
            }
          }
        }
        mix[state] = (mix[state] ?? 0) + 1;
        update.run(row);
      }
    })();
    db.pragma('wal_checkpoint(TRUNCATE)');
    return mix;
  } finally {
    db.close();
  }
}

/** The board before it was paged (aa80b38): every task loaded, viewed, filtered and sorted in JS. */
function oldFullBoard(db: Db, now: Date, states?: TaskState[]): { tasks: TaskView[]; counts: Record<string, number> } {
  const wanted = new Set(states?.length ? states : TASK_STATES.filter((s) => s !== 'exempt' && s !== 'cancelled'));
  const rows = db.prepare(`${TASK_SELECT} ORDER BY t.id`).all() as TaskRow[];
  const counts: Record<string, number> = Object.fromEntries(TASK_STATES.map((s) => [s, 0]));
  const picked: TaskRow[] = [];
  for (const r of rows) {
    counts[r.state] = (counts[r.state] ?? 0) + 1;
    if (wanted.has(r.state)) picked.push(r);
  }
  const tasks = picked.map((r) => toTaskView(db, r, now));
  const rank = (t: TaskView) => (t.overdue ? 0 : t.outcome === null || t.outcome === 'unable' ? 1 : 2);
  tasks.sort((a, b) => rank(a) - rank(b) || (a.dueAt ?? '9999').localeCompare(b.dueAt ?? '9999') || a.id - b.id);
  return { tasks, counts };
}

async function signIn(app: DeskApp, username: string) {
  let n = 0;
  const call = async (method: string, input: unknown, session?: string) => {
    const r: ResponseEnvelope = await app.dispatcher.dispatch({ id: `b${++n}`, method, input, ...(session ? { session } : {}) }, { transport: 'bench' });
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const { token } = (await call('auth.signIn', { username, password: DEMO_PASSWORD })) as { token: string };
  return (method: string, input: unknown) => call(method, input, token);
}

interface Figure {
  name: string;
  input: Record<string, unknown>;
  p50: number;
  p95: number;
  max: number;
  /** CPU time of this process per call (user + system): what the call costs whatever else runs on the machine. */
  cpuP50: number;
  runs: number;
  total: number;
  rows: number;
}

const f1 = (n: number) => n.toFixed(1);

async function main() {
  console.log(`verification board bench: ${TASKS} tasks, ${RUNS} runs per figure, load ${load1()}`);
  const dir = tempDir('desk-bench-verification-');
  const seeded = await createApp({ dataDir: dir });
  const dbFile = seeded.dbFile;
  seeded.close();
  let t = nowMs();
  // ~0.81 verification tasks per generated case (bench/search-store.ts); a few more cases, then trim.
  const cases = Math.ceil(TASKS / 0.78);
  fillStore(dbFile, Math.ceil(cases * 0.8), cases);
  const trim = openDeskDb(dbFile);
  const made = (trim.prepare('SELECT count(*) FROM verification_tasks').pluck().get() as number);
  if (made < TASKS) throw new Error(`only ${made} tasks generated for ${TASKS}`);
  trim.prepare('DELETE FROM verification_tasks WHERE id > (SELECT id FROM verification_tasks ORDER BY id LIMIT 1 OFFSET ?)').run(TASKS - 1);
  trim.close();
  const now = new Date();
  const mix = spreadStates(dbFile, now);
  const buildMs = nowMs() - t;
  t = nowMs();
  const app = await createApp({ dataDir: dir });
  console.log(`store built in ${f1(buildMs / 1000)} s (${cases} cases, bulk insert), opened by createApp in ${f1(nowMs() - t)} ms`);
  console.log(`task states: ${Object.entries(mix).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (app.state !== 'ready') throw new Error(`store not ready: ${JSON.stringify(app.problem)}`);
  const admin = await signIn(app, 'admin');
  const chen = await signIn(app, 'chenjing');

  const figures: Figure[] = [];
  const measure = async (name: string, input: Record<string, unknown>, as = admin) => {
    const answer = (await as('verification.board', input)) as { tasks: unknown[]; total: number }; // warm-up
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = nowMs();
      const c0 = process.cpuUsage();
      await as('verification.board', input);
      const c = process.cpuUsage(c0);
      times.push(nowMs() - t0);
      cpu.push((c.user + c.system) / 1000);
    }
    const f = { name, input, p50: median(times), p95: percentile(times, 95), max: Math.max(...times), cpuP50: median(cpu), runs: RUNS, total: answer.total, rows: answer.tasks.length };
    figures.push(f);
    return f;
  };
  const lookup = openDeskDb(dbFile, { readonly: true });
  const oneCaseNo = lookup
    .prepare(`SELECT c.case_no FROM verification_tasks t JOIN commitments cm ON cm.id = t.commitment_id JOIN cases c ON c.id = cm.case_id WHERE t.status = 'open' ORDER BY t.id LIMIT 1 OFFSET 100`)
    .pluck()
    .get() as string;
  lookup.close();
  const measureAll = async (label: string) => {
    await measure(label + 'first page (default states)', { page: 1, pageSize: PAGE_SIZE });
    await measure(label + 'filtered: 待分派', { states: ['unassigned'], page: 1, pageSize: PAGE_SIZE });
    await measure(label + 'filtered: 已分派, page 3', { states: ['assigned'], page: 3, pageSize: PAGE_SIZE });
    await measure(label + 'filtered: only overdue', { overdueOnly: true, page: 1, pageSize: PAGE_SIZE });
    await measure(label + 'filtered: 核查属实 (largest state)', { states: ['passed'], page: 1, pageSize: PAGE_SIZE });
    await measure(label + "filtered: query '王芳'", { query: '王芳', page: 1, pageSize: PAGE_SIZE });
    await measure(label + 'filtered: query by a case number', { query: oneCaseNo, page: 1, pageSize: PAGE_SIZE });
    await measure(label + 'filtered: query by a year of case numbers (stress)', { query: '420325-ZWFW-2026', page: 1, pageSize: PAGE_SIZE });
    await measure(label + 'mine (assistant 陈静)', { mine: true, page: 1, pageSize: PAGE_SIZE }, chen);
    await measure(label + 'deep page (default states, page 2000)', { page: 2000, pageSize: PAGE_SIZE });
  };
  await measureAll('');

  // Baseline in the same process and store: the old full load (not through the dispatcher: its
  // output of ~60,000 views would also be checked by zod, which only adds to it).
  const ro = openDeskDb(dbFile, { readonly: true }) as unknown as Db;
  const baseline: number[] = [];
  const baselineCpu: number[] = [];
  let baselineRows = 0;
  for (let i = 0; i < BASELINE_RUNS; i++) {
    const t0 = nowMs();
    const c0 = process.cpuUsage();
    baselineRows = oldFullBoard(ro, new Date()).tasks.length;
    const c = process.cpuUsage(c0);
    baseline.push(nowMs() - t0);
    baselineCpu.push((c.user + c.system) / 1000);
  }
  const baseP50 = median(baseline);
  const baseCpu = median(baselineCpu);
  // The same first page as the old full load (both orders put the open tasks first, by due date).
  const oldFirst = oldFullBoard(ro, now).tasks.slice(0, PAGE_SIZE).map((x) => x.id);
  const newFirst = ((await admin('verification.board', { page: 1, pageSize: PAGE_SIZE })) as { tasks: { id: number }[] }).tasks.map((x) => x.id);
  const samePage = JSON.stringify(oldFirst) === JSON.stringify(newFirst);
  console.log(`first page identical to the old full load's first ${PAGE_SIZE}: ${samePage ? 'yes' : `NO\n  old ${oldFirst.join(',')}\n  new ${newFirst.join(',')}`}`);
  if (!samePage) process.exitCode = 1;

  console.log(
    '\n' +
      table([
        ['figure', 'p50', 'p95', 'max', 'CPU p50', 'matching', 'rows', 'old full load / p50'],
        ...figures.map((f) => [f.name, `${f1(f.p50)} ms`, `${f1(f.p95)} ms`, `${f1(f.max)} ms`, `${f1(f.cpuP50)} ms`, String(f.total), String(f.rows), `${Math.round(baseP50 / f.p50)}×`]),
        ['baseline: old full load (default states)', `${f1(baseP50)} ms`, '', `${f1(Math.max(...baseline))} ms`, `${f1(baseCpu)} ms`, String(baselineRows), String(baselineRows), `(${BASELINE_RUNS} runs)`],
      ]),
  );
  const worst = Math.max(...figures.map((f) => f.p95));
  console.log(`\nslowest p95: ${f1(worst)} ms (target: under 100 ms); load at the end ${load1()}`);
  app.close();
  emitResult({ tasks: TASKS, mix, figures, baseline: { p50: baseP50, cpuP50: baseCpu, runs: baseline, rows: baselineRows }, samePage });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
