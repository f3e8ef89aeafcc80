/**
 * A case the clerk terminates (intake.transition → 终止办理) or whose decision the clerk revokes (撤销决定) tells every
 * vertical system it was sent to, with the legal basis and reason the clerk gave, in the
 * transition's transaction (docs/sync.md, "A status change after acceptance"). Real SQLite, the
 * real intake service, the simulator in its own process.
 */
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CallFailed, type TestDesk } from '../helpers/app';
import { desksClosedAfterEach } from '../helpers/desk-cleanup';
import { tempDir } from '../helpers/temp';
import { spawnVerticalSim, type SpawnedSim } from '../../sim/vertical-system';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import type { OutboxEntryView } from '../../shared/ipc/methods/sync';
import { acceptCase, applicantIdOf, dbFile, FAST_SENDER, httpTarget, plainItem, simTarget, waitForSender, writeConfig } from '../helpers/sync-desks';

const LEGAL_BASIS = '《中华人民共和国行政许可法》第三十二条';
const REASON = '申请人主动撤回申请';

let sim: SpawnedSim;
const testDesk = desksClosedAfterEach();
/** A bound for a loaded machine, not a speed measure (a desk's start and intake take tens of seconds at load 30); the waits inside follow the sender. */
const LOADED_BOUND = 120_000;
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
    await waitForSender('r1 acknowledged', d.dataDir, async () => (await entriesOf(d, clerk, c.id))[0]?.state === 'acknowledged');

    const view = await d.call('intake.get', { caseId: c.id }, clerk);
    expect(view.transitions.find((t) => t.to === 'terminated')).toMatchObject({ action: '终止办理', needsReason: true, needsLegalBasis: true });

    const db = openTestStore(dbFile(d.dataDir), { readonly: true });
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

    await waitForSender('r2 acknowledged', d.dataDir, async () => (await entriesOf(d, clerk, c.id))[1]?.state === 'acknowledged');
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
  }, LOADED_BOUND);

  it('a decision the clerk revokes (撤销决定, after 办结) reaches the target too, with its basis', async () => {
    const REVOKE_BASIS = '《中华人民共和国行政许可法》第六十九条';
    const REVOKE_REASON = '申请人以欺骗手段取得许可';
    const { d, clerk } = await desk(true);
    // A case that can be decided without the data-sharing platform (absent here): what it would
    // fetch is asked of the issuing department instead, whose replies are recorded by phone.
    let v = await d.call('intake.start', { applicantId: await applicantIdOf(d, clerk), serviceItemIds: [(await plainItem(d, clerk)).id] }, clerk);
    for (const cert of v.certificates) {
      if (cert.method === 'data_sharing') {
        v = await d.call('intake.queryDataSharing', { caseId: v.id, certificateItemId: cert.certificateItemId }, clerk);
        if (v.certificates.find((x) => x.code === cert.code)!.state !== 'satisfied') v = await d.call('intake.switchToVerification', { caseId: v.id, certificateItemId: cert.certificateItemId }, clerk);
      } else if (cert.method === 'dept_verification') {
        v = await d.call('intake.requestAssistance', { caseId: v.id, certificateItemId: cert.certificateItemId }, clerk);
      }
    }
    for (const r of await d.call('assistance.list', { openOnly: true }, clerk)) {
      if (r.caseId === v.id) await d.call('assistance.recordReply', { requestId: r.id, outcome: 'confirmed', reply: '电话核实属实', channel: 'phone' }, clerk);
    }
    const a = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, clerk);
    const c = { id: a.id, caseNo: a.caseNo };
    await waitForSender('r1 acknowledged', d.dataDir, async () => (await entriesOf(d, clerk, c.id))[0]?.state === 'acknowledged');
    expect((await d.call('intake.transition', { caseId: c.id, to: 'completed', decisionNo: '房民决字〔2026〕第002号' }, clerk)).status).toBe('completed');

    const view = await d.call('intake.get', { caseId: c.id }, clerk);
    expect(view.transitions.find((t) => t.to === 'revoked')).toMatchObject({ action: '撤销决定', needsReason: true, needsLegalBasis: true });
    const refused = await d.call('intake.transition', { caseId: c.id, to: 'revoked', reason: REVOKE_REASON }, clerk).catch((e: unknown) => e);
    expect((refused as CallFailed).error).toMatchObject({ code: 'BAD_INPUT', fields: { legalBasis: '已推送至业务系统的办件，终止办理或撤销决定须填写法律依据' } });
    expect((await d.call('intake.get', { caseId: c.id }, clerk)).status).toBe('completed');

    expect((await d.call('intake.transition', { caseId: c.id, to: 'revoked', reason: REVOKE_REASON, legalBasis: REVOKE_BASIS }, clerk)).status).toBe('revoked');
    const revoked = await waitForSender('the revocation acknowledged', d.dataDir, async () => {
      const entries = await entriesOf(d, clerk, c.id);
      const last = entries[entries.length - 1];
      return last?.statusChange === '撤销决定' && last.state === 'acknowledged' ? last : undefined;
    });
    expect(revoked.attempts).toBe(1);
    const stored = (await sim.cases('keyed')).filter((s) => s.externalRef === c.caseNo);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.versions[stored[0]!.versions.length - 1]!.statusChange).toMatchObject({
      previousStatus: 'completed',
      status: 'revoked',
      statusLabel: '撤销',
      action: '撤销决定',
      legalBasis: REVOKE_BASIS,
      reason: REVOKE_REASON,
    });
    expect(stored[0]!.status).toBe('revoked');
    expect(await sim.stats('keyed')).toMatchObject({ duplicatesServed: 0 });
    await d.app.stopSync();
    d.app.close();
  }, LOADED_BOUND);

  it('a case never sent anywhere is terminated with a reason alone and queues nothing', async () => {
    const { d, clerk } = await desk(false);
    const c = await accepted(d, clerk);
    const view = await d.call('intake.get', { caseId: c.id }, clerk);
    expect(view.transitions.find((t) => t.to === 'terminated')).toMatchObject({ needsReason: true, needsLegalBasis: false });
    expect((await d.call('intake.transition', { caseId: c.id, to: 'terminated', reason: REASON }, clerk)).status).toBe('terminated');
    const db = openTestStore(dbFile(d.dataDir), { readonly: true });
    expect(db.prepare(`SELECT COUNT(*) FROM outbox_entries WHERE case_id = ? AND kind = 'case'`).pluck().get(c.id)).toBe(0);
    expect(db.prepare(`SELECT COUNT(*) FROM audit_log WHERE action = 'sync.statusChange'`).pluck().get()).toBe(0);
    db.close();
    await d.app.stopSync();
    d.app.close();
  }, LOADED_BOUND);
});
