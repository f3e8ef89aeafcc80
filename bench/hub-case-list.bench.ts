// The supervisor's hall-wide case list (docs/hub.md, "The supervisor's hall case list"): one page of
// `GET /v1/hall/case-list` — signed request, the hub's nonce, ONE SQL on `hall_case_latest` (keyset on
// its index), signed answer — against a hall of BENCH_CASE_LIST_CASES (100 000) cases of 10 windows
// (a third drafts), for the pages a supervisor asks: the first, one window's, a deep page (the cursor
// after BENCH_CASE_LIST_DEPTH (50) pages), status + item name, and an accepted-date range. Also prints
// the plan PostgreSQL chooses for each (index or not).
//
// Real parts: a throwaway PostgreSQL 15 cluster (fsync on), the hub in its own process, a desk's
// HubConnector (Ed25519). The cases are written by SQL straight into `cases` (the trigger keeps
// `hall_case_latest`, as for a push), so loading them is not what is measured.
//
//   node --import tsx bench/hub-case-list.bench.ts        # or: node bench/run.mjs hub-case-list   (~1 min)
import pg from 'pg';
import { connector, enrolledDesks, hubDatabase, removeDesks, spawnHub, startCluster } from './hub-support';
import { emitResult, envInt, load1, nowMs, percentile, table } from './lib';

const CASES = envInt('BENCH_CASE_LIST_CASES', 100_000);
const DEPTH = envInt('BENCH_CASE_LIST_DEPTH', 50);
const RUNS = envInt('BENCH_CASE_LIST_RUNS', 30);
const PAGE = 20;

async function load(pool: pg.Pool, windows: readonly string[]): Promise<void> {
  await pool.query(
    `INSERT INTO cases (desk_id, idempotency_key, case_no, revision, document, desk_schema, feed_seq)
     SELECT ($1::text[])[g % $2 + 1], 'bench/' || g, 'FX-' || lpad(g::text, 7, '0'), 1,
       jsonb_build_object(
         'caseNo', 'FX-' || lpad(g::text, 7, '0'),
         'status', (ARRAY['accepted', 'completed', 'draft'])[g % 3 + 1],
         'acceptedAt', CASE WHEN g % 3 = 2 THEN NULL ELSE to_char((timestamptz '2026-01-01 00:00+00' + g * interval '3 minutes') AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') END,
         'applicant', jsonb_build_object('kind', 'person', 'name', '张三', 'idType', 'resident_id', 'idNumber', '420325197903150016'),
         'items', jsonb_build_array(jsonb_build_object('name', (ARRAY['婚姻登记', '最低生活保障', '残疾人证办理', '出生医学证明'])[g % 4 + 1])),
         'certificates', '[]'::jsonb),
       22, 1000000 + g
     FROM generate_series(1, $3) g`,
    [windows, windows.length, CASES],
  );
  await pool.query('ANALYZE hall_case_latest');
}

async function main(): Promise<void> {
  const cluster = await startCluster({ prefix: 'pfd-bench-pg-' });
  const url = await hubDatabase(cluster, 'hub_case_list');
  const desks = await enrolledDesks(10, [url], 'win');
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  const t0 = nowMs();
  await load(pool, desks.map((d) => d.deskId));
  const loadMs = nowMs() - t0;
  const held = Number((await pool.query<{ n: string }>('SELECT count(*) AS n FROM hall_case_latest')).rows[0]!.n);
  console.log(`  ${held} cases of ${desks.length} windows in hall_case_latest (loaded in ${(loadMs / 1000).toFixed(1)} s)`);
  const hub = await spawnHub(url);
  const c = connector(hub.card, hub.port, desks[0]!);
  const page = async (q: string) => {
    const r = await c.request('GET', `/v1/hall/case-list?limit=${PAGE}${q}`);
    if (r.status !== 200) throw new Error(`case list ${q}: ${r.status} ${JSON.stringify(r.json)}`);
    return r.json as { cases: unknown[]; next: string | null };
  };
  // The cursor after DEPTH pages.
  let after = '';
  for (let i = 0; i < DEPTH; i++) after = `&after=${(await page(after)).next!}`;
  const kinds: [string, string][] = [
    ['first page', ''],
    ['one window', `&window=${desks[3]!.deskId}`],
    [`page ${DEPTH + 1}`, after],
    ['status + item', `&status=completed&item=${encodeURIComponent('生活保障')}`],
    ['accepted range', `&acceptedFrom=2026-02-01T00:00:00.000Z&acceptedTo=2026-02-08T00:00:00.000Z`],
    ['item, rare', `&item=${encodeURIComponent('不存在')}`],
  ];
  const rows: string[][] = [['page', 'rows', 'median', 'p95', 'plan']];
  const results: Record<string, { median: number; p95: number; rows: number }> = {};
  for (const [name, q] of kinds) {
    const times: number[] = [];
    let n = 0;
    for (let i = 0; i < RUNS; i++) {
      const s = nowMs();
      n = (await page(q)).cases.length;
      times.push(nowMs() - s);
    }
    const med = percentile(times, 50);
    const p95 = percentile(times, 95);
    results[name] = { median: Number(med.toFixed(2)), p95: Number(p95.toFixed(2)), rows: n };
    rows.push([name, String(n), `${med.toFixed(1)} ms`, `${p95.toFixed(1)} ms`, await plan(pool, q, desks[3]!.deskId)]);
  }
  console.log(table(rows));
  await hub.stop();
  await pool.end();
  cluster.stop();
  removeDesks(desks);
  emitResult({ cases: held, windows: desks.length, pageSize: PAGE, depth: DEPTH, runs: RUNS, load1: load1(), pages: results });
}

/** The index (or scan) PostgreSQL picks for the page's SQL, as the hub writes it (hub/hall-case-list.ts). */
async function plan(pool: pg.Pool, q: string, window: string): Promise<string> {
  const where: string[] = [];
  if (q.includes('window=')) where.push(`l.desk_id = '${window}'`);
  if (q.includes('status=')) where.push(`l.status = 'completed'`);
  if (q.includes('item=')) where.push(`l.items ILIKE '%${decodeURIComponent(/item=([^&]*)/.exec(q)![1]!)}%'`);
  if (q.includes('acceptedFrom=')) where.push(`l.accepted_at >= '2026-02-01T00:00:00Z' AND l.sort_at >= '2026-02-01T00:00:00Z' AND l.accepted_at < '2026-02-08T00:00:00Z' AND l.sort_at < '2026-02-08T00:00:00Z'`);
  if (q.includes('after=')) where.push(`(l.sort_at, l.desk_id, l.case_no) < (now() - interval '1 year', 'x', 'x')`);
  const text = (
    await pool.query<{ 'QUERY PLAN': string }>(
      `EXPLAIN SELECT l.*, d.name FROM hall_case_latest l JOIN desks d USING (desk_id) ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY l.sort_at DESC, l.desk_id DESC, l.case_no DESC LIMIT ${PAGE + 1}`,
    )
  ).rows.map((r) => r['QUERY PLAN']);
  return text.find((l) => /Index|Seq Scan/.test(l))?.trim().replace(/\s+\(cost.*$/, '') ?? text[0]!;
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
