/**
 * A case the clerk terminates through its own transition (intake.transition → 终止办理) tells every
 * vertical system it was sent to, with the legal basis and reason the clerk gave, in the
 * transition's transaction (docs/sync.md, "A status change after acceptance"). Real SQLite, the
 * real intake service, the simulator in its own process.
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallFailed, testDesk, type TestDesk } from '../helpers/app';
import { tempDir } from '../helpers/temp';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import type { OutboxEntryView } from '../../shared/ipc/methods/sync';
import { acceptCase, applicantIdOf, dbFile, FAST_SENDER, httpTarget, plainItem, simTarget, waitFor, writeConfig } from './sync-support';

const LEGAL_BASIS = '《中华人民共和国行政许可法》第三十二条';
const REASON = '申请人主动撤回申请';

let sim: SpawnedSim;
beforeAll(async () => {
  sim = await spawnVerticalSim({ dataDir: tempDir('clerkhelper-sim-'), targets: [simTarget('keyed', true)] });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(async () => {
  await sim.reset();
});

async function desk(withTargets: boolean): Promise<{ d: TestDesk; clerk: string }> {
  const dataDir = tempDir('clerkhelper-desk-');
  // Without targets: a declared empty list (a fresh demo store would get the demo targets).
  writeConfig(dataDir, { version: 1, sender: FAST_SENDER, targets: withTargets ? [httpTarget('keyed', sim.targets.keyed!, 'key', { sendFiles: false })] : [] });
  const d = await testDesk({ dataDir });
  return { d, clerk: (await d.signIn('zhangmin')).token };
}

async function accepted(d: TestDesk, clerk: string): Promise<{ id: number; caseNo: string }> {
  return acceptCase(d, clerk, await applicantIdOf(d, clerk), (await plainItem(d, clerk)).id);
}

const entriesOf = async (d: TestDesk, token: string, caseId: number): Promise<OutboxEntryView[]> =>
  (await d.call('sync.entries', { caseId, targetId: 'keyed' }, token)).entries.sort((a, b) => a.revision - b.revision);

describe('a case terminated by the clerk reaches the vertical systems it was sent to', () => {
  it('asks for the legal basis, refuses without it (nothing written), then the target gets the termination once, after the acceptance, in the transition transaction', async () => {
    const { d, clerk } = await desk(true);
    const c = await accepted(d, clerk);
    await waitFor('r1 acknowledged', async () => (await entriesOf(d, clerk, c.id))[0]?.state === 'acknowledged');

    const view = await d.call('intake.get', { caseId: c.id }, clerk);
    expect(view.transitions.find((t) => t.to === 'terminated')).toMatchObject({ action: '终止办理', needsReason: true, needsLegalBasis: true });

    const db = new Database(dbFile(d.dataDir), { readonly: true });
    const auditCount = () => db.prepare('SELECT COUNT(*) FROM audit_log').pluck().get() as number;
    const entryCount = () => db.prepare('SELECT COUNT(*) FROM outbox_entries WHERE case_id = ?').pluck().get(c.id) as number;
    const before = { audit: auditCount(), entries: entryCount() };

    // No legal basis: refused with the Chinese message, nothing written.
    const refused = await d.call('intake.transition', { caseId: c.id, to: 'terminated', reason: REASON }, clerk).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(CallFailed);
    expect((refused as CallFailed).error).toMatchObject({ code: 'BAD_INPUT', fields: { legalBasis: '已推送至业务系统的办件，终止办理或撤销决定须填写法律依据' } });
    expect((refused as CallFailed).error.message).toContain('须填写法律依据');
    // A blank one is refused by the schema itself.
    const blank = await d.raw('intake.transition', { caseId: c.id, to: 'terminated', reason: REASON, legalBasis: '   ' }, clerk);
    expect(blank.ok).toBe(false);
    if (!blank.ok) expect(blank.error.fields).toEqual({ legalBasis: '法律依据不能为空' });
    expect((await d.call('intake.get', { caseId: c.id }, clerk)).status).toBe('accepted');
    expect({ audit: auditCount(), entries: entryCount() }).toEqual(before);

    const done = await d.call('intake.transition', { caseId: c.id, to: 'terminated', reason: REASON, legalBasis: LEGAL_BASIS }, clerk);
    expect(done.status).toBe('terminated');

    // One transaction: the transition and the change with its audit entry.
    const audit = db
      .prepare(`SELECT action, at, detail FROM audit_log WHERE action IN ('case.transition', 'sync.statusChange') ORDER BY seq DESC LIMIT 2`)
      .all() as { action: string; at: string; detail: string }[];
    expect(audit.map((a) => a.action).sort()).toEqual(['case.transition', 'sync.statusChange']);
    expect(new Set(audit.map((a) => a.at)).size).toBe(1);
    expect(JSON.parse(audit.find((a) => a.action === 'case.transition')!.detail)).toMatchObject({ to: 'terminated', reason: REASON, legalBasis: LEGAL_BASIS });
    const queued = JSON.parse(audit.find((a) => a.action === 'sync.statusChange')!.detail) as { from: string; to: string; entries: { targetId: string; revision: number }[] };
    expect(queued).toMatchObject({ from: 'accepted', to: 'terminated', entries: [{ targetId: 'keyed', revision: 2 }] });

    await waitFor('r2 acknowledged', async () => (await entriesOf(d, clerk, c.id))[1]?.state === 'acknowledged');
    const [r1, r2] = await entriesOf(d, clerk, c.id);
    expect(r2).toMatchObject({ revision: 2, statusChange: '终止办理', targetCaseNo: r1!.targetCaseNo, attempts: 1 });
    const stored = (await sim.cases('keyed')).filter((s) => s.externalRef === c.caseNo);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.versions.map((v) => v.revision)).toEqual([1, 2]);
    expect(stored[0]!.versions[0]!.statusChange).toBeNull();
    expect(stored[0]!.versions[1]!.statusChange).toMatchObject({
      previousStatus: 'accepted',
      status: 'terminated',
      statusLabel: '终止',
      action: '终止办理',
      legalBasis: LEGAL_BASIS,
      reason: REASON,
    });
    expect(stored[0]!.status).toBe('terminated');
    expect(await sim.stats('keyed')).toMatchObject({ duplicatesServed: 0 });
    expect(verifyAuditChain(db).ok).toBe(true);
    db.close();
    await d.app.stopSync();
    d.app.close();
  });

  it('a case never sent anywhere is terminated with a reason alone and queues nothing', async () => {
    const { d, clerk } = await desk(false);
    const c = await accepted(d, clerk);
    const view = await d.call('intake.get', { caseId: c.id }, clerk);
    expect(view.transitions.find((t) => t.to === 'terminated')).toMatchObject({ needsReason: true, needsLegalBasis: false });
    expect((await d.call('intake.transition', { caseId: c.id, to: 'terminated', reason: REASON }, clerk)).status).toBe('terminated');
    const db = new Database(dbFile(d.dataDir), { readonly: true });
    expect(db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE case_id = ? AND kind = 'case'`).pluck().get(c.id)).toBe(0);
    expect(db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'sync.statusChange'`).pluck().get()).toBe(0);
    db.close();
    await d.app.stopSync();
    d.app.close();
  });
});
