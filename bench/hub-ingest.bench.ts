// Hub ingest: 50 desks pushing cases concurrently through the hub's real HTTP API, against plain
// multi-row INSERTs of the same rows into the same PostgreSQL.
//
//   node bench/run.mjs hub-ingest          (or: node --import tsx bench/hub-ingest.bench.ts)
//
// Knobs: BENCH_HUB_DESKS (default 50), BENCH_HUB_CASES (cases per desk, default 100),
// BENCH_HUB_INFLIGHT (pushes in flight per desk, default 1: a desk's hub target sends up to 4, but
// 50 desks × 1 already keeps the hub's 16 pool connections busy), BENCH_HUB_BATCH (rows per
// INSERT statement of the baseline, default 500), BENCH_HUB_ROUNDS (default 2: hub, insert,
// insert, hub — ABBA; hub-sql between them).
//
// One throwaway PostgreSQL 15 cluster (hub/cluster.ts: fsync on, the hub's migrations); every
// variant of every round writes into a fresh database of it, so no round finds the rows of another.
//   hub      the hub as its own process (hub/main.ts serve); 50 desks, each with its own Ed25519
//            key enrolled, push through the desk's own client (HubConnector: the request signed,
//            the hub's answer verified against the pinned key) `POST /v1/cases` with the document
//            of a real accepted case, all desks at once. Each push is one transaction on the hub:
//            its nonce, the case row, the feed counter and the feed item.
//   insert   **baseline**: the same case rows and feed items (same keys, numbers, documents), from
//            this process over one connection, `BATCH` rows per multi-row INSERT into `cases` and
//            into `feed` and the counter moved, one transaction per batch.
//   hub-sql  reference: the hub's own statements for each push (nonce, look-up, savepoint, counter,
//            case row, feed item), one transaction per push, over 16 connections (the hub's pool)
//            from this process: what the hub costs without HTTP, signatures and JSON.
//   hub-sql-seq  (BENCH_HUB_DIAG=1 only) hub-sql with nextval of a plain sequence instead of the
//            counter row: not gap-safe, a diagnosis of what the counter row's lock costs.
// Reported: rows (cases) per second of each, the ratio hub / insert, the CPU seconds the bench
// process (the 50 desks' clients), the hub and PostgreSQL spent in each timed window, and the
// latency of one push (p50 / p95 / max) as a desk saw it.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { emitResult, envInt, load1, median, nowMs, percentile, table } from './lib';
import { connector, CpuWindow, enrolledDesks, enrolIn, fmtCpu, hubDatabase, inParallel, pushBody, realCaseDocument, removeDesks, spawnHub, startCluster, type BenchDesk, type Cluster } from './hub-support';
import type { CaseDocument } from '../electron/services/sync/case-document';

const DESKS = envInt('BENCH_HUB_DESKS', 50);
const CASES = envInt('BENCH_HUB_CASES', 100);
const INFLIGHT = envInt('BENCH_HUB_INFLIGHT', 1);
const BATCH = envInt('BENCH_HUB_BATCH', 500);
const ROUNDS = envInt('BENCH_HUB_ROUNDS', 2);
const POOL = 16; // the hub's pg pool (hub/main.ts)
const WARM = 2; // untimed pushes per desk first (code paths compiled, connections open)

type Variant = 'hub' | 'hub-sql' | 'hub-sql-seq' | 'insert';
/** BENCH_HUB_DIAG=1 adds `hub-sql-seq`: hub-sql with a plain sequence for the feed number instead of the counter row (NOT gap-safe: diagnosis only — how much the counter row's lock costs). */
const DIAG = process.env.BENCH_HUB_DIAG === '1';
interface Run {
  variant: Variant;
  round: number;
  rows: number;
  ms: number;
  perS: number;
  cpu: ReturnType<CpuWindow['end']>;
  pushMs?: { p50: number; p95: number; max: number };
  load1AtStart: number;
}

async function main() {
  const load1AtStart = load1();
  console.log(`hub-ingest bench: ${DESKS} desks × ${CASES} cases, ${INFLIGHT} in flight per desk, baseline ${BATCH} rows per INSERT, ${ROUNDS} rounds, load ${load1AtStart}`);
  const cluster = await startCluster({ prefix: 'bench-hub-ingest-' });
  const doc = await realCaseDocument();
  console.log(`case document: ${Buffer.byteLength(JSON.stringify(doc))} bytes of JSON`);
  const desks = await enrolledDesks(DESKS, []);
  const runs: Run[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round++) {
      const order: Variant[] = ['hub', 'hub-sql', ...(DIAG ? (['hub-sql-seq'] as const) : []), 'insert'];
      for (const variant of round % 2 ? order : [...order].reverse()) {
        const url = await hubDatabase(cluster, `ingest_${variant.replaceAll('-', '_')}_${round}`);
        await enrolIn(desks, [url]);
        const r = variant === 'hub' ? await viaHub(cluster, url, desks, doc, round) : variant === 'hub-sql' || variant === 'hub-sql-seq' ? await viaHubSql(cluster, url, desks, doc, round, variant) : await viaInsert(cluster, url, desks, doc, round);
        await check(url, DESKS * (CASES + WARM));
        runs.push(r);
        console.log(
          `  round ${round} ${variant}: ${r.perS.toFixed(0)} rows/s (${r.rows} in ${(r.ms / 1000).toFixed(1)} s)` +
            (r.pushMs ? `, one push p50 ${r.pushMs.p50.toFixed(1)} / p95 ${r.pushMs.p95.toFixed(1)} / max ${r.pushMs.max.toFixed(1)} ms` : '') +
            `; ${fmtCpu(r.cpu)}; load ${r.load1AtStart}`,
        );
      }
    }
  } finally {
    cluster.stop();
    removeDesks(desks);
  }
  const rate = (v: Variant) => median(runs.filter((r) => r.variant === v).map((r) => r.perS));
  const hub = rate('hub');
  const ins = rate('insert');
  const sql = rate('hub-sql');
  const seqRate = rate('hub-sql-seq');
  console.log(
    table([
      ['figure', 'value'],
      [`hub: ${DESKS} desks pushing (median of ${ROUNDS})`, `${hub.toFixed(0)} rows/s`],
      [`insert: multi-row INSERTs, ${BATCH} per statement (baseline)`, `${ins.toFixed(0)} rows/s`],
      ['ratio hub / insert', `×${(hub / ins).toFixed(3)}`],
      [`reference hub-sql: the hub's statements, one transaction per push, ${POOL} connections`, `${sql.toFixed(0)} rows/s (×${(sql / ins).toFixed(3)} insert; hub ×${(hub / sql).toFixed(2)} of it)`],
      ...(DIAG ? [[`diagnosis hub-sql-seq: the same with a sequence instead of the counter row`, `${seqRate.toFixed(0)} rows/s (×${(seqRate / sql).toFixed(2)} hub-sql)`]] : []),
    ]),
  );
  emitResult({ desks: DESKS, casesPerDesk: CASES, inflight: INFLIGHT, batch: BATCH, rounds: ROUNDS, hubPerS: hub, insertPerS: ins, hubSqlPerS: sql, ...(DIAG ? { hubSqlSeqPerS: seqRate } : {}), ratio: hub / ins, runs, load1AtStart });
}

async function viaHub(cluster: Cluster, url: string, desks: BenchDesk[], doc: CaseDocument, round: number): Promise<Run> {
  const hub = await spawnHub(url);
  try {
    const clients = desks.map((d) => connector(hub.card, hub.port, d));
    const push = async (k: number, i: number): Promise<number> => {
      const t = nowMs();
      const r = await clients[k]!.request('POST', '/v1/cases', pushBody(doc, desks[k]!.deskId, i));
      if (r.status !== 201) throw new Error(`push ${desks[k]!.deskId}/${i} answered ${r.status}: ${JSON.stringify(r.json)}`);
      return nowMs() - t;
    };
    await Promise.all(desks.map(async (_, k) => inParallel(WARM, INFLIGHT, (i) => push(k, i))));
    const load1AtStart = load1();
    const cpu = new CpuWindow(hub.pid, cluster);
    const start = nowMs();
    const lat = (await Promise.all(desks.map(async (_, k) => inParallel(CASES, INFLIGHT, (i) => push(k, WARM + i))))).flat();
    const ms = nowMs() - start;
    const rows = DESKS * CASES;
    return { variant: 'hub', round, rows, ms, perS: (rows / ms) * 1000, cpu: cpu.end(), pushMs: { p50: percentile(lat, 50), p95: percentile(lat, 95), max: Math.max(...lat) }, load1AtStart };
  } finally {
    await hub.stop();
  }
}

/** The rows a push writes (its case row and its feed item), BATCH per multi-row INSERT, one transaction per batch. */
async function viaInsert(cluster: Cluster, url: string, desks: BenchDesk[], doc: CaseDocument, round: number): Promise<Run> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  // The same rows as the hub writes, in the same interleaving of desks.
  const all: { deskId: string; body: ReturnType<typeof pushBody> }[] = [];
  for (let i = 0; i < WARM + CASES; i++) for (const d of desks) all.push({ deskId: d.deskId, body: pushBody(doc, d.deskId, i) });
  let seq = 0;
  const write = async (rows: typeof all) => {
    await db.query('BEGIN');
    const cp: unknown[] = [];
    const fp: unknown[] = [];
    const cv: string[] = [];
    const fv: string[] = [];
    for (const r of rows) {
      const s = ++seq;
      const b = cp.length;
      cv.push(`($${b + 1}, $${b + 2}, $${b + 3}, $${b + 4}, $${b + 5}, $${b + 6}, $${b + 7})`);
      cp.push(r.deskId, r.body.idempotencyKey, r.body.caseNo, r.body.revision, r.body.document, 0, s);
      const f = fp.length;
      fv.push(`('hall', $${f + 1}, 'case', $${f + 2}, $${f + 3}, $${f + 4})`);
      fp.push(s, r.deskId, r.body.idempotencyKey, { caseNo: r.body.caseNo, revision: r.body.revision, document: r.body.document });
    }
    await db.query(`INSERT INTO cases (desk_id, idempotency_key, case_no, revision, document, desk_schema, feed_seq) VALUES ${cv.join(', ')}`, cp);
    await db.query(`INSERT INTO feed (hall_id, seq, kind, owner_desk, record_key, body) VALUES ${fv.join(', ')}`, fp);
    await db.query(`UPDATE feed_counter SET last_seq = $1 WHERE hall_id = 'hall'`, [seq]);
    await db.query('COMMIT');
  };
  try {
    const warm = all.slice(0, DESKS * WARM);
    for (let i = 0; i < warm.length; i += BATCH) await write(warm.slice(i, i + BATCH));
    const timed = all.slice(DESKS * WARM);
    const load1AtStart = load1();
    const cpu = new CpuWindow(process.pid, cluster);
    const start = nowMs();
    for (let i = 0; i < timed.length; i += BATCH) await write(timed.slice(i, i + BATCH));
    const ms = nowMs() - start;
    const c = cpu.end();
    return { variant: 'insert', round, rows: timed.length, ms, perS: (timed.length / ms) * 1000, cpu: { ...c, hubCpuS: 0 }, load1AtStart };
  } finally {
    await db.end();
  }
}

/**
 * Reference: the hub's own SQL for each push (the statements of hub/server.ts pushCase: nonce,
 * look-up, savepoint, counter, case row, feed item, COMMIT — one transaction per push) from this
 * process over as many connections as the hub's pool, without HTTP, signatures or JSON handling.
 */
async function viaHubSql(cluster: Cluster, url: string, desks: BenchDesk[], doc: CaseDocument, round: number, variant: 'hub-sql' | 'hub-sql-seq'): Promise<Run> {
  const db = new pg.Pool({ connectionString: url, max: POOL });
  if (variant === 'hub-sql-seq') await db.query('CREATE SEQUENCE bench_feed_seq');
  const counter = variant === 'hub-sql' ? `UPDATE feed_counter SET last_seq = last_seq + 1 WHERE hall_id = 'hall' RETURNING last_seq` : `SELECT nextval('bench_feed_seq') AS last_seq`;
  const one = async (deskId: string, body: ReturnType<typeof pushBody>) => {
    const c = await db.connect();
    try {
      await c.query('BEGIN');
      await c.query(`INSERT INTO request_nonces (desk_id, nonce, expires_at) VALUES ($1, $2, now() + interval '10 minutes')`, [deskId, randomBytes(16).toString('hex')]);
      await c.query('SELECT case_no, feed_seq FROM cases WHERE desk_id = $1 AND idempotency_key = $2', [deskId, body.idempotencyKey]);
      await c.query('SAVEPOINT before_feed');
      const seq = Number((await c.query<{ last_seq: string }>(counter)).rows[0]!.last_seq);
      await c.query(`INSERT INTO cases (desk_id, idempotency_key, case_no, revision, document, desk_schema, feed_seq) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING`, [deskId, body.idempotencyKey, body.caseNo, body.revision, body.document, 0, seq]);
      await c.query(`INSERT INTO feed (hall_id, seq, kind, owner_desk, record_key, body) VALUES ('hall', $1, 'case', $2, $3, $4)`, [seq, deskId, body.idempotencyKey, { caseNo: body.caseNo, revision: body.revision, document: body.document }]);
      await c.query('COMMIT');
    } finally {
      c.release();
    }
  };
  try {
    const all = (from: number, n: number) => desks.flatMap((d) => Array.from({ length: n }, (_, i) => ({ deskId: d.deskId, body: pushBody(doc, d.deskId, from + i) })));
    const warm = all(0, WARM);
    await inParallel(warm.length, POOL, (i) => one(warm[i]!.deskId, warm[i]!.body));
    const timed = all(WARM, CASES);
    const load1AtStart = load1();
    const cpu = new CpuWindow(process.pid, cluster);
    const start = nowMs();
    await inParallel(timed.length, POOL, (i) => one(timed[i]!.deskId, timed[i]!.body));
    const ms = nowMs() - start;
    if (variant === 'hub-sql-seq') await db.query(`UPDATE feed_counter SET last_seq = (SELECT max(seq) FROM feed) WHERE hall_id = 'hall'`); // for check()
    return { variant, round, rows: timed.length, ms, perS: (timed.length / ms) * 1000, cpu: { ...cpu.end(), hubCpuS: 0 }, load1AtStart };
  } finally {
    await db.end();
  }
}

/** Every row once, a gap-free feed numbered 1..n. */
async function check(url: string, n: number): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const r = (await db.query(`SELECT (SELECT count(*) FROM cases) AS cases, (SELECT count(*) FROM feed) AS feed, (SELECT max(seq) FROM feed) AS max, (SELECT last_seq FROM feed_counter) AS counter`)).rows[0];
    const got = [r.cases, r.feed, r.max, r.counter].map(Number);
    if (got.some((x) => x !== n)) throw new Error(`expected ${n} cases and feed items numbered 1..${n}, got cases/feed/max/counter ${got.join('/')}`);
  } finally {
    await db.end();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
