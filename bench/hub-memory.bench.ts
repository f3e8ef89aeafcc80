// Hub memory: the RSS of the hub process while desks page through the feed and push, with 100,000
// and with 1,000,000 cases held.
//
//   node bench/run.mjs hub-memory          (or: node --import tsx bench/hub-memory.bench.ts)
//
// Knobs: BENCH_HUB_MEM_SIZES (cases held, default "100000,1000000"), BENCH_HUB_DESKS (default 50),
// BENCH_HUB_PAGES (feed pages per desk per run, default 20), BENCH_HUB_PAGE (items per page,
// default 200 — the desk's page size; the hub serves at most 1000), BENCH_HUB_ROUNDS (default 2:
// the sizes in order, then reversed — ABBA).
//
// One throwaway PostgreSQL 15 cluster. The bulk is seeded with SQL (generate_series: the document
// of a real accepted case under a new case number, its feed item, the counter; 100,000 rows per
// transaction; then ANALYZE), into one database per size: the smallest is seeded, each larger one
// is a copy of the one before (CREATE DATABASE … TEMPLATE) with the difference added. Then, per
// size and round, a **fresh** hub process (hub/main.ts serve) and the real API: 50 enrolled desks
// at once, each with the desk's client (HubConnector: signed requests, answers verified), reads
// `PAGES` pages of the feed from a random cursor (anywhere in the feed, so old pages come from disk
// too) and pushes one case after every page. The hub's RSS (/proc/<pid>/status VmRSS) is sampled
// every 100 ms: at rest before the run, median and max during it, and after it.
// Reported: those per size, and the ratio of the largest size's figures to the smallest's.
import pg from 'pg';
import { emitResult, envInt, load1, median, nowMs, table } from './lib';
import { connector, CpuWindow, enrolledDesks, fmtCpu, hubDatabase, inParallel, pushBody, realCaseDocument, removeDesks, rssMb, spawnHub, startCluster, type BenchDesk, type Cluster } from './hub-support';
import type { CaseDocument } from '../electron/services/sync/case-document';
import { DESK_SCHEMA } from './hub-support';

const SIZES = (process.env.BENCH_HUB_MEM_SIZES ?? '100000,1000000').split(',').map((s) => Number(s.trim()));
for (let i = 0; i < SIZES.length; i++) if (!(Number.isInteger(SIZES[i]) && SIZES[i]! > 0 && (i === 0 || SIZES[i]! > SIZES[i - 1]!))) throw new Error('BENCH_HUB_MEM_SIZES: increasing case counts');
const DESKS = envInt('BENCH_HUB_DESKS', 50);
const PAGES = envInt('BENCH_HUB_PAGES', 20);
const PAGE = envInt('BENCH_HUB_PAGE', 200);
const ROUNDS = envInt('BENCH_HUB_ROUNDS', 2);
const SEED_TX = 100_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  size: number;
  round: number;
  rssRestMb: number;
  rssMedianMb: number;
  rssMaxMb: number;
  rssAfterMb: number;
  pages: number;
  items: number;
  pushes: number;
  ms: number;
  cpu: ReturnType<CpuWindow['end']>;
  load1AtStart: number;
}

/** Adds cases (and their feed items) numbered from+1..to, SEED_TX per transaction. */
async function seed(url: string, doc: CaseDocument, deskIds: string[], from: number, to: number): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    for (let lo = from + 1; lo <= to; lo += SEED_TX) {
      const hi = Math.min(to, lo + SEED_TX - 1);
      await db.query('BEGIN');
      await db.query(
        `INSERT INTO cases (desk_id, idempotency_key, case_no, revision, document, desk_schema, feed_seq)
         SELECT ($1::text[])[1 + g % array_length($1::text[], 1)], 'seed:' || g, 'SEED-' || g, 1, jsonb_set($2::jsonb, '{caseNo}', to_jsonb('SEED-' || g)), $3, g
         FROM generate_series($4::bigint, $5::bigint) g`,
        [deskIds, doc, DESK_SCHEMA, lo, hi],
      );
      await db.query(
        `INSERT INTO feed (hall_id, seq, kind, owner_desk, record_key, body)
         SELECT 'hall', feed_seq, 'case', desk_id, idempotency_key, jsonb_build_object('caseNo', case_no, 'revision', revision, 'document', document)
         FROM cases WHERE feed_seq BETWEEN $1 AND $2`,
        [lo, hi],
      );
      await db.query(`UPDATE feed_counter SET last_seq = $1 WHERE hall_id = 'hall'`, [hi]);
      await db.query('COMMIT');
    }
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
}

async function copyDatabase(cluster: Cluster, from: string, to: string): Promise<string> {
  const admin = new pg.Client({ connectionString: cluster.url });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${to} TEMPLATE ${from}`);
  } finally {
    await admin.end();
  }
  return cluster.url.replace(/\/postgres$/, `/${to}`);
}

async function heldCases(url: string): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    return Number((await db.query('SELECT last_seq FROM feed_counter')).rows[0].last_seq);
  } finally {
    await db.end();
  }
}

async function main() {
  const load1AtStart = load1();
  console.log(`hub-memory bench: sizes ${SIZES.join(' / ')} cases, ${DESKS} desks × ${PAGES} pages of ${PAGE} + a push after each, ${ROUNDS} rounds, load ${load1AtStart}`);
  const cluster = await startCluster({ prefix: 'bench-hub-mem-' });
  const doc = await realCaseDocument();
  const runs: Run[] = [];
  let desks: BenchDesk[] = [];
  try {
    const urls: string[] = [];
    const first = await hubDatabase(cluster, `mem_0`);
    desks = await enrolledDesks(DESKS, [first], 'm');
    let had = 0;
    for (const [i, size] of SIZES.entries()) {
      const url = i === 0 ? first : await copyDatabase(cluster, `mem_${i - 1}`, `mem_${i}`);
      const t = nowMs();
      await seed(url, doc, desks.map((d) => d.deskId), had, size);
      console.log(`  seeded ${size} cases (+${size - had}) in ${((nowMs() - t) / 1000).toFixed(0)} s`);
      had = size;
      urls.push(url);
    }
    for (let round = 1; round <= ROUNDS; round++) {
      const order = round % 2 ? SIZES.map((_, i) => i) : SIZES.map((_, i) => i).reverse();
      for (const i of order) {
        const r = await workload(cluster, urls[i]!, SIZES[i]!, desks, doc, round);
        runs.push(r);
        console.log(
          `  round ${round}, ${r.size} cases held: hub RSS at rest ${r.rssRestMb.toFixed(1)} MB, during median ${r.rssMedianMb.toFixed(1)} / max ${r.rssMaxMb.toFixed(1)} MB, after ${r.rssAfterMb.toFixed(1)} MB; ` +
            `${r.pages} pages (${r.items} items) + ${r.pushes} pushes in ${(r.ms / 1000).toFixed(1)} s; ${fmtCpu(r.cpu)}; load ${r.load1AtStart}`,
        );
      }
    }
  } finally {
    cluster.stop();
    removeDesks(desks);
  }
  const of = (size: number, k: keyof Run) => median(runs.filter((r) => r.size === size).map((r) => r[k] as number));
  const rows = [['cases held', 'RSS at rest', 'RSS during, median', 'RSS during, max', 'RSS after', 'run time']];
  for (const s of SIZES) rows.push([String(s), ...(['rssRestMb', 'rssMedianMb', 'rssMaxMb', 'rssAfterMb'] as const).map((k) => `${of(s, k).toFixed(1)} MB`), `${(of(s, 'ms') / 1000).toFixed(1)} s`]);
  const lo = SIZES[0]!;
  const hi = SIZES[SIZES.length - 1]!;
  rows.push([`ratio ${hi} / ${lo}`, ...(['rssRestMb', 'rssMedianMb', 'rssMaxMb', 'rssAfterMb', 'ms'] as const).map((k) => `×${(of(hi, k) / of(lo, k)).toFixed(2)}`)]);
  console.log(table(rows));
  emitResult({ sizes: SIZES, desks: DESKS, pages: PAGES, page: PAGE, rounds: ROUNDS, runs, ratioMedian: of(hi, 'rssMedianMb') / of(lo, 'rssMedianMb'), ratioMax: of(hi, 'rssMaxMb') / of(lo, 'rssMaxMb'), load1AtStart });
}

async function workload(cluster: Cluster, url: string, size: number, desks: BenchDesk[], doc: CaseDocument, round: number): Promise<Run> {
  const held = await heldCases(url);
  const hub = await spawnHub(url);
  try {
    await sleep(1000);
    const rssRestMb = rssMb(hub.pid);
    const samples: number[] = [];
    const sampler = setInterval(() => samples.push(rssMb(hub.pid)), 100);
    const load1AtStart = load1();
    const cpu = new CpuWindow(hub.pid, cluster);
    const start = nowMs();
    let items = 0;
    let pushes = 0;
    try {
      await inParallel(desks.length, desks.length, async (k) => {
        const c = connector(hub.card, hub.port, desks[k]!);
        let after = Math.floor(Math.random() * Math.max(1, held - PAGES * PAGE));
        for (let p = 0; p < PAGES; p++) {
          const page = await c.feedPage(after, PAGE);
          if (page.items.length === 0) throw new Error(`empty feed page after ${after} of ${held}`);
          items += page.items.length;
          after = page.next;
          const r = await c.request('POST', '/v1/cases', pushBody(doc, desks[k]!.deskId, round * 1_000_000 + size / 1000 + p * 1000 + k));
          if (r.status !== 201) throw new Error(`push answered ${r.status}: ${JSON.stringify(r.json)}`);
          pushes++;
        }
      });
    } finally {
      clearInterval(sampler);
    }
    const ms = nowMs() - start;
    const c = cpu.end();
    await sleep(1000);
    return { size, round, rssRestMb, rssMedianMb: median(samples), rssMaxMb: Math.max(...samples), rssAfterMb: rssMb(hub.pid), pages: desks.length * PAGES, items, pushes, ms, cpu: c, load1AtStart };
  } finally {
    await hub.stop();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
