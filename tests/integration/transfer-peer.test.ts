/**
 * A carried case refused by the peer desk's target is corrected on the origin desk (docs/transfer.md,
 * "A refusal on the peer desk"): the peer refuses to re-send it, the refusal goes back, the origin's
 * re-sent revision is carried over, replaces the refused one on the peer and reaches the target.
 * Two real desks, real bundles, the target simulator in its own process.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import { exportBundle } from '../../electron/services/transfer/export-bundle';
import { importBundle } from '../../electron/services/transfer/import-bundle';
import { simTarget, waitForSender } from '../helpers/sync-desks';
import { ACTOR, caseWithPages, manifestIn, pair, side } from './transfer-support';

let sim: SpawnedSim;
beforeAll(async () => {
  sim = await spawnVerticalSim({ dataDir: tempDir('peerhelper-sim-'), targets: [simTarget('prov', true)] });
});
afterAll(async () => {
  await sim.close();
});

describe('a refusal on the peer desk', () => {
  it('is corrected and re-sent on the origin desk: the peer refuses to re-send its mirror, the new revision replaces the refused one there and reaches the target', async () => {
    await sim.reset();
    // The target refuses first revisions (they carry no revision field) for now.
    await sim.setFaults('prov', { reject422: { field: 'revision', pattern: '^$' } });
    const a = await side('intranet');
    const b = await side('extranet', sim.targets.prov!, { sync: true });
    try {
      pair(a, b);
      const onA = () => a.ctx.db.prepare(`SELECT revision, state, parked_reason FROM outbox_entries WHERE target_id = 'prov' ORDER BY revision`).all() as { revision: number; state: string; parked_reason: string | null }[];
      const onB = () => b.ctx.db.prepare(`SELECT revision, state FROM outbox_entries WHERE target_id = 'prov' ORDER BY revision`).all() as { revision: number; state: string }[];
      const c = await caseWithPages(a, 1);
      const carry = async (from: typeof a, to: typeof a, name: string) => {
        const dir = tempDir(`peerhelper-${name}-`);
        const out = await exportBundle(from.ctx, ACTOR, { outDir: dir });
        const applied = await importBundle(to.ctx, ACTOR, manifestIn(dir));
        return { out, applied };
      };

      expect((await carry(a, b, 'x1')).applied).toMatchObject({ status: 'applied', entriesNew: 1 });
      await waitForSender('the extranet desk to have the case refused', b.dataDir, () => onB()[0]?.state === 'parked');
      const refused = (await b.d.call('sync.entries', { targetId: 'prov', states: ['parked'] }, b.token)).entries[0]!;
      // The 退回清单 knows it for a mirror (it offers no re-send, it names the origin case number).
      expect(refused.originCaseNo).toBe(c.caseNo);
      await expect(b.d.call('sync.resend', { entryId: refused.id }, b.token)).rejects.toThrow(/请在原工作台按退回原因改正后重新发送/);

      // The refusal goes back; the origin clerk re-sends there.
      await carry(b, a, 'y1');
      const [parked] = onA();
      expect(parked).toMatchObject({ revision: 1, state: 'parked' });
      expect(parked!.parked_reason).toContain('经对端工作台转发时被目标系统退回');
      const onOrigin = (await a.d.call('sync.entries', { targetId: 'prov', states: ['parked'] }, a.token)).entries[0]!;
      expect(onOrigin.originCaseNo).toBeNull();
      const { entry } = await a.d.call('sync.resend', { entryId: onOrigin.id, note: '已按退回原因改正' }, a.token);
      expect(entry).toMatchObject({ revision: 2, state: 'pending', caseNo: c.caseNo });

      // Only the new revision is carried; on the peer it replaces the refused one and is delivered.
      const x2 = await carry(a, b, 'x2');
      expect(x2.out.counts.entries).toBe(1);
      expect(x2.applied).toMatchObject({ status: 'applied', entriesNew: 1 });
      await waitForSender('the extranet desk to deliver revision 2', b.dataDir, () => onB()[1]?.state === 'acknowledged');
      expect(onB()).toEqual([
        { revision: 1, state: 'superseded' },
        { revision: 2, state: 'acknowledged' },
      ]);
      expect((await b.d.call('sync.status', {}, b.token)).targets.find((t) => t.id === 'prov')!.parked).toBe(0);
      const stored = (await sim.cases('prov')).filter((s) => s.externalRef === c.caseNo);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.versions.map((v) => v.revision)).toEqual([2]);

      // The target's number comes back: nothing left refused or waiting on either desk.
      await carry(b, a, 'y2');
      expect(onA().map((e) => e.state)).toEqual(['superseded', 'acknowledged']);
      expect((await a.d.call('sync.status', {}, a.token)).targets.find((t) => t.id === 'prov')!.parked).toBe(0);
    } finally {
      await sim.setFaults('prov', {});
      await a.close();
      await b.close();
    }
  }, 300_000); // two desks and a delivery: a bound for a loaded machine (85 s measured at load 35)
});
