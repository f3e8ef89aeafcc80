/**
 * The sender's store (sender-store-client.ts), in both backings: the worker thread the app uses
 * and the inline one the bench compares it with. What the sender relies on: an operation answers
 * only after its transaction committed (another connection sees it at once), operations run in
 * the order asked (a claim asked right after an acknowledgement sees it), and close() commits
 * everything asked before it even if nobody awaited it.
 */
import { Worker } from 'node:worker_threads';
import { openTestStore } from '../helpers/store';
import { afterEach, describe, expect, it } from 'vitest';
import { testDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { inlineSenderStore, workerSenderStore, type SenderStore } from '../../electron/services/sync/sender-store-client';
import { applyPragmas } from '../../electron/store/open-store';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { dbFile, httpTarget, queueClones, writeConfig } from '../helpers/sync-desks';

const OWNER = 'test-owner';
const open: { close(): void }[] = [];
afterEach(() => {
  for (const o of open.splice(0)) o.close();
});

/** A store with `n` accepted cases queued for one http target (nothing sent). */
async function queuedStore(n: number): Promise<string> {
  const dataDir = tempDir('desk-sync-store-');
  writeConfig(dataDir, { version: 1, targets: [httpTarget('t', 'http://127.0.0.1:9/', 'key', { sendFiles: false })] });
  const d = await testDesk({ dataDir, sync: false });
  await queueClones(d.app, n - 1);
  d.app.close();
  return dbFile(dataDir);
}

function states(file: string): Record<string, number> {
  const db = openTestStore(file, { readonly: true });
  try {
    const rows = db.prepare(`SELECT state, COUNT(*) AS n FROM outbox_entries WHERE target_id = 't' GROUP BY state`).all() as { state: string; n: number }[];
    return Object.fromEntries(rows.map((r) => [r.state, r.n]));
  } finally {
    db.close();
  }
}

const claimArgs = (limit: number) => ({ targetId: 't', owner: OWNER, nowMs: Date.now(), leaseMs: 60_000, limit, lane: 'any' as const, largeBytes: 1 << 30 });

describe.each(['worker', 'inline'] as const)('sync sender store (%s)', (mode) => {
  function storeFor(file: string): SenderStore {
    if (mode === 'worker') return workerSenderStore(file);
    const db = openTestStore(file);
    applyPragmas(db);
    open.push(db);
    return inlineSenderStore(db);
  }

  it('answers after the commit, in the order asked; close() commits what was asked before it', async () => {
    const file = await queuedStore(6);
    const store = storeFor(file);

    const claimed = await store.claim(claimArgs(4));
    expect(claimed.map((c) => c.prior)).toEqual(['pending', 'pending', 'pending', 'pending']);
    expect(claimed.every((c) => c.files.length === 0 && c.attempts === 1)).toBe(true);
    // Committed when answered: another connection sees the claim.
    expect(states(file)).toEqual({ in_flight: 4, pending: 2 });

    // Asked back to back, not awaited in between: the second sees the first (the worker answers in order).
    const [a, b, c, d] = [claimed[0]!, claimed[1]!, claimed[2]!, claimed[3]!];
    const acked = store.acknowledge({ owner: OWNER, atMs: Date.now(), acks: [{ id: a.id, attempt: 1, caseId: a.case_id, targetId: 't', targetCaseNo: 'T-1', via: 'answer' }] });
    const renewedAfterAck = store.renewLease({ id: a.id, owner: OWNER, attempt: 1, untilMs: Date.now() + 60_000 });
    expect(await acked).toBe(1);
    expect(await renewedAfterAck).toBe(false); // no longer in flight: the acknowledgement was committed first

    // A lost lease is not renewed (another owner, or another attempt: the lease token), a held one is.
    expect(await store.renewLease({ id: b.id, owner: 'someone-else', attempt: 1, untilMs: Date.now() + 60_000 })).toBe(false);
    expect(await store.renewLease({ id: b.id, owner: OWNER, attempt: 2, untilMs: Date.now() + 60_000 })).toBe(false);
    expect(await store.renewLease({ id: b.id, owner: OWNER, attempt: 1, untilMs: Date.now() + 60_000 })).toBe(true);

    // Not awaited at all, then close(): all of it is on disk afterwards.
    void store.toUnknown({ id: b.id, owner: OWNER, attempt: 1, nextMs: null, error: '已发出，但未收到应答' });
    void store.park({ owner: OWNER, attempt: 1, id: c.id, caseId: c.case_id, targetId: 't', reason: '字段不全', status: 422, atMs: Date.now() });
    void store.unclaim({ owner: OWNER, entries: [{ id: d.id, prior: d.prior }] });
    await store.close();
    expect(states(file)).toEqual({ acknowledged: 1, unknown: 1, parked: 1, pending: 3 });
    await expect(store.claim(claimArgs(1))).rejects.toThrow(/closed/);

    const db = openTestStore(file, { readonly: true });
    try {
      expect(db.prepare(`SELECT action FROM audit_log WHERE action IN ('sync.acknowledged', 'sync.parked') ORDER BY seq`).pluck().all()).toEqual(['sync.acknowledged', 'sync.parked']);
      expect(verifyAuditChain(db)).toMatchObject({ ok: true });
    } finally {
      db.close();
    }
  });

  it('a refused operation fails alone; the store goes on', async () => {
    const file = await queuedStore(2);
    const store = storeFor(file);
    await expect(store.claim({ ...claimArgs(1), limit: 'x' as unknown as number })).rejects.toThrow();
    expect((await store.claim(claimArgs(2))).length).toBe(2);
    await store.close();
    expect(states(file)).toEqual({ in_flight: 2 });
  });
});

describe('sync sender store (worker): the worker dying', () => {
  it('fails what was in flight, starts a fresh worker for the next operation, and loses nothing committed', async () => {
    const file = await queuedStore(6);
    const workers: Worker[] = [];
    const restarts: string[] = [];
    const store = workerSenderStore(
      file,
      (error) => restarts.push(error),
      (bundle, workerData) => {
        const w = new Worker(bundle, { workerData, execArgv: [] });
        workers.push(w);
        return w;
      },
    );
    const first = await store.claim(claimArgs(2));
    expect(first).toHaveLength(2);
    expect(workers).toHaveLength(1);

    // The worker dies with an operation in flight (as a crash or an out-of-memory kill would).
    const inFlight = store.claim(claimArgs(1));
    await workers[0]!.terminate();
    await expect(inFlight).rejects.toThrow(/sync store claim failed: the sync store worker exited/);

    // The next operation starts a fresh worker, which sees what the first one committed.
    const next = await store.claim(claimArgs(10));
    expect(workers).toHaveLength(2);
    expect(restarts).toEqual([expect.stringMatching(/exited with code/)]);
    // What the first worker committed stays claimed (leased until its lease runs out): the fresh
    // worker does not hand those entries out again.
    expect(next.some((c) => first.some((f) => f.id === c.id))).toBe(false);
    await store.close();
    const after = states(file);
    // Nothing lost, nothing else: the killed claim either committed (one more leased entry, taken
    // back when its lease runs out) or rolled back (that entry claimed by the fresh worker).
    expect((after.in_flight ?? 0) + (after.pending ?? 0)).toBe(6);
    expect(after.in_flight! - first.length - next.length).toBeGreaterThanOrEqual(0);
    expect(after.in_flight! - first.length - next.length).toBeLessThanOrEqual(1);
    expect(first.length + next.length).toBeGreaterThanOrEqual(5);
  });
});
