/**
 * kill -9 of the desk while it pushes 1,000 accepted cases to two vertical systems (one that
 * honours idempotency keys, one that does not and is looked up before a re-send). The cases are
 * queued first (one accepted through intake with the data-sharing platform answering, so every
 * entry is a case entry, the rest cloned and queued by enqueueCase); the queued-query path is
 * covered by the sync-outbox and intake tests. The simulator
 * runs as its own process and lives through every kill. Afterwards each case is stored exactly
 * once at each target and every outbox entry is acknowledged with the number the target gave.
 */
import { openTestStore } from '../helpers/store';
import { afterAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../e2e/support/host';
import { testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { DEMO_CERTIFICATES } from '../../electron/seed/demo-catalog';
import { killRandom, type Mark, KILL_TEST_TIMEOUT_MS } from '../helpers/kill-points';
import { dbFile, FAST_SENDER, httpTarget, queueClones, simTarget, waitForSender, writeConfig } from '../helpers/sync-desks';

const CASES = Number(process.env.SYNC_CRASH_CASES ?? 1000);
const KILLS = Number(process.env.SYNC_CRASH_KILLS ?? 50);
/** Entries one acknowledgement batch holds here: about the sends under way (small lane 4 + bulk lane 1, two targets). */
const USUAL_BATCH = 10;

function counts(dataDir: string): { open: number; acked: number; total: number } {
  const db = openTestStore(dbFile(dataDir), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare(`SELECT SUM(state NOT IN ('acknowledged', 'superseded')) AS open, SUM(state = 'acknowledged') AS acked, COUNT(*) AS total FROM outbox_entries`)
      .get() as { open: number; acked: number; total: number };
  } finally {
    db.close();
  }
}

let sim: SpawnedSim | null = null;
let platform: RunningPlatform | null = null;
let host: RunningHost | null = null;
afterAll(async () => {
  await host?.kill('SIGKILL');
  await sim?.kill();
  await platform?.close();
});

describe('sync durability: kill -9 of the desk while it pushes', () => {
  it(`delivers ${CASES} cases exactly once to each target over ${KILLS} hard kills`, async () => {
    const { int } = killRandom('sync-crash');
    sim = await spawnVerticalSim({ dataDir: tempDir('sim-crash-'), targets: [simTarget('keyed', true), simTarget('plain', false)] });
    // The platform knows the applicant for every data-sharing certificate of the demo catalog.
    platform = await startDataSharingPlatform({
      records: DEMO_CERTIFICATES.filter((c) => c.method === 'data_sharing').map((c) => ({
        dataset: String(c.methodDetail.dataset ?? c.name),
        idNumber: '42032519880623004X',
        data: { 姓名: '王芳', 核验结果: '有记录' },
      })),
    });

    const dataDir = tempDir('desk-sync-crash-');
    writeConfig(dataDir, {
      version: 1,
      sender: FAST_SENDER,
      targets: [
        // Cases only (their evidence files stay home): uploads under kill -9 are sync-upload's and the simulator's own tests.
        httpTarget('keyed', sim.targets.keyed!, 'key', { concurrency: 4, sendFiles: false }),
        httpTarget('plain', sim.targets.plain!, 'none', { concurrency: 4, sendFiles: false }),
      ],
    });

    // 1,000 accepted cases queued: one through the intake methods (the platform answering its
    // queries), the rest cloned from it and queued by the outbox's own enqueueCase.
    const prep = await testDesk({ dataDir, sync: false, dataSharing: platform.url });
    await queueClones(prep.app, CASES - 1);
    prep.app.close();
    const caseNos = (() => {
      const db = openTestStore(dbFile(dataDir), { readonly: true });
      try {
        return db.prepare(`SELECT case_no FROM cases WHERE status = 'accepted'`).pluck().all() as string[];
      } finally {
        db.close();
      }
    })();
    expect(caseNos).toHaveLength(CASES);
    const queued = counts(dataDir);
    expect(queued.open).toBe(queued.total);
    expect(queued.total).toBe(CASES * 2);

    // Kill -9 at points of each life's own progress while it pushes (the sender's store thread
    // reports each operation before and after its commit). Each answer takes 15 ms, as over a real
    // network. Lives in turn are stopped: before their first claim commits (dying early, while
    // the targets are first probed); right after their N-th claim committed (entries leased,
    // nothing of them sent); when their N-th batch of answers is about to be recorded (stored by
    // the targets, not acknowledged here: the window that doubles cases if anything does); right
    // after their N-th batch committed; or killed in passing once a drawn number of entries were
    // acknowledged. N is drawn so that work is left for every kill still to come however fast the
    // machine drains: a life acknowledges at most the largest batch yet seen per batch.
    await sim.setFaults('keyed', { delayMs: 15 });
    await sim.setFaults('plain', { delayMs: 15 });
    const env = { DESK_DATA_SHARING_URL: platform.url, DESK_LOG_ECHO: '0' };
    const windows = { early: 0, claimed: 0, answered: 0, acked: 0, free: 0 };
    let killsWhilePushing = 0;
    let maxBatch = USUAL_BATCH;
    for (let k = 0; k < KILLS; k++) {
      const start = counts(dataDir);
      const budget = Math.max(1, Math.floor(start.open / (KILLS - k + 1)));
      const window = (['early', 'claimed', 'answered', 'acked', 'free'] as const)[k % 5]!;
      const batches = int(1, Math.max(1, Math.floor(budget / maxBatch)));
      const hold =
        window === 'early'
          ? { at: 'sync.claim', n: 1 }
          : window === 'claimed'
            ? { at: 'sync.claim.done', n: int(1, 2) }
            : window === 'answered'
              ? { at: 'sync.acknowledge', n: batches }
              : window === 'acked'
                ? { at: 'sync.acknowledge.done', n: batches }
                : undefined;
      host = await startHost({ dataDir, port: 0, env, progress: { hold } });
      expect(host.state).toBe('ready');
      // Entries acknowledged in this life, as its marks say: a kill in passing comes at a drawn
      // number of them; every kill comes before the life could drain what is left.
      const killAt = int(1, budget);
      let acked = 0;
      const ackedUpTo = (n: number) => (m: Mark) => m.mark === 'sync.acknowledge.done' && (acked += Number(m.detail)) >= n;
      const at = await (hold ? Promise.race([host.marks!.held(), host.marks!.next(ackedUpTo(start.open))]) : host.marks!.next(ackedUpTo(killAt)));
      expect(at, `kill ${k}: ${window} ${hold ? `${hold.at} #${hold.n}` : `${killAt} acknowledged`}`).not.toBeNull();
      expect(at!.held ?? !hold, `kill ${k}: the life drained everything before ${hold?.at} #${hold?.n}`).toBe(true);
      const before = counts(dataDir);
      for (const m of host.marks!.seen) if (m.mark === 'sync.acknowledge') maxBatch = Math.max(maxBatch, Number(m.detail));
      await host.kill('SIGKILL');
      host = null;
      windows[window]++;
      if (before.open > 0) killsWhilePushing++;
    }
    const afterKills = counts(dataDir);
    console.log(
      `after ${KILLS} kills (before the first claim ${windows.early}, after a claim ${windows.claimed}, answered but not recorded ${windows.answered}, ` +
        `after an acknowledgement ${windows.acked}, in passing ${windows.free}): ${afterKills.acked}/${afterKills.total} acknowledged, ${killsWhilePushing} kills while entries were open`,
    );
    expect(killsWhilePushing).toBe(KILLS);
    expect(windows.answered).toBe(Math.floor((KILLS + 2) / 5));

    // One last start: everything left drains by itself.
    host = await startHost({ dataDir, port: 0, env });
    await waitForSender('every entry acknowledged', dataDir, () => counts(dataDir).open === 0, 60_000, 200); // fails only if the outbox stands still for a minute
    await host.kill('SIGTERM');
    host = null;

    const db = openTestStore(dbFile(dataDir), { readonly: true, fileMustExist: true });
    try {
      const rows = db
        .prepare(`SELECT e.target_id, e.kind, e.state, e.target_case_no, c.case_no FROM outbox_entries e JOIN cases c ON c.id = e.case_id`)
        .all() as { target_id: string; kind: string; state: string; target_case_no: string | null; case_no: string }[];
      expect(rows.filter((r) => r.state !== 'acknowledged')).toEqual([]);
      for (const target of ['keyed', 'plain']) {
        const stored = await sim.cases(target);
        const byRef = new Map<string, string[]>();
        for (const s of stored) byRef.set(s.externalRef, [...(byRef.get(s.externalRef) ?? []), s.caseNo]);
        const doubled = [...byRef].filter(([, v]) => v.length > 1);
        expect(doubled, `${target}: cases stored more than once`).toEqual([]);
        expect([...byRef.keys()].sort()).toEqual([...caseNos].sort());
        // The number each entry recorded is the one the target gave.
        for (const r of rows.filter((x) => x.target_id === target)) expect(r.target_case_no).toBe(byRef.get(r.case_no)![0]);
        const stats = await sim.stats(target);
        console.log(`${target}: stored ${stats.stored}, duplicates served ${stats.duplicatesServed}, requests ${stats.requests}`);
      }
      expect(verifyAuditChain(db)).toMatchObject({ ok: true, firstBroken: null });
    } finally {
      db.close();
    }
  }, KILL_TEST_TIMEOUT_MS);
});
