/**
 * kill -9 of the desk while it pushes 1,000 accepted cases to two vertical systems (one that
 * honours idempotency keys, one that does not and is looked up before a re-send). The cases are
 * queued first (one accepted through intake with the data-sharing platform answering, so every
 * entry is a case entry, the rest cloned and queued by enqueueCase); the queued-query path is
 * covered by the sync-outbox and intake tests. The simulator
 * runs as its own process and lives through every kill. Afterwards each case is stored exactly
 * once at each target and every outbox entry is acknowledged with the number the target gave.
 */
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startHost, type RunningHost } from '../e2e/support/host';
import { testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import { startDataSharingPlatform, type RunningPlatform } from '../../sim/data-sharing-platform';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { DEMO_CERTIFICATES } from '../../electron/seed/demo-catalog';
import { dbFile, FAST_SENDER, httpTarget, queueClones, simTarget, waitFor, writeConfig } from './sync-support';

const CASES = Number(process.env.SYNC_CRASH_CASES ?? 1000);
const KILLS = Number(process.env.SYNC_CRASH_KILLS ?? 50);
const SEED = Number(process.env.SYNC_CRASH_SEED ?? Date.now() % 100_000);

/** mulberry32: the kill times are reproducible from the printed seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counts(dataDir: string): { open: number; acked: number; total: number } {
  const db = new Database(dbFile(dataDir), { readonly: true, fileMustExist: true });
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
    const random = prng(SEED);
    console.log(`sync-crash seed ${SEED} (SYNC_CRASH_SEED=${SEED} to replay)`);
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
      const db = new Database(dbFile(dataDir), { readonly: true });
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

    // Kill -9 at random points while it pushes. Each answer takes 15 ms, as over a real network,
    // so a life's progress can be watched between acknowledgements.
    await sim.setFaults('keyed', { delayMs: 15 });
    await sim.setFaults('plain', { delayMs: 15 });
    const env = { DESK_DATA_SHARING_URL: platform.url, DESK_LOG_ECHO: '0' };
    let killsWhilePushing = 0;
    for (let k = 0; k < KILLS; k++) {
      host = await startHost({ dataDir, port: 0, env });
      expect(host.state).toBe('ready');
      // One start in five dies early (before or while the targets are first probed); the others
      // once this life has pushed something, at a random moment while it goes on pushing.
      // The moment is a random number of acknowledgements into this life, drawn so that work is
      // left for every kill still to come however fast the machine drains (a fixed delay let a
      // quiet machine finish all 2,000 entries within ~30 lives).
      if (k % 5 === 4) await sleep(random() * 400);
      else {
        const now = counts(dataDir);
        const budget = Math.max(1, Math.floor(now.open / (KILLS - k + 1)));
        const killAt = now.acked + 1 + Math.floor(random() * budget);
        const until = Date.now() + 15_000;
        for (let c = now; c.acked < killAt && c.open > 0 && Date.now() < until; c = counts(dataDir)) await sleep(5);
      }
      const before = counts(dataDir);
      await host.kill('SIGKILL');
      host = null;
      if (before.open > 0) killsWhilePushing++;
    }
    const afterKills = counts(dataDir);
    console.log(`after ${KILLS} kills: ${afterKills.acked}/${afterKills.total} acknowledged, ${killsWhilePushing} kills while entries were open`);
    expect(killsWhilePushing).toBeGreaterThanOrEqual(Math.min(KILLS, 50));

    // One last start: everything left drains by itself.
    host = await startHost({ dataDir, port: 0, env });
    await waitFor('every entry acknowledged', () => counts(dataDir).open === 0, 120_000, 200);
    await host.kill('SIGTERM');
    host = null;

    const db = new Database(dbFile(dataDir), { readonly: true, fileMustExist: true });
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
  }, 600_000);
});
