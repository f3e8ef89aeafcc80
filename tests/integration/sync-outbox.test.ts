import fs from 'node:fs';
import path from 'node:path';
import { openTestStore } from '../helpers/store';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestDesk } from '../helpers/app';
import { desksClosedAfterEach } from '../helpers/desk-cleanup';
import { tempDir } from '../helpers/temp';
import { startVerticalSim, type SimHandle } from '../../sim/vertical-system';
import { verifyAuditChain } from '../../electron/services/audit/audit-chain';
import { documentJpeg } from '../helpers/jpeg';
import { acceptCase, applicantIdOf, dbFile, FAST_SENDER, httpTarget, plainItem, resolveQuick, simTarget, timedOutAttempts, waitForSender, writeConfig } from '../helpers/sync-desks';

let sim: SimHandle;
const testDesk = desksClosedAfterEach();
/**
 * A bound for a loaded machine, not a speed measure: each test starts one to three desks (seeding,
 * password hashing) and signs in up to three times, which at load 30 on 2 cores takes 10-30 s — the
 * 30 s default cut "nothing unsynced is lost…" off there. The waits inside follow the sender's progress.
 */
const LOADED_BOUND = 180_000;
beforeAll(async () => {
  sim = await startVerticalSim({ dataDir: tempDir('sim-'), targets: [simTarget('keyed', true), simTarget('plain', false)] });
});
afterAll(async () => {
  await sim.close();
});

async function desk(extraTargets: unknown[] = []): Promise<{ d: TestDesk; token: string }> {
  const dataDir = tempDir('desk-sync-');
  writeConfig(dataDir, {
    version: 1,
    sender: FAST_SENDER,
    targets: [
      httpTarget('keyed', sim.targets.keyed!, 'key'),
      httpTarget('plain', sim.targets.plain!, 'none'),
      {
        id: 'manual',
        name: '民政业务系统（人工补录）',
        kind: 'manual',
        screen: '社会救助申请登记',
        fields: [
          { name: 'sqr', label: '申请人姓名', from: 'applicant.name' },
          { name: 'zjhm', label: '身份证号', from: 'applicant.idNumber' },
          { name: 'sqsx', label: '申请事项', from: 'items[].name', join: '、' },
          { name: 'slbh', label: '受理编号', from: 'caseNo', hint: '填入“备注”栏' },
        ],
      },
      ...(extraTargets as never[]),
    ],
  });
  const d = await testDesk({ dataDir });
  const s = await d.signIn('zhangmin');
  return { d, token: s.token };
}

describe('sync outbox: acceptance queues, the sender delivers', () => {
  it('accepting a case writes one entry per target in the same transaction, and each arrives exactly once', async () => {
    await sim.reset();
    const { d, token } = await desk();
    const item = await plainItem(d, token);
    const c = await acceptCase(d, token, await applicantIdOf(d, token), item.id);

    const db = openTestStore(dbFile(d.dataDir), { readonly: true });
    const rows = db.prepare(`SELECT target_id, revision, idempotency_key, state FROM outbox_entries WHERE case_id = ? AND kind = 'case' ORDER BY target_id`).all(c.id) as {
      target_id: string;
      revision: number;
      idempotency_key: string;
    }[];
    expect(rows.map((r) => r.target_id)).toEqual(['keyed', 'manual', 'plain']);
    expect(rows.every((r) => r.revision === 1 && r.idempotency_key.includes(c.caseNo))).toBe(true);
    // The entries were written by the acceptance transaction: the same audit time as the transition.
    const at = db.prepare(`SELECT action, at FROM audit_log WHERE entity_id = ? AND action IN ('case.transition', 'sync.enqueue') ORDER BY seq DESC LIMIT 2`).all(String(c.id)) as { action: string; at: string }[];
    expect(new Set(at.map((a) => a.action))).toEqual(new Set(['case.transition', 'sync.enqueue']));
    expect(at[0]!.at).toBe(at[1]!.at);

    await waitForSender('both http entries acknowledged', d.dataDir, async () => {
      const e = await d.call('sync.entries', { caseId: c.id }, token);
      return e.entries.filter((x) => x.state === 'acknowledged').length === 2;
    });
    for (const t of ['keyed', 'plain']) {
      const stored = (await sim.cases(t)).filter((x) => x.externalRef === c.caseNo);
      expect(stored).toHaveLength(1);
      expect(stored[0]!.payload).toMatchObject({ externalRef: c.caseNo, applicantName: '王芳', items: item.name });
    }
    const status = await d.call('sync.status', {}, token);
    const keyed = status.targets.find((t) => t.id === 'keyed')!;
    expect(keyed).toMatchObject({ reachable: true, queueLength: 0, parked: 0 });
    expect(status.targets.find((t) => t.id === 'manual')).toMatchObject({ reachable: null, queueLength: 1 });
    // The case's data-sharing queries could not reach the (unconfigured) platform: queued as outbox entries of its target.
    const queries = (await d.call('sync.entries', { caseId: c.id, targetId: 'data-sharing' }, token)).entries;
    expect(queries.length).toBe(item.certificates.filter((x) => x.method === 'data_sharing').length);
    expect(queries.every((q) => q.state === 'pending' || q.state === 'retry_wait')).toBe(true);
    expect(status.targets.find((t) => t.id === 'data-sharing')).toMatchObject({ kind: 'data_sharing', reachable: false, queueLength: queries.length });
    const home = await d.call('home.summary', {}, token);
    expect(home.sync).toEqual({ targetsConfigured: 3, pending: status.targets.reduce((n, t) => n + t.queueLength, 0) });
    const entries = await d.call('sync.entries', { caseId: c.id }, token);
    expect(entries.entries.find((x) => x.targetId === 'keyed')!.targetCaseNo).toBe((await sim.cases('keyed')).find((x) => x.externalRef === c.caseNo)!.caseNo);
    expect(verifyAuditChain(db).ok).toBe(true);
    db.close();
    await d.app.stopSync();
    d.app.close();
  }, LOADED_BOUND);

  it('manual re-entry: the fields in the screen order, then marked entered with the target number', async () => {
    const { d, token } = await desk();
    const c = await acceptCase(d, token, await applicantIdOf(d, token), (await plainItem(d, token)).id);
    const manual = (await d.call('sync.entries', { caseId: c.id, targetId: 'manual' }, token)).entries[0]!;
    expect(manual.state).toBe('pending');
    const v = await d.call('sync.manual.view', { entryId: manual.id }, token);
    expect(v.screen).toBe('社会救助申请登记');
    expect(v.fields.map((f) => f.label)).toEqual(['申请人姓名', '身份证号', '申请事项', '受理编号']);
    expect(v.fields[0]!.value).toBe('王芳');
    expect(v.fields[1]!.value).toBe('42032519880623004X');
    expect(v.fields[3]).toMatchObject({ value: c.caseNo, hint: '填入“备注”栏' });
    // Showing the whole ID number is audited with its reason (security: no full ID number without an audit entry).
    const recent = await d.call('audit.list', { limit: 20 }, (await d.signIn('admin')).token);
    const viewed = recent.filter((a) => a.action === 'sync.manualViewed');
    expect(viewed).toHaveLength(1);
    expect(viewed[0]).toMatchObject({ action: 'sync.manualViewed', entityType: 'case', entityId: String(c.id) });
    expect(viewed[0]!.detail).toContain('人工补录到');
    const marked = await d.call('sync.manual.markEntered', { entryId: manual.id, targetCaseNo: 'MZ-2026-000123' }, token);
    expect(marked.entry).toMatchObject({ state: 'acknowledged', targetCaseNo: 'MZ-2026-000123' });
    await expect(d.call('sync.manual.markEntered', { entryId: manual.id, targetCaseNo: 'X' }, token)).rejects.toThrow(/INVALID_STATE/);
    const keyed = (await d.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, token)).entries[0]!;
    await expect(d.call('sync.manual.view', { entryId: keyed.id }, token)).rejects.toThrow(/INVALID_STATE/);
    await d.app.stopSync();
    d.app.close();
  }, LOADED_BOUND);

  it('a 422 parks the entry after one attempt with the reason; re-sending makes a new revision with a new key', async () => {
    await sim.reset();
    await sim.setFaults('keyed', { reject422: { field: 'applicantName', pattern: '^王' } });
    const { d, token } = await desk();
    const c = await acceptCase(d, token, await applicantIdOf(d, token), (await plainItem(d, token)).id);
    const parked = await waitForSender('the keyed entry parked', d.dataDir, async () => (await d.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, token)).entries.find((e) => e.state === 'parked'));
    // One attempt — plus one per request that got no answer in time on a loaded machine (the
    // same-key re-send is refused again): what the fault caused, not the machine's speed.
    const timedOut = timedOutAttempts(d.dataDir).get(parked.id) ?? 0;
    expect(parked.attempts).toBe(1 + timedOut);
    expect(parked.parkedReason).toBe('字段“applicantName”的内容不符合本系统的填写要求（字段：applicantName）');
    const rejected = (await sim.stats('keyed')).rejected;
    expect(rejected).toBeGreaterThanOrEqual(1);
    expect(rejected).toBeLessThanOrEqual(1 + timedOut);
    expect((await d.call('sync.status', {}, token)).targets.find((t) => t.id === 'keyed')!.parked).toBe(1);

    await sim.setFaults('keyed', {});
    const again = await d.call('sync.resend', { entryId: parked.id, note: '已核对申请人信息' }, token);
    expect(again.entry.revision).toBe(2);
    expect(again.entry.idempotencyKey).not.toBe(parked.idempotencyKey);
    await waitForSender('revision 2 acknowledged', d.dataDir, async () => (await d.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, token)).entries.find((e) => e.revision === 2 && e.state === 'acknowledged'));
    const states = (await d.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, token)).entries.map((e) => [e.revision, e.state]);
    expect(states).toEqual([
      [2, 'acknowledged'],
      [1, 'superseded'],
    ]);
    expect((await sim.cases('keyed')).filter((x) => x.externalRef === c.caseNo)).toHaveLength(1);
    await d.app.stopSync();
    d.app.close();
  }, LOADED_BOUND);

  it('a target that is down queues; when it comes back the queue drains by itself', async () => {
    await sim.reset();
    await sim.setFaults('plain', { refuse: true });
    const { d, token } = await desk();
    const item = await plainItem(d, token);
    const applicant = await applicantIdOf(d, token);
    const cases = [];
    for (let i = 0; i < 5; i++) cases.push(await acceptCase(d, token, applicant, item.id));
    await waitForSender('plain seen unreachable', d.dataDir, async () => (await d.call('sync.status', {}, token)).targets.find((t) => t.id === 'plain')!.reachable === false);
    const down = (await d.call('sync.status', {}, token)).targets.find((t) => t.id === 'plain')!;
    expect(down.queueLength).toBe(5);
    expect(down.oldestWaitingAt).not.toBeNull();
    expect(down.lastError).toMatch(/无法连接/);

    await sim.setFaults('plain', { refuse: false }); // nothing local happens after this
    await waitForSender('plain drained', d.dataDir, async () => (await d.call('sync.status', {}, token)).targets.find((t) => t.id === 'plain')!.queueLength === 0);
    const stored = await sim.cases('plain');
    for (const c of cases) expect(stored.filter((x) => x.externalRef === c.caseNo)).toHaveLength(1);
    await d.app.stopSync();
    d.app.close();
  }, LOADED_BOUND);

  it('nothing unsynced is lost by sign-out, a user switch or a restart; files an entry needs stay', async () => {
    await sim.reset();
    await sim.setFaults('keyed', { refuse: true });
    await sim.setFaults('plain', { refuse: true });
    const { d, token } = await desk();
    const c = await acceptCaseWithPage(d, token);
    const before = (await d.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, token)).entries[0]!;
    expect(before.files.length).toBe(1);
    const sha = before.files[0]!.sha256;
    await d.call('auth.signOut', {}, token);
    const other = (await d.signIn('liuyang')).token;
    expect((await d.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, other)).entries[0]!.state).not.toBe('acknowledged');
    await d.app.stopSync();
    d.app.close();

    // A restart (the start-up sweep of orphan files runs) keeps the entry and its file.
    const again = await testDesk({ dataDir: d.dataDir });
    const t2 = (await again.signIn('zhangmin')).token;
    const after = (await again.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, t2)).entries[0]!;
    expect(after).toMatchObject({ id: before.id, idempotencyKey: before.idempotencyKey });
    expect(after.state).not.toBe('acknowledged');
    expect(fs.existsSync(path.join(d.dataDir, 'files', sha.slice(0, 2), sha))).toBe(true);
    const db = openTestStore(dbFile(d.dataDir));
    expect(() => db.prepare('DELETE FROM files WHERE sha256 = ?').run(sha)).toThrow(/FOREIGN KEY/);
    db.close();

    // Back up: it goes, with its file.
    await sim.setFaults('keyed', { refuse: false });
    await sim.setFaults('plain', { refuse: false });
    await waitForSender('delivered after the restart', d.dataDir, async () => (await again.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, t2)).entries[0]!.state === 'acknowledged');
    const stored = (await sim.cases('keyed')).filter((x) => x.externalRef === c.caseNo);
    expect(stored).toHaveLength(1);
    expect((stored[0]!.payload.files as { sha256: string }[])[0]!.sha256).toBe(sha);
    await again.app.stopSync();
    again.app.close();
  }, LOADED_BOUND);

  it('a broken targets file is refused with a clear reason; the desk starts and queued entries wait', async () => {
    await sim.setFaults('keyed', { refuse: true });
    const { d, token } = await desk();
    const c = await acceptCase(d, token, await applicantIdOf(d, token), (await plainItem(d, token)).id);
    await d.app.stopSync();
    d.app.close();
    fs.writeFileSync(path.join(d.dataDir, 'sync-targets.json'), '{"version": 1, "targets": [');
    const again = await testDesk({ dataDir: d.dataDir });
    const t = (await again.signIn('zhangmin')).token;
    const status = await again.call('sync.status', {}, t);
    expect(status.configProblem).toMatch(/同步目标配置文件不是有效的 JSON/);
    expect(status.targets.map((x) => x.id)).toEqual(['data-sharing']);
    const kept = await again.call('sync.entries', { caseId: c.id, targetId: 'keyed' }, t);
    expect(kept.entries).toHaveLength(1);
    expect(kept.entries[0]!.state).not.toBe('acknowledged');
    await again.app.stopSync();
    again.app.close();
    await sim.setFaults('keyed', { refuse: false });
  }, LOADED_BOUND);

  it('warns when the clock looks wrong: behind the last time seen, or far from a target', async () => {
    await sim.reset();
    const { d } = await desk();
    await d.app.stopSync();
    d.app.close();
    // Restarted with the clock a day behind.
    const behind = await testDesk({ dataDir: d.dataDir, now: () => new Date(Date.now() - 24 * 3600_000) });
    const t1 = (await behind.signIn('zhangmin')).token;
    expect((await behind.call('sync.status', {}, t1)).clockWarning).toMatch(/早约 \d+ 分钟/);
    await behind.app.stopSync();
    behind.app.close();
    // Restarted with the clock 20 minutes ahead of the targets' Date headers.
    const ahead = await testDesk({ dataDir: d.dataDir, now: () => new Date(Date.now() + 20 * 60_000) });
    const t2 = (await ahead.signIn('zhangmin')).token;
    const warning = await waitForSender('a target answered', d.dataDir, async () => (await ahead.call('sync.status', {}, t2)).clockWarning);
    expect(warning).toMatch(/相差约 (19|20|21) 分钟（本机偏快）/);
    await ahead.app.stopSync();
    ahead.app.close();
  }, LOADED_BOUND);
});

/** An accepted case with one real scanned page on it (the page is one of the case's files). */
async function acceptCaseWithPage(d: TestDesk, token: string) {
  const item = await plainItem(d, token);
  const v = await d.call('intake.start', { applicantId: await applicantIdOf(d, token), serviceItemIds: [item.id] }, token);
  const doc = await d.call('scans.createDocument', { caseId: v.id, kind: 'other', title: '户口簿' }, token);
  const jpeg = documentJpeg(640, 480, { seed: 5 });
  await d.call(
    'scans.addPage',
    {
      documentId: doc.id,
      page: { mime: 'image/jpeg', base64: jpeg.toString('base64') },
      width: 640,
      height: 480,
      mode: 'color',
      capture: { deviceLabel: 'USB Document Camera', adapter: 'uvc', resolution: { width: 640, height: 480 }, rotation: 0, trigger: 'manual', blank: false },
    },
    token,
  );
  await resolveQuick(d, token, v.id);
  const a = await d.call('intake.transition', { caseId: v.id, to: 'accepted' }, token);
  return { id: a.id, caseNo: a.caseNo };
}
