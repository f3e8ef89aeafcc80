// The hub witnessing a desk's audit log (docs/audit-checkpoints.md, "Witnessed by the hub"): how long a
// desk with BENCH_WITNESS_ENTRIES (20,000) audit entries not yet sent takes to have them all witnessed
// (batches of 500, each one hub transaction checking the chain), and how long the once-per-run re-check
// of everything witnessed takes (2,000 entries a request) — the cost a desk pays at each start.
//
// Real parts: a throwaway PostgreSQL 15 cluster (fsync on), the hub in its own process (tsx), the desk's
// real SQLite store (a demo desk created by createApp, its entries appended by the audit module's own
// appendAudit, its head signed by the real checkpointer), the desk's real AuditWitnessSender and
// signed connector in this process. BENCH_WITNESS_ROUNDS (3) rounds, each on a new desk.
//
//   node --import tsx bench/hub-audit-witness.bench.ts
import path from 'node:path';
import { createApp } from '../electron/app/create-app';
import { appendAudit } from '../electron/services/audit/audit-chain';
import { AuditCheckpointer } from '../electron/services/audit/checkpoints';
import { AuditWitnessSender } from '../electron/services/hub/audit-witness-send';
import { connector, enrolledDesks, hubDatabase, spawnHub, startCluster } from './hub-support';
import { emitResult, envInt, load1, median, nowMs, table } from './lib';
import { openDeskDb } from '../electron/store/store-cipher';

const ENTRIES = envInt('BENCH_WITNESS_ENTRIES', 20_000);
const ROUNDS = envInt('BENCH_WITNESS_ROUNDS', 3);

const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

async function main(): Promise<void> {
  const cluster = await startCluster({ prefix: 'pfd-bench-pg-' });
  const url = await hubDatabase(cluster, 'witness_bench');
  const hub = await spawnHub(url);
  const sendMs: number[] = [];
  const recheckMs: number[] = [];
  try {
    for (let round = 0; round < ROUNDS; round++) {
      const [desk] = await enrolledDesks(1, [url], `witness${round}`);
      const app = await createApp({ dataDir: desk!.dataDir, sync: false });
      app.close();
      const db = openDeskDb(path.join(desk!.dataDir, 'desk.sqlite'));
      const at = new Date();
      db.transaction(() => {
        for (let i = 0; i < ENTRIES; i++) appendAudit(db, { userId: null, username: `(未登录:bench${i})` }, at, { action: 'auth.signInFailed', entityType: 'user', entityId: `bench${i}`, detail: { reason: '用户名或密码错误', attempt: i } });
      })();
      new AuditCheckpointer(db, desk!.dataDir, () => new Date()).checkpoint();
      const deps = { db, logger: quiet, monotonic: () => performance.now() } as unknown as ConstructorParameters<typeof AuditWitnessSender>[0];
      const hubConn = connector(hub.card, hub.port, desk!);

      // Everything sent: passes until the hub holds every entry (each pass sends up to 40 batches).
      const sender = new AuditWitnessSender(deps, desk!.dataDir);
      let t0 = nowMs();
      let sent = 0;
      for (;;) {
        const r = await sender.pass(hubConn);
        sent += r.sent;
        if (r.sent === 0) break;
      }
      sendMs.push(nowMs() - t0);
      if (sent < ENTRIES) throw new Error(`only ${sent} of ${ENTRIES} entries witnessed`);

      // A new run of the sender: its first pass re-checks everything witnessed (nothing new to send).
      t0 = nowMs();
      const r = await new AuditWitnessSender(deps, desk!.dataDir).pass(hubConn);
      recheckMs.push(nowMs() - t0);
      if (r.rechecked < ENTRIES || r.diverged) throw new Error(`re-check compared ${r.rechecked}, diverged ${String(r.diverged)}`);
      db.close();
      console.log(`  round ${round + 1}: ${sent} entries witnessed in ${sendMs.at(-1)!.toFixed(0)} ms, re-checked ${r.rechecked} in ${recheckMs.at(-1)!.toFixed(0)} ms`);
    }
  } finally {
    await hub.stop();
    cluster.stop();
  }
  const s = median(sendMs);
  const c = median(recheckMs);
  console.log(
    table([
      ['', 'median', 'per 1,000 entries'],
      [`send ${ENTRIES} entries`, `${s.toFixed(0)} ms`, `${((s / ENTRIES) * 1000).toFixed(0)} ms`],
      [`re-check ${ENTRIES} entries`, `${c.toFixed(0)} ms`, `${((c / ENTRIES) * 1000).toFixed(0)} ms`],
    ]),
  );
  emitResult({ bench: 'hub-audit-witness', entries: ENTRIES, rounds: ROUNDS, sendMedianMs: Math.round(s), recheckMedianMs: Math.round(c), load1: load1() });
}

void main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
