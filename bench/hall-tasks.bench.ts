// The supervisor's 全厅 verification board (verification.hallBoard, docs/hub.md "Verification tasks
// across the hall"): this desk's own tasks from its tables and the other windows' from hall_tasks,
// one relation filtered, counted, ordered and paged in SQL.
//
//   node scripts/build.mjs --main-only && node bench/run.mjs hall-tasks
//   (or: node --import tsx bench/hall-tasks.bench.ts)
//
// Knobs: BENCH_HALL_OWN_TASKS (this desk's tasks, default 20000: bulk-filled cases as intake writes
// them, bench/search-store.ts), BENCH_HALL_OTHER_TASKS (other windows' summaries, default 80000 over
// 4 windows, states by a seeded draw: 9 % open of which a third past due), BENCH_HALL_RUNS (timed
// calls per figure, default 20). Timed through the real dispatcher (session, role, zod), as admin.
import { createApp } from '../electron/app/create-app';
import { DEMO_PASSWORD } from '../electron/seed/seed-demo';
import type { ResponseEnvelope } from '../shared/ipc/envelope';
import { fillStore, prng } from './search-store';
import { emitResult, envInt, load1, median, nowMs, percentile, table, tempDir } from './lib';
import { openDeskDb } from '../electron/store/store-cipher';

const OWN = envInt('BENCH_HALL_OWN_TASKS', 20_000);
const OTHER = envInt('BENCH_HALL_OTHER_TASKS', 80_000);
const RUNS = envInt('BENCH_HALL_RUNS', 20);
const WINDOWS = ['一号窗口', '二号窗口', '四号窗口', '五号窗口'];
const DAY = 86_400_000;
const f1 = (n: number) => n.toFixed(1);

/** Other windows' summaries as a desk holds them after pulling the feed. */
function fillOthers(dbFile: string, n: number, now: Date, seed = 20261206): void {
  const r = prng(seed);
  const db = openDeskDb(dbFile);
  db.pragma('synchronous = OFF');
  const insert = db.prepare(
    `INSERT INTO hall_tasks (task_key, owner_desk, task_id, window, case_no, applicant_masked, certificate, source, state, status, due_at, assignee_username, assignee_name, holder_name, outcome, updated_at, received_at)
     VALUES (@key, @desk, @id, @window, @caseNo, '王*', '无犯罪记录证明', 'sampled', @state, @status, @due, @au, @an, @holder, @outcome, @at, @at)`,
  );
  const assistants = [['chenjing', '陈静'], ['lisi', '李思'], ['wangwu', '王五']] as const;
  db.transaction(() => {
    for (let i = 1; i <= n; i++) {
      const w = (i - 1) % WINDOWS.length;
      const x = r();
      const who = assistants[Math.floor(r() * assistants.length)]!;
      let state: string;
      let status: string;
      if (x < 0.2) [state, status] = ['exempt', 'exempt'];
      else if (x < 0.88) [state, status] = ['passed', 'passed'];
      else if (x < 0.9) [state, status] = ['failed', 'failed'];
      else if (x < 0.91) [state, status] = ['cancelled', 'cancelled'];
      else {
        const y = r();
        status = 'open';
        state = y < 0.4 ? 'unassigned' : y < 0.75 ? 'assigned' : y < 0.9 ? 'in_field' : 'escalated';
      }
      const due = new Date(now.getTime() + (status === 'open' && r() < 0.35 ? -1 : 1) * Math.floor(1 + r() * 20) * DAY).toISOString();
      insert.run({
        key: `desk-${w + 1}:${i}`, desk: `desk-${w + 1}`, id: i, window: WINDOWS[w], caseNo: `420325-ZWFW-20261101-W${w + 1}-${String(i).padStart(6, '0')}`,
        state, status, due, au: state === 'unassigned' ? null : who[0], an: state === 'unassigned' ? null : who[1], holder: state === 'in_field' ? who[1] : null,
        outcome: status === 'passed' ? 'true' : status === 'failed' ? 'false' : null, at: now.toISOString(),
      });
    }
  })();
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
}

async function main() {
  console.log(`hall board bench: ${OWN} own tasks, ${OTHER} other windows' tasks, ${RUNS} runs per figure, load ${load1()}`);
  const dir = tempDir('desk-bench-hall-tasks-');
  const seeded = await createApp({ dataDir: dir });
  const dbFile = seeded.dbFile;
  seeded.close();
  let t = nowMs();
  const cases = Math.ceil(OWN / 0.78);
  fillStore(dbFile, Math.ceil(cases * 0.8), cases);
  const trim = openDeskDb(dbFile);
  trim.prepare('DELETE FROM verification_tasks WHERE id > (SELECT id FROM verification_tasks ORDER BY id LIMIT 1 OFFSET ?)').run(OWN - 1);
  trim.prepare('DELETE FROM hall_task_dirty').run();
  const own = trim.prepare('SELECT count(*) FROM verification_tasks').pluck().get() as number;
  trim.close();
  const now = new Date();
  fillOthers(dbFile, OTHER, now);
  console.log(`store built in ${f1((nowMs() - t) / 1000)} s: ${own} own tasks`);
  t = nowMs();
  const app = await createApp({ dataDir: dir });
  if (app.state !== 'ready') throw new Error(`store not ready: ${JSON.stringify(app.problem)}`);
  let n = 0;
  const call = async (method: string, input: unknown, session?: string) => {
    const r: ResponseEnvelope = await app.dispatcher.dispatch({ id: `b${++n}`, method, input, ...(session ? { session } : {}) }, { transport: 'bench' });
    if (!r.ok) throw new Error(`${method}: ${r.error.code} ${r.error.message}`);
    return r.value;
  };
  const { token } = (await call('auth.signIn', { username: 'admin', password: DEMO_PASSWORD })) as { token: string };

  const figures: { name: string; p50: number; p95: number; max: number; cpuP50: number; total: number; rows: number }[] = [];
  const measure = async (name: string, input: Record<string, unknown>) => {
    const answer = (await call('verification.hallBoard', input, token)) as { tasks: unknown[]; total: number };
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const t0 = nowMs();
      const c0 = process.cpuUsage();
      await call('verification.hallBoard', input, token);
      const c = process.cpuUsage(c0);
      times.push(nowMs() - t0);
      cpu.push((c.user + c.system) / 1000); // what the call costs whatever else runs on the machine
    }
    figures.push({ name, p50: median(times), p95: percentile(times, 95), max: Math.max(...times), cpuP50: median(cpu), total: answer.total, rows: answer.tasks.length });
  };
  await measure('first page (default states)', { page: 1, pageSize: 20 });
  await measure('one window (二号窗口)', { deskId: 'desk-2', page: 1, pageSize: 20 });
  await measure('this window only', { deskId: 'local', page: 1, pageSize: 20 });
  await measure('待分派', { states: ['unassigned'], page: 1, pageSize: 20 });
  await measure('assignee 陈静', { assignee: 'chenjing', page: 1, pageSize: 20 });
  await measure('only overdue', { overdueOnly: true, page: 1, pageSize: 20 });
  await measure('deep page (default states, page 1000)', { page: 1000, pageSize: 20 });
  console.log(
    '\n' +
      table([
        ['figure', 'p50', 'p95', 'max', 'CPU p50', 'matching', 'rows'],
        ...figures.map((f) => [f.name, `${f1(f.p50)} ms`, `${f1(f.p95)} ms`, `${f1(f.max)} ms`, `${f1(f.cpuP50)} ms`, String(f.total), String(f.rows)]),
      ]),
  );
  console.log(`\nslowest p95: ${f1(Math.max(...figures.map((f) => f.p95)))} ms; load at the end ${load1()}`);
  app.close();
  emitResult({ own, other: OTHER, figures });
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
